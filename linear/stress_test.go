package linear_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

// lostUpdate is a counter done wrong: each access is atomic (so the race
// detector is silent) but the increment is a load followed by a store.
type lostUpdate struct{ n atomic.Int64 }

func (c *lostUpdate) Add(d int64) { v := c.n.Load(); c.n.Store(v + d) }
func (c *lostUpdate) Get() int64  { return c.n.Load() }

type goodCounter struct{ n atomic.Int64 }

func (c *goodCounter) Add(d int64) { c.n.Add(d) }
func (c *goodCounter) Get() int64  { return c.n.Load() }

type lockedQueue struct {
	mu    sync.Mutex
	items []int
}

func (q *lockedQueue) Enqueue(v int) { q.mu.Lock(); q.items = append(q.items, v); q.mu.Unlock() }
func (q *lockedQueue) Dequeue() (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return 0, false
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v, true
}

// lifoQueue claims to be a queue but pops from the back.
type lifoQueue struct{ lockedQueue }

func (q *lifoQueue) Dequeue() (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return 0, false
	}
	v := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return v, true
}

func small(r *rand.Rand) int { return r.IntN(5) }

// recordingTB captures a failure instead of failing the test.
type recordingTB struct {
	testing.TB
	failed string
}

func (r *recordingTB) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

func TestStressFindsLostUpdate(t *testing.T) {
	// The race shows once in hundreds or thousands of runs, depending on
	// the machine and its load: give it a few seconds, not a run count.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	rep := linear.RunStress(ctx, models.Counter(),
		func() *lostUpdate { return new(lostUpdate) },
		models.CounterOps((*lostUpdate).Add, (*lostUpdate).Get, nil),
		linear.StressConfig{Seed: 7, Scenarios: 1000, Runs: 200, PostOps: 1, ShrinkTimeout: 3 * time.Second})
	if rep.Err != nil && !rep.Failed {
		t.Skipf("no lost update in %d runs (%v): the scheduler never interleaved a load and a store", rep.Runs, rep.Err)
	}
	if !rep.Failed {
		t.Skipf("no lost update in %d runs: the scheduler never interleaved a load and a store (1-CPU machine?)", rep.Runs)
	}
	if rep.Problem != "not linearizable" || rep.Ops > rep.ShrunkFrom || rep.Result.Verdict != linear.NotLinearizable {
		t.Fatalf("report: %+v", rep)
	}
	if !strings.Contains(rep.Table, "goroutine 1") || !strings.Contains(rep.Table, "add(1)") {
		t.Fatalf("table:\n%s", rep.Table)
	}
	t.Logf("shrunk from %d to %d operations after %d runs:\n%s", rep.ShrunkFrom, rep.Ops, rep.Runs, rep.Table)

	// The same through the testing.TB front end.
	tb := &recordingTB{TB: t}
	linear.Stress(tb, models.Counter(), func() *lostUpdate { return new(lostUpdate) },
		models.CounterOps((*lostUpdate).Add, (*lostUpdate).Get, nil),
		linear.StressConfig{Seed: 7, Scenarios: 5, Runs: 100, PostOps: 1, NoShrink: true})
	if tb.failed == "" {
		t.Log("Stress front end did not see the race this time")
	}
}

func TestStressPassesCorrectTypes(t *testing.T) {
	cfg := linear.StressConfig{Scenarios: 10, Runs: 30}
	linear.Stress(t, models.Counter(), func() *goodCounter { return new(goodCounter) },
		models.CounterOps((*goodCounter).Add, (*goodCounter).Get, nil), cfg)
	linear.Stress(t, models.Queue[int](), func() *lockedQueue { return new(lockedQueue) },
		models.QueueOps((*lockedQueue).Enqueue, (*lockedQueue).Dequeue, small), cfg)
}

func TestStressFindsWrongOrder(t *testing.T) {
	// A sequential bug: any run shows it, and shrinking gets it down to
	// the few operations that matter.
	rep := linear.RunStress(context.Background(), models.Queue[int](),
		func() *lifoQueue { return new(lifoQueue) },
		models.QueueOps((*lifoQueue).Enqueue, (*lifoQueue).Dequeue, small),
		linear.StressConfig{Seed: 3, Scenarios: 40, Runs: 5})
	if !rep.Failed {
		t.Fatalf("LIFO passed as a FIFO queue: %+v", rep)
	}
	if rep.Ops > 4 {
		t.Errorf("shrunk only to %d operations:\n%s", rep.Ops, rep.Table)
	}
	t.Log("\n" + rep.Table)
}

func TestStressReportsPanicsAndBadInput(t *testing.T) {
	ops := models.CounterOps(func(*goodCounter, int64) { panic("bad add") }, (*goodCounter).Get, nil)
	rep := linear.RunStress(context.Background(), models.Counter(), func() *goodCounter { return new(goodCounter) }, ops, linear.StressConfig{Scenarios: 3, Runs: 3})
	if !rep.Failed || !strings.Contains(rep.Problem, "panic") {
		t.Fatalf("panic not reported: %+v", rep)
	}
	rep = linear.RunStress[*goodCounter](context.Background(), models.Counter(), nil, nil, linear.StressConfig{})
	if rep.Err == nil {
		t.Fatal("no error for missing constructor")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep = linear.RunStress(ctx, models.Counter(), func() *goodCounter { return new(goodCounter) },
		models.CounterOps((*goodCounter).Add, (*goodCounter).Get, nil), linear.StressConfig{})
	if rep.Err == nil {
		t.Fatal("no error for a cancelled context")
	}
}

func TestStressReportsHang(t *testing.T) {
	// Seeds give scenarios whose first blocking add falls in the init, the
	// parallel or the post part.
	for seed := uint64(1); seed <= 6; seed++ {
		release := make(chan struct{})
		block := func(*goodCounter, int64) { <-release }
		ops := models.CounterOps(block, (*goodCounter).Get, nil)
		rep := linear.RunStress(context.Background(), models.Counter(), func() *goodCounter { return new(goodCounter) }, ops,
			linear.StressConfig{Seed: seed, Scenarios: 5, Runs: 2, RunTimeout: 20 * time.Millisecond})
		close(release) // the stuck goroutines finish, so nothing leaks
		if !rep.Failed || !strings.HasPrefix(rep.Problem, "hung") {
			t.Fatalf("seed %d: hang not reported: %+v", seed, rep)
		}
		t.Log(rep.Problem)
	}
}
