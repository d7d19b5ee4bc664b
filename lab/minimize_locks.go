package lab

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/labludus/ludus/check"
	csync "github.com/labludus/ludus/check/sync"
)

func minimizeLocksExperiment() Experiment {
	return Experiment{
		ID:      "minimize-locks",
		Section: "Best practices: Minimize locks — hold them for the shortest time",
		Specs: []ClaimSpec{
			{ID: "io-outside-lock", Text: "A lock held across slow I/O makes the goroutines wait in turn: with the wait outside the lock, throughput grows with the number of goroutines."},
			{ID: "cpu-outside-lock", Text: "A lock held across CPU work leaves the other cores idle: with the work outside the lock, throughput grows up to the core count."},
			{ID: "checker-narrow-lock", Text: "The lock must still cover the whole read-modify-write: the checker proves the narrowed lock correct over every schedule, and finds the lost update when the read and the write are locked separately."},
		},
		Run: runMinimizeLocks,
	}
}

// minimizeLocksLedger is the shared state: a total and a count of the
// results folded into it, guarded by mu.
type minimizeLocksLedger struct {
	mu    sync.Mutex
	total uint64
	n     int
}

// minimizeLocksRun has goroutines workers each do tasks tasks of slow work
// (work returns the task's result) and fold the result into one ledger.
// With wide, the lock is held across the work, as in code that locks at
// the top of a function "to be safe"; otherwise only the update is locked.
// It returns an error if the ledger does not count every task.
func minimizeLocksRun(goroutines, tasks int, wide bool, work func() (uint64, error)) error {
	var l minimizeLocksLedger
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for range goroutines {
		wg.Go(func() {
			for range tasks {
				if wide {
					l.mu.Lock()
				}
				v, err := work()
				if !wide {
					l.mu.Lock()
				}
				l.total += v
				l.n++
				l.mu.Unlock()
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if l.n != goroutines*tasks {
		return fmt.Errorf("ledger counted %d of %d tasks", l.n, goroutines*tasks)
	}
	return nil
}

// minimizeLocksMeasurements are what the verdicts are computed from: the
// seconds per run of each variant, one sample per round (the two variants
// of a kind of work take turns within a round).
type minimizeLocksMeasurements struct {
	goroutines, cpus int
	ioTasks          int     // tasks per goroutine in the I/O runs
	ioWait           float64 // seconds one task waits
	ioWide, ioNarrow Stats   // lock across the wait / around the update only
	cpuTasks         int
	cpuTask          float64 // seconds of hashing per task, as calibrated
	cpuWide          Stats
	cpuNarrow        Stats
	// coresObtained is the process's CPU time over wall time during the
	// narrow CPU runs: how many cores they really got; 0 when unknown.
	coresObtained float64
	check         minimizeLocksCheckMeasurements
}

func runMinimizeLocks(ctx context.Context, env *Env) (Result, error) {
	m := minimizeLocksMeasurements{goroutines: 8, cpus: env.CPUs}
	if m.cpus <= 0 {
		m.cpus = CPUs()
	}
	reps := env.Scale(5, 2) // two rounds at least: one leaves the noise unknown (Judge)
	if err := m.measureIO(ctx, env, reps); err != nil {
		return Result{}, err
	}
	if err := m.measureCPU(ctx, env, reps); err != nil {
		return Result{}, err
	}
	env.Step("the checker: every schedule of the narrowed lock, and of a lock split in two")
	m.check = minimizeLocksCheck()
	return Result{Claims: m.verdicts()}, nil
}

// measureIO times slow I/O under each lock: each task waits on a timer, as
// a call to a database or an API waits on a socket.
func (m *minimizeLocksMeasurements) measureIO(ctx context.Context, env *Env, reps int) error {
	m.ioTasks = env.Scale(10, 3)
	wait := time.Duration(env.Scale(2000, 500)) * time.Microsecond
	m.ioWait = wait.Seconds()
	ioWork := func() (uint64, error) {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
			return 1, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	env.Step("%d goroutines × %d waits of %s: lock across the wait, then around the update only", m.goroutines, m.ioTasks, wait)
	stats, err := TimeInterleaved(ctx, reps,
		func() error { return minimizeLocksRun(m.goroutines, m.ioTasks, true, ioWork) },
		func() error { return minimizeLocksRun(m.goroutines, m.ioTasks, false, ioWork) })
	if err != nil {
		return err
	}
	m.ioWide, m.ioNarrow = stats[0], stats[1]
	return nil
}

// measureCPU times CPU work under each lock: hashing, sized so that a task
// takes a fraction of a millisecond. The narrow runs also record how much
// CPU they got.
func (m *minimizeLocksMeasurements) measureCPU(ctx context.Context, env *Env, reps int) error {
	m.cpuTasks = env.Scale(20, 4)
	taskTime := time.Duration(env.Scale(500, 100)) * time.Microsecond
	m.cpuTask = taskTime.Seconds()
	rounds := calibrateHashRounds(taskTime)
	cpuWork := func() (uint64, error) {
		sum := hashChain(rounds)
		return uint64(sum[0]), ctx.Err()
	}
	var cpuTime, wallTime time.Duration
	env.Step("%d goroutines × %d hashing tasks of %s on %d cores: lock across the work, then around the update only", m.goroutines, m.cpuTasks, taskTime, m.cpus)
	stats, err := TimeInterleaved(ctx, reps,
		func() error { return minimizeLocksRun(m.goroutines, m.cpuTasks, true, cpuWork) },
		func() error {
			cpu0, ok0 := ProcessCPUTime()
			start := time.Now()
			err := minimizeLocksRun(m.goroutines, m.cpuTasks, false, cpuWork)
			if cpu1, ok1 := ProcessCPUTime(); ok0 && ok1 {
				cpuTime += cpu1 - cpu0
				wallTime += time.Since(start)
			}
			return err
		})
	if err != nil {
		return err
	}
	m.cpuWide, m.cpuNarrow = stats[0], stats[1]
	m.coresObtained = ratio(cpuTime.Seconds(), wallTime.Seconds())
	return nil
}

func (m minimizeLocksMeasurements) measure(c Claim) Claim {
	tasks := func(perG int) float64 { return float64(m.goroutines * perG) }
	for k, v := range map[string]float64{
		"goroutines": float64(m.goroutines), "cpus": float64(m.cpus),
		"io_tasks": tasks(m.ioTasks), "io_wait_s": m.ioWait,
		"io_wide_s": m.ioWide.Median, "io_narrow_s": m.ioNarrow.Median,
		"io_wide_tasks_per_s": ratio(tasks(m.ioTasks), m.ioWide.Median), "io_narrow_tasks_per_s": ratio(tasks(m.ioTasks), m.ioNarrow.Median),
		"io_ideal_speedup": float64(m.goroutines),
		"cpu_tasks":        tasks(m.cpuTasks), "cpu_task_s": m.cpuTask,
		"cpu_wide_s": m.cpuWide.Median, "cpu_narrow_s": m.cpuNarrow.Median,
		"cpu_wide_tasks_per_s": ratio(tasks(m.cpuTasks), m.cpuWide.Median), "cpu_narrow_tasks_per_s": ratio(tasks(m.cpuTasks), m.cpuNarrow.Median),
		"cpu_ideal_speedup": float64(min(m.goroutines, m.cpus)), "cores_obtained": m.coresObtained,
		"check_narrow_schedules": float64(m.check.narrowExecs), "check_split_schedule": float64(m.check.splitSchedule),
	} {
		c.Measurements[k] = v
	}
	RatioSpread(m.ioWide, m.ioNarrow).Measure(c.Measurements, "io_speedup")
	RatioSpread(m.cpuWide, m.cpuNarrow).Measure(c.Measurements, "cpu_speedup")
	return c
}

// verdicts is a pure function of the measurements. The speedups are judged
// with their spread over the rounds (see Judge).
func (m minimizeLocksMeasurements) verdicts() []Claim {
	e := minimizeLocksExperiment()
	return []Claim{
		m.ioVerdict(m.measure(e.NewClaim("io-outside-lock"))),
		m.cpuVerdict(m.measure(e.NewClaim("cpu-outside-lock"))),
		m.check.verdict(m.measure(e.NewClaim("checker-narrow-lock"))),
	}
}

// ioVerdict: with the lock across the wait, the waits happen one at a
// time, so the narrow lock should be about goroutines times faster. It
// holds at half that or more, and fails below 1.5x.
func (m minimizeLocksMeasurements) ioVerdict(cl Claim) Claim {
	sp := RatioSpread(m.ioWide, m.ioNarrow)
	ideal := float64(m.goroutines)
	cl.Evidence = fmt.Sprintf("%d goroutines × %d waits of %s: %s with the lock held across the wait, %s with the lock around the update only: %.1fx the throughput (ideal %.0fx).",
		m.goroutines, m.ioTasks, seconds(m.ioWait), seconds(m.ioWide.Median), seconds(m.ioNarrow.Median), sp.Median, ideal)
	if m.ioWide.Median <= 0 || m.ioNarrow.Median <= 0 || m.goroutines < 2 {
		cl.Verdict, cl.Evidence = Inconclusive, "no measurement of both variants."
		return cl
	}
	var note string
	cl.Verdict, note = Judge(sp, times, func(x float64) bool { return x >= ideal/2 }, func(x float64) bool { return x < 1.5 })
	cl.Evidence += note
	if cl.Verdict == Inconclusive && note == "" {
		cl.Evidence += " The gain is real but far from the ideal; timers and load on the machine are the usual cause."
	}
	return cl
}

// cpuVerdict: held across CPU work, the lock lets one core work at a time;
// narrowed, every core works. It holds at 70% of the ideal speedup, is
// inconclusive on one core or when other processes took the cores, and
// fails when the narrow lock gains less than 15% with the cores obtained.
func (m minimizeLocksMeasurements) cpuVerdict(cl Claim) Claim {
	sp := RatioSpread(m.cpuWide, m.cpuNarrow)
	ideal := float64(min(m.goroutines, m.cpus))
	cl.Evidence = fmt.Sprintf("%d goroutines × %d hashing tasks of %s: %s with the lock held across the work, %s with the lock around the update only: %.2fx the throughput (ideal %.0fx on %d cores).",
		m.goroutines, m.cpuTasks, seconds(m.cpuTask), seconds(m.cpuWide.Median), seconds(m.cpuNarrow.Median), sp.Median, ideal, m.cpus)
	if m.cpuWide.Median <= 0 || m.cpuNarrow.Median <= 0 {
		cl.Verdict, cl.Evidence = Inconclusive, "no measurement of both variants."
		return cl
	}
	holds := func(x float64) bool { return x >= 0.7*ideal }
	verdict, note := Judge(sp, times, holds, func(x float64) bool { return x < 1.15 })
	starved := m.coresObtained > 0 && m.coresObtained < 0.8*ideal
	switch {
	case m.cpus < 2:
		cl.Verdict = Inconclusive
		cl.Evidence += " One core cannot show what the wide lock costs in cores."
	case starved && !holds(sp.Median):
		cl.Verdict = Inconclusive
		cl.Evidence += fmt.Sprintf(" The narrow runs got only %.1f cores' worth of CPU: other load on the machine took the rest.", m.coresObtained)
	default:
		cl.Verdict = verdict
		cl.Evidence += note
	}
	return cl
}

// ---- the checker's verdict (package check) ----

// minimizeLocksBody has A and B each compute an amount (slow work, a
// virtual-time sleep) and add it to a shared total. narrow locks only the
// read-modify-write; split locks the read and the write separately, so the
// lock is held for even less time, and too little.
func minimizeLocksBody(split bool) func(*check.T) {
	return func(t *check.T) {
		var mu csync.Mutex
		check.Name(&mu, "mu")
		total := check.NewVar("total", 1000)
		deposit := func(amount int) func() {
			return func() {
				check.Sleep(time.Millisecond) // the slow work, outside the lock
				if !split {
					mu.Lock()
					total.Store(total.Load() + amount)
					mu.Unlock()
					return
				}
				mu.Lock()
				read := total.Load()
				mu.Unlock()
				mu.Lock()
				total.Store(read + amount)
				mu.Unlock()
			}
		}
		t.Go("A", deposit(500))
		t.Go("B", deposit(-200))
		t.Wait()
		if got := total.Load(); got != 1300 {
			t.Errorf("total = %d, want 1300", got)
		}
	}
}

// minimizeLocksCheckMeasurements is what the checker found.
type minimizeLocksCheckMeasurements struct {
	narrowExecs     int
	narrowExhausted bool
	narrowFailure   string
	splitKind       check.FailureKind // valid when splitFailure != ""
	splitSchedule   int
	splitFailure    string
}

func minimizeLocksCheck() minimizeLocksCheckMeasurements {
	var m minimizeLocksCheckMeasurements
	r := check.Run(minimizeLocksBody(false), check.Exhaustive(), check.MaxExecutions(100000))
	m.narrowExecs, m.narrowExhausted = r.Executions, r.Exhausted
	if r.Failure != nil {
		m.narrowFailure = r.Failure.String()
	}
	r = check.Run(minimizeLocksBody(true))
	if f := r.Failure; f != nil {
		m.splitKind, m.splitSchedule, m.splitFailure = f.Kind, r.Executions, f.String()
	}
	return m
}

// verdict judges what the checker found: a pure function of its
// measurements.
func (m minimizeLocksCheckMeasurements) verdict(cl Claim) Claim {
	switch {
	case m.narrowFailure != "":
		cl.Verdict, cl.Detail = Fails, m.narrowFailure
		cl.Evidence = "the checker found a failing schedule of the narrowed lock."
	case m.splitFailure == "":
		cl.Verdict = Fails
		cl.Evidence = "the checker found no failure of the lock split in two: the lost update went unseen."
	case m.splitKind != check.AssertionFailed:
		cl.Verdict, cl.Detail = Fails, m.splitFailure
		cl.Evidence = fmt.Sprintf("the split lock failed with a %s, not the lost update.", m.splitKind)
	case !m.narrowExhausted:
		cl.Verdict, cl.Detail = Inconclusive, m.splitFailure
		cl.Evidence = fmt.Sprintf("the split lock loses an update (below); the narrowed lock had no failure in %d schedules, but the budget ran out before every schedule was explored.", m.narrowExecs)
	default:
		cl.Verdict, cl.Detail = Holds, m.splitFailure
		cl.Evidence = fmt.Sprintf("all %d schedules of the narrowed lock keep the total (DPOR, complete); with the read and the write locked separately the checker finds the lost update at schedule %d (below).", m.narrowExecs, m.splitSchedule)
	}
	return cl
}
