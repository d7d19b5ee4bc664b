package lab

import (
	"errors"
	"strings"
	"testing"

	"github.com/labludus/ludus/check"
)

func TestMinimizeLocksVerdicts(t *testing.T) {
	proven := minimizeLocksCheckMeasurements{narrowExecs: 6, narrowExhausted: true,
		splitKind: check.AssertionFailed, splitSchedule: 3, splitFailure: "check: assertion failed: total = 1500, want 1300"}
	base := minimizeLocksMeasurements{goroutines: 8, cpus: 2, ioTasks: 10, ioWait: 0.002,
		ioWide: rounds(0.165, 0.170, 0.160), ioNarrow: rounds(0.021, 0.022, 0.020),
		cpuTasks: 20, cpuTask: 0.0005, cpuWide: rounds(0.080, 0.082, 0.079), cpuNarrow: rounds(0.042, 0.043, 0.041),
		coresObtained: 1.9, check: proven}
	sameVerdicts(t, "textbook", base.verdicts(), Holds, Holds, Holds)
	for i, id := range []string{"io-outside-lock", "cpu-outside-lock", "checker-narrow-lock"} {
		if c := base.verdicts()[i]; c.ID != id || c.Claim == "" {
			t.Errorf("claim %d: id %q, sentence %q", i, c.ID, c.Claim)
		}
	}

	m := base
	m.ioNarrow = rounds(0.160, 0.165, 0.158) // the narrow lock bought nothing
	m.cpuNarrow = rounds(0.078, 0.080, 0.079)
	m.check.splitFailure = ""
	sameVerdicts(t, "contradicted", m.verdicts(), Fails, Fails, Fails)

	m = base
	m.ioNarrow = rounds(0.055, 0.056, 0.054) // 3x of an ideal 8x
	m.cpuNarrow = rounds(0.062, 0.063, 0.061)
	m.check.narrowExhausted = false
	sameVerdicts(t, "in between", m.verdicts(), Inconclusive, Inconclusive, Inconclusive)

	m = base
	m.ioNarrow = rounds(0.021, 0.022, 0.170)              // one round without the gain: noise covers the effect
	m.cpuWide, m.cpuNarrow = rounds(0.080), rounds(0.042) // one round: the noise is unknown
	c := m.verdicts()
	if c[0].Verdict != Inconclusive || !strings.Contains(c[0].Evidence, "rounds ranged from") {
		t.Errorf("spread over the effect judged %s: %s", c[0].Verdict, c[0].Evidence)
	}
	if c[1].Verdict != Inconclusive || !strings.Contains(c[1].Evidence, "Only one round") {
		t.Errorf("one round judged %s: %s", c[1].Verdict, c[1].Evidence)
	}

	m = base
	m.cpuNarrow = rounds(0.078, 0.079, 0.077)
	m.coresObtained = 0.9 // another process held the second core
	if c := m.verdicts()[1]; c.Verdict != Inconclusive || !strings.Contains(c.Evidence, "0.9 cores") {
		t.Errorf("starved narrow run judged %s: %s", c.Verdict, c.Evidence)
	}
	m.cpus = 1
	if c := m.verdicts()[1]; c.Verdict != Inconclusive || !strings.Contains(c.Evidence, "One core") {
		t.Errorf("one core judged %s: %s", c.Verdict, c.Evidence)
	}

	m = base
	m.ioWide, m.cpuNarrow = Stats{}, Stats{} // nothing measured
	sameVerdicts(t, "no timings", m.verdicts()[:2], Inconclusive, Inconclusive)

	m = base
	m.check.narrowFailure = "check: assertion failed"
	if c := m.verdicts()[2]; c.Verdict != Fails || c.Detail != m.check.narrowFailure {
		t.Errorf("a failing narrowed lock judged %s, detail %q", c.Verdict, c.Detail)
	}
	m = base
	m.check.splitKind = check.Deadlock
	if c := m.verdicts()[2]; c.Verdict != Fails || !strings.Contains(c.Evidence, "deadlock") {
		t.Errorf("split lock failing otherwise judged %s: %s", c.Verdict, c.Evidence)
	}

	c = base.verdicts()
	if got := c[0].Measurements["io_speedup"]; got < 7.85 || got > 7.86 {
		t.Errorf("io_speedup = %v, want 0.165/0.021", got)
	}
	if c[0].Measurements["io_speedup_low"] > c[0].Measurements["io_speedup"] || c[0].Measurements["io_speedup_high"] < c[0].Measurements["io_speedup"] {
		t.Errorf("io_speedup range: %v", c[0].Measurements)
	}
	if c[2].Detail != proven.splitFailure || c[1].Measurements["cpu_ideal_speedup"] != 2 {
		t.Errorf("detail %q, cpu ideal %v", c[2].Detail, c[1].Measurements["cpu_ideal_speedup"])
	}
}

// TestMinimizeLocksRun runs the workload for real: both lock widths count
// every task, and an error in the work stops the run with that error.
func TestMinimizeLocksRun(t *testing.T) {
	for _, wide := range []bool{true, false} {
		if err := minimizeLocksRun(4, 50, wide, func() (uint64, error) { return 1, nil }); err != nil {
			t.Errorf("wide=%v: %v", wide, err)
		}
	}
	boom := errors.New("boom")
	calls := 0
	var mu = make(chan struct{}, 1)
	err := minimizeLocksRun(2, 10, false, func() (uint64, error) {
		mu <- struct{}{}
		defer func() { <-mu }()
		if calls++; calls == 5 {
			return 0, boom
		}
		return 1, nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
}

// TestMinimizeLocksCheck runs the checker for real: the narrowed lock is
// proven, the split one loses an update with its trace.
func TestMinimizeLocksCheck(t *testing.T) {
	m := minimizeLocksCheck()
	if m.narrowFailure != "" || !m.narrowExhausted || m.narrowExecs == 0 {
		t.Fatalf("narrowed lock: %d schedules, exhausted %v, failure %q", m.narrowExecs, m.narrowExhausted, m.narrowFailure)
	}
	if m.splitKind != check.AssertionFailed || !strings.Contains(m.splitFailure, "total.Store(") {
		t.Fatalf("split lock: %v\n%s", m.splitKind, m.splitFailure)
	}
}
