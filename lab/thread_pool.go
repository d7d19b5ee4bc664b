package lab

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labludus/ludus/pool"
)

func threadPoolExperiment() Experiment {
	return Experiment{
		ID:      "thread-pool",
		Section: "Best practices",
		Specs: []ClaimSpec{
			{ID: "pool-bounds-memory", Text: "Use thread pools, don't create a new thread per task: a pool bounds memory and keeps throughput."},
		},
		Run: runThreadPool,
	}
}

// threadPoolMeasurements hold one sample per round; the two variants take
// turns within a round. Peak memory is the highest HeapInuse+StackInuse
// seen during a run, above what was in use just before it.
type threadPoolMeasurements struct {
	tasks, workers                  int
	perTaskTime, poolTime           Stats // seconds
	perTaskPeakBytes, poolPeakBytes Stats
	perTaskPeakG, poolPeakG         float64 // goroutines, medians
}

func runThreadPool(ctx context.Context, env *Env) (Result, error) {
	m := threadPoolMeasurements{
		tasks:   env.Scale(1_000_000, 20_000),
		workers: runtime.GOMAXPROCS(0),
	}
	// A million goroutines take about a second on two cores: three rounds
	// fit the budget and show the noise.
	reps := env.Scale(3, 1)
	var perTask, viaPool [][3]float64 // time, peak bytes, peak goroutines
	for r := range reps {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		env.Step("round %d/%d: %d tasks, a goroutine each", r+1, reps, m.tasks)
		perTask = append(perTask, threadPoolRun(m.tasks, threadPoolPerTask))
		env.Step("round %d/%d: %d tasks through a pool of %d workers", r+1, reps, m.tasks, m.workers)
		viaPool = append(viaPool, threadPoolRun(m.tasks, func(n int, task func()) {
			p := pool.New(m.workers)
			for range n {
				_ = p.Go(task)
			}
			p.Close()
		}))
	}
	column := func(runs [][3]float64, k int) Stats {
		xs := make([]float64, len(runs))
		for i, r := range runs {
			xs[i] = r[k]
		}
		return Summarize(xs)
	}
	m.perTaskTime, m.perTaskPeakBytes, m.perTaskPeakG = column(perTask, 0), column(perTask, 1), column(perTask, 2).Median
	m.poolTime, m.poolPeakBytes, m.poolPeakG = column(viaPool, 0), column(viaPool, 1), column(viaPool, 2).Median
	return Result{Claims: []Claim{m.verdict()}}, nil
}

// threadPoolPerTask is the pattern the guide warns against: one goroutine
// (Go's thread) per task.
func threadPoolPerTask(n int, task func()) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(task)
	}
	wg.Wait()
}

var threadPoolSink atomic.Uint64

// threadPoolTask is a short CPU task, about a hundred nanoseconds.
func threadPoolTask() {
	x := threadPoolSink.Load() | 1
	for range 40 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	threadPoolSink.Add(x & 1)
}

// threadPoolRun runs n tasks with run while a sampler records peak memory
// and goroutines, and returns [seconds, peak bytes, peak goroutines].
func threadPoolRun(n int, run func(n int, task func())) [3]float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := float64(ms.HeapInuse + ms.StackInuse)
	baseG := float64(runtime.NumGoroutine() + 1) // + the sampler

	var peak, peakG float64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, float64(ms.HeapInuse+ms.StackInuse)-base)
			peakG = max(peakG, float64(runtime.NumGoroutine())-baseG)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	run(n, threadPoolTask)
	elapsed := time.Since(start).Seconds()
	close(stop)
	<-sampled
	return [3]float64{elapsed, max(peak, 0), peakG}
}

// verdict is a pure function of the measurements. It fails when the pool
// loses throughput (over 2x the time) or does not bound a real pile-up of
// goroutines (0.9x the memory or more), and holds when it bounds memory
// (half or less) at no great cost in time (1.25x or less); each ratio is
// judged with its spread over the rounds (see Judge).
func (m threadPoolMeasurements) verdict() Claim {
	memRatio := RatioSpread(m.poolPeakBytes, m.perTaskPeakBytes)
	timeRatio := RatioSpread(m.poolTime, m.perTaskTime)
	c := threadPoolExperiment().NewClaim("pool-bounds-memory")
	for k, v := range map[string]float64{
		"tasks": float64(m.tasks), "workers": float64(m.workers),
		"per_task_s": m.perTaskTime.Median, "pool_s": m.poolTime.Median,
		"per_task_peak_bytes": m.perTaskPeakBytes.Median, "pool_peak_bytes": m.poolPeakBytes.Median,
		"per_task_peak_goroutines": m.perTaskPeakG, "pool_peak_goroutines": m.poolPeakG,
	} {
		c.Measurements[k] = v
	}
	memRatio.Measure(c.Measurements, "memory_ratio")
	timeRatio.Measure(c.Measurements, "time_ratio")
	c.Evidence = fmt.Sprintf("%d short tasks: a goroutine each peaked at %.0f goroutines and %s in %s; a pool of %d workers peaked at %.0f goroutines and %s in %s (%.3gx the memory, %.3gx the time).",
		m.tasks, m.perTaskPeakG, threadPoolMiB(m.perTaskPeakBytes.Median), seconds(m.perTaskTime.Median),
		m.workers, m.poolPeakG, threadPoolMiB(m.poolPeakBytes.Median), seconds(m.poolTime.Median), memRatio.Median, timeRatio.Median)
	if m.perTaskTime.Median <= 0 || m.poolTime.Median <= 0 {
		c.Verdict = Inconclusive
		return c
	}
	pileUp := m.perTaskPeakBytes.Median >= 1<<20
	mem, memNote := Judge(memRatio, times, func(x float64) bool { return x <= 0.5 }, func(x float64) bool { return pileUp && x >= 0.9 })
	tim, timNote := Judge(timeRatio, times, func(x float64) bool { return x <= 1.25 }, func(x float64) bool { return x > 2 })
	switch {
	case tim == Fails || mem == Fails:
		// Throughput lost, or real goroutine pile-up not bounded.
		c.Verdict = Fails
	case !pileUp:
		// Goroutines ran as fast as they were made: nothing to bound.
		c.Verdict = Inconclusive
		c.Evidence += " The goroutines finished as fast as they were made: there was no pile-up for a pool to bound."
	case mem == Holds && tim == Holds:
		c.Verdict = Holds
	default:
		c.Verdict = Inconclusive
		if memNote != "" {
			c.Evidence += " Memory:" + memNote
		}
		if timNote != "" {
			c.Evidence += " Time:" + timNote
		}
	}
	return c
}

func threadPoolMiB(b float64) string { return fmt.Sprintf("%.1f MiB", b/(1<<20)) }
