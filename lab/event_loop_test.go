package lab

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestEventLoopVerdicts(t *testing.T) {
	base := eventLoopMeasurements{
		clients: 1000, served: 1000, gorouServed: 1000, loopBytesPerConn: 200, gorouBytesPerConn: 6000,
		pingers: 32, heavy: 20 * time.Millisecond, heavyEvery: 100 * time.Millisecond, procs: 2,
		rounds: 3, p99: p99s(0.001, 0.021, 0.0015), samples: [3]int{1000, 1000, 1000},
	}
	sameVerdicts(t, "textbook", base.verdicts(), Holds, Holds, Holds)

	m := base
	m.served = 999 // a client went unanswered
	m.p99 = p99s(0.001, 0.0012, 0.0011)
	// No stall to cure: the cure is not judged.
	sameVerdicts(t, "contradicted", m.verdicts(), Fails, Fails, Inconclusive)

	m = base
	m.loopBytesPerConn = 4000 // 0.67x: less, not clearly
	m.p99 = p99s(0.001, 0.004, 0.002)
	sameVerdicts(t, "in between", m.verdicts(), Inconclusive, Inconclusive, Inconclusive)

	m = base
	m.procs = 1
	if c := m.verdicts()[2]; c.Verdict != Inconclusive || !strings.Contains(c.Evidence, "One core") {
		t.Errorf("one core: %s %s", c.Verdict, c.Evidence)
	}
	m = base
	m.p99 = p99s(0.001, 0.021, 0.021) // offloading did not help
	if c := m.verdicts()[2]; c.Verdict != Fails {
		t.Errorf("offload without effect: %s", c.Verdict)
	}
	m = base
	m.p99[1] = Stats{N: 3, Median: 0.021, Min: 0.0005, Max: 0.03} // one round saw no stall: noise
	sameVerdicts(t, "noisy rounds", m.verdicts(), Holds, Inconclusive, Inconclusive)
	m = base
	m.p99 = p99s(0.001, 0.0012, 0.0011)
	for i := range m.p99 {
		m.p99[i].N = 1 // one round: its noise is unknown
	}
	sameVerdicts(t, "one round", m.verdicts(), Holds, Inconclusive, Inconclusive)
	sameVerdicts(t, "nothing measured", eventLoopMeasurements{}.verdicts(), Inconclusive, Inconclusive, Inconclusive)
	c := base.verdicts()[0]
	if c.Measurements["memory_ratio"] != 200.0/6000 || !strings.Contains(c.Evidence, "1000 of 1000") {
		t.Errorf("measurements %v, evidence %q", c.Measurements, c.Evidence)
	}
}

// p99s makes three phases' rounds, each within 10% of its median.
func p99s(calm, inline, off float64) [3]Stats {
	st := func(x float64) Stats { return Stats{N: 3, Median: x, Min: 0.9 * x, Max: 1.1 * x} }
	return [3]Stats{st(calm), st(inline), st(off)}
}

func TestEventLoopQuick(t *testing.T) {
	claims := quickClaims(t, eventLoopExperiment(), CPUs())
	if c := claims[0]; c.Measurements["served"] != c.Measurements["clients"] || c.Measurements["loop_bytes_per_conn"] <= 0 {
		t.Errorf("serving: %+v", c)
	}
	for _, c := range claims {
		t.Logf("%s: %s", c.Verdict, c.Evidence)
	}
}

// TestLineServers: every server of the line protocol answers, and the
// pool server never serves more connections at once than it has workers.
func TestLineServers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func() (elServer, error)
	}{
		{"loop", func() (elServer, error) { return startLoopServer(1, time.Millisecond, elInline) }},
		{"loop offload", func() (elServer, error) { return startLoopServer(2, time.Millisecond, elOffload) }},
		{"goroutines", func() (elServer, error) { return startGoroutineServer(time.Millisecond) }},
		{"pool", func() (elServer, error) { return startPoolServer(time.Millisecond, 4, nil) }},
	} {
		s, err := tc.start()
		if err != nil {
			t.Fatal(err)
		}
		lat, err := elLatencies(context.Background(), s.addr, 3, 50*time.Millisecond, 10*time.Millisecond)
		if err != nil || len(lat) == 0 {
			t.Errorf("%s: %d latencies, %v", tc.name, len(lat), err)
		}
		if err := s.stop(); err != nil {
			t.Errorf("%s: stop: %v", tc.name, err)
		}
	}
}
