package engine

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"
)

// Strategy names a way to explore.
type Strategy int

// Strategies.
const (
	Default    Strategy = iota // DPOR under iterative preemption bounding: bounds 0, 1, then none, PCT beside (or 0..Bound alone)
	Exhaustive                 // DPOR without a bound
	Random                     // uniform random sampling
	PCT                        // probabilistic concurrency testing
	Replay                     // one schedule from a token
)

// Options configure an exploration. Package check fills in every default;
// the engine takes the values as they are.
type Options struct {
	Strategy      Strategy
	Bound         int           // preemption bound of Default (0: no preemption)
	Seed          int64         // random, PCT, and the program's math/rand
	Executions    int           // executions of random/PCT; 0 means the budget
	Depth         int           // PCT depth
	Token         string        // Replay's token
	MaxSteps      int           // steps per execution
	MaxExecutions int           // executions per exploration
	MaxTime       time.Duration // wall time per exploration
	MaxGoroutines int           // live goroutines per execution
	Stall         time.Duration // real time without a step before a goroutine counts as stuck
	StepCost      time.Duration // virtual time per step
	TimeSlice     time.Duration // virtual time a goroutine runs before switching away is free (0: never)
	LeakGrace     time.Duration // virtual time goroutines may outlive the body
	DataRaces     bool          // report data races
	NoReduction   bool          // plain DFS, for measuring what DPOR saves
	NameHash      uint32        // the test's name, bound into tokens
	KeepGoing     bool          // count every failing schedule instead of stopping at the first
	// Progress, if not nil, is called about every ProgressEvery of wall
	// time with how far the search got.
	Progress      func(Progress)
	ProgressEvery time.Duration
	MaxDelay      time.Duration // once per execution, deschedule runnable goroutines while the clock jumps this far (0: never)
	ExternalTime  time.Duration // how far the clock may jump during an External call (0: not at all)
}

// config is the engine's configuration for these options.
func (o Options) config() Config {
	return Config{
		MaxSteps: o.MaxSteps, MaxGoroutines: o.MaxGoroutines, Stall: o.Stall, DataRaces: o.DataRaces,
		NameHash: o.NameHash, StepCost: int64(o.StepCost), TimeSlice: int64(o.TimeSlice),
		LeakGrace: int64(o.LeakGrace), Seed: uint64(o.Seed), MaxDelay: int64(o.MaxDelay),
		ExternalTime: int64(o.ExternalTime),
	}
}

// Progress is how far a running exploration got.
type Progress struct {
	Executions int           // executions so far
	Rate       float64       // executions per second so far
	Bound      int           // the preemption bound being explored, -1 for none
	Elapsed    time.Duration // wall time so far
	Strategy   string        // the strategy running
}

// Result is what an exploration found.
type Result struct {
	Executions int      // executions run (sleep-set-blocked ones not counted)
	Redundant  int      // executions cut by sleep sets
	Exhausted  bool     // every schedule was explored (no bound cut anything)
	Complete   bool     // every schedule up to the bound was explored
	Strategy   string   // how, in words
	Steps      int64    // steps over all executions
	Failure    *Failure // the first failing schedule found, nil if none
	Failed     int      // failing executions (KeepGoing)
	Limit      Limit    // the limit that made the result inconclusive, if any
	LimitMsg   string   // the limit in words
	Err        error    // the exploration could not run (a bad token)
}

// Failure is a verdict with its schedule.
type Failure struct {
	Kind      FailKind    // what kind of failure
	Message   string      // what happened, in words
	Trace     []TraceStep // the schedule, one line per operation (recorded by a re-run)
	Replay    string      // the token that reruns the schedule
	Execution int         // which execution of the exploration failed
	Note      string      // what a reader must know besides (nondeterminism on re-run, timing, stray goroutines)
}

