package lab

import (
	"strings"
	"testing"
)

func TestCASVsLockVerdict(t *testing.T) {
	with := func(g int, mutex, cas float64) casVsLockMeasurements {
		return casVsLockMeasurements{goroutines: g, increments: 1000, mutex: rounds(mutex, mutex*1.05, mutex*0.95),
			cas: rounds(cas, cas*1.05, cas*0.95), addNs: 5, stripedNs: 2, casRetries: 0.3}
	}
	for _, tc := range []struct {
		name string
		m    casVsLockMeasurements
		want Verdict
	}{
		{"CAS much faster", with(2, 40, 15), Holds},
		{"CAS slower", with(2, 20, 30), Fails},
		{"about equal", with(2, 20, 18), Inconclusive},
		{"one processor", with(1, 40, 10), Inconclusive},
		{"no timing", with(2, 0, 10), Inconclusive},
		{"no contention", func() casVsLockMeasurements { m := with(2, 40, 15); m.casRetries = 0.001; return m }(), Inconclusive},
		// Median round 0.7x (holds), but one round 1.3x: too noisy.
		{"busy machine", func() casVsLockMeasurements {
			m := with(2, 40, 15)
			m.mutex, m.cas = rounds(40, 40, 40), rounds(28, 20, 52)
			return m
		}(), Inconclusive},
		{"one round", func() casVsLockMeasurements { m := with(2, 40, 15); m.mutex, m.cas = rounds(40), rounds(15); return m }(), Inconclusive},
	} {
		c := tc.m.verdict()
		if c.Verdict != tc.want {
			t.Errorf("%s: %s, want %s (%s)", tc.name, c.Verdict, tc.want, c.Evidence)
		}
	}
	c := with(2, 40, 10).verdict()
	if c.Measurements["cas_over_mutex"] != 0.25 || !strings.Contains(c.Evidence, "mutex 40.0 ns") ||
		!strings.Contains(c.Evidence, "0.30 failed CAS") {
		t.Errorf("measurements/evidence: %v %q", c.Measurements, c.Evidence)
	}
	if !strings.Contains(c.Evidence, "striped counter is cheapest") {
		t.Errorf("striped 2 ns < add 5 ns, evidence: %q", c.Evidence)
	}
	slow := with(2, 40, 10)
	slow.stripedNs = 9
	if e := slow.verdict().Evidence; !strings.Contains(e, "atomic.Add stays cheapest") {
		t.Errorf("striped 9 ns > add 5 ns, evidence: %q", e)
	}
}

func TestCASVsLockQuick(t *testing.T) {
	e := casVsLockExperiment()
	claims := quickClaims(t, e, CPUs())
	c := claims[0]
	if c.Evidence == "" || c.Measurements["increments"] != 100_000 || c.Measurements["mutex_ns"] <= 0 {
		t.Fatalf("claim %+v", c)
	}
	t.Logf("%s: %s", c.Verdict, c.Evidence)
}
