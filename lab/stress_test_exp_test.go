package lab

import (
	"testing"
)

func TestStressTestVerdicts(t *testing.T) {
	base := stressTestMeasurements{singleRuns: 300, singleCaught: 2, stressFound: true, stressRuns: 1500,
		stressScenarios: 15, shrunkFrom: 8, shrunkTo: 3, table: "table", correctRuns: 1500}
	for _, tc := range []struct {
		name         string
		edit         func(*stressTestMeasurements)
		want0, want1 Verdict
	}{
		{"found, singles miss", func(*stressTestMeasurements) {}, Holds, Holds},
		{"not found", func(m *stressTestMeasurements) { m.stressFound = false }, Inconclusive, Holds},
		{"singles catch it", func(m *stressTestMeasurements) { m.singleCaught = 200 }, Fails, Holds},
		{"no single runs", func(m *stressTestMeasurements) { m.singleRuns, m.singleCaught = 0, 0 }, Inconclusive, Holds},
		{"atomic fails", func(m *stressTestMeasurements) { m.atomicFailed = true }, Holds, Fails},
		{"queue fails", func(m *stressTestMeasurements) { m.queueFailed = true }, Holds, Fails},
		{"no correct runs", func(m *stressTestMeasurements) { m.correctRuns = 0 }, Holds, Inconclusive},
	} {
		m := base
		tc.edit(&m)
		c := m.verdicts()
		if c[0].Verdict != tc.want0 || c[1].Verdict != tc.want1 {
			t.Errorf("%s: %s/%s, want %s/%s (%s | %s)", tc.name, c[0].Verdict, c[1].Verdict, tc.want0, tc.want1, c[0].Evidence, c[1].Evidence)
		}
	}
	c := base.verdicts()
	if c[0].Detail != "table" || c[0].Measurements["shrunk_to_ops"] != 3 || c[0].Measurements["single_caught"] != 2 {
		t.Errorf("claim: %+v", c[0])
	}
}

func TestStressTestQuick(t *testing.T) {
	e := stressTestExperiment()
	claims := quickClaims(t, e, CPUs())
	for _, c := range claims {
		if c.Evidence == "" {
			t.Fatalf("claim without evidence: %+v", c)
		}
		t.Logf("%s: %s\n%s", c.Verdict, c.Evidence, c.Detail)
	}
}