// Explore runs body under the chosen strategy. Explorations are serialized
// process-wide.
func Explore(o Options, body func(*G)) Result {
	if Active() && Current() != nil {
		// exploreMu is held by the exploration this goroutine belongs to
		return Result{Failure: &Failure{Kind: KindPanic, Message: "check.Run called inside an exploration's body"}}
	}
	exploreMu.Lock()
	defer exploreMu.Unlock()
	e := newEngine(o.config())
	e.scanning = true
	e.baseline = runtime.NumGoroutine()
	e.created0, _ = goroutinesCreated()
	running.Store(e)
	active.Store(true)
	defer func() {
		active.Store(false)
		running.Store(nil)
		if e.tick != nil {
			e.tick.Stop()
		}
		e.stopWorkers()
	}()
	x := &explorer{e: e, o: o, body: body, start: time.Now(), lastProgress: time.Now()}
	return x.run()
}

// explorer runs the executions of one exploration and keeps the result.
type explorer struct {
	e     *Engine   // runs the executions
	o     Options   // as given, defaults filled in by package check
	body  func(*G)  // the test body every execution runs
	start time.Time // when the exploration began (MaxTime)
	res   Result    // what the exploration found so far

	first     *Fail   // the first failure found
	failTrail []int32 // its schedule
	failExec  int     // its execution number
	bound     int     // the preemption bound being explored, -1 for none

	// The default strategy's last level (every schedule) can be far too
	// big for the budget when goroutines loop; beside it, PCT samples
	// schedules of any depth (see portfolio).
	pct       *pct // the sampler, nil until the portfolio starts
	pctExecs  int  // executions PCT ran
	pctFailed bool // the failure found came from a PCT execution

	lastProgress time.Time // when Progress was last called
	checkedScope bool      // the first execution's scope was checked
	stray        string    // what the first execution saw of goroutines outside the checker
	diverged     string    // why the first execution that left its replayed schedule did, "" if none did
}

func (x *explorer) budgetLeft() bool {
	return x.res.Executions < x.o.MaxExecutions && time.Since(x.start) < x.o.MaxTime
}

// budgetLimit names the budget that ran out.
func (x *explorer) budgetLimit() (Limit, string) {
	if x.res.Executions >= x.o.MaxExecutions {
		return LimitExecutions, fmt.Sprintf("%d executions", x.o.MaxExecutions)
	}
	return LimitTime, fmt.Sprintf("%v", x.o.MaxTime)
}

// outcome merges what an execution reported into one verdict: a failure
// reported from outside the turn (an uncontrolled goroutine) first, then
// the execution's own failure, then its assertion messages.
func (x *explorer) outcome() *Fail {
	e := x.e
	f := e.fail
	e.uncontrolledMu.Lock()
	if e.uncontrolled != nil {
		f = e.uncontrolled
		e.uncontrolled = nil
	}
	e.uncontrolledMu.Unlock()
	if len(e.errors) > 0 && (f == nil || (f.Kind == KindAssertion && f.Message == "")) {
		f = &Fail{KindAssertion, strings.Join(e.errors, "\n")}
	}
	return f
}

// one runs an execution and reports whether the search must stop (a
// failure, unless KeepGoing, or a stall).
func (x *explorer) one() bool {
	e := x.e
	e.runOne(x.body)
	x.res.Steps = int64(e.steps)
	if d, ok := e.sched.(*dfs); ok && d.blocked {
		x.res.Redundant++
	} else {
		x.res.Executions++
	}
	x.progress()
	if e.diverged != "" {
		// Not the schedule the search meant to run: no verdict from it,
		// and the search can no longer be complete (finish).
		if x.diverged == "" {
			x.diverged = e.diverged
		}
		e.errors = e.errors[:0]
		return false
	}
	f := x.outcome()
	if e.limit != LimitNone && x.res.Limit == LimitNone && (f == nil || e.limit == LimitStall) {
		x.res.Limit, x.res.LimitMsg = e.limit, e.limitMsg
	}
	if !x.checkedScope {
		x.checkedScope = true
		x.stray = x.scope()
	}
	if f == nil {
		return e.stalled
	}
	x.res.Failed++
	if x.first == nil {
		x.first = f
		x.failExec = x.res.Executions
		x.failTrail = append([]int32(nil), e.trail...)
	}
	return !x.o.KeepGoing || e.stalled
}

