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
		Claims: []string{
			"Concurrency speeds up I/O-bound work even on one core.",
			"Concurrency alone does not speed up CPU-bound work.",
			"Parallelism needs several cores and speeds CPU-bound work up to about the core count.",
		},
		Run: runConcurrencyVsParallelism,
	}
}

// cvpMeasurements are the timings the three verdicts are computed from.
type cvpMeasurements struct {
	ioTasks                   int
	ioSequential, ioOneCore   float64 // seconds, medians
	cpuTasks, cpus            int
	cpuSequential, cpuOneCore float64 // seconds, medians
	cpuParallel               float64
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
		env.Step("I/O-bound, one core, sequential")
		s, err := Time(ctx, reps, func() error { return sequentially(m.ioTasks, ioTask) })
		if err != nil {
			return err
		}
		m.ioSequential = s.Median
		env.Step("I/O-bound, one core, concurrent")
		s, err = Time(ctx, reps, func() error { return concurrently(m.ioTasks, ioTask) })
		m.ioOneCore = s.Median
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
	m.cpuSequential, m.cpuOneCore, m.cpuParallel = stats[0].Median, stats[1].Median, stats[2].Median
	m.cpuParallelCores = ratio(parallelCPU.Seconds(), parallelWall.Seconds())
	return Result{Claims: m.verdicts()}, nil
}

// verdicts is a pure function of the measurements.
func (m cvpMeasurements) verdicts() []Claim {
	c := concurrencyVsParallelismExperiment().Claims
	ioSpeedup := ratio(m.ioSequential, m.ioOneCore)
	io := Claim{Claim: c[0], Measurements: map[string]float64{
		"tasks": float64(m.ioTasks), "sequential_s": m.ioSequential, "concurrent_1core_s": m.ioOneCore, "speedup": ioSpeedup,
	}}
	io.Evidence = fmt.Sprintf("%d waits on one core took %s one after another and %s concurrently: %.1fx faster.",
		m.ioTasks, seconds(m.ioSequential), seconds(m.ioOneCore), ioSpeedup)
	switch {
	case ioSpeedup >= float64(m.ioTasks)/2:
		io.Verdict = Holds
	case ioSpeedup < 1.5:
		io.Verdict = Fails
	default:
		io.Verdict = Inconclusive
	}

	oneCore := ratio(m.cpuSequential, m.cpuOneCore)
	cpu1 := Claim{Claim: c[1], Measurements: map[string]float64{
		"tasks": float64(m.cpuTasks), "sequential_s": m.cpuSequential, "concurrent_1core_s": m.cpuOneCore, "speedup": oneCore,
	}}
	cpu1.Evidence = fmt.Sprintf("%d hashing tasks took %s sequentially and %s as goroutines on one core: %.2fx.",
		m.cpuTasks, seconds(m.cpuSequential), seconds(m.cpuOneCore), oneCore)
	switch {
	case oneCore < 1.2:
		cpu1.Verdict = Holds
	case oneCore > 1.5:
		cpu1.Verdict = Fails
	default:
		cpu1.Verdict = Inconclusive
	}

	par := ratio(m.cpuSequential, m.cpuParallel)
	ideal := float64(min(m.cpus, m.cpuTasks))
	cpuN := Claim{Claim: c[2], Measurements: map[string]float64{
		"tasks": float64(m.cpuTasks), "cpus": float64(m.cpus), "sequential_s": m.cpuSequential, "parallel_s": m.cpuParallel,
		"speedup": par, "cores_obtained": m.cpuParallelCores,
	}}
	cpuN.Evidence = fmt.Sprintf("on %d cores the same %d tasks took %s in parallel against %s sequentially: %.2fx (ideal %.0fx).",
		m.cpus, m.cpuTasks, seconds(m.cpuParallel), seconds(m.cpuSequential), par, ideal)
	// Other processes can take the cores away; then a low speedup says
	// nothing about parallelism.
	starved := m.cpuParallelCores > 0 && m.cpuParallelCores < 0.8*ideal
	switch {
	case m.cpus < 2:
		cpuN.Verdict = Inconclusive
		cpuN.Evidence += " One core cannot show parallelism."
	case par >= 0.7*ideal && par <= 1.15*float64(m.cpus):
		cpuN.Verdict = Holds
	case starved:
		cpuN.Verdict = Inconclusive
		cpuN.Evidence += fmt.Sprintf(" The parallel runs got only %.1f cores' worth of CPU: other load on the machine took the rest.", m.cpuParallelCores)
	case par < 1.2:
		cpuN.Verdict = Fails
	default:
		cpuN.Verdict = Inconclusive
	}
	return []Claim{io, cpu1, cpuN}
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
