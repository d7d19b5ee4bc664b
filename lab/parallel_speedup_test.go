package lab

import (
	"strings"
	"testing"
)

// speedupCase builds a curve measured in three rounds on a steady machine.
func speedupCase(cpus int, secs ...float64) speedupMeasurements {
	steady := func(s float64) Stats { return rounds(s, s*1.02, s*0.98) }
	m := speedupMeasurements{cpus: cpus, items: 16 * cpus}
	for i, s := range secs[:len(secs)-1] {
		m.curve = append(m.curve, speedupPoint{i + 1, steady(s)})
	}
	m.over = speedupPoint{2 * cpus, steady(secs[len(secs)-1])}
	return m
}

func withCores(m speedupMeasurements, cores float64) speedupMeasurements {
	m.coresObtained = cores
	return m
}

func TestParallelSpeedupVerdict(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    speedupMeasurements
		want Verdict
	}{
		{"two cores, textbook", speedupCase(2, 0.20, 0.104, 0.103), Holds},
		{"four cores, textbook", speedupCase(4, 0.40, 0.21, 0.14, 0.11, 0.105), Holds},
		{"no speedup", speedupCase(2, 0.20, 0.19, 0.19), Fails},
		{"one core", speedupCase(1, 0.20, 0.20), Inconclusive},
		{"partial speedup (loaded machine)", speedupCase(2, 0.20, 0.15, 0.15), Inconclusive},
		{"curve dips", speedupCase(4, 0.40, 0.21, 0.30, 0.11, 0.105), Inconclusive},
		{"super-linear beyond the cores", speedupCase(2, 0.20, 0.10, 0.06), Inconclusive},
		{"no baseline", speedupMeasurements{cpus: 2}, Inconclusive},
		// The median round says 1.1x (fails), but one round reached 1.9x.
		{"busy machine", func() speedupMeasurements {
			m := speedupCase(2, 0.20, 0.18, 0.18)
			m.curve[1].seconds = rounds(0.18, 0.105, 0.2)
			return m
		}(), Inconclusive},
		{"one round", func() speedupMeasurements {
			m := speedupCase(2, 0.20, 0.10, 0.10)
			m.curve[0].seconds, m.curve[1].seconds = rounds(0.2), rounds(0.1)
			return m
		}(), Inconclusive},
		{"no speedup with the cores obtained", withCores(speedupCase(2, 0.20, 0.19, 0.19), 1.95), Fails},
		{"starved by other load", withCores(speedupCase(2, 0.20, 0.19, 0.19), 1.1), Inconclusive},
		{"textbook, cores obtained", withCores(speedupCase(2, 0.20, 0.104, 0.103), 1.97), Holds},
	} {
		c := tc.m.verdict()
		if c.Verdict != tc.want {
			t.Errorf("%s: %s, want %s (%s)", tc.name, c.Verdict, tc.want, c.Evidence)
		}
		if c.Evidence == "" || c.Measurements["cpus"] != float64(tc.m.cpus) {
			t.Errorf("%s: evidence %q measurements %v", tc.name, c.Evidence, c.Measurements)
		}
	}
	c := speedupCase(2, 0.20, 0.10, 0.10).verdict()
	if c.Measurements["speedup_w2"] != 2 || c.Measurements["speedup_at_cores"] != 2 ||
		!strings.Contains(c.Evidence, "2→2.00x") {
		t.Errorf("measurements/evidence: %v %q", c.Measurements, c.Evidence)
	}
}

func TestSpeedupWorkerCounts(t *testing.T) {
	for cpus, want := range map[int]int{1: 1, 2: 2, 8: 8, 64: 15} {
		ws := speedupWorkerCounts(cpus)
		if len(ws) != want || ws[0] != 1 || ws[len(ws)-1] != cpus {
			t.Errorf("cpus=%d: %v", cpus, ws)
		}
	}
}

func TestParallelSpeedupQuickRun(t *testing.T) {
	e := parallelSpeedupExperiment()
	claims := quickClaims(t, e, 2)
	c := claims[0]
	if c.Evidence == "" || c.Measurements["seconds_w1"] <= 0 || c.Measurements["seconds_w4"] <= 0 {
		t.Fatalf("claim: %+v", c)
	}
}
