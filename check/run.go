package check

import (
	"fmt"
	"hash/fnv"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/labludus/ludus/check/internal/engine"
)

// FailureKind classifies a failure.
type FailureKind int

// Failure kinds.
const (
	// AssertionFailed: T.Errorf or T.Fatalf was called.
	AssertionFailed FailureKind = engine.KindAssertion
	// Panicked: a managed goroutine panicked.
	Panicked FailureKind = engine.KindPanic
	// Deadlock: no goroutine can run while some are blocked and the body
	// has not returned.
	Deadlock FailureKind = engine.KindDeadlock
	// Leak: the body returned while managed goroutines are still blocked.
	Leak FailureKind = engine.KindLeak
	// DataRace: two accesses to a Var, one a write, not ordered by
	// happens-before.
	DataRace FailureKind = engine.KindDataRace
	// StepLimit: an execution took more steps than MaxSteps allows
	// (livelock, spinning, or an unbounded loop).
	StepLimit FailureKind = engine.KindStepLimit
	// Nondeterminism: replaying a schedule did not reproduce the same
	// execution, so the program depends on something the checker does not
	// control (maps, real time, randomness, unmanaged goroutines).
	Nondeterminism FailureKind = engine.KindNondeterminism
	// UncontrolledGoroutine: a check primitive used by the exploration was
	// touched by a goroutine the checker does not manage.
	UncontrolledGoroutine FailureKind = engine.KindUncontrolled
)

// String returns the kind as the printed failure names it: "assertion
// failed", "panic", "deadlock", "goroutine leak", "data race", "step
// limit", "nondeterminism", "uncontrolled goroutine".
func (k FailureKind) String() string {
	switch k {
	case AssertionFailed:
		return "assertion failed"
	case Panicked:
		return "panic"
	case Deadlock:
		return "deadlock"
	case Leak:
		return "goroutine leak"
	case DataRace:
		return "data race"
	case StepLimit:
		return "step limit"
	case Nondeterminism:
		return "nondeterminism"
	case UncontrolledGoroutine:
		return "uncontrolled goroutine"
	}
	return fmt.Sprintf("FailureKind(%d)", int(k))
}

// Step is one line of a schedule: the goroutine, what it did (with the
// value it read), and where in the source.
type Step struct {
	Goroutine, Op, Location string
}

// Failure is a failing schedule.
type Failure struct {
	Kind    FailureKind
	Message string
	// Trace is the failing schedule, one visible operation per step (for a
	// step-limit failure, its tail).
	Trace []Step
	// Replay is the token that reruns this schedule: pass it to Replay or
	// set LUDUS_REPLAY when running the test that uses Explore.
	Replay string

	execution  int
	executions int
	strategy   string
	note       string
}

