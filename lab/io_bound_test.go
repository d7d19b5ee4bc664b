package lab

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestIOBoundVerdicts(t *testing.T) {
	base := ioBoundMeasurements{cpus: 2, latency: 0.010, asyncOneCore: 0.0115, points: []ioBoundPoint{
		{calls: 1, sequential: 0.0102, par: 0.0102, asyncs: 0.0103},
		{calls: 16, sequential: 0.163, par: 0.082, asyncs: 0.0108},
		{calls: 64, sequential: 0.650, par: 0.327, asyncs: 0.0112},
	}}
	sameVerdicts(t, "textbook", base.verdicts(), Holds, Holds, Holds)
	c := base.verdicts()
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
	m.points = []ioBoundPoint{base.points[0], {calls: 64, sequential: 0.650, par: 0.330, asyncs: 0.400}}
	m.asyncOneCore = 0.9
	sameVerdicts(t, "contradicted", m.verdicts(), Fails, Fails, Fails)

	m = base
	m.points = []ioBoundPoint{base.points[0], {calls: 64, sequential: 0.650, par: 0.160, asyncs: 0.050}}
	m.asyncOneCore = 0.080
	sameVerdicts(t, "in between", m.verdicts(), Inconclusive, Inconclusive, Inconclusive)

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
