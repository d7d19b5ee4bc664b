package check_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/atomic"
	"github.com/labludus/ludus/check/sync"
)

// A random program: a few goroutines, each a short list of operations on
// shared variables, atomics, a mutex, TryLock and a buffered channel
// (never blocking, so every schedule runs to the end), goroutines that
// start goroutines, yields, sleeps and timers.
type progOp struct {
	kind int // 0 load, 1 store, 2 atomic add, 3 locked increment, 4 trylock, 5 try send, 6 try recv, 7 spawn, 8 yield, 9 sleep, 10 timer
	v    int
}

func randomProgram(r *rand.Rand) [][]progOp {
	gs := make([][]progOp, 2+r.IntN(2))
	for i := range gs {
		n := 1 + r.IntN(3)
		for range n {
			gs[i] = append(gs[i], progOp{kind: r.IntN(11), v: r.IntN(2)})
		}
	}
	return gs
}

// outcomes explores prog and returns the set of observable outcomes: what
// every goroutine read, and the final state.
func outcomes(t *testing.T, prog [][]progOp, opts ...check.Option) (map[string]bool, check.Report) {
	seen := map[string]bool{}
	r := check.Run(func(t *check.T) {
		vars := []*check.Var[int]{check.NewVar("x", 0), check.NewVar("y", 0)}
		var ctr atomic.Int32
		var mu sync.Mutex
		ch := check.NewChan[int]("ch", 1)
		obs := make([][]int, len(prog))
		for i, ops := range prog {
			t.Go(fmt.Sprintf("G%d", i), func() {
				for k, op := range ops {
					switch op.kind {
					case 0:
						obs[i] = append(obs[i], vars[op.v].Load())
					case 1:
						vars[op.v].Store(10*i + k)
					case 2:
						obs[i] = append(obs[i], int(ctr.Add(1)))
					case 3:
						mu.Lock()
						vars[op.v].Store(vars[op.v].Load() + 1)
						mu.Unlock()
					case 4:
						if mu.TryLock() {
							obs[i] = append(obs[i], 1)
							mu.Unlock()
						} else {
							obs[i] = append(obs[i], 0)
						}
					case 5:
						if ch.TrySend(i) {
							obs[i] = append(obs[i], 1)
						} else {
							obs[i] = append(obs[i], 0)
						}
					case 6:
						v, ok := ch.TryRecv()
						if !ok {
							v = -1
						}
						obs[i] = append(obs[i], v)
					case 7:
						t.Go("child", func() { vars[op.v].Store(100 + 10*i + k) })
					case 8:
						check.Sleep(0)
					case 9:
						check.Sleep(time.Duration(1+op.v) * time.Microsecond)
					case 10:
						tm := check.NewTimer(time.Duration(1+op.v) * time.Microsecond)
						check.Sleep(2 * time.Microsecond)
						_, fired := tm.C.TryRecv()
						obs[i] = append(obs[i], map[bool]int{false: 0, true: 1}[fired])
					}
				}
			})
		}
		t.Wait()
		seen[fmt.Sprint(obs, vars[0].Load(), vars[1].Load(), ctr.Load(), ch.Len())] = true
	}, append([]check.Option{check.Exhaustive(), check.DetectDataRaces(false), check.StepCost(0)}, opts...)...)
	if r.Failure != nil {
		t.Fatalf("%v", r.Failure)
	}
	return seen, r
}

// DPOR is sound: on random programs it reaches exactly the outcomes plain
// DFS reaches, with no more executions. The programs sleep and arm timers
// with StepCost(0): time then moves only when every goroutine waits, the
// logical time under which DPOR's reordering of independent steps is
// exact. (With a cost per step, when a timer comes due depends on how many
// steps ran before it was armed, which any reordering changes: there DPOR
// explores the timer's lateness only through races on its channel.)
func TestDPORMatchesDFS(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	n := 150
	if testing.Short() || check.RaceEnabled {
		n = 15
	}
	compared := 0
	defer func() { t.Logf("%d programs compared", compared) }()
	for i := 0; i < n; i++ {
		prog := randomProgram(rng)
		full, rf := outcomes(t, prog, check.NoReduction(), check.MaxExecutions(3000))
		if !rf.Exhausted {
			continue // too big for plain DFS; DPOR is compared on the rest
		}
		red, rr := outcomes(t, prog)
		if !rr.Exhausted {
			t.Fatalf("program %d: DPOR did not finish", i)
		}
		compared++
		if !mapsEqual(full, red) {
			t.Fatalf("program %d %v: DPOR reached %d outcomes, DFS %d\nmissing: %v", i, prog, len(red), len(full), missing(full, red))
		}
		if rr.Executions > rf.Executions {
			t.Fatalf("program %d: DPOR ran %d executions, DFS %d", i, rr.Executions, rf.Executions)
		}
	}
}

func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func missing(full, red map[string]bool) string {
	var m []string
	for k := range full {
		if !red[k] {
			m = append(m, k)
		}
	}
	slices.Sort(m)
	return strings.Join(m, "; ")
}

