package check

import (
	"fmt"
	"time"

	"github.com/labludus/ludus/check/internal/engine"
)

// Option configures an exploration. Every option's zero or negative
// argument either means what its documentation says or makes Run report
// an error (Report.Err); none silently means something else.
type Option struct{ apply func(*options) }

// options is an exploration's configuration: the engine's, the defaults
// applied, plus what was wrong with the options given.
type options struct {
	eo   engine.Options
	errs []error
}

// Defaults.
const (
	DefaultMaxSteps      = 1_000_000
	DefaultMaxExecutions = 20_000
	DefaultMaxTime       = 5 * time.Second
	DefaultMaxGoroutines = 10_000
	DefaultStallTimeout  = 10 * time.Second
	DefaultStepCost      = time.Microsecond
	DefaultTimeSlice     = 10 * time.Millisecond
	DefaultLeakGrace     = time.Second
	DefaultExternalTime  = time.Second
	DefaultPCTDepth      = 3
)

func defaults() *options {
	return &options{eo: engine.Options{
		Strategy: engine.Default, Bound: -1, Depth: DefaultPCTDepth,
		MaxSteps: DefaultMaxSteps, MaxExecutions: DefaultMaxExecutions, MaxTime: DefaultMaxTime,
		MaxGoroutines: DefaultMaxGoroutines, Stall: DefaultStallTimeout, StepCost: DefaultStepCost,
		TimeSlice: DefaultTimeSlice, LeakGrace: DefaultLeakGrace, ExternalTime: DefaultExternalTime, DataRaces: true,
		ProgressEvery: 200 * time.Millisecond,
	}}
}

// limitRule is what a numeric option's argument must be.
type limitRule int

const (
	positive    limitRule = iota // more than zero
	nonNegative                  // zero or more
)

// limit is the Option of a numeric bound named name: n is checked against
// rule (a bad n makes Run report an error) and stored by set.
func limit[N ~int | ~int64](name string, n N, rule limitRule, set func(*options)) Option {
	return Option{func(o *options) {
		switch {
		case rule == positive && n <= 0:
			o.bad("%s(%v): must be positive", name, n)
		case n < 0:
			o.bad("%s(%v): cannot be negative", name, n)
		default:
			set(o)
		}
	}}
}

func (o *options) bad(format string, args ...any) {
	o.errs = append(o.errs, fmt.Errorf("check: "+format, args...))
}

func build(opts []Option) *options {
	o := defaults()
	maxTimeSet := false
	for _, f := range opts {
		if f.apply == nil {
			continue
		}
		before := o.eo.MaxTime
		f.apply(o)
		if o.eo.MaxTime != before {
			maxTimeSet = true
		}
	}
	if o.eo.Strategy == engine.Exhaustive && !maxTimeSet {
		o.eo.MaxTime = 1 << 62 // Exhaustive: no wall-time budget unless asked
	}
	return o
}

// Exhaustive explores every schedule with DPOR, without a preemption
// bound or a wall-time budget (MaxExecutions still applies; MaxTime too
// when given).
func Exhaustive() Option {
	return Option{func(o *options) { o.eo.Strategy = engine.Exhaustive }}
}

// MaxPreemptions bounds the default strategy's search: schedules are
// explored with 0, 1, ... n preemptions, so the failure reported is one
// with the fewest, and the search stops after n, without sampling. Zero
// explores only schedules without preemption; a negative n is an error.
// Without this option the default strategy explores the schedules with no
// preemption, then those with one, then every schedule (DPOR with sleep
// sets, which can prove a program correct: "complete"), with PCT samples
// beside them after the first 64 executions (see the package doc).
func MaxPreemptions(n int) Option {
	return Option{func(o *options) {
		if n < 0 {
			o.bad("MaxPreemptions(%d): the bound cannot be negative", n)
			return
		}
		o.eo.Bound = n
	}}
}

// Random runs executions schedules chosen uniformly at random from seed;
// executions 0 means as many as the budget (MaxExecutions, MaxTime) allows.
func Random(seed int64, executions int) Option {
	return Option{func(o *options) {
		if executions < 0 {
			o.bad("Random(%d, %d): executions cannot be negative", seed, executions)
			return
		}
		o.eo.Strategy, o.eo.Seed, o.eo.Executions = engine.Random, seed, executions
	}}
}

// PCT runs executions schedules of probabilistic concurrency testing with
// the given bug depth (Burckhardt et al., ASPLOS 2010): random priorities
// with depth-1 priority change points, which finds a bug of depth d with
// probability at least 1/(n k^(d-1)). executions 0 means as many as the
// budget allows; depth must be at least 1.
func PCT(depth int, seed int64, executions int) Option {
	return Option{func(o *options) {
		if depth < 1 || executions < 0 {
			o.bad("PCT(%d, %d, %d): depth must be at least 1 and executions not negative", depth, seed, executions)
			return
		}
		o.eo.Strategy, o.eo.Depth, o.eo.Seed, o.eo.Executions = engine.PCT, depth, seed, executions
	}}
}

// Replay reruns exactly the schedule a failure's token encodes. A token
// that does not decode makes Run report an error (Report.Err).
func Replay(token string) Option {
	return Option{func(o *options) { o.eo.Strategy, o.eo.Token = engine.Replay, token }}
}

// Seed seeds the program's math/rand (check/math/rand) and the sampling
// strategies (default 0). Every execution starts from the same seed, which
// replay tokens carry.
func Seed(seed int64) Option {
	return Option{func(o *options) { o.eo.Seed = seed }}
}

