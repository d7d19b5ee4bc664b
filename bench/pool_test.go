package bench

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alitto/pond/v2"
	"github.com/panjf2000/ants/v2"
	concpool "github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"

	"github.com/labludus/ludus/pool"
)

// poolWorkers is the worker limit every pooled peer gets, in both pool
// benchmarks: large enough for the 1 ms tasks to overlap 10k at a time
// (100k tasks then take ~10 rounds of 1 ms), and the same for all so that
// no library is tuned for its own sake.
const poolWorkers = 10_000

// poolImpl runs tasks tasks of task with at most workers at once and
// returns when all have run, in one library's idiom: ludus Close, conc
// Wait, pond StopAndWait, errgroup Wait; raw goroutines and ants, which
// have none, a WaitGroup.
type poolImpl struct {
	name string
	run  func(b *testing.B, workers, tasks int, task func())
}

var poolImpls = []poolImpl{
	{"ludus", func(b *testing.B, workers, tasks int, task func()) {
		p := pool.New(workers)
		for range tasks {
			if err := p.Go(task); err != nil {
				b.Fatal(err)
			}
		}
		p.Close()
	}},
	{"goroutines", func(b *testing.B, workers, tasks int, task func()) {
		var wg sync.WaitGroup
		for range tasks {
			wg.Go(task)
		}
		wg.Wait()
	}},
	{"errgroup", func(b *testing.B, workers, tasks int, task func()) {
		var g errgroup.Group
		g.SetLimit(workers)
		for range tasks {
			g.Go(func() error { task(); return nil })
		}
		_ = g.Wait()
	}},
	{"conc", func(b *testing.B, workers, tasks int, task func()) {
		p := concpool.New().WithMaxGoroutines(workers)
		for range tasks {
			p.Go(task)
		}
		p.Wait()
	}},
	{"ants", func(b *testing.B, workers, tasks int, task func()) {
		p, err := ants.NewPool(workers)
		if err != nil {
			b.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(tasks)
		run := func() { task(); wg.Done() }
		for range tasks {
			if err := p.Submit(run); err != nil {
				b.Fatal(err)
			}
		}
		wg.Wait()
		p.Release()
	}},
	{"antsFunc", func(b *testing.B, workers, tasks int, task func()) {
		var wg sync.WaitGroup
		p, err := ants.NewPoolWithFunc(workers, func(any) { task(); wg.Done() })
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(tasks)
		for range tasks {
			// Not nil: ants workers take a nil argument as "exit".
			if err := p.Invoke(struct{}{}); err != nil {
				b.Fatal(err)
			}
		}
		wg.Wait()
		p.Release()
	}},
	{"pond", func(b *testing.B, workers, tasks int, task func()) {
		p := pond.NewPool(workers)
		for range tasks {
			// Go, not Submit: fire and forget, no future per task.
			if err := p.Go(task); err != nil {
				b.Fatal(err)
			}
		}
		p.StopAndWait()
	}},
}

// poolPeers runs tasks tasks of task through each library named in only
// (every library when only is empty), side by side.
func poolPeers(b *testing.B, workers, tasks int, task func(), only ...string) {
	for _, impl := range poolImpls {
		if len(only) > 0 && !slices.Contains(only, impl.name) {
			continue
		}
		b.Run(impl.name, func(b *testing.B) {
			loopWithCPU(b, func() { impl.run(b, workers, tasks, task) })
		})
	}
}

// BenchmarkPoolTiny runs 1M tasks of one atomic add: the cost of the pool
// itself. Goal: ludus <= 0.8x the best peer in time (memory: see
// BenchmarkPoolMemory).
// Peers need about a second per iteration for 1M tasks; -short runs 100k.
func BenchmarkPoolTiny(b *testing.B) {
	tasks := int64(1_000_000)
	if testing.Short() {
		tasks = 100_000
	}
	// Two worker limits: the large one every pool benchmark shares, and one
	// worker per P, where no library can win by starting fewer goroutines
	// than the others.
	for _, workers := range []int{poolWorkers, 0} {
		name := fmt.Sprintf("workers=%d", workers)
		if workers == 0 {
			// Named the same at every -cpu value, so that goals and
			// benchstat rows line up across them.
			name, workers = "workers=perP", runtime.GOMAXPROCS(0)
		}
		b.Run(name, func(b *testing.B) {
			var n atomic.Int64
			poolPeers(b, workers, int(tasks), func() { n.Add(1) })
			if got := n.Load(); got%tasks != 0 {
				b.Fatalf("ran %d tasks, not a multiple of %d: some were lost", got, tasks)
			}
		})
	}
}

// BenchmarkPoolMemory measures what a pool of one worker per P costs in
// memory, ludus against ants (the goal: B/op <= ants), on 100k tiny tasks:
// short enough to run many iterations, so that the one-time allocations of
// a process (goroutine records, recycled waiters) do not swamp the pool's
// own few hundred bytes, as they do in the two-iteration samples of
// BenchmarkPoolTiny.
func BenchmarkPoolMemory(b *testing.B) {
	const tasks = 100_000
	var n atomic.Int64
	poolPeers(b, runtime.GOMAXPROCS(0), tasks, func() { n.Add(1) }, "ludus", "ants")
	if got := n.Load(); got%tasks != 0 {
		b.Fatalf("ran %d tasks, not a multiple of %d: some were lost", got, tasks)
	}
}

// BenchmarkPoolSleep runs 100k tasks that each sleep 1 ms (an I/O stand-in)
// with at most poolWorkers at once: ideally 10 rounds of 1 ms.
func BenchmarkPoolSleep(b *testing.B) {
	const tasks = 100_000
	var n atomic.Int64
	poolPeers(b, poolWorkers, tasks, func() { time.Sleep(time.Millisecond); n.Add(1) })
	if got := n.Load(); got%tasks != 0 {
		b.Fatalf("ran %d tasks, not a multiple of %d: some were lost", got, tasks)
	}
}
