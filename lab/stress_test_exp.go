package lab

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

func stressTestExperiment() Experiment {
	return Experiment{
		ID:      "stress-test",
		Section: "Best practices: Stress test — race condition testing",
		Specs: []ClaimSpec{
			{ID: "stress-catches-races", Text: "Stress testing with a linearizability check catches races that single runs miss."},
			{ID: "stress-passes-correct", Text: "The same stress test passes the correct versions: an atomic counter and a queue guarded by a mutex."},
		},
		Run: runStressTest,
	}
}

// stressTestRacyCounter increments by a load then a store: each access is
// atomic (the race detector is silent) but two adds can overlap and one is
// lost. Between the two it does a little work, as a real update does
// (validate, log): a few hundred nanoseconds, still far too short for one
// run to show the race more than rarely.
type stressTestRacyCounter struct{ n atomic.Int64 }

func (c *stressTestRacyCounter) Add(d int64) {
	v := c.n.Load()
	stressTestSink.Store(stressTestWork(v))
	c.n.Store(v + d)
}

// stressTestSink keeps stressTestWork from being optimised away.
var stressTestSink atomic.Uint64

func stressTestWork(v int64) uint64 {
	h := uint64(v) | 1
	for i := range 64 {
		h = h*0x9e3779b97f4a7c15 + uint64(i)
	}
	return h
}
func (c *stressTestRacyCounter) Get() int64 { return c.n.Load() }

type stressTestAtomicCounter struct{ n atomic.Int64 }

func (c *stressTestAtomicCounter) Add(d int64) { c.n.Add(d) }
func (c *stressTestAtomicCounter) Get() int64  { return c.n.Load() }

type stressTestQueue struct {
	mu    sync.Mutex
	items []int
}

func (q *stressTestQueue) Enqueue(v int) { q.mu.Lock(); q.items = append(q.items, v); q.mu.Unlock() }
func (q *stressTestQueue) Dequeue() (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return 0, false
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v, true
}

// stressTestMeasurements is everything the verdicts depend on.
type stressTestMeasurements struct {
	singleRuns, singleCaught  int // one run each of fresh scenarios
	stressFound               bool
	stressRuns                int // runs until the race showed (or in all)
	stressScenarios           int
	shrunkFrom, shrunkTo      int
	table                     string
	atomicFailed, queueFailed bool
	correctRuns               int // runs of each correct type
	failure                   string
}

func runStressTest(ctx context.Context, env *Env) (Result, error) {
	var m stressTestMeasurements
	racy := func() *stressTestRacyCounter { return new(stressTestRacyCounter) }
	racyOps := models.CounterOps((*stressTestRacyCounter).Add, (*stressTestRacyCounter).Get, nil)

	env.Step("single runs of the racy counter")
	// The guide's picture: two goroutines, each adding, then a read.
	racyCfg := linear.StressConfig{Goroutines: 2, OpsPerGoroutine: 2, InitOps: -1, PostOps: 1}
	m.singleRuns = env.Scale(200, 50)
	for i := range m.singleRuns {
		cfg := racyCfg
		cfg.Seed, cfg.Scenarios, cfg.Runs, cfg.NoShrink = uint64(i+1), 1, 1, true
		rep := linear.RunStress(ctx, models.Counter(), racy, racyOps, cfg)
		if rep.Err != nil {
			return Result{}, rep.Err
		}
		if rep.Failed {
			m.singleCaught++
		}
	}

	env.Step("stress test of the racy counter")
	budget := time.Duration(env.Scale(1500, 300)) * time.Millisecond
	sctx, cancel := context.WithTimeout(ctx, budget)
	cfg := racyCfg
	cfg.Seed, cfg.Scenarios, cfg.Runs = 1, 1<<20, 100
	cfg.ShrinkTimeout = time.Duration(env.Scale(800, 200)) * time.Millisecond
	rep := linear.RunStress(sctx, models.Counter(), racy, racyOps, cfg)
	cancel()
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	m.stressFound, m.stressRuns, m.stressScenarios = rep.Failed, rep.Runs, rep.Scenarios
	m.shrunkFrom, m.shrunkTo, m.table = rep.ShrunkFrom, rep.Ops, rep.Table

	env.Step("stress test of the correct types")
	cfg = linear.StressConfig{Seed: 2, Scenarios: env.Scale(20, 5), Runs: env.Scale(25, 10)}
	m.correctRuns = cfg.Scenarios * cfg.Runs
	good := linear.RunStress(ctx, models.Counter(), func() *stressTestAtomicCounter { return new(stressTestAtomicCounter) },
		models.CounterOps((*stressTestAtomicCounter).Add, (*stressTestAtomicCounter).Get, nil), cfg)
	if good.Err != nil {
		return Result{}, good.Err
	}
	m.atomicFailed = good.Failed
	if good.Failed {
		m.failure = good.Table
	}
	queue := linear.RunStress(ctx, models.Queue[int](), func() *stressTestQueue { return new(stressTestQueue) },
		models.QueueOps((*stressTestQueue).Enqueue, (*stressTestQueue).Dequeue, func(r *rand.Rand) int { return r.IntN(5) }), cfg)
	if queue.Err != nil {
		return Result{}, queue.Err
	}
	m.queueFailed = queue.Failed
	if queue.Failed {
		m.failure += queue.Table
	}
	return Result{Claims: m.verdicts()}, nil
}