// MaxSteps bounds the steps of one execution (default 1,000,000). An
// execution that exceeds it ends, and the report is inconclusive with
// Limit StepLimitHit; it is not a failure. n must be positive.
func MaxSteps(n int) Option {
	return limit("MaxSteps", n, positive, func(o *options) { o.eo.MaxSteps = n })
}

// MaxExecutions bounds the executions of an exploration (default 20,000);
// n must be positive.
func MaxExecutions(n int) Option {
	return limit("MaxExecutions", n, positive, func(o *options) { o.eo.MaxExecutions = n })
}

// MaxTime bounds the wall time of an exploration (default 5s; none with
// Exhaustive). d must be positive.
func MaxTime(d time.Duration) Option {
	return limit("MaxTime", d, positive, func(o *options) { o.eo.MaxTime = d })
}

// MaxGoroutines bounds the live goroutines of one execution (default
// 10,000); beyond it the execution ends and the report is inconclusive.
// Only live goroutines count. n must be positive.
func MaxGoroutines(n int) Option {
	return limit("MaxGoroutines", n, positive, func(o *options) { o.eo.MaxGoroutines = n })
}

// StallTimeout sets how long an execution may go without a scheduling step
// before the checker decides a managed goroutine is blocked outside its
// control (a real channel or mutex, time.Sleep, I/O) and ends the
// exploration as inconclusive (default 10s). Such a goroutine cannot be
// stopped. d must be positive.
func StallTimeout(d time.Duration) Option {
	return limit("StallTimeout", d, positive, func(o *options) { o.eo.Stall = d })
}

// StepCost sets the virtual time every scheduling step takes (default
// 1µs), so that spinning and long computations move the clock. Zero makes
// steps free: time then moves only when every goroutine waits for it.
func StepCost(d time.Duration) Option {
	return limit("StepCost", d, nonNegative, func(o *options) { o.eo.StepCost = d })
}

// TimeSlice sets the virtual time a goroutine runs before switching away
// from it stops counting as a preemption (default 10ms, as the Go runtime
// preempts a goroutine that runs that long), so a goroutine spinning until
// another acts cannot starve it under a preemption bound. Zero turns this
// off: every switch away from a runnable goroutine is a preemption.
func TimeSlice(d time.Duration) Option {
	return limit("TimeSlice", d, nonNegative, func(o *options) { o.eo.TimeSlice = d })
}

// LeakGrace sets how long, in virtual time, goroutines may go on after the
// body returned before they are a goroutine leak (default 1s), as goleak
// waits for goroutines to finish. Zero: every goroutine must have finished
// when the body returns, but for those that can still run without time
// passing.
func LeakGrace(d time.Duration) Option {
	return limit("LeakGrace", d, nonNegative, func(o *options) { o.eo.LeakGrace = d })
}

// Delay lets the exploration ask, once per execution, "what if the
// goroutines that could run were descheduled for up to d?": at any step,
// the clock may jump to the next deadline (a sleep's end, a timer) when it
// is at most d ahead, before the runnable goroutines go on. A real
// scheduler does this under load, in a GC pause or on a busy machine, so
// a test that sleeps a millisecond "to let the goroutines start" fails
// here as it fails one run in a hundred on CI. A failure found this way
// carries the note "timing-dependent" with the delay it needs, and its
// token replays it. Zero, the default, never delays: the clock jumps only
// when nothing can run (or during an External call). d must not be
// negative. A timeout longer than d still never beats checked work.
func Delay(d time.Duration) Option {
	return limit("Delay", d, nonNegative, func(o *options) { o.eo.MaxDelay = d })
}

// ExternalTime sets how much virtual time may pass while a goroutine is in
// an External call (a child process, network or file I/O): the clock may
// jump to a deadline at most d ahead before the call returns, so a timeout
// up to d races the call both ways, and a longer one (a guard around the
// whole test) never fires during it. The default, DefaultExternalTime, is
// a second; zero means the clock never jumps during an External call. d
// must not be negative.
func ExternalTime(d time.Duration) Option {
	return limit("ExternalTime", d, nonNegative, func(o *options) { o.eo.ExternalTime = d })
}

// DetectDataRaces turns the data-race verdict on (the default) or off.
func DetectDataRaces(on bool) Option {
	return Option{func(o *options) { o.eo.DataRaces = on }}
}

// NoReduction turns partial-order reduction off: plain depth-first search
// over every interleaving. It exists to measure what DPOR saves.
func NoReduction() Option {
	return Option{func(o *options) { o.eo.NoReduction = true }}
}

// KeepGoing makes the exploration go on after a failure, to the end of the
// search or the budget: Report.Failed counts the failing schedules and
// Report.Failure is the first.
func KeepGoing() Option {
	return Option{func(o *options) { o.eo.KeepGoing = true }}
}

// Progress calls f about five times a second while an exploration runs,
// with how far it got, so a front end can draw a progress line. f runs on
// the exploring goroutine: keep it short.
func Progress(f func(ProgressInfo)) Option {
	return Option{func(o *options) {
		if f == nil {
			o.eo.Progress = nil
			return
		}
		o.eo.Progress = func(p engine.Progress) { f(ProgressInfo(p)) }
	}}
}

// ProgressInfo is how far a running exploration got.
type ProgressInfo struct {
	Executions int           // schedules explored so far
	Rate       float64       // schedules per second so far
	Bound      int           // the preemption bound being explored, -1 for none
	Elapsed    time.Duration // wall time so far
	Strategy   string        // the strategy running, in words
}