// progress calls the Progress option when it is due.
func (x *explorer) progress() {
	if x.o.Progress == nil || time.Since(x.lastProgress) < x.o.ProgressEvery {
		return
	}
	x.lastProgress = time.Now()
	el := time.Since(x.start)
	x.o.Progress(Progress{Executions: x.res.Executions, Rate: float64(x.res.Executions) / max(el.Seconds(), 1e-9),
		Bound: x.bound, Elapsed: el, Strategy: x.res.Strategy})
}

func (x *explorer) run() Result {
	o := x.o
	rng := rand.New(rand.NewPCG(uint64(o.Seed), uint64(o.Seed)^0x9e3779b97f4a7c15))
	x.bound = -1
	switch o.Strategy {
	case Replay:
		return x.replay()
	case Random, PCT:
		x.sample(rng)
	default:
		x.dfs()
	}
	x.finish()
	return x.res
}

// finish turns the first failure into the result's, re-running it to
// record the trace; without one, goroutines outside the checker make the
// result inconclusive.
func (x *explorer) finish() {
	if x.first == nil {
		switch {
		case x.stray != "" && x.res.Limit == LimitNone:
			x.res.Limit, x.res.LimitMsg = LimitUncontrolled, x.stray
			x.res.Complete, x.res.Exhausted = false, false
		case x.diverged != "" && x.res.Limit == LimitNone:
			x.res.Limit, x.res.LimitMsg = LimitNondeterminism, x.diverged
			x.res.Complete, x.res.Exhausted = false, false
		}
		return
	}
	if x.e.stalled || x.first.Kind == KindUncontrolled && x.res.Limit == LimitStall {
		x.res.Failure = &Failure{Kind: x.first.Kind, Message: x.first.Message, Execution: x.failExec}
		return
	}
	x.report()
}

func (x *explorer) replay() Result {
	x.res.Strategy = "replay"
	tok, err := DecodeToken(x.o.Token)
	if err != nil {
		x.res.Err = err
		return x.res
	}
	if tok.NameHash != 0 && x.o.NameHash != 0 && tok.NameHash != x.o.NameHash {
		x.res.Err = fmt.Errorf("%w: it was made by another test", ErrBadToken)
		return x.res
	}
	e := x.e
	e.cfg.Seed = tok.Seed
	if tok.Delay > 0 {
		e.cfg.MaxDelay = tok.Delay // the schedule may take the delay it was found with
	}
	r := &replay{trail: tok.Trail}
	e.sched = r
	x.failTrail = tok.Trail
	if !x.one() || x.first == nil {
		if x.diverged != "" {
			x.res.Failure = &Failure{Kind: KindNondeterminism, Message: x.diverged}
			return x.res
		}
		if r.pos < len(r.trail) && x.first == nil {
			x.res.Failure = &Failure{Kind: KindNondeterminism, Message: "the replayed schedule did not reproduce a failure: the execution ended early; the program behaves differently than when the token was made (nondeterminism the checker does not control: maps, real time, randomness, goroutines not started through the checker)"}
		}
		x.finish()
		return x.res
	}
	x.finish()
	return x.res
}

// sample runs random or PCT executions.
func (x *explorer) sample(rng *rand.Rand) {
	o, e := x.o, x.e
	n := o.Executions
	if n <= 0 {
		n = o.MaxExecutions
	}
	if o.Strategy == Random {
		e.sched = &random{rng: rng}
		x.res.Strategy = fmt.Sprintf("random, seed %d", o.Seed)
	} else {
		e.sched = &pct{rng: rng, depth: o.Depth, k: 16}
		x.res.Strategy = fmt.Sprintf("PCT depth %d, seed %d", o.Depth, o.Seed)
	}
	for i := 0; i < n && time.Since(x.start) < o.MaxTime; i++ {
		if x.one() {
			break
		}
	}
	if x.first == nil && x.res.Executions < n && x.res.Limit == LimitNone {
		x.res.Limit, x.res.LimitMsg = LimitTime, fmt.Sprintf("%v", o.MaxTime)
	}
}

