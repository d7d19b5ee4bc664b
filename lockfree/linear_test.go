package lockfree

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

// The linear tests run small random scenarios (2-3 goroutines, up to 3
// operations each, released together) many times on real goroutines, record
// every call and return, and check each history against a sequential model
// with the Wing-Gong-Lowe search.

func smallInt(r *rand.Rand) int { return r.IntN(5) }

func TestLinearStack(t *testing.T) {
	linear.Stress(t, models.Stack[int](), func() *Stack[int] { return new(Stack[int]) },
		models.StackOps((*Stack[int]).Push, (*Stack[int]).Pop, smallInt), linearConfig(1))
}

func TestLinearQueue(t *testing.T) {
	linear.Stress(t, models.Queue[int](), func() *Queue[int] { return new(Queue[int]) },
		models.QueueOps((*Queue[int]).Enqueue, (*Queue[int]).Dequeue, smallInt), linearConfig(1))
}

// ringTryPush makes TryPush a total operation for the unbounded queue model:
// the scenarios are smaller than the capacity, so it never reports full; a
// false would be a bug, and panicking makes Stress report it.
func ringTryPush(r *Ring[int], v int) {
	if !r.TryPush(v) {
		panic("TryPush reported full on a ring with room")
	}
}

func TestLinearRing(t *testing.T) {
	// Capacity 64 exceeds any scenario, so the unbounded queue model
	// applies (ring_test.go covers full rings).
	newRing := func() *Ring[int] { return mustRingT[int](64) }
	linear.Stress(t, models.Queue[int](), newRing,
		models.QueueOps(ringTryPush, (*Ring[int]).TryPop, smallInt), linearConfig(1))
	// Blocking Push and Pop. A Pop whose context expires reports empty;
	// that is still linearizable (it returns only after a failed attempt
	// inside the call), so the short timeout bounds the runs without
	// weakening the check.
	blockingPop := func(r *Ring[int]) (int, bool) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		v, err := r.Pop(ctx)
		return v, err == nil
	}
	cfg := linearConfig(7)
	cfg.Scenarios, cfg.Runs = cfg.Scenarios/2, cfg.Runs/2
	linear.Stress(t, models.Queue[int](), newRing,
		models.QueueOps(func(r *Ring[int], v int) { _ = r.Push(context.Background(), v) }, blockingPop, smallInt), cfg)
}

// TestLinearRingBounded uses rings smaller than the scenarios, so they fill
// up: TryPush must report full, and TryPop empty, exactly when the bounded
// queue model says so.
func TestLinearRingBounded(t *testing.T) {
	for _, capacity := range []int{1, 2} {
		linear.Stress(t, boundedQueue(capacity), func() *Ring[int] { return mustRingT[int](capacity) },
			bqOps((*Ring[int]).TryPush, (*Ring[int]).TryPop, nil), linearConfig(uint64(capacity)))
	}
}

// TestLinearRingClose adds Close to the bounded scenarios: a push that
// succeeds after a close has returned, or a pop that loses a value pushed
// before it, is not linearizable against the model.
func TestLinearRingClose(t *testing.T) {
	for _, capacity := range []int{1, 4} {
		linear.Stress(t, boundedQueue(capacity), func() *Ring[int] { return mustRingT[int](capacity) },
			bqOps((*Ring[int]).TryPush, (*Ring[int]).TryPop, (*Ring[int]).Close), linearConfig(uint64(capacity)+20))
	}
}

func TestLinearCounter(t *testing.T) {
	// Increments only: for them Load is linearizable (see its doc).
	linear.Stress(t, models.Counter(), func() *Counter { return new(Counter) },
		models.CounterOps((*Counter).Add, (*Counter).Load, nil), linearConfig(1))
	// Start striped, so the scenarios exercise the stripes, not the base.
	striped := func() *Counter { c := new(Counter); c.grow(); return c }
	linear.Stress(t, models.Counter(), striped,
		models.CounterOps((*Counter).Add, (*Counter).Load, nil), linearConfig(11))
}

// linearConfig sizes the runs on the correct structures so that the whole
// package stays well under a minute with -race; LUDUS_LONG-style longer
// runs are a matter of raising Scenarios and Runs (see RESULTS).
func linearConfig(seed uint64) linear.StressConfig {
	cfg := linear.StressConfig{Seed: seed, Scenarios: 30, Runs: 40}
	if testing.Short() {
		cfg.Scenarios, cfg.Runs = 10, 20
	}
	return cfg
}

func mustRingT[T any](capacity int) *Ring[T] {
	r, err := NewRing[T](capacity)
	if err != nil {
		panic(err)
	}
	return r
}

// The broken variants must be caught. Stress interleaves real goroutines,
// so it is given enough runs to hit the window; the verdict is not timing
// dependent in the other direction (a correct structure never fails).

func brokenConfig() linear.StressConfig {
	return linear.StressConfig{Scenarios: 200, Runs: 200, Goroutines: 3, OpsPerGoroutine: 3, NoShrink: false}
}

func TestLinearCatchesRacyStack(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Log("one processor: the race window is only reachable through preemption")
	}
	rep := linear.RunStress(context.Background(), models.Stack[int](), func() *racyStack { return new(racyStack) },
		models.StackOps((*racyStack).Push, (*racyStack).Pop, smallInt), brokenConfig())
	if rep.Err != nil {
		t.Fatal(rep.Err)
	}
	if !rep.Failed {
		t.Fatalf("linear.Stress missed the non-atomic Pop in %d runs of %d scenarios", rep.Runs, rep.Scenarios)
	}
	t.Logf("caught after %d runs: %s, shrunk from %d to %d ops\n%s", rep.Runs, rep.Problem, rep.ShrunkFrom, rep.Ops, rep.Table)
}

func TestLinearCatchesRacyCounter(t *testing.T) {
	rep := linear.RunStress(context.Background(), models.Counter(), func() *racyCounter { return new(racyCounter) },
		models.CounterOps((*racyCounter).Add, (*racyCounter).Load, nil), brokenConfig())
	if rep.Err != nil {
		t.Fatal(rep.Err)
	}
	if !rep.Failed {
		t.Fatalf("linear.Stress missed the lost update in %d runs of %d scenarios", rep.Runs, rep.Scenarios)
	}
	t.Logf("caught after %d runs: %s\n%s", rep.Runs, rep.Problem, rep.Table)
}
