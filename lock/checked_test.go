//go:build ludus_check && !ludus_nolockdep

//lint:file-ignore SA2001 lock-order scenarios take locks only to hold them

package lock

import (
	"strings"
	"sync"
	"testing"

	"github.com/labludus/ludus/check"
)

// Built with -tags ludus_check, a Mutex's lock word and waiter count are
// check/atomic values and its waiters park on a check/sync.Cond, so the
// ludus checker schedules every step of the lock protocol. The channel
// parking of the normal build, and the detector's own bookkeeping (which
// is invisible to the checker and runs atomically between its steps), are
// not explored.
//
//	go test -tags ludus_check -run Check ./lock/
//
// The checker ends an execution's goroutines wherever it stops exploring
// it, often holding a lock; a new goroutine given a dead one's stack would
// push its locks through the stack hints on the dead one's list, where
// they prove no order, and these tests need every order proved the first
// time: so they identify goroutines exactly (SetExactGoroutines).

// TestCheckMutualExclusion explores every interleaving of two goroutines
// that update a checked variable under one Mutex, with Lock and TryLock:
// a broken protocol would show a lost update or a data race (the checker
// derives happens-before from the lock word's atomics).
func TestCheckMutualExclusion(t *testing.T) {
	defer SetExactGoroutines(SetExactGoroutines(true))
	r := check.Explore(t, func(t *check.T) {
		var m Mutex
		n := check.NewVar("n", 0)
		add := func() {
			n.Store(n.Load() + 1)
		}
		t.Go("A", func() {
			m.Lock()
			add()
			m.Unlock()
		})
		t.Go("B", func() {
			if m.TryLock() {
				add()
				m.Unlock()
			} else {
				m.Lock()
				add()
				m.Unlock()
			}
		})
		t.Wait()
		if got := n.Load(); got != 2 {
			t.Errorf("n = %d, want 2", got)
		}
	}, check.Exhaustive(), check.MaxExecutions(200000))
	if !r.Exhausted {
		t.Logf("explored %d executions without exhausting the space", r.Executions)
	}
	t.Logf("%d executions", r.Executions)
}

// TestCheckGraphInEveryExecution: A takes a then b, and only after A is
// done, B takes b then a. No schedule deadlocks, and in every one the
// lock-order graph must report the cycle.
func TestCheckGraphInEveryExecution(t *testing.T) {
	defer SetExactGoroutines(SetExactGoroutines(true))
	var mu sync.Mutex
	seen := map[string]int{}
	defer OnPotentialDeadlock(OnPotentialDeadlock(func(r Report) {
		mu.Lock()
		defer mu.Unlock()
		for _, l := range r.Locks {
			seen[l]++
		}
	}))
	r := check.Explore(t, func(t *check.T) {
		a, b := NewMutex(fresh("check-a")), NewMutex(fresh("check-b"))
		done := check.NewChan[bool]("done", 0)
		t.Go("A", func() {
			a.Lock()
			b.Lock()
			b.Unlock()
			a.Unlock()
			done.Send(true)
		})
		t.Go("B", func() {
			done.Recv()
			b.Lock()
			a.Lock()
			a.Unlock()
			b.Unlock()
		})
		t.Wait()
		mu.Lock()
		n := seen[a.dep.name()]
		mu.Unlock()
		if n != 1 {
			t.Errorf("the graph reported the a/b cycle %d times in this execution, want 1", n)
		}
	}, check.Exhaustive())
	t.Logf("%d executions, every one reported", r.Executions)
}

// TestCheckFindsTheDeadlock: the same orders run concurrently. The checker
// finds the schedule where each goroutine holds one lock and waits for the
// other, which the Cond parking makes visible as a deadlock.
func TestCheckFindsTheDeadlock(t *testing.T) {
	defer SetExactGoroutines(SetExactGoroutines(true))
	defer OnPotentialDeadlock(OnPotentialDeadlock(func(Report) {}))
	r := check.Run(func(t *check.T) {
		a, b := NewMutex(fresh("dl-a")), NewMutex(fresh("dl-b"))
		t.Go("A", func() {
			a.Lock()
			b.Lock()
			b.Unlock()
			a.Unlock()
		})
		t.Go("B", func() {
			b.Lock()
			a.Lock()
			a.Unlock()
			b.Unlock()
		})
		t.Wait()
	})
	if r.Failure == nil || r.Failure.Kind != check.Deadlock {
		t.Fatalf("want a deadlock, got %v", r.Failure)
	}
	if !strings.Contains(r.Failure.String(), "A") || !strings.Contains(r.Failure.String(), "B") {
		t.Fatalf("the report should show both goroutines:\n%s", r.Failure)
	}
}

// TestCheckCatchesMissingLock is the control: the same body with one
// goroutine skipping the lock must fail, or the test above proves nothing.
func TestCheckCatchesMissingLock(t *testing.T) {
	defer SetExactGoroutines(SetExactGoroutines(true))
	r := check.Run(func(t *check.T) {
		var m Mutex
		n := check.NewVar("n", 0)
		t.Go("A", func() {
			m.Lock()
			n.Store(n.Load() + 1)
			m.Unlock()
		})
		t.Go("B", func() { n.Store(n.Load() + 1) })
		t.Wait()
		if got := n.Load(); got != 2 {
			t.Errorf("n = %d, want 2", got)
		}
	})
	if r.Failure == nil {
		t.Fatal("the checker missed the unprotected update")
	}
	t.Logf("caught: %v", r.Failure.Kind)
}
