package lab

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labludus/ludus/async"
	"github.com/labludus/ludus/par"
)

func ioBoundExperiment() Experiment {
	return Experiment{
		ID:      "io-bound",
		Section: "When to use what: I/O-bound (API, DB) → async/await",
		Specs: []ClaimSpec{
			{ID: "async-one-latency", Text: "For I/O-bound work, async/await (every call in flight at once) takes about one latency, however many calls there are."},
			{ID: "parallelism-wrong-tool", Text: "Parallelism, the tool for CPU-bound work, is the wrong one for I/O: one worker per core divides the time only by the core count."},
			{ID: "no-extra-cores", Text: "I/O-bound work needs no extra cores: async/await on one core (GOMAXPROCS=1) is as fast as on all of them."},
		},
		Run: runIOBound,
	}
}

// ioBoundPoint is the time of n API calls made each way, in seconds, one
// sample per round.
type ioBoundPoint struct {
	calls                   int
	sequential, par, asyncs Stats
}

// ioBoundMeasurements are what the verdicts are computed from.
type ioBoundMeasurements struct {
	cpus    int
	latency float64        // seconds the API takes to answer one call
	points  []ioBoundPoint // calls ascending
	// asyncOneCore is the time of the largest batch through async/await
	// with GOMAXPROCS=1.
	asyncOneCore Stats
}

func runIOBound(ctx context.Context, env *Env) (Result, error) {
	m := ioBoundMeasurements{cpus: env.CPUs, latency: float64(env.Scale(10, 2)) / 1000}
	if m.cpus <= 0 {
		m.cpus = CPUs()
	}
	batches := []int{1, 4, 16, 64}
	if env.Quick {
		batches = batches[:3]
	}
	largest := batches[len(batches)-1]
	api := newSlowAPI(map[string]time.Duration{"/orders": time.Duration(m.latency * float64(time.Second))})
	defer api.Close()
	// One connection per call in flight, kept between rounds, as a client
	// of a real API would; the round below opens them untimed.
	if tr, ok := api.Client().Transport.(*http.Transport); ok {
		tr.MaxIdleConnsPerHost = largest
	}
	call := func(ctx context.Context) error { _, err := api.get(ctx, "/orders"); return err }
	if err := ioBoundAsync(ctx, largest, call); err != nil {
		return Result{}, err
	}

	// Every way and every batch size takes turns, so that load from
	// elsewhere hits them alike.
	var variants []func() error
	for _, n := range batches {
		variants = append(variants,
			func() error { return ioBoundSequential(ctx, n, call) },
			func() error { return ioBoundParallel(ctx, n, m.cpus, call) },
			func() error { return ioBoundAsync(ctx, n, call) })
	}
	variants = append(variants, func() error {
		return WithGOMAXPROCS(1, func() error { return ioBoundAsync(ctx, largest, call) })
	})
	env.Step("%v API calls of %s each: one after another, one worker per core (par), all at once (async); then all at once on one core",
		batches, seconds(m.latency))
	stats, err := TimeInterleaved(ctx, env.Scale(3, 2), variants...)
	if err != nil {
		return Result{}, err
	}
	for i, n := range batches {
		m.points = append(m.points, ioBoundPoint{calls: n, sequential: stats[3*i], par: stats[3*i+1], asyncs: stats[3*i+2]})
	}
	m.asyncOneCore = stats[len(stats)-1]
	return Result{Claims: m.verdicts()}, nil
}

func ioBoundSequential(ctx context.Context, n int, call func(context.Context) error) error {
	for range n {
		if err := call(ctx); err != nil {
			return err
		}
	}
	return nil
}

// ioBoundParallel makes the calls the way CPU-bound work is spread: one
// worker per core, each making its share of calls one after another.
func ioBoundParallel(ctx context.Context, n, cpus int, call func(context.Context) error) error {
	return par.ForCtx(ctx, n, func(ctx context.Context, _ int) error { return call(ctx) }, par.Workers(cpus))
}

// ioBoundAsync is the guide's Promise.all with n calls: every call starts
// at once as a future, and async.All awaits them together.
func ioBoundAsync(ctx context.Context, n int, call func(context.Context) error) error {
	futures := make([]*async.Future[struct{}], n)
	for i := range futures {
		futures[i] = async.Go(ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, call(ctx) })
	}
	_, err := async.All(ctx, futures...)
	return err
}

func (m ioBoundMeasurements) measure(c Claim) Claim {
	c.Measurements["cpus"], c.Measurements["latency_s"], c.Measurements["async_1core_s"] = float64(m.cpus), m.latency, m.asyncOneCore.Median
	for _, p := range m.points {
		c.Measurements[fmt.Sprintf("sequential_s_n%d", p.calls)] = p.sequential.Median
		c.Measurements[fmt.Sprintf("par_s_n%d", p.calls)] = p.par.Median
		c.Measurements[fmt.Sprintf("async_s_n%d", p.calls)] = p.asyncs.Median
	}
	if len(m.points) > 0 {
		last := m.points[len(m.points)-1]
		c.Measurements["calls"] = float64(last.calls)
		RatioSpread(last.sequential, last.asyncs).Measure(c.Measurements, "async_speedup")
		RatioSpread(last.sequential, last.par).Measure(c.Measurements, "par_speedup")
		RatioSpread(last.par, last.asyncs).Measure(c.Measurements, "async_over_par")
		RatioSpread(m.asyncOneCore, last.asyncs).Measure(c.Measurements, "one_core_over_all")
	}
	return c
}

