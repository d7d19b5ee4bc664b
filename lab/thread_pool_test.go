package lab

import (
	"strings"
	"testing"
)

func TestThreadPoolVerdict(t *testing.T) {
	const mb = 1 << 20
	base := threadPoolMeasurements{tasks: 1_000_000, workers: 2}
	with := func(perT, poolT, perB, poolB float64) threadPoolMeasurements {
		m := base
		m.perTaskTime, m.poolTime, m.perTaskPeakBytes, m.poolPeakBytes = steady(perT), steady(poolT), steady(perB), steady(poolB)
		m.perTaskPeakG, m.poolPeakG = 30000, 3
		return m
	}
	for _, tc := range []struct {
		name string
		m    threadPoolMeasurements
		want Verdict
	}{
		{"bounded and faster", with(0.40, 0.10, 80*mb, 0.1*mb), Holds},
		{"bounded, slightly slower", with(0.40, 0.48, 80*mb, 1*mb), Holds},
		{"bounded but much slower", with(0.40, 0.90, 80*mb, 1*mb), Fails},
		{"not bounded", with(0.40, 0.30, 80*mb, 79*mb), Fails},
		{"no pile-up to bound", with(0.40, 0.30, 0.2*mb, 0.1*mb), Inconclusive},
		{"bounded, somewhat slower", with(0.40, 0.60, 80*mb, 1*mb), Inconclusive},
		{"half bounded", with(0.40, 0.30, 80*mb, 60*mb), Inconclusive},
		{"no timing", with(0, 0.30, 80*mb, 1*mb), Inconclusive},
		// The median round says the pool took 2.2x the time (fails), but
		// another round says 1.1x: a busy machine, not a verdict.
		{"busy machine", func() threadPoolMeasurements {
			m := with(0.40, 0.88, 80*mb, 1*mb)
			m.poolTime = rounds(0.88, 0.44, 0.95)
			return m
		}(), Inconclusive},
	} {
		c := tc.m.verdict()
		if c.Verdict != tc.want {
			t.Errorf("%s: %s, want %s (%s)", tc.name, c.Verdict, tc.want, c.Evidence)
		}
	}
	c := with(0.40, 0.10, 80*mb, 2*mb).verdict()
	if c.Measurements["memory_ratio"] != 0.025 || c.Measurements["time_ratio"] != 0.25 ||
		!strings.Contains(c.Evidence, "80.0 MiB") || !strings.Contains(c.Evidence, "30000 goroutines") {
		t.Errorf("measurements/evidence: %v %q", c.Measurements, c.Evidence)
	}
}

func TestThreadPoolQuick(t *testing.T) {
	e := threadPoolExperiment()
	claims := quickClaims(t, e, CPUs())
	c := claims[0]
	if c.Evidence == "" || c.Measurements["tasks"] != 20_000 {
		t.Fatalf("claim %+v", c)
	}
	t.Logf("%s: %s", c.Verdict, c.Evidence)
}
