package lab

import (
	"strings"
	"testing"
)

func TestActorBankVerdicts(t *testing.T) {
	rate := func(med, lo, hi float64) Stats { return Stats{N: 5, Median: med, Min: lo, Max: hi} }
	base := actorBankMeasurements{trials: 5, updates: 200000, askUpdates: 20000,
		mutex: rate(20e6, 18e6, 22e6), tell: rate(8e6, 6e6, 9e6), ask: rate(4e5, 3e5, 5e5)}
	for _, tc := range []struct {
		name       string
		m          func(m actorBankMeasurements) actorBankMeasurements
		safe, cost Verdict
	}{
		{"textbook", func(m actorBankMeasurements) actorBankMeasurements { return m }, Holds, Holds},
		{"mutex wrong, actor right", func(m actorBankMeasurements) actorBankMeasurements { m.mutexWrong = 5; return m }, Holds, Holds},
		{"actor wrong", func(m actorBankMeasurements) actorBankMeasurements { m.tellWrong = 1; return m }, Fails, Holds},
		{"ask wrong", func(m actorBankMeasurements) actorBankMeasurements { m.askWrong = 1; return m }, Fails, Holds},
		{"actor far slower", func(m actorBankMeasurements) actorBankMeasurements { m.tell = rate(1e6, 0.9e6, 1.1e6); return m }, Holds, Fails},
		{"medians and best runs disagree", func(m actorBankMeasurements) actorBankMeasurements { m.tell = rate(2.1e6, 1e6, 2.15e6); return m }, Holds, Inconclusive},
		{"actor faster", func(m actorBankMeasurements) actorBankMeasurements { m.tell = rate(40e6, 35e6, 45e6); return m }, Holds, Holds},
		{"nothing ran", func(m actorBankMeasurements) actorBankMeasurements { return actorBankMeasurements{} }, Inconclusive, Inconclusive},
	} {
		cl := actorBankVerdicts(tc.m(base))
		if len(cl) != 2 || cl[0].Verdict != tc.safe || cl[1].Verdict != tc.cost {
			t.Errorf("%s: got %s/%s, want %s/%s (%s | %s)", tc.name, cl[0].Verdict, cl[1].Verdict, tc.safe, tc.cost, cl[0].Evidence, cl[1].Evidence)
		}
		for _, c := range cl {
			if c.Evidence == "" || c.Measurements == nil {
				t.Errorf("%s: empty evidence or measurements: %+v", tc.name, c)
			}
		}
	}
	c := actorBankVerdicts(base)[1]
	if c.Measurements["tell_over_mutex"] != 0.4 || !strings.Contains(c.Evidence, "0.40x") {
		t.Errorf("cost claim: %v %q", c.Measurements, c.Evidence)
	}
}

func TestActorBankWorkload(t *testing.T) {
	w := actorBankWorkload{goroutines: 3, ops: 1000, seed: 1}
	want := w.want(actorBankStart)
	if got := actorBankMutex(w); got != want {
		t.Fatalf("mutex: %d, want %d", got, want)
	}
	for _, ask := range []bool{false, true} {
		got, err := actorBankActor(w, ask)
		if err != nil || got != want {
			t.Fatalf("actor (ask=%v): %d, %v; want %d", ask, got, err, want)
		}
	}
}

func TestActorBankQuick(t *testing.T) {
	e := actorBankExperiment()
	claims := quickClaims(t, e, CPUs())
	for i, c := range claims {
		if c.Claim == "" || c.Evidence == "" {
			t.Errorf("claim %d: %+v", i, c)
		}
	}
	if claims[0].Verdict != Holds {
		t.Errorf("the actor lost an update: %s", claims[0].Evidence)
	}
	t.Log(claims[0].Evidence)
	t.Log(claims[1].Evidence)
}
