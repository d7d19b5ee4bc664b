//lint:file-ignore SA2001 lock-order and deadlock scenarios take locks only to hold them

package check_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/sync"
)

// The guide's race: two goroutines read the balance, compute, and write it
// back. The checker finds the schedule that loses an update on its first
// run, every run.
func ExampleRun() {
	r := check.Run(func(t *check.T) {
		balance := check.NewVar("balance", 1000)
		t.Go("A", func() { balance.Store(balance.Load() + 500) })
		t.Go("B", func() { balance.Store(balance.Load() - 200) })
		t.Wait()
		if got := balance.Load(); got != 1300 {
			t.Errorf("balance = %d, want 1300", got)
		}
	}, check.DetectDataRaces(false))
	f := r.Failure
	fmt.Println(f.Kind, "-", f.Message)
	for _, s := range f.Trace[2:6] { // after "main go A", "main go B"
		fmt.Println(s.Goroutine, s.Op)
	}
	// Output:
	// assertion failed - balance = 1500, want 1300
	// A balance.Load() -> 1000
	// B balance.Load() -> 1000
	// B balance.Store(800)
	// A balance.Store(1500)
}

// With a mutex around the read-modify-write, no schedule loses an update,
// and Exhaustive proves it over all of them.
func ExampleExhaustive() {
	r := check.Run(func(t *check.T) {
		var mu sync.Mutex
		balance := check.NewVar("balance", 1000)
		add := func(d int) {
			mu.Lock()
			defer mu.Unlock()
			balance.Store(balance.Load() + d)
		}
		t.Go("A", func() { add(500) })
		t.Go("B", func() { add(-200) })
		t.Wait()
		if got := balance.Load(); got != 1300 {
			t.Errorf("balance = %d, want 1300", got)
		}
	}, check.Exhaustive())
	fmt.Println(r.Failure == nil, r.Exhausted, r.Executions, r.Strategy)
	// Output: true true 2 DPOR, complete
}

// Two goroutines take two locks in opposite order: the checker reports the
// deadlock with its wait-for cycle.
func ExampleFailure_String() {
	r := check.Run(func(t *check.T) {
		var mu1, mu2 sync.Mutex
		t.Go("A", func() {
			mu1.Lock()
			mu2.Lock()
			mu2.Unlock()
			mu1.Unlock()
		})
		t.Go("B", func() {
			mu2.Lock()
			mu1.Lock()
			mu1.Unlock()
			mu2.Unlock()
		})
		t.Wait()
	})
	fmt.Println(r.Failure.Kind)
	fmt.Println(r.Failure.Message[:strings.IndexByte(r.Failure.Message, '\n')])
	// Output:
	// deadlock
	// A holds mu1 and waits for mu2, held by B; B holds mu2 and waits for mu1, held by A
}

// A token reruns exactly the failing schedule.
func ExampleReplay() {
	body := func(t *check.T) {
		n := check.NewVar("n", 0)
		t.Go("A", func() { n.Store(n.Load() + 1) })
		t.Go("B", func() { n.Store(n.Load() + 1) })
		t.Wait()
		if n.Load() != 2 {
			t.Errorf("n = %d", n.Load())
		}
	}
	first := check.Run(body, check.DetectDataRaces(false))
	again := check.Run(body, check.DetectDataRaces(false), check.Replay(first.Failure.Replay))
	fmt.Println(again.Strategy, again.Executions, again.Failure.Message)
	// Output: replay 1 n = 1
}

// Data races are reported even when the values come out right.
func ExampleDetectDataRaces() {
	r := check.Run(func(t *check.T) {
		x := check.NewVar("x", 0)
		t.Go("writer", func() { x.Store(1) })
		t.Go("reader", func() { _ = x.Load() })
	})
	fmt.Println(r.Failure.Kind)
	// Output: data race
}

// Select explores every ready case; After times out on the virtual clock.
func ExampleSelect() {
	r := check.Run(func(t *check.T) {
		result := check.NewChan[string]("result", 1)
		t.Go("worker", func() {
			check.Sleep(time.Hour) // virtual: costs nothing
			result.Send("done")
		})
		var v string
		switch i, _ := check.Select(result.RecvCase(&v), check.After(time.Minute).RecvCase(nil)); i {
		case 0:
			t.Errorf("result %q before the timeout", v)
		case 1:
			t.Logf("timed out at %v", check.Now().Sub(check.Epoch))
		}
		t.Wait()
	}, check.Exhaustive())
	fmt.Println(r.Failure == nil, r.Exhausted)
	// Output: true true
}

// An unbuffered send nobody receives leaks its goroutine.
func ExampleNewChan() {
	r := check.Run(func(t *check.T) {
		ch := check.NewChan[int]("results", 0)
		t.Go("worker", func() { ch.Send(42) })
	})
	fmt.Println(r.Failure.Kind)
	// Output: goroutine leak
}

// Random and PCT sample schedules from a seed; both find the race.
func ExamplePCT() {
	body := func(t *check.T) {
		n := check.NewVar("n", 0)
		for _, g := range []string{"A", "B", "C"} {
			t.Go(g, func() { n.Store(n.Load() + 1) })
		}
		t.Wait()
		if n.Load() != 3 {
			t.Errorf("lost update")
		}
	}
	for _, opt := range []check.Option{check.PCT(3, 1, 1000), check.Random(1, 1000)} {
		r := check.Run(body, opt, check.DetectDataRaces(false))
		fmt.Println(r.Failure.Message)
	}
	// Output:
	// lost update
	// lost update
}

