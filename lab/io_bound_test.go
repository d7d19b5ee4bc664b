package lab

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// point is a batch of calls timed in three rounds, each round's times
// spread by a percent around the median.
func point(calls int, sequential, par, asyncs float64) ioBoundPoint {
	r := func(x float64) Stats { return rounds(x, x*1.01, x*0.99) }
	return ioBoundPoint{calls: calls, sequential: r(sequential), par: r(par), asyncs: r(asyncs)}
}

func TestIOBoundVerdicts(t *testing.T) {
	base := ioBoundMeasurements{cpus: 2, latency: 0.010, asyncOneCore: rounds(0.0115, 0.0114, 0.0116), points: []ioBoundPoint{
		point(1, 0.0102, 0.0102, 0.0103), point(16, 0.163, 0.082, 0.0108), point(64, 0.650, 0.327, 0.0112),
	}}
	sameVerdicts(t, "textbook", base.verdicts(), Holds, Holds, Holds)
	c := base.verdicts()
	for i, id := range []string{"async-one-latency", "parallelism-wrong-tool", "no-extra-cores"} {
		if c[i].ID != id {
			t.Errorf("claim %d: id %q", i, c[i].ID)
		}
	}
	if got := c[0].Measurements["async_speedup"]; got < 58 || got > 58.1 {
		t.Errorf("async_speedup = %v, want 0.650/0.0112", got)
	}
	if c[0].Measurements["par_s_n16"] != 0.082 || c[0].Measurements["calls"] != 64 {
		t.Errorf("measurements: %v", c[0].Measurements)
	}
	if !strings.Contains(c[0].Evidence, "1→10.3ms, 16→10.8ms, 64→11.2ms") {
		t.Errorf("evidence: %s", c[0].Evidence)
	}

	m := base
	m.points = []ioBoundPoint{base.points[0], point(64, 0.650, 0.330, 0.400)}
	m.asyncOneCore = rounds(0.9, 0.91, 0.89)
	sameVerdicts(t, "contradicted", m.verdicts(), Fails, Fails, Fails)

	m = base
	m.points = []ioBoundPoint{base.points[0], point(64, 0.650, 0.160, 0.050)}
	m.asyncOneCore = rounds(0.080, 0.081, 0.079)
	sameVerdicts(t, "in between", m.verdicts(), Inconclusive, Inconclusive, Inconclusive)

	m = base
	m.asyncOneCore = rounds(0.0115, 0.030, 0.0114) // one round on one core as slow as two cores' worth
	if v := m.verdicts()[2]; v.Verdict != Inconclusive || !strings.Contains(v.Evidence, "rounds ranged from") {
		t.Errorf("a spread over the effect judged %s: %s", v.Verdict, v.Evidence)
	}
	m = base
	m.cpus = 48 // as many cores as calls
	if v := m.verdicts()[1]; v.Verdict != Inconclusive || !strings.Contains(v.Evidence, "as many cores") {
		t.Errorf("many cores judged %s: %s", v.Verdict, v.Evidence)
	}
	m.cpus = 1
	if v := m.verdicts()[2]; v.Verdict != Inconclusive || !strings.Contains(v.Evidence, "one core") {
		t.Errorf("one-core machine judged %s: %s", v.Verdict, v.Evidence)
	}
	sameVerdicts(t, "nothing measured", ioBoundMeasurements{cpus: 2}.verdicts(), Inconclusive, Inconclusive, Inconclusive)
}

// TestIOBoundWays runs the three ways against a counting call: each makes
// every call, async/await has them all in flight at once, and the first
// error comes back.
func TestIOBoundWays(t *testing.T) {
	ctx := context.Background()
	var calls, inFlight, peak atomic.Int64
	call := func(ctx context.Context) error {
		calls.Add(1)
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(5 * time.Millisecond)
		return nil
	}
	for name, way := range map[string]func() error{
		"sequential": func() error { return ioBoundSequential(ctx, 8, call) },
		"par":        func() error { return ioBoundParallel(ctx, 8, 2, call) },
		"async":      func() error { return ioBoundAsync(ctx, 8, call) },
	} {
		calls.Store(0)
		peak.Store(0)
		if err := way(); err != nil || calls.Load() != 8 {
			t.Errorf("%s: %v after %d calls", name, err, calls.Load())
		}
		want := map[string]int64{"sequential": 1, "par": 2, "async": 8}[name]
		if peak.Load() != want {
			t.Errorf("%s: %d calls in flight at most, want %d", name, peak.Load(), want)
		}
	}
	boom := errors.New("boom")
	failing := func(context.Context) error { return boom }
	for name, err := range map[string]error{
		"sequential": ioBoundSequential(ctx, 3, failing),
		"par":        ioBoundParallel(ctx, 3, 2, failing),
		"async":      ioBoundAsync(ctx, 3, failing),
	} {
		if !errors.Is(err, boom) {
			t.Errorf("%s: err = %v, want boom", name, err)
		}
	}
}