// The same comparison on channel programs: two senders, each doing some
// variable operations around one send, and a receiver taking both values
// with a select (unbuffered or buffered channels, RWMutex-guarded reads).
func TestDPORMatchesDFSChannels(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	n := 80
	if testing.Short() || check.RaceEnabled {
		n = 8
	}
	compared := 0
	for i := 0; i < n; i++ {
		capacity := rng.IntN(2)
		pre := [2][]progOp{}
		for s := range pre {
			for range rng.IntN(3) {
				pre[s] = append(pre[s], progOp{kind: rng.IntN(2), v: rng.IntN(2)})
			}
		}
		recvOps := rng.IntN(3)
		body := func(seen map[string]bool) func(*check.T) {
			return func(t *check.T) {
				x, y := check.NewVar("x", 0), check.NewVar("y", 0)
				vars := []*check.Var[int]{x, y}
				var rw sync.RWMutex
				chs := []*check.Chan[int]{check.NewChan[int]("c0", capacity), check.NewChan[int]("c1", capacity)}
				obs := make([][]int, 3)
				for s := range 2 {
					t.Go(fmt.Sprintf("S%d", s), func() {
						for k, op := range pre[s] {
							if op.kind == 0 {
								rw.RLock()
								obs[s] = append(obs[s], vars[op.v].Load())
								rw.RUnlock()
							} else {
								rw.Lock()
								vars[op.v].Store(10*s + k)
								rw.Unlock()
							}
						}
						chs[s].Send(s)
					})
				}
				t.Go("R", func() {
					for k := 0; k < 2; k++ {
						var v int
						i, _ := check.Select(chs[0].RecvCase(&v), chs[1].RecvCase(&v))
						obs[2] = append(obs[2], i, v)
						if k < recvOps {
							rw.Lock()
							x.Store(x.Load() + 100)
							rw.Unlock()
						}
					}
				})
				t.Wait()
				seen[fmt.Sprint(obs, x.Load(), y.Load())] = true
			}
		}
		full, red := map[string]bool{}, map[string]bool{}
		rf := check.Run(body(full), check.Exhaustive(), check.DetectDataRaces(false), check.NoReduction(), check.MaxExecutions(3000))
		if rf.Failure != nil {
			t.Fatal(rf.Failure)
		}
		if !rf.Exhausted {
			continue
		}
		rr := check.Run(body(red), check.Exhaustive(), check.DetectDataRaces(false))
		if rr.Failure != nil || !rr.Exhausted {
			t.Fatalf("program %d: %+v", i, rr)
		}
		compared++
		if !mapsEqual(full, red) {
			t.Fatalf("program %d (cap %d, %v, %d): DPOR reached %d outcomes, DFS %d\nmissing: %v", i, capacity, pre, recvOps, len(red), len(full), missing(full, red))
		}
	}
	t.Logf("%d programs compared", compared)
}

// And on blocking structures: workers that pass a condition-variable gate,
// run a Once, CAS-increment a counter and hand values to a collector over
// an unbuffered channel, joined by a WaitGroup.
func TestDPORMatchesDFSBlocking(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	n := 50
	if testing.Short() || check.RaceEnabled {
		n = 6
	}
	compared := 0
	for i := 0; i < n; i++ {
		workers := 2
		plans := make([][]int, workers)
		sends, gated := 0, false
		for w := range plans {
			for range 1 + rng.IntN(2) {
				op := rng.IntN(4) // 0 gate, 1 once, 2 CAS, 3 send
				plans[w] = append(plans[w], op)
				sends += min(op/3, 1)
				gated = gated || op == 0
			}
		}
		body := func(seen map[string]bool) func(*check.T) {
			return func(t *check.T) {
				var mu sync.Mutex
				gate := sync.NewCond(&mu)
				open := check.NewVar("open", false)
				var once sync.Once
				var wg sync.WaitGroup
				var ctr atomic.Int32
				x := check.NewVar("x", 0)
				ch := check.NewChan[int]("ch", 0)
				obs := make([][]int, workers+1)
				if gated {
					t.Go("gate", func() {
						mu.Lock()
						open.Store(true)
						mu.Unlock()
						gate.Broadcast()
					})
				}
				if sends > 0 {
					t.Go("collector", func() {
						for range sends {
							obs[workers] = append(obs[workers], ch.Recv())
						}
					})
				}
				wg.Add(workers)
				for w, plan := range plans {
					t.Go(fmt.Sprintf("W%d", w), func() {
						defer wg.Done()
						for k, op := range plan {
							switch op {
							case 0:
								mu.Lock()
								for !open.Load() {
									gate.Wait()
								}
								mu.Unlock()
							case 1:
								once.Do(func() { x.Store(w + 1) })
								obs[w] = append(obs[w], x.Load())
							case 2:
								for {
									old := ctr.Load()
									if ctr.CompareAndSwap(old, old+1) {
										obs[w] = append(obs[w], int(old))
										break
									}
								}
							case 3:
								ch.Send(10*w + k)
							}
						}
					})
				}
				wg.Wait()
				t.Wait()
				seen[fmt.Sprint(obs, x.Load(), ctr.Load())] = true
			}
		}
		full, red := map[string]bool{}, map[string]bool{}
		rf := check.Run(body(full), check.Exhaustive(), check.NoReduction(), check.MaxExecutions(4000))
		if rf.Failure != nil {
			t.Fatal(rf.Failure)
		}
		if !rf.Exhausted {
			continue
		}
		rr := check.Run(body(red), check.Exhaustive())
		if rr.Failure != nil || !rr.Exhausted {
			t.Fatalf("program %d: %+v", i, rr)
		}
		compared++
		if !mapsEqual(full, red) {
			t.Fatalf("program %d %v: DPOR reached %d outcomes, DFS %d\nmissing: %v", i, plans, len(red), len(full), missing(full, red))
		}
	}
	t.Logf("%d programs compared", compared)
}
