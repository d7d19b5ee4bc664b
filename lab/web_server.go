package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func webServerExperiment() Experiment {
	return Experiment{
		ID:      "web-server",
		Section: "When to use what",
		Specs: []ClaimSpec{
			{ID: "event-loop-memory", Text: "Web server: an event loop serves many connections for much less memory per connection than a thread (goroutine) each, at comparable throughput."},
			{ID: "pool-queues-connections", Text: "Web server: a thread pool bounds the threads serving connections, and connections beyond its size wait their turn."},
		},
		Run: runWebServer,
	}
}

// wsServer is one way to serve the line protocol, with its results.
type wsServer struct {
	name     string
	start    func() (elServer, error)
	rate     Stats   // requests per second over the rounds
	p99      Stats   // seconds, every request
	first    Stats   // seconds, p90 of the clients' first replies (connect included)
	perConn  float64 // live bytes per idle connection (0: not measured)
	served   int     // idle clients answered
	peakBusy int64   // pool only: most connections served at once
}

type webServerMeasurements struct {
	clients, requests, idle, workers, loops, rounds int
	servers                                         []*wsServer // event loop, pool, goroutine per connection
}

func runWebServer(ctx context.Context, env *Env) (Result, error) {
	m := webServerMeasurements{
		clients: env.Scale(256, 64), requests: env.Scale(200, 40), idle: env.Scale(1000, 200),
		workers: 32, loops: runtime.GOMAXPROCS(0), rounds: env.Scale(3, 1),
	}
	var peak atomic.Int64
	m.servers = []*wsServer{
		{name: fmt.Sprintf("event loop (%d loops)", m.loops), start: func() (elServer, error) { return startLoopServer(m.loops, 0, elInline) }},
		{name: fmt.Sprintf("thread pool (%d workers)", m.workers), start: func() (elServer, error) {
			return startPoolServer(0, m.workers, &peak)
		}},
		{name: "goroutine per connection", start: func() (elServer, error) { return startGoroutineServer(0) }},
	}
	for _, s := range []*wsServer{m.servers[0], m.servers[2]} {
		env.Step("%s: memory with %d idle connections", s.name, m.idle)
		if err := s.measureIdle(m.idle); err != nil {
			return Result{}, err
		}
	}
	rates := make([][]float64, len(m.servers))
	p99s := make([][]float64, len(m.servers))
	firsts := make([][]float64, len(m.servers))
	for r := range m.rounds {
		for i, s := range m.servers {
			if err := ctx.Err(); err != nil {
				return Result{}, err
			}
			env.Step("round %d/%d: %s, %d clients x %d requests", r+1, m.rounds, s.name, m.clients, m.requests)
			rate, p99, first, err := s.load(ctx, m.clients, m.requests)
			if err != nil {
				return Result{}, fmt.Errorf("%s: %w", s.name, err)
			}
			rates[i], p99s[i], firsts[i] = append(rates[i], rate), append(p99s[i], p99), append(firsts[i], first)
		}
	}
	for i, s := range m.servers {
		s.rate, s.p99, s.first = Summarize(rates[i]), Summarize(p99s[i]), Summarize(firsts[i])
	}
	m.servers[1].peakBusy = peak.Load()
	return Result{Claims: m.verdicts()}, nil
}

func (s *wsServer) measureIdle(n int) error {
	clientCost, err := elClientCost(n)
	if err != nil {
		return err
	}
	srv, err := s.start()
	if err != nil {
		return err
	}
	s.served, s.perConn, err = elServeIdle(srv, n, clientCost)
	return errors.Join(err, srv.stop())
}

// load runs clients clients of requests round trips each, all starting
// together, and returns requests per second, the p99 latency of every
// request, and the p90 of the clients' first replies (the time a client
// waits for the server to take its connection is in those).
func (s *wsServer) load(ctx context.Context, clients, requests int) (rate, p99, first float64, err error) {
	srv, err := s.start()
	if err != nil {
		return 0, 0, 0, err
	}
	defer func() { err = errors.Join(err, srv.stop()) }()
	lat := make([][]float64, clients)
	errs := make([]error, clients)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			<-start
			lat[i], errs[i] = wsClient(ctx, srv.addr, requests)
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	elapsed := time.Since(t0).Seconds()
	if err := errors.Join(errs...); err != nil {
		return 0, 0, 0, err
	}
	firsts := make([]float64, 0, clients)
	for _, l := range lat {
		if len(l) > 0 {
			firsts = append(firsts, l[0])
		}
	}
	all := slices.Concat(lat...)
	return ratio(float64(len(all)), elapsed), percentile(all, 0.99), percentile(firsts, 0.9), nil
}