// verdicts judges the measurements: the first claim holds when the stress
// test found the race while most single runs missed it; it is inconclusive
// when the race did not show within the budget (it is real, but timing
// dependent).
func (m stressTestMeasurements) verdicts() []Claim {
	found := 0.0
	if m.stressFound {
		found = 1
	}
	catches := Claim{ID: "stress-catches-races", Measurements: map[string]float64{
		"single_runs": float64(m.singleRuns), "single_caught": float64(m.singleCaught),
		"stress_found": found, "stress_runs": float64(m.stressRuns), "stress_scenarios": float64(m.stressScenarios),
		"shrunk_from_ops": float64(m.shrunkFrom), "shrunk_to_ops": float64(m.shrunkTo),
	}}
	single := fmt.Sprintf("%d of %d single runs of a fresh scenario caught the load-then-store counter", m.singleCaught, m.singleRuns)
	switch {
	case m.singleRuns == 0:
		catches.Verdict = Inconclusive
		catches.Evidence = "no single runs were made."
	case !m.stressFound:
		catches.Verdict = Inconclusive
		catches.Evidence = fmt.Sprintf("%s; the stress test did not see the race either in %d runs: it is real but shows only when the scheduler overlaps two adds.", single, m.stressRuns)
	case 2*m.singleCaught >= m.singleRuns:
		catches.Verdict = Fails
		catches.Evidence = fmt.Sprintf("%s: here single runs do not miss it; the stress test found it after %d runs.", single, m.stressRuns)
	default:
		catches.Verdict = Holds
		catches.Detail = m.table
		catches.Evidence = fmt.Sprintf("%s; the stress test found a lost update after %d runs of %d scenarios and shrank it from %d to %d operations.",
			single, m.stressRuns, m.stressScenarios, m.shrunkFrom, m.shrunkTo)
	}
	correct := Claim{ID: "stress-passes-correct", Measurements: map[string]float64{
		"runs_each": float64(m.correctRuns), "atomic_failed": stressTestBool(m.atomicFailed), "queue_failed": stressTestBool(m.queueFailed),
	}}
	switch {
	case m.correctRuns == 0:
		correct.Verdict, correct.Evidence = Inconclusive, "no runs were made."
	case m.atomicFailed || m.queueFailed:
		correct.Verdict = Fails
		correct.Detail = m.failure
		correct.Evidence = fmt.Sprintf("a correct type failed the stress test (atomic counter: %v, mutex queue: %v).", m.atomicFailed, m.queueFailed)
	default:
		correct.Verdict = Holds
		correct.Evidence = fmt.Sprintf("the atomic counter and the mutex-guarded queue each passed %d checked runs.", m.correctRuns)
	}
	return []Claim{catches, correct}
}

func stressTestBool(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
