package check_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/labludus/ludus/check"
)

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