// wsClient connects and makes requests round trips; the first one's
// latency counts from before the connect, so time spent waiting for the
// server to take the connection is in it.
func wsClient(ctx context.Context, addr string, requests int) ([]float64, error) {
	t := time.Now()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(60 * time.Second))
	out := make([]float64, 0, requests)
	buf := make([]byte, 5)
	for range requests {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if _, err := io.WriteString(c, "ping\n"); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			return nil, err
		}
		out = append(out, time.Since(t).Seconds())
		t = time.Now()
	}
	return out, nil
}

func (m webServerMeasurements) verdicts() []Claim {
	e := webServerExperiment()
	loop, pl, gor := m.servers[0], m.servers[1], m.servers[2]
	var table strings.Builder
	fmt.Fprintf(&table, "%-26s %12s %10s %16s %16s\n", "server", "requests/s", "p99", "first reply p90", "bytes/idle conn")
	meas := map[string]float64{
		"clients": float64(m.clients), "requests_per_client": float64(m.requests), "idle_connections": float64(m.idle),
		"pool_workers": float64(m.workers), "loops": float64(m.loops), "rounds": float64(m.rounds),
	}
	for i, s := range m.servers {
		key := []string{"event_loop", "pool", "goroutines"}[i]
		meas[key+"_requests_per_s"], meas[key+"_p99_s"], meas[key+"_first_reply_p90_s"] = s.rate.Median, s.p99.Median, s.first.Median
		mem := "-"
		if s.perConn > 0 {
			meas[key+"_bytes_per_conn"] = s.perConn
			mem = fmt.Sprintf("%.0f B", s.perConn)
		}
		fmt.Fprintf(&table, "%-26s %12s %10s %16s %16s\n", s.name, actorBankHuman(s.rate.Median), seconds(s.p99.Median), seconds(s.first.Median), mem)
	}
	detail := strings.TrimRight(table.String(), "\n")

	memRatio := ratio(loop.perConn, gor.perConn)
	rateRatio := ratio(loop.rate.Median, gor.rate.Median)
	c1 := e.NewClaim("event-loop-memory")
	c1.Measurements, c1.Detail = meas, detail
	c1.Evidence = fmt.Sprintf("%d idle connections: the event loop held %.0f B per connection, a goroutine each %.0f B (%.2fx); under %d clients x %d requests it served %s requests/s, %.2fx the goroutine server's %s.",
		m.idle, loop.perConn, gor.perConn, memRatio, m.clients, m.requests, actorBankHuman(loop.rate.Median), rateRatio, actorBankHuman(gor.rate.Median))
	switch {
	case gor.perConn <= 0 || gor.rate.N == 0 || loop.served < m.idle:
		c1.Verdict = Inconclusive
	case memRatio >= 1 || (loop.rate.N >= 2 && loop.rate.Max < 0.5*gor.rate.Min):
		c1.Verdict = Fails // more memory, or half the throughput in every one of several rounds
	case memRatio <= 0.5 && rateRatio >= 0.8:
		c1.Verdict = Holds
	default:
		c1.Verdict = Inconclusive
		c1.Evidence += " The throughputs are not clearly comparable on this machine."
	}

	waitRatio := ratio(pl.first.Median, gor.first.Median)
	c2 := e.NewClaim("pool-queues-connections")
	c2.Measurements, c2.Detail = meas, detail
	c2.Measurements["pool_peak_busy"] = float64(pl.peakBusy)
	c2.Evidence = fmt.Sprintf("With %d clients and %d workers, the pool served at most %d connections at once; 90%% of its clients had their first reply within %s, against %s with a goroutine per connection (%.1fx): the later clients waited for a worker to be free.",
		m.clients, m.workers, pl.peakBusy, seconds(pl.first.Median), seconds(gor.first.Median), waitRatio)
	switch {
	case pl.first.N == 0 || gor.first.N == 0 || m.clients <= m.workers:
		c2.Verdict = Inconclusive
	case pl.peakBusy > int64(m.workers) || (pl.first.N >= 2 && pl.first.Max <= 1.2*gor.first.Min):
		c2.Verdict = Fails // unbounded, or no wait in any of several rounds
	case waitRatio >= 2 && pl.first.Min > gor.first.Max:
		c2.Verdict = Holds
	default:
		c2.Verdict = Inconclusive
		c2.Evidence += " The rounds disagree or the difference is within this machine's noise."
	}
	return []Claim{c1, c2}
}
