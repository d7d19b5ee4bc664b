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
		Claims: []string{
			"Use thread pools, don't create a new thread per task: a pool bounds memory and keeps throughput.",
		},
		Run: runThreadPool,
	}
}

// threadPoolMeasurements are medians over the rounds. Peak memory is
// the highest HeapInuse+StackInuse seen during a run, above what was in use
// just before it.
type threadPoolMeasurements struct {
	tasks, workers                  int
	perTaskTime, poolTime           float64 // seconds
	perTaskPeakBytes, poolPeakBytes float64
	perTaskPeakG, poolPeakG         float64 // goroutines
}

func runThreadPool(ctx context.Context, env *Env) (Result, error) {
	m := threadPoolMeasurements{
		tasks:   env.Scale(1_000_000, 20_000),
		workers: runtime.GOMAXPROCS(0),
	}
	// One round is enough, and the budget allows no more: a million
	// goroutines take about a second on two cores, and the two variants
	// differ by orders of magnitude in memory and several times in time.
	reps := 1
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
	med := func(runs [][3]float64, k int) float64 {
		xs := make([]float64, len(runs))
		for i, r := range runs {
			xs[i] = r[k]
		}
		return Summarize(xs).Median
	}
	m.perTaskTime, m.perTaskPeakBytes, m.perTaskPeakG = med(perTask, 0), med(perTask, 1), med(perTask, 2)
	m.poolTime, m.poolPeakBytes, m.poolPeakG = med(viaPool, 0), med(viaPool, 1), med(viaPool, 2)
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

func (m threadPoolMeasurements) verdict() Claim {
	memRatio := ratio(m.poolPeakBytes, m.perTaskPeakBytes)
	timeRatio := ratio(m.poolTime, m.perTaskTime)
	c := Claim{
		Claim: threadPoolExperiment().Claims[0],
		Measurements: map[string]float64{
			"tasks": float64(m.tasks), "workers": float64(m.workers),
			"per_task_s": m.perTaskTime, "pool_s": m.poolTime, "time_ratio": timeRatio,
			"per_task_peak_bytes": m.perTaskPeakBytes, "pool_peak_bytes": m.poolPeakBytes, "memory_ratio": memRatio,
			"per_task_peak_goroutines": m.perTaskPeakG, "pool_peak_goroutines": m.poolPeakG,
		},
	}
	c.Evidence = fmt.Sprintf("%d short tasks: a goroutine each peaked at %.0f goroutines and %s in %s; a pool of %d workers peaked at %.0f goroutines and %s in %s (%.3gx the memory, %.3gx the time).",
		m.tasks, m.perTaskPeakG, threadPoolMiB(m.perTaskPeakBytes), seconds(m.perTaskTime),
		m.workers, m.poolPeakG, threadPoolMiB(m.poolPeakBytes), seconds(m.poolTime), memRatio, timeRatio)
	switch {
	case m.perTaskTime <= 0 || m.poolTime <= 0:
		c.Verdict = Inconclusive
	case timeRatio > 2 || (m.perTaskPeakBytes >= 1<<20 && memRatio >= 0.9):
		// Throughput lost, or real goroutine pile-up not bounded.
		c.Verdict = Fails
	case m.perTaskPeakBytes < 1<<20:
		// Goroutines ran as fast as they were made: nothing to bound.
		c.Verdict = Inconclusive
	case memRatio <= 0.5 && timeRatio <= 1.25:
		c.Verdict = Holds
	default:
		c.Verdict = Inconclusive
	}
	return c
}

func threadPoolMiB(b float64) string { return fmt.Sprintf("%.1f MiB", b/(1<<20)) }
