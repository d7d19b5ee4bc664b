package check

import (
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"reflect"
	"runtime"
	"testing"

	"github.com/labludus/ludus/check/internal/engine"
)

// ErrBadToken is the error (Report.Err, errors.Is) of a replay token that
// does not decode: empty, truncated, or not a token.
var ErrBadToken = engine.ErrBadToken

// Verdict is what an exploration concludes.
type Verdict int

// Verdicts.
const (
	// Pass: no failure in the schedules explored, and the search was not
	// cut short by a limit (see Report.Strategy for how far it went).
	Pass Verdict = iota
	// Fail: a schedule failed (Report.Failure).
	Fail
	// Inconclusive: no failure found, but a limit ended the search or an
	// execution (Report.Limit), so it proves less than it should.
	Inconclusive
	// Error: the exploration could not run (Report.Err).
	Error
)

func (v Verdict) String() string {
	switch v {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case Inconclusive:
		return "inconclusive"
	case Error:
		return "error"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Limit names a bound of the checker that made a report inconclusive.
type Limit int

// Limits.
const (
	NoLimit          Limit = Limit(engine.LimitNone)
	StepLimitHit     Limit = Limit(engine.LimitSteps)        // an execution exceeded MaxSteps
	GoroutineLimit   Limit = Limit(engine.LimitGoroutines)   // an execution exceeded MaxGoroutines
	ExecutionBudget  Limit = Limit(engine.LimitExecutions)   // the search ran MaxExecutions executions
	TimeBudget       Limit = Limit(engine.LimitTime)         // the search ran for MaxTime
	Stalled          Limit = Limit(engine.LimitStall)        // a goroutine was stuck outside the checker
	NothingToExplore Limit = Limit(engine.LimitScope)        // the body ran nothing the checker controls
	Uncontrolled     Limit = Limit(engine.LimitUncontrolled) // goroutines outside the checker ran beside the body
	// Nondeterministic: a schedule replayed to reach another behaved
	// differently (map iteration over pointer keys, real time, ...); the
	// search went on, but it cannot say it was complete.
	Nondeterministic Limit = Limit(engine.LimitNondeterminism)
)

func (l Limit) String() string { return engine.Limit(l).String() }

// Report is the outcome of an exploration.
type Report struct {
	// Executions is the number of complete schedules run (schedules that
	// sleep sets proved redundant are not counted).
	Executions int
	// Exhausted reports that every schedule was explored: the program has
	// no failure at all, not only none up to a preemption bound.
	Exhausted bool
	// Complete reports that every schedule up to the preemption bound was
	// explored (every schedule, when Exhausted).
	Complete bool
	// Strategy says how the schedules were chosen and how far the search
	// got, e.g. "DPOR, complete" or "DPOR, complete up to 3 preemptions".
	Strategy string
	// Failure is the failing schedule found, or nil.
	Failure *Failure
	// Failed counts the failing schedules (all of them with KeepGoing).
	Failed int
	// Limit is the checker's limit that cut the search short, if any;
	// LimitDetail says it in words ("more than 1000000 steps in one
	// execution").
	Limit       Limit
	LimitDetail string
	// Steps is the number of scheduling steps taken, over all executions.
	Steps int64
	// Err is set when the exploration could not run: bad options, a
	// malformed replay token.
	Err error
}

// Verdict classifies the report.
func (r Report) Verdict() Verdict {
	switch {
	case r.Err != nil:
		return Error
	case r.Failure != nil && r.Failure.Kind == UncontrolledGoroutine:
		return Inconclusive
	case r.Failure != nil:
		return Fail
	case r.Limit != NoLimit:
		return Inconclusive
	}
	return Pass
}

// Run explores body's schedules and returns what it found. It never calls
// package testing, so it serves programs (the lab) as well as tests.
// Explorations are serialized process-wide.
func Run(body func(t *T), opts ...Option) Report {
	o := build(opts)
	if err := errors.Join(o.errs...); err != nil {
		return Report{Err: err}
	}
	res := engine.Explore(o.eo, func(g *engine.G) { body(&T{e: g.Engine()}) })
	return report(res)
}

// report converts the engine's result.
func report(res engine.Result) Report {
	r := Report{Executions: res.Executions, Exhausted: res.Exhausted, Complete: res.Complete, Strategy: res.Strategy,
		Steps: res.Steps, Failed: res.Failed, Limit: Limit(res.Limit), LimitDetail: res.LimitMsg, Err: res.Err}
	if f := res.Failure; f != nil {
		r.Failure = &Failure{Kind: FailureKind(f.Kind), Message: f.Message, Replay: f.Replay,
			execution: f.Execution, executions: res.Executions, strategy: res.Strategy, note: f.Note}
		if r.Failure.execution == 0 {
			r.Failure.execution = res.Executions
		}
		for _, s := range f.Trace {
			r.Failure.Trace = append(r.Failure.Trace, Step{s.Goroutine, s.Op, s.Location})
		}
	}
	return r
}

func nameHash(name string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return h.Sum32() | 1
}

// Explore is Run for tests: it fails tb with the printed failure, with the
// error of a run that could not start (bad options, a malformed token), or
// with the reason a body was not really explored (goroutines the checker
// does not manage, nothing it controls). A search that a limit cut short
// is logged, not failed. When the environment variable LUDUS_REPLAY holds
// a token, Explore replays that schedule instead of exploring; a token
// made by another test is an error.
func Explore(tb testing.TB, body func(t *T), opts ...Option) Report {
	tb.Helper()
	h := nameHash(tb.Name())
	opts = append(opts, Option{func(o *options) { o.eo.NameHash = h }})
	if tok, ok := os.LookupEnv("LUDUS_REPLAY"); ok {
		// The variable applies to every test of the binary: a token made
		// by another test is ignored, a malformed one is an error.
		t, err := engine.DecodeToken(tok)
		switch {
		case err != nil:
			tb.Fatalf("LUDUS_REPLAY: %v", err)
			return Report{Err: err}
		case t.NameHash == 0 || t.NameHash == h:
			opts = append(opts, Replay(tok))
		}
	}
	r := Run(body, opts...)
	switch r.Verdict() {
	case Error:
		tb.Fatalf("%v", r.Err)
	case Fail:
		tb.Fatal(r.Failure.String())
	case Inconclusive:
		if r.Failure != nil {
			tb.Fatal(r.Failure.String())
		}
		if r.Limit == Uncontrolled || r.Limit == NothingToExplore {
			// the body bypassed the checker: a test that proves nothing
			tb.Fatalf("check: %s: %s", r.Limit, r.LimitDetail)
		}
		tb.Logf("check: inconclusive after %d schedules: %s (%s)", r.Executions, r.LimitDetail, r.Strategy)
	default:
		tb.Logf("check: %d schedules, no failure (%s)", r.Executions, r.Strategy)
	}
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

// Go starts a managed goroutine named name (the name labels it in traces;
// goroutines started under one name are numbered: worker#1, worker#2).
// Starting a goroutine is a scheduling point: the parent or the new
// goroutine may run next.
func (t *T) Go(name string, fn func()) {
	g := t.g("T.Go")
	t.e.Go(g, name, false, fn)
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
// Goroutines started under one name are numbered (name#1, name#2).
func Go(name string, fn func()) {
	if engine.Active() {
		if g := engine.Current(); g != nil {
			g.Engine().Go(g, name, true, fn)
			return
		}
	}
	go fn()
}

// External runs fn, a call into code the checker does not control (a child
// process, a network or file read, a library's blocking call), as one step
// whose duration is unknown: while it is pending, other goroutines may run
// and virtual time may pass, so a timeout racing with the call is explored
// both ways. Outside an exploration it just calls fn.
func External(what string, fn func()) {
	if engine.Active() {
		if g := engine.Current(); g != nil {
			g.Engine().External(g, what)
		}
	}
	fn()
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