// levels returns the preemption bounds the systematic search explores in
// turn (-1: no bound). By default (no bound given): schedules without
// preemption, then with one, then every schedule: the first two levels
// find shallow bugs with the simplest traces, the last is the only one
// where sleep sets are sound and the one that can prove a program
// correct. With a bound given, 0 up to it. Exhaustive: every schedule.
func (x *explorer) levels() []int {
	o := x.o
	switch {
	case o.Strategy != Default:
		return []int{-1}
	case o.Bound < 0:
		return []int{0, 1, -1}
	}
	var bs []int
	for b := 0; b <= o.Bound; b++ {
		bs = append(bs, b)
	}
	return bs
}

// levelEnd is how a level of the search ended.
type levelEnd int

const (
	levelDone   levelEnd = iota // every schedule of the level explored
	levelFailed                 // a failure stopped the search
	levelBudget                 // the budget ran out
)

// level explores every schedule within bound b (-1: all).
func (x *explorer) level(d *dfs, b int) levelEnd {
	d.restart(b)
	x.bound = b
	for {
		if x.one() {
			return levelFailed
		}
		if !d.next() {
			return levelDone
		}
		if !x.budgetLeft() {
			return levelBudget
		}
		if x.portfolio() {
			if x.sampleOne(d) {
				return levelFailed
			}
			if !x.budgetLeft() {
				return levelBudget
			}
		}
	}
}

// portfolioAfter is how many executions the default strategy runs alone:
// a program whose schedules fit in that many is explored (and proved
// correct) without sampling's cost.
const portfolioAfter = 64

// portfolio reports whether a PCT execution runs beside the DPOR one just
// done: in the default strategy, after portfolioAfter executions, every
// other execution. The systematic levels find what few preemptions find,
// with the simplest trace, and can prove a program correct; but when they
// cannot finish in the budget (many goroutines, a goroutine looping until
// told to stop), a bug that hides deeper in the search order, or behind
// more preemptions, is what PCT finds (two priority changes at random
// steps: bugs of depth up to 3).
func (x *explorer) portfolio() bool {
	return x.o.Strategy == Default && x.o.Bound < 0 && x.res.Executions >= portfolioAfter
}

// sampleOne runs one PCT execution and puts the DPOR search back; it
// reports whether the search must stop.
func (x *explorer) sampleOne(d *dfs) bool {
	e := x.e
	if x.pct == nil {
		seed := uint64(x.o.Seed)
		x.pct = &pct{rng: rand.New(rand.NewPCG(seed^0x5bd1e995, seed+1)), depth: max(x.o.Depth, 1), k: 16}
	}
	e.sched, e.por = x.pct, nil
	failedBefore := x.first != nil
	stop := x.one()
	x.pctExecs++
	if !failedBefore && x.first != nil {
		x.pctFailed = true
	}
	e.sched, e.por = d, d.por
	return stop
}

// dfs runs the systematic search, level by level (see levels).
func (x *explorer) dfs() {
	o, e := x.o, x.e
	d := &dfs{}
	name := "DFS"
	if !o.NoReduction {
		// room for a small test's events, so most explorations never grow them
		d.por = &por{tree: d, events: make([]event, 0, 256), clocks: make([]uint32, 0, 4096)}
		name = "DPOR"
	}
	e.sched, e.por = d, d.por
	completed, exhausted, end := -2, false, levelDone // completed: the widest bound fully explored
	last, lastExecs := -2, 0
	for _, b := range x.levels() {
		before := x.res.Executions
		end = x.level(d, b)
		last, lastExecs = b, x.res.Executions-before
		if end != levelDone {
			break
		}
		completed = b
		if b < 0 || !d.pruned {
			exhausted = true
			break
		}
	}
	e.por = nil
	if x.diverged != "" && x.first == nil && x.res.Limit == LimitNone {
		x.res.Limit, x.res.LimitMsg = LimitNondeterminism, x.diverged
	}
	limited := x.res.Limit != LimitNone
	x.res.Complete = completed > -2 && !limited && end != levelFailed
	x.res.Exhausted = exhausted && !limited && x.first == nil
	if end == levelBudget && !x.res.Complete && !limited {
		x.res.Limit, x.res.LimitMsg = x.budgetLimit()
	}
	x.res.Strategy = x.dfsName(name, end, completed, exhausted, last, lastExecs)
}