// String prints the failure the way the guide draws a race:
//
//	check: assertion failed: balance = 800, want 1300
//	schedule 3 of 4 explored (DPOR, complete up to 3 preemptions); replay: LUDUS_REPLAY=<token>
//	  A  balance.Load() -> 1000      bank_test.go:21
//	  B  balance.Load() -> 1000      bank_test.go:25
func (f *Failure) String() string {
	if f == nil {
		return "check: no failure"
	}
	var b strings.Builder
	msg, rest, _ := strings.Cut(f.Message, "\n")
	sep := ": "
	if strings.HasPrefix(msg, "on ") {
		sep = " " // "data race on balance: ..."
	}
	fmt.Fprintf(&b, "check: %s%s%s\n", f.Kind, sep, msg)
	fmt.Fprintf(&b, "schedule %d of %d explored (%s); replay: LUDUS_REPLAY=%s\n", f.execution, f.executions, f.strategy, f.Replay)
	if f.note != "" {
		fmt.Fprintf(&b, "%s\n", f.note)
	}
	wg, wo := 0, 0
	for _, s := range f.Trace {
		wg = max(wg, len(s.Goroutine))
		if s.Location != "" {
			wo = max(wo, len(s.Op))
		}
	}
	for _, s := range f.Trace {
		line := fmt.Sprintf("  %-*s  %-*s  %s", wg, s.Goroutine, wo, s.Op, s.Location)
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
	}
	if rest != "" {
		b.WriteString(rest)
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}

// Report is the outcome of an exploration.
type Report struct {
	// Executions is the number of complete schedules run (schedules that
	// sleep sets proved redundant are not counted).
	Executions int
	// Exhausted reports that every schedule was explored: the program has
	// no failure at all, not only none up to a preemption bound.
	Exhausted bool
	// Strategy says how the schedules were chosen and how far the search
	// got, e.g. "DPOR, complete" or "DPOR, complete up to 3 preemptions".
	Strategy string
	// Failure is the failing schedule found, or nil.
	Failure *Failure
	// Steps is the number of scheduling steps taken, over all executions.
	Steps int64
}

// Option configures an exploration.
type Option func(*engine.Options)

// Exhaustive explores every schedule with DPOR, without a preemption
// bound or a wall-time budget (MaxExecutions still applies).
func Exhaustive() Option {
	return func(o *engine.Options) {
		o.Strategy = engine.Exhaustive
		if o.MaxTime == 0 {
			o.MaxTime = 1 << 62
		}
	}
}

// MaxPreemptions sets the preemption bound of the default strategy
// (default 3): schedules are explored with 0, 1, ... n preemptions, so the
// failure reported is one with the fewest.
func MaxPreemptions(n int) Option { return func(o *engine.Options) { o.Bound = max(n, 0) } }

// Random runs executions schedules chosen uniformly at random from seed.
func Random(seed int64, executions int) Option {
	return func(o *engine.Options) {
		o.Strategy, o.Seed, o.Executions = engine.Random, seed, executions
	}
}

// PCT runs executions schedules of probabilistic concurrency testing with
// the given bug depth (Burckhardt et al., ASPLOS 2010): random priorities
// with depth-1 priority change points, which finds a bug of depth d with
// probability at least 1/(n k^(d-1)).
func PCT(depth int, seed int64, executions int) Option {
	return func(o *engine.Options) {
		o.Strategy, o.Depth, o.Seed, o.Executions = engine.PCT, depth, seed, executions
	}
}

// Replay reruns exactly the schedule a failure's token encodes.
func Replay(token string) Option {
	return func(o *engine.Options) { o.Strategy, o.Token = engine.Replay, token }
}

// MaxSteps bounds the steps of one execution (default 20000); beyond it the
// execution fails with StepLimit.
func MaxSteps(n int) Option { return func(o *engine.Options) { o.MaxSteps = n } }

// MaxExecutions bounds the executions of an exploration (default 20000).
func MaxExecutions(n int) Option { return func(o *engine.Options) { o.MaxExecutions = n } }

// MaxTime bounds the wall time of an exploration (default 5s; unbounded
// with Exhaustive). The default strategy spends what DPOR leaves on PCT.
func MaxTime(d time.Duration) Option { return func(o *engine.Options) { o.MaxTime = d } }

// StallTimeout sets how long an execution may go without a scheduling step
// before the checker decides a managed goroutine is blocked outside its
// control (a real channel or mutex, time.Sleep, I/O) and reports
// UncontrolledGoroutine (default 10s). Such a goroutine cannot be stopped.
func StallTimeout(d time.Duration) Option { return func(o *engine.Options) { o.Stall = d } }

// DetectDataRaces turns the data-race verdict on (the default) or off.
func DetectDataRaces(on bool) Option { return func(o *engine.Options) { o.DataRaces = on } }

// NoReduction turns partial-order reduction off: plain depth-first search
// over every interleaving. It exists to measure what DPOR saves.
func NoReduction() Option { return func(o *engine.Options) { o.NoReduction = true } }

func nameHash(o *engine.Options, name string) { // for Explore's LUDUS_REPLAY
	h := fnv.New32a()
	h.Write([]byte(name))
	o.NameHash = h.Sum32() | 1
}

// Run explores body's schedules and returns what it found. It never calls
// package testing, so it serves programs (the lab) as well as tests.
// Explorations are serialized process-wide.
func Run(body func(t *T), opts ...Option) Report {
	o := engine.Options{DataRaces: true}
	for _, f := range opts {
		f(&o)
	}
	res := engine.Explore(o, func(g *engine.G) { body(&T{e: g.Engine()}) })
	r := Report{Executions: res.Executions, Exhausted: res.Exhausted, Strategy: res.Strategy, Steps: res.Steps}
	if f := res.Failure; f != nil {
		r.Failure = &Failure{Kind: FailureKind(f.Kind), Message: f.Message, Replay: f.Replay,
			execution: f.Execution, executions: res.Executions, strategy: res.Strategy, note: f.Note}
		if r.Failure.execution == 0 {
			r.Failure.execution = res.Executions
		}
		for _, s := range f.Trace {
			r.Failure.Trace = append(r.Failure.Trace, Step(s))
		}
	}
	return r
}

// Explore is Run for tests: it fails tb with the printed failure. When the
// environment variable LUDUS_REPLAY holds a token made by this test, it
// replays that schedule instead of exploring.
func Explore(tb testing.TB, body func(t *T), opts ...Option) Report {
	tb.Helper()
	name := tb.Name()
	opts = append(opts, func(o *engine.Options) { nameHash(o, name) })
	if tok := os.Getenv("LUDUS_REPLAY"); tok != "" {
		var o engine.Options
		nameHash(&o, name)
		if h, ok := engine.TokenNameHash(tok); ok && (h == 0 || h == o.NameHash) {
			opts = append(opts, Replay(tok))
		}
	}
	r := Run(body, opts...)
	if r.Failure != nil {
		tb.Fatal(r.Failure.String())
		return r
	}
	tb.Logf("check: %d schedules, no failure (%s)", r.Executions, r.Strategy)
	return r
}

// T is what an exploration's body receives: it starts managed goroutines
// and records assertion failures. Its methods may be called from any
// managed goroutine.
type T struct {
	e *engine.Engine
}

func (t *T) g(what string) *engine.G {
	g := engine.Current()
	if g == nil {
		t.e.Uncontrolled(what)
		panicOutside(what)
	}
	return g
}

// Go starts a managed goroutine named name (the name labels it in traces).
func (t *T) Go(name string, fn func()) {
	g := t.g("T.Go")
	t.e.Go(g, name, fn)
}

// Wait blocks until every other managed goroutine has finished; it lets the
// body check results after the goroutines it started are done.
func (t *T) Wait() { t.e.Join(t.g("T.Wait")) }

// Errorf records a failure; the execution goes on.
func (t *T) Errorf(format string, args ...any) {
	t.e.Errorf(t.g("T.Errorf"), fmt.Sprintf(format, args...))
}

// Fatalf records a failure and ends the execution; the calling goroutine
// stops (runtime.Goexit), like testing.T.Fatalf.
func (t *T) Fatalf(format string, args ...any) {
	t.e.Fatalf(t.g("T.Fatalf"), fmt.Sprintf(format, args...))
}

// Logf records a message, shown in the failing schedule's trace.
func (t *T) Logf(format string, args ...any) {
	t.e.Logf(t.g("T.Logf"), fmt.Sprintf(format, args...))
}

// Go starts a managed goroutine from a managed goroutine (the rewriter's
// "go" statement); outside an exploration it is a plain go statement.
func Go(name string, fn func()) {
	if engine.Active() {
		if g := engine.Current(); g != nil {
			g.Engine().Go(g, name, fn)
			return
		}
	}
	go fn()
}

// Name names a checked object (a check/sync.Mutex, an atomic, ...) in
// traces and messages. Unnamed objects are named after the expression the
// source uses for them, or "mutex#3"-style. Call it from the body.
func Name(ptr any, name string) {
	if !engine.Active() {
		return
	}
	e := engine.Running()
	v := reflect.ValueOf(ptr)
	if e == nil || v.Kind() != reflect.Pointer || engine.Current() == nil {
		return
	}
	e.SetName(v.Pointer(), name)
}

// panicOutside stops a goroutine the checker does not manage that used T:
// the failure is already reported, and a panic would take the whole test
// binary down.
func panicOutside(string) { runtime.Goexit() }