// verdicts is a pure function of the measurements. Each ratio is judged
// with its spread over the rounds (see Judge).
func (m ioBoundMeasurements) verdicts() []Claim {
	e := ioBoundExperiment()
	claims := []Claim{m.measure(e.NewClaim("async-one-latency")), m.measure(e.NewClaim("parallelism-wrong-tool")), m.measure(e.NewClaim("no-extra-cores"))}
	if len(m.points) == 0 || m.points[0].asyncs.Median <= 0 {
		for i := range claims {
			claims[i].Verdict, claims[i].Evidence = Inconclusive, "no measurement."
		}
		return claims
	}
	last := m.points[len(m.points)-1]
	claims[0] = m.asyncVerdict(claims[0], last)
	claims[1] = m.parVerdict(claims[1], last)
	claims[2] = m.oneCoreVerdict(claims[2], last)
	return claims
}

// asyncVerdict holds when the largest batch through async/await runs at
// least half as fast as the ideal (one latency for all the calls) and
// fails when it is less than twice as fast as one call after another.
func (m ioBoundMeasurements) asyncVerdict(cl Claim, last ioBoundPoint) Claim {
	var perCalls []string
	for _, p := range m.points {
		perCalls = append(perCalls, fmt.Sprintf("%d→%s", p.calls, seconds(p.asyncs.Median)))
	}
	sp := RatioSpread(last.sequential, last.asyncs)
	cl.Evidence = fmt.Sprintf("with a latency of %s, async/await took %s by number of calls; %d calls took %s one after another, %.1fx longer (ideal %dx).",
		seconds(m.latency), strings.Join(perCalls, ", "), last.calls, seconds(last.sequential.Median), sp.Median, last.calls)
	var note string
	cl.Verdict, note = Judge(sp, times, func(x float64) bool { return x >= float64(last.calls)/2 }, func(x float64) bool { return x < 2 })
	cl.Evidence += note
	if cl.Verdict == Inconclusive && note == "" {
		cl.Evidence += " Far from the ideal; load on the machine is the usual cause."
	}
	return cl
}

// parVerdict holds when async/await is at least twice as fast as one
// worker per core while that stays within 1.5x of the core count; it fails
// when async/await is less than 1.5x faster than parallelism.
func (m ioBoundMeasurements) parVerdict(cl Claim, last ioBoundPoint) Claim {
	parSpeedup := ratio(last.sequential.Median, last.par.Median)
	sp := RatioSpread(last.par, last.asyncs)
	cl.Evidence = fmt.Sprintf("%d calls: one worker per core (%d workers) took %s, %.1fx faster than one after another (the core count is %d); async/await took %s, %.1fx faster than the workers.",
		last.calls, m.cpus, seconds(last.par.Median), parSpeedup, m.cpus, seconds(last.asyncs.Median), sp.Median)
	switch {
	case last.par.Median <= 0:
		cl.Verdict = Inconclusive
	case 2*m.cpus > last.calls:
		cl.Verdict = Inconclusive
		cl.Evidence += " This machine has about as many cores as there are calls: the two cannot be told apart."
	case parSpeedup > 1.5*float64(m.cpus):
		cl.Verdict = Inconclusive
		cl.Evidence += " The workers beat the core count: the calls did not wait as I/O should."
	default:
		var note string
		cl.Verdict, note = Judge(sp, times, func(x float64) bool { return x >= 2 }, func(x float64) bool { return x < 1.5 })
		cl.Evidence += note
	}
	return cl
}

// oneCoreVerdict holds when the largest batch through async/await on one
// core takes at most 1.3x its time on every core, and fails past 2x.
func (m ioBoundMeasurements) oneCoreVerdict(cl Claim, last ioBoundPoint) Claim {
	sp := RatioSpread(m.asyncOneCore, last.asyncs)
	cl.Evidence = fmt.Sprintf("%d calls through async/await took %s on one core and %s on %d cores (%.2fx).",
		last.calls, seconds(m.asyncOneCore.Median), seconds(last.asyncs.Median), m.cpus, sp.Median)
	switch {
	case m.asyncOneCore.Median <= 0:
		cl.Verdict = Inconclusive
	case m.cpus < 2:
		cl.Verdict = Inconclusive
		cl.Evidence += " This machine has one core: there is nothing to compare."
	default:
		var note string
		cl.Verdict, note = Judge(sp, times, func(x float64) bool { return x <= 1.3 }, func(x float64) bool { return x > 2 })
		cl.Evidence += note
	}
	return cl
}
