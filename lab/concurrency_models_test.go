package lab

import (
	"strings"
	"testing"
)

func TestConcurrencyModelsVerdict(t *testing.T) {
	rate := func(med, lo, hi float64) Stats { return Stats{N: 5, Median: med, Min: lo, Max: hi} }
	mk := func(rates ...Stats) cmMeasurements {
		m := cmMeasurements{trials: 5, transfers: 80000}
		for i, r := range rates {
			m.models = append(m.models, cmModel{name: []string{"shared", "csp", "actors"}[i], mustGetRight: cmMustGetRight[i], rate: r})
		}
		return m
	}
	textbook := mk(rate(8e6, 7e6, 9e6), rate(5e5, 4e5, 6e5), rate(3e6, 2.5e6, 3.5e6))
	if c := cmVerdict(textbook); c.Verdict != Holds || !strings.Contains(c.Evidence, "16.0x") || !strings.Contains(c.Detail, "lock.All") {
		t.Errorf("textbook: %s %q\n%s", c.Verdict, c.Evidence, c.Detail)
	}
	broken := mk(rate(8e6, 7e6, 9e6), rate(5e5, 4e5, 6e5), rate(3e6, 2.5e6, 3.5e6))
	broken.models[1].wrong, broken.models[1].firstProblem = 1, "total 31999, want 32000"
	if c := cmVerdict(broken); c.Verdict != Fails || !strings.Contains(c.Evidence, "31999") {
		t.Errorf("broken: %s %q", c.Verdict, c.Evidence)
	}
	close := mk(rate(1e6, 0.8e6, 1.2e6), rate(0.9e6, 0.7e6, 1.1e6), rate(1.1e6, 0.9e6, 1.3e6))
	if c := cmVerdict(close); c.Verdict != Inconclusive {
		t.Errorf("indistinguishable costs: %s %q", c.Verdict, c.Evidence)
	}
	overlapping := mk(rate(3e6, 0.5e6, 4e6), rate(1e6, 0.7e6, 1.1e6), rate(2e6, 1e6, 3e6))
	if c := cmVerdict(overlapping); c.Verdict != Inconclusive {
		t.Errorf("overlapping runs: %s %q", c.Verdict, c.Evidence)
	}
	if c := cmVerdict(cmMeasurements{}); c.Verdict != Inconclusive {
		t.Errorf("empty: %s", c.Verdict)
	}
}

func TestConcurrencyModelsEachModel(t *testing.T) {
	w := cmWorkload{accounts: 8, workers: 3, transfers: 2000, seed: 3}
	if p := w.cmCorrect(cmSharedMemory(w)); p != "" {
		t.Errorf("shared memory: %s", p)
	}
	if p := w.cmCorrect(cmCSP(w)); p != "" {
		t.Errorf("CSP: %s", p)
	}
	o, err := cmActors(w)
	if err != nil {
		t.Fatal(err)
	}
	if p := w.cmCorrect(o); p != "" {
		t.Errorf("actors: %s", p)
	}
	// The checker of the invariants does catch a broken outcome.
	o.balances[0]++
	if w.cmCorrect(o) == "" {
		t.Error("a changed total went unnoticed")
	}
	o.balances[0]--
	o.refused--
	if w.cmCorrect(o) == "" {
		t.Error("a lost transfer went unnoticed")
	}
}

func TestConcurrencyModelsQuick(t *testing.T) {
	e := concurrencyModelsExperiment()
	claims := quickClaims(t, e, CPUs())
	c := claims[0]
	if c.Verdict == Fails || c.Evidence == "" || c.Detail == "" {
		t.Fatalf("%s: %s\n%s", c.Verdict, c.Evidence, c.Detail)
	}
	t.Logf("%s: %s\n%s", c.Verdict, c.Evidence, c.Detail)
}
