package lab

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

func eventLoopExperiment() Experiment {
	return Experiment{
		ID:      "event-loop",
		Section: "Concurrency Models",
		Specs: []ClaimSpec{
			{ID: "serves-many-connections", Text: "Event loop: one thread with non-blocking I/O serves many I/O-bound connections, for less memory per connection than a goroutine each."},
			{ID: "heavy-callback-stalls", Text: "A CPU-heavy callback stalls everyone: while it runs, every other client waits."},
			{ID: "offload-cures", Text: "Moving the heavy work to a thread pool (evloop.Offload) gives the other clients their latency back."},
		},
		Run: runEventLoop,
	}
}

// eventLoopMeasurements are what runEventLoop measured.
type eventLoopMeasurements struct {
	clients, served   int     // concurrent clients of the one-thread loop, and those answered
	loopBytesPerConn  float64 // live memory per connection, event loop
	gorouBytesPerConn float64 // live memory per connection, a goroutine each
	gorouServed       int
	// The latency phases: pingers clients sending a request every elPace,
	// and one client sending a CPU-heavy request every heavyEvery, which
	// computes for heavy.
	pingers           int
	heavy, heavyEvery time.Duration
	procs             int      // GOMAXPROCS of the latency phases
	rounds            int      // rounds of the three phases, interleaved
	p99               [3]Stats // seconds, per round: calm, heavy inline, heavy offloaded
	samples           [3]int   // latencies measured in each phase, all rounds
}

func runEventLoop(ctx context.Context, env *Env) (Result, error) {
	m := eventLoopMeasurements{
		clients: env.Scale(1000, 200), pingers: env.Scale(32, 8),
		heavy: 20 * time.Millisecond, heavyEvery: 100 * time.Millisecond,
		procs: min(2, env.CPUs), rounds: env.Scale(3, 1),
	}
	phase := time.Duration(env.Scale(1500, 300)) * time.Millisecond
	env.Step("one loop on GOMAXPROCS=1: %d concurrent clients, and the same with a goroutine each", m.clients)
	if err := WithGOMAXPROCS(1, func() error { return m.measureMemory() }); err != nil {
		return Result{}, err
	}
	err := WithGOMAXPROCS(m.procs, func() error { return m.measureLatency(ctx, env, phase) })
	if err != nil {
		return Result{}, err
	}
	return Result{Claims: m.verdicts()}, nil
}

// measureLatency runs the three phases (calm, a heavy callback inline, the
// heavy work offloaded) in turn, m.rounds times, so that a change in the
// machine's load hits all three alike.
func (m *eventLoopMeasurements) measureLatency(ctx context.Context, env *Env, phase time.Duration) error {
	phases := []struct {
		what  string
		every time.Duration
		mode  elOffloadMode
	}{{"calm", 0, elInline}, {"a heavy callback inline", m.heavyEvery, elInline}, {"the heavy work offloaded", m.heavyEvery, elOffload}}
	p99 := make([][]float64, len(phases))
	for r := range m.rounds {
		for i, ph := range phases {
			if err := ctx.Err(); err != nil {
				return err
			}
			env.Step("round %d/%d: latency of %d clients, %s", r+1, m.rounds, m.pingers, ph.what)
			s, err := startLoopServer(1, m.heavy, ph.mode)
			if err != nil {
				return err
			}
			lat, err := elLatencies(ctx, s.addr, m.pingers, phase, ph.every)
			if serr := s.stop(); err == nil {
				err = serr
			}
			if err != nil {
				return err
			}
			m.samples[i] += len(lat)
			p99[i] = append(p99[i], percentile(lat, 0.99))
		}
	}
	for i := range phases {
		m.p99[i] = Summarize(p99[i])
	}
	return nil
}

// measureMemory serves m.clients clients on one loop and then with a
// goroutine each, recording those served and the memory per connection.
func (m *eventLoopMeasurements) measureMemory() error {
	clientCost, err := elClientCost(m.clients)
	if err != nil {
		return err
	}
	s, err := startLoopServer(1, 0, elInline)
	if err != nil {
		return err
	}
	m.served, m.loopBytesPerConn, err = elServeIdle(s, m.clients, clientCost)
	if serr := s.stop(); err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	g, err := startGoroutineServer(0)
	if err != nil {
		return err
	}
	m.gorouServed, m.gorouBytesPerConn, err = elServeIdle(g, m.clients, clientCost)
	if serr := g.stop(); err == nil {
		err = serr
	}
	runtime.GC()
	return err
}

