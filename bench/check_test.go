package bench

import (
	"fmt"
	"testing"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/sync"
)

// The five programs of the check benchmark. Each explores to completion
// (no assertion stops it early), so executions and steps measure the
// engine, not luck.

func checkBankRace(t *check.T) {
	balance := check.NewVar("balance", 1000)
	t.Go("A", func() { balance.Store(balance.Load() + 500) })
	t.Go("B", func() { balance.Store(balance.Load() - 200) })
	t.Wait()
	_ = balance.Load()
}

func checkBankMutex(t *check.T) {
	var mu sync.Mutex
	balance := check.NewVar("balance", 1000)
	add := func(d int) {
		mu.Lock()
		balance.Store(balance.Load() + d)
		mu.Unlock()
	}
	t.Go("A", func() { add(500) })
	t.Go("B", func() { add(-200) })
	t.Wait()
	_ = balance.Load()
}

const (
	checkOwnVars = 8
	checkDFSCap  = 5000
)

func checkOwnVar(t *check.T) {
	for i := 0; i < checkOwnVars; i++ {
		v := check.NewVar("v", 0)
		t.Go("", func() {
			for j := 0; j < 4; j++ {
				v.Store(v.Load() + 1)
			}
		})
	}
}

func checkPhilosophers(t *check.T) {
	const n = 3
	forks := make([]sync.Mutex, n)
	meals := check.NewVar("meals", 0)
	var mu sync.Mutex
	for i := 0; i < n; i++ {
		first, second := i, (i+1)%n
		if first > second { // lock ordering: no deadlock
			first, second = second, first
		}
		t.Go(fmt.Sprintf("P%d", i), func() {
			forks[first].Lock()
			forks[second].Lock()
			mu.Lock()
			meals.Store(meals.Load() + 1)
			mu.Unlock()
			forks[second].Unlock()
			forks[first].Unlock()
		})
	}
}

func checkBoundedBuffer(t *check.T) {
	buf := check.NewChan[int]("buf", 2)
	done := check.NewChan[struct{}]("done", 0)
	for _, p := range []string{"P1", "P2"} {
		t.Go(p, func() {
			for i := 0; i < 2; i++ {
				buf.Send(i)
			}
		})
	}
	t.Go("C", func() {
		for i := 0; i < 4; i++ {
			buf.Recv()
		}
		done.Send(struct{}{})
	})
	done.Recv()
}

var checkPrograms = []struct {
	name string
	body func(*check.T)
}{
	{"bank-race", checkBankRace},
	{"bank-mutex", checkBankMutex},
	{"own-vars", checkOwnVar},
	{"philosophers-3", checkPhilosophers},
	{"bounded-buffer", checkBoundedBuffer},
}

// BenchmarkCheck explores each program completely, with DPOR (the
// default engine) and with plain DFS (check.NoReduction), and reports
// scheduling steps per second, executions per second and the executions
// one complete exploration needs.
func BenchmarkCheck(b *testing.B) {
	for _, p := range checkPrograms {
		for _, mode := range []string{"dpor", "dfs"} {
			b.Run(p.name+"/"+mode, func(b *testing.B) {
				opts := []check.Option{check.Exhaustive(), check.DetectDataRaces(false)}
				if mode == "dfs" {
					// Plain DFS explodes (own-vars has 64!/(8!)^8 interleavings):
					// cap it so one iteration stays under a second.
					opts = append(opts, check.NoReduction(), check.MaxExecutions(checkDFSCap))
				}
				var steps int64
				var execs int
				for b.Loop() {
					r := check.Run(p.body, opts...)
					if r.Failure != nil {
						b.Fatal(r.Failure)
					}
					if !r.Exhausted && (mode == "dpor" || r.Executions < checkDFSCap) {
						b.Fatalf("not exhausted: %+v", r)
					}
					steps += r.Steps
					execs = r.Executions
					b.ReportMetric(float64(r.Executions), "executions/op")
				}
				secs := b.Elapsed().Seconds()
				b.ReportMetric(float64(steps)/secs, "steps/s")
				b.ReportMetric(float64(execs*b.N)/secs, "execs/s")
			})
		}
	}
}
