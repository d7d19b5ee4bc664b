package lab

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"
)

func concurrencyVsParallelismExperiment() Experiment {
	return Experiment{
		ID:      "concurrency-vs-parallelism",
		Section: "Definitions: Concurrency vs Parallelism",
		Specs: []ClaimSpec{
			{ID: "io-on-one-core", Text: "Concurrency speeds up I/O-bound work even on one core."},
			{ID: "cpu-not-by-concurrency", Text: "Concurrency alone does not speed up CPU-bound work."},
			{ID: "cpu-by-parallelism", Text: "Parallelism needs several cores and speeds CPU-bound work up to about the core count."},
		},
		Run: runConcurrencyVsParallelism,
	}
}

// cvpMeasurements are the timings the three verdicts are computed from, in
// seconds, one sample per round; the variants of each kind of work take
// turns within a round.
type cvpMeasurements struct {
	ioTasks                   int
	ioSequential, ioOneCore   Stats
	cpuTasks, cpus            int
	cpuSequential, cpuOneCore Stats
	cpuParallel               Stats
	// cpuParallelCores is how many cores the parallel runs actually got
	// (process CPU time / wall time); 0 when unknown.
	cpuParallelCores float64
}

func runConcurrencyVsParallelism(ctx context.Context, env *Env) (Result, error) {
	m := cvpMeasurements{cpus: env.CPUs}
	reps := env.Scale(3, 1)

	// I/O-bound: each task waits on a timer, as a request waits on a socket.
	m.ioTasks = env.Scale(8, 4)
	wait := time.Duration(env.Scale(40, 5)) * time.Millisecond
	ioTask := func() error {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := WithGOMAXPROCS(1, func() error {
		env.Step("I/O-bound, one core: sequential and concurrent, in turn")
		s, err := TimeInterleaved(ctx, reps,
			func() error { return sequentially(m.ioTasks, ioTask) },
			func() error { return concurrently(m.ioTasks, ioTask) })
		if err == nil {
			m.ioSequential, m.ioOneCore = s[0], s[1]
		}
		return err
	})
	if err != nil {
		return Result{}, err
	}

	// CPU-bound: real hashing, sized so that one task takes a few tens of
	// milliseconds on this machine. The three variants are interleaved so
	// that load from elsewhere hits them alike.
	m.cpuTasks = 2 * max(env.CPUs, 2)
	rounds := calibrateHashRounds(time.Duration(env.Scale(25, 4)) * time.Millisecond)
	cpuTask := func() error {
		hashChain(rounds)
		return ctx.Err()
	}
	env.Step("CPU-bound: sequential, concurrent on one core, parallel on %d cores", env.CPUs)
	var parallelCPU, parallelWall time.Duration
	stats, err := TimeInterleaved(ctx, env.Scale(5, 1),
		func() error { return sequentially(m.cpuTasks, cpuTask) },
		func() error {
			return WithGOMAXPROCS(1, func() error { return concurrently(m.cpuTasks, cpuTask) })
		},
		func() error {
			cpu0, ok0 := ProcessCPUTime()
			start := time.Now()
			err := concurrently(m.cpuTasks, cpuTask)
			if cpu1, ok1 := ProcessCPUTime(); ok0 && ok1 {
				parallelCPU += cpu1 - cpu0
				parallelWall += time.Since(start)
			}
			return err
		},
	)
	if err != nil {
		return Result{}, err
	}
	m.cpuSequential, m.cpuOneCore, m.cpuParallel = stats[0], stats[1], stats[2]
	m.cpuParallelCores = ratio(parallelCPU.Seconds(), parallelWall.Seconds())
	return Result{Claims: m.verdicts()}, nil
}

// verdicts is a pure function of the measurements. Each speedup is judged
// with its spread over the rounds (see Judge).
func (m cvpMeasurements) verdicts() []Claim {
	return []Claim{m.ioVerdict(), m.cpuOneCoreVerdict(), m.cpuParallelVerdict()}
}

// ioVerdict holds when waits on one core overlap to at least half the ideal
// speedup, and fails below 1.5x.
func (m cvpMeasurements) ioVerdict() Claim {
	return oneCoreClaim("io-on-one-core", m.ioTasks, m.ioSequential, m.ioOneCore,
		func(speedup float64) string {
			return fmt.Sprintf("%d waits on one core took %s one after another and %s concurrently: %.1fx faster.",
				m.ioTasks, seconds(m.ioSequential.Median), seconds(m.ioOneCore.Median), speedup)
		},
		func(x float64) bool { return x >= float64(m.ioTasks)/2 }, func(x float64) bool { return x < 1.5 })
}

// cpuOneCoreVerdict holds when goroutines on one core are no more than
// 1.2x faster than one task after another, and fails above 1.5x.
func (m cvpMeasurements) cpuOneCoreVerdict() Claim {
	return oneCoreClaim("cpu-not-by-concurrency", m.cpuTasks, m.cpuSequential, m.cpuOneCore,
		func(speedup float64) string {
			return fmt.Sprintf("%d hashing tasks took %s sequentially and %s as goroutines on one core: %.2fx.",
				m.cpuTasks, seconds(m.cpuSequential.Median), seconds(m.cpuOneCore.Median), speedup)
		},
		func(x float64) bool { return x < 1.2 }, func(x float64) bool { return x > 1.5 })
}

// oneCoreClaim judges claim id from the speedup of tasks run concurrently
// on one core over the same tasks one after another, round by round;
// describe writes the evidence for the median speedup.
func oneCoreClaim(id string, tasks int, sequential, concurrent Stats, describe func(speedup float64) string, holds, fails func(float64) bool) Claim {
	sp := RatioSpread(sequential, concurrent)
	c := concurrencyVsParallelismExperiment().NewClaim(id)
	c.Measurements["tasks"] = float64(tasks)
	c.Measurements["sequential_s"], c.Measurements["concurrent_1core_s"] = sequential.Median, concurrent.Median
	sp.Measure(c.Measurements, "speedup")
	var note string
	c.Verdict, note = Judge(sp, times, holds, fails)
	c.Evidence = describe(sp.Median) + note
	return c
}

// cpuParallelVerdict holds when the parallel speedup reaches 70% of the
// ideal without exceeding the core count (+15%), and fails below 1.2x on
// a run that had its cores.
func (m cvpMeasurements) cpuParallelVerdict() Claim {
	sp := RatioSpread(m.cpuSequential, m.cpuParallel)
	ideal := float64(min(m.cpus, m.cpuTasks))
	cpuN := concurrencyVsParallelismExperiment().NewClaim("cpu-by-parallelism")
	for k, v := range map[string]float64{
		"tasks": float64(m.cpuTasks), "cpus": float64(m.cpus), "sequential_s": m.cpuSequential.Median,
		"parallel_s": m.cpuParallel.Median, "cores_obtained": m.cpuParallelCores,
	} {
		cpuN.Measurements[k] = v
	}
	sp.Measure(cpuN.Measurements, "speedup")
	cpuN.Evidence = fmt.Sprintf("on %d cores the same %d tasks took %s in parallel against %s sequentially: %.2fx (ideal %.0fx).",
		m.cpus, m.cpuTasks, seconds(m.cpuParallel.Median), seconds(m.cpuSequential.Median), sp.Median, ideal)
	// Other processes can take the cores away; then a low speedup says
	// nothing about parallelism.
	starved := m.cpuParallelCores > 0 && m.cpuParallelCores < 0.8*ideal
	holds := func(x float64) bool { return x >= 0.7*ideal && x <= 1.15*float64(m.cpus) }
	fails := func(x float64) bool { return x < 1.2 }
	verdict, note := Judge(sp, times, holds, fails)
	switch {
	case m.cpus < 2:
		cpuN.Verdict = Inconclusive
		cpuN.Evidence += " One core cannot show parallelism."
	case starved && !holds(sp.Median):
		cpuN.Verdict = Inconclusive
		cpuN.Evidence += fmt.Sprintf(" The parallel runs got only %.1f cores' worth of CPU: other load on the machine took the rest.", m.cpuParallelCores)
	default:
		cpuN.Verdict = verdict
		cpuN.Evidence += note
	}
	return cpuN
}

func sequentially(n int, task func() error) error {
	for range n {
		if err := task(); err != nil {
			return err
		}
	}
	return nil
}

// concurrently runs n copies of task as goroutines and returns the first
// error. The lab cannot use the library's own packages for this: the
// experiment measures the bare mechanism.
func concurrently(n int, task func() error) error {
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { errs <- task() })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// hashChain hashes its own output rounds times: CPU work the compiler
// cannot skip and no goroutine can share.
func hashChain(rounds int) [32]byte {
	var sum [32]byte
	for range rounds {
		sum = sha256.Sum256(sum[:])
	}
	return sum
}

// calibrateHashRounds returns how many rounds of hashChain take about d.
func calibrateHashRounds(d time.Duration) int {
	const probe = 2000
	start := time.Now()
	hashChain(probe)
	per := time.Since(start) / probe
	if per <= 0 {
		per = time.Nanosecond
	}
	return max(int(d/per), 1)
}

// seconds formats a duration in seconds for evidence sentences.
func seconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(10 * time.Microsecond).String()
}