func (m eventLoopMeasurements) verdicts() []Claim {
	e := eventLoopExperiment()
	memRatio := ratio(m.loopBytesPerConn, m.gorouBytesPerConn)
	serve := e.NewClaim("serves-many-connections")
	serve.Measurements = map[string]float64{
		"clients": float64(m.clients), "served": float64(m.served), "goroutine_served": float64(m.gorouServed),
		"loop_bytes_per_conn": m.loopBytesPerConn, "goroutine_bytes_per_conn": m.gorouBytesPerConn, "memory_ratio": memRatio,
	}
	serve.Evidence = fmt.Sprintf("One loop on GOMAXPROCS=1 answered %d of %d clients with a request each outstanding at once, holding %.0f B per connection; a goroutine per connection held %.0f B (%.2fx).",
		m.served, m.clients, m.loopBytesPerConn, m.gorouBytesPerConn, memRatio)
	switch {
	case m.clients == 0 || m.gorouBytesPerConn <= 0:
		serve.Verdict = Inconclusive
	case m.served < m.clients || memRatio >= 1:
		serve.Verdict = Fails
	case memRatio <= 0.5:
		serve.Verdict = Holds
	default:
		serve.Verdict = Inconclusive
	}

	calm, inline, off := m.p99[0], m.p99[1], m.p99[2]
	heavy := m.heavy.Seconds()
	meas := map[string]float64{
		"pingers": float64(m.pingers), "heavy_s": heavy, "heavy_every_s": m.heavyEvery.Seconds(), "gomaxprocs": float64(m.procs), "rounds": float64(m.rounds),
		"calm_p99_s": calm.Median, "inline_p99_s": inline.Median, "offload_p99_s": off.Median,
		"calm_samples": float64(m.samples[0]), "inline_samples": float64(m.samples[1]), "offload_samples": float64(m.samples[2]),
	}
	measured := calm.N > 0 && inline.N > 0 && m.samples[0] > 0 && m.samples[1] > 0
	stall := e.NewClaim("heavy-callback-stalls")
	stall.Measurements = meas
	stall.Evidence = fmt.Sprintf("p99 latency of %d clients each sending a request every %s (median of %d rounds): %s calm, %s while another client's request computes %s inline on the loop every %s (%.1fx).",
		m.pingers, elPace, calm.N, seconds(calm.Median), seconds(inline.Median), m.heavy, m.heavyEvery, ratio(inline.Median, calm.Median))
	switch {
	case !measured:
		stall.Verdict = Inconclusive
	case inline.Median >= 0.5*heavy && inline.Median >= 3*calm.Median && inline.Min > calm.Max:
		stall.Verdict = Holds
	case inline.N >= 2 && inline.Max < 1.5*calm.Min:
		stall.Verdict = Fails // in every one of several rounds, the heavy callback changed nothing
	default:
		stall.Verdict = Inconclusive
		stall.Evidence += " The rounds disagree or the difference is within this machine's noise."
	}

	cure := e.NewClaim("offload-cures")
	cure.Measurements = meas
	cure.Evidence = fmt.Sprintf("With the heavy work offloaded to a pool on GOMAXPROCS=%d, the clients' p99 was %s (inline: %s, calm: %s).",
		m.procs, seconds(off.Median), seconds(inline.Median), seconds(calm.Median))
	switch {
	case !measured || off.N == 0 || m.samples[2] == 0:
		cure.Verdict = Inconclusive
	case m.procs < 2:
		cure.Verdict = Inconclusive
		cure.Evidence += " One core only: the pool's worker and the loop share it, so offloading cannot help here."
	case off.Median <= inline.Median/3 && off.Median < 0.5*heavy && off.Max < inline.Min:
		cure.Verdict = Holds
	case off.N >= 2 && off.Min >= 0.8*inline.Max:
		cure.Verdict = Fails // in every one of several rounds, offloading did not help
	default:
		cure.Verdict = Inconclusive
		cure.Evidence += " The rounds disagree or the difference is within this machine's noise."
	}
	return []Claim{serve, stall, cure}
}