// MaxSteps turns a spin loop into a StepLimit failure instead of a hang.
func ExampleMaxSteps() {
	r := check.Run(func(t *check.T) {
		ready := check.NewVar("ready", false)
		for !ready.Load() { // nobody ever sets it
		}
	}, check.MaxSteps(50))
	fmt.Println(r.Verdict(), "-", r.Limit, "-", r.LimitDetail)
	// Output: inconclusive - step limit - more than 50 steps in one execution
}

// Go starts a managed goroutine without a T, as the rewriter's go
// statement does; Name labels an object in traces.
func ExampleGo() {
	r := check.Run(func(t *check.T) {
		var mu sync.Mutex
		check.Name(&mu, "accounts")
		done := check.NewChan[bool]("done", 0)
		check.Go("worker", func() {
			mu.Lock()
			mu.Lock() // locks twice: blocks forever
			done.Send(true)
		})
		done.Recv()
	})
	fmt.Println(r.Failure.Message[:strings.IndexByte(r.Failure.Message, '\n')])
	// Output: worker#1 holds accounts and waits for accounts, held by worker#1
}

// MaxPreemptions bounds the search; the report says how far it got.
func ExampleMaxPreemptions() {
	r := check.Run(func(t *check.T) {
		n := check.NewVar("n", 0)
		for _, g := range []string{"A", "B", "C"} {
			t.Go(g, func() { n.Store(n.Load() + 1) })
		}
	}, check.MaxPreemptions(1), check.MaxExecutions(100), check.DetectDataRaces(false))
	fmt.Println(r.Strategy)
	// Output: DPOR, complete up to 1 preemption
}

// In a test, Explore fails the test with the printed schedule; set
// LUDUS_REPLAY to the token it prints to rerun exactly that schedule.
func ExampleExplore() {
	_ = func(t *testing.T) { // func TestCounter(t *testing.T)
		check.Explore(t, func(t *check.T) {
			n := check.NewVar("n", 0)
			t.Go("A", func() { n.Store(n.Load() + 1) })
			t.Go("B", func() { n.Store(n.Load() + 1) })
		})
	}
}

// NewVar is plain shared memory: each Load and Store is a scheduling
// point.
func ExampleNewVar() {
	r := check.Run(func(t *check.T) {
		flag := check.NewVar("flag", false)
		t.Go("setter", func() { flag.Store(true) })
		t.Wait()
		if !flag.Load() {
			t.Errorf("flag not set after Wait")
		}
	}, check.Exhaustive())
	fmt.Println(r.Failure == nil, r.Executions)
	// Output: true 1
}

// Sleep and NewTimer run on a virtual clock that jumps to the next
// deadline when every goroutine waits.
func ExampleNewTimer() {
	r := check.Run(func(t *check.T) {
		tm := check.NewTimer(time.Hour)
		t.Go("canceller", func() {
			check.Sleep(time.Minute)
			tm.Stop()
		})
		t.Wait()
		if _, fired := tm.C.TryRecv(); fired {
			t.Errorf("stopped timer fired")
		}
		// Each step costs a microsecond of virtual time (StepCost).
		if got := check.Now().Sub(check.Epoch); got < time.Minute || got > time.Minute+time.Millisecond {
			t.Errorf("virtual time %v", got)
		}
	}, check.Exhaustive())
	fmt.Println(r.Failure == nil)
	// Output: true
}

// TrySend and TryRecv never block.
func ExampleChan_TrySend() {
	r := check.Run(func(t *check.T) {
		c := check.NewChan[int]("c", 1)
		fmt.Println(c.TrySend(1), c.TrySend(2))
		v, ok := c.TryRecv()
		fmt.Println(v, ok)
	})
	fmt.Println(r.Failure == nil)
	// Output:
	// true false
	// 1 true
	// true
}

// Random samples schedules from a seed; the same seed gives the same
// schedules.
func ExampleRandom() {
	body := func(t *check.T) {
		n := check.NewVar("n", 0)
		t.Go("A", func() { n.Store(n.Load() + 1) })
		t.Go("B", func() { n.Store(n.Load() + 1) })
		t.Wait()
		if n.Load() != 2 {
			t.Errorf("lost update")
		}
	}
	a := check.Run(body, check.Random(42, 100), check.DetectDataRaces(false))
	b := check.Run(body, check.Random(42, 100), check.DetectDataRaces(false))
	fmt.Println(a.Failure != nil, a.Executions == b.Executions, a.Failure.Replay == b.Failure.Replay)
	// Output: true true true
}

// NoReduction turns DPOR off, to see how many schedules it saves.
func ExampleNoReduction() {
	body := func(t *check.T) {
		for _, g := range []string{"A", "B", "C"} {
			v := check.NewVar(g, 0) // each goroutine has its own variable
			t.Go(g, func() { v.Store(v.Load() + 1) })
		}
	}
	dpor := check.Run(body, check.Exhaustive())
	dfs := check.Run(body, check.Exhaustive(), check.NoReduction())
	fmt.Println(dpor.Executions, dfs.Executions)
	// Output: 1 1680
}

// MaxExecutions and MaxTime bound the budget of an exploration.
func ExampleMaxExecutions() {
	r := check.Run(func(t *check.T) {
		n := check.NewVar("n", 0)
		for _, g := range []string{"A", "B", "C", "D"} {
			t.Go(g, func() {
				for range 3 {
					n.Store(n.Load() + 1)
				}
			})
		}
	}, check.Exhaustive(), check.MaxExecutions(50), check.MaxTime(time.Minute), check.DetectDataRaces(false))
	fmt.Println(r.Executions, r.Exhausted)
	// Output: 50 false
}