// dfsName says how far the systematic search got.
func (x *explorer) dfsName(name string, end levelEnd, completed int, exhausted bool, last, lastExecs int) string {
	bound := func(b int) string {
		if b < 0 {
			return name + " without a bound"
		}
		return fmt.Sprintf("%s, schedules with up to %s", name, plural(b, "preemption"))
	}
	switch {
	case end == levelFailed && x.pctFailed:
		done := ""
		if completed >= 0 {
			done = fmt.Sprintf(" complete up to %s,", plural(completed, "preemption"))
		}
		return fmt.Sprintf("%s,%s then PCT depth %d beside it (found by PCT execution %d)", name, done, x.pct.depth, x.pctExecs)
	case end == levelFailed && last < 0 && completed < 0:
		return name
	case end == levelFailed:
		return bound(last)
	case x.res.Limit != LimitNone && !x.res.Complete:
		return fmt.Sprintf("%s, incomplete: %s", name, x.res.Limit)
	case exhausted:
		return name + ", complete"
	case completed >= 0 && end == levelBudget:
		also := ""
		if x.pctExecs > 0 {
			also = fmt.Sprintf(" and PCT for %d", x.pctExecs)
		}
		return fmt.Sprintf("%s, complete up to %s, then %s for %d executions%s (stopped by the budget)", name, plural(completed, "preemption"), strings.TrimPrefix(bound(last), name+", "), lastExecs-x.pctExecs, also)
	case completed >= 0:
		return fmt.Sprintf("%s, complete up to %s", name, plural(completed, "preemption"))
	case last < 0:
		return name + ", stopped by the budget"
	}
	return fmt.Sprintf("%s, stopped by the budget at %s", name, plural(last, "preemption"))
}

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// report re-runs the failing schedule, recording the trace with source
// locations, and fills in the result's failure.
func (x *explorer) report() {
	first := x.first
	tok := Token{NameHash: x.o.NameHash, Seed: x.e.cfg.Seed, Trail: x.failTrail, Delay: x.e.cfg.MaxDelay}
	out := &Failure{Kind: first.Kind, Message: first.Message, Execution: x.failExec, Replay: encodeToken(tok)}
	x.res.Failure = out
	if first.Kind == KindNondeterminism {
		return
	}
	e := x.e
	e.sched, e.por = &replay{trail: x.failTrail}, nil
	e.rec = &recorder{}
	e.runOne(x.body)
	rec := e.rec
	e.rec = nil
	f := x.outcome()
	if f != nil && f.Kind == first.Kind {
		out.Message = f.Message
	} else {
		got := "no failure"
		if f != nil {
			got = f.Message
		}
		out.Note = fmt.Sprintf("nondeterminism: re-running this schedule to print it gave %q; the trace below may not match the failure", firstLine(got))
	}
	out.Trace = rec.names(e)
	if e.delayed > 0 && out.Note == "" {
		out.Note = fmt.Sprintf("timing-dependent: this schedule deschedules runnable goroutines for %v (delay bound %v)",
			time.Duration(e.delayed), time.Duration(e.cfg.MaxDelay))
	}
	if x.stray != "" && out.Note == "" {
		out.Note = "note: " + firstLine(x.stray)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// TokenNameHash returns the name hash a token was made for (0 for none).
func TokenNameHash(tok string) (uint32, bool) {
	t, err := DecodeToken(tok)
	if err != nil {
		return 0, false
	}
	return t.NameHash, true
}
