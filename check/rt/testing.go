package rt

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/labludus/ludus/check"
	checkctx "github.com/labludus/ludus/check/context"
	"github.com/labludus/ludus/check/internal/engine"
)

// Tests. Every execution of an exploration runs the test function with
// the same *testing.T; the methods the rewritten code calls on it go here
// and act on the execution's scope of the test (or subtest) the calling
// goroutine belongs to: failures are recorded for the schedule, not on the
// real T, which only hears the verdict at the end (see Test).

// scope is one test or subtest in one execution.
type scope struct {
	name     string
	parent   *scope
	run      *execRun // the execution's shared state
	failed   bool     // Error, Fail or a failed subtest
	skipped  bool     // SkipNow in a subtest
	cleanups []func() // Cleanup, run last-in first-out when the function returns
	ctx      context.Context
	cancel   context.CancelFunc

	// Subtests: Run waits on done for the subtest to finish (true) or to
	// call Parallel (false). A parallel subtest then waits for its
	// parent's function to return (bodyDone closed), and the parent, before
	// its cleanups, for each parallel subtest's done.
	done     *check.Chan[bool]
	bodyDone *check.Chan[struct{}] // made by the first parallel subtest
	parSubs  []*scope              // subtests that called Parallel
	isPar    bool
	// completed: the function and its cleanups returned. As in package
	// testing, a goroutine that logs to a completed test logs to its
	// nearest running parent, and panics when there is none; one that
	// fails it panics.
	completed bool
}

// execRun is what one execution of a test shares between its scopes.
type execRun struct {
	skip string // the reason the test skipped, if it did
}

func newScope(name string, parent *scope, run *execRun) *scope {
	return &scope{name: name, parent: parent, run: run}
}

// scopeOf returns the calling managed goroutine's test scope, or nil.
func scopeOf() (*engine.G, *scope) {
	g := current()
	if g == nil {
		return nil, nil
	}
	s, _ := g.Local.(*scope)
	if s == nil {
		return nil, nil
	}
	return g, s
}

// exec runs a test function in scope s and finishes the scope when it
// returns or exits (FailNow, SkipNow, Goexit).
func (s *scope) exec(t *testing.T, f func(*testing.T)) {
	defer s.finish()
	f(t)
}

// finish ends the scope: parallel subtests, then the context, then the
// cleanups, as package testing orders them.
func (s *scope) finish() {
	if !engine.Active() || engine.Current() == nil {
		return
	}
	if s.bodyDone != nil {
		s.bodyDone.Close()
		for _, p := range s.parSubs {
			p.done.Recv()
		}
	}
	if s.cancel != nil {
		s.cancel()
	}
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
	if s.failed && s.parent != nil {
		s.parent.failed = true
	}
	s.completed = true
	if s.done != nil {
		s.done.Send(true)
	}
}

// logTo returns the scope a message logged in s goes to: s, or its nearest
// parent still running; it panics as package testing does when all have
// completed ("Log in goroutine after TestX has completed").
func (s *scope) logTo(msg string) *scope {
	for p := s; p != nil; p = p.parent {
		if !p.completed {
			return p
		}
	}
	panic(fmt.Sprintf("Log in goroutine after %s has completed: %s", s.name, msg))
}

func (s *scope) prefix(msg string) string {
	if s.parent == nil {
		return msg
	}
	return s.name + ": " + msg
}

// Run is t.Run: f runs in a new goroutine as a subtest; Run waits for it
// (or for it to call Parallel) and reports whether it passed.
func Run(t *testing.T, name string, f func(*testing.T)) bool {
	g, s := scopeOf()
	if s == nil {
		return t.Run(name, f)
	}
	sub := newScope(s.name+"/"+strings.ReplaceAll(name, " ", "_"), s, s.run)
	sub.done = check.NewChan[bool]("t.Run("+name+")", 1)
	g.Engine().Go(g, name, false, func() {
		engine.Current().Local = sub
		sub.exec(t, f)
	})
	sub.done.Recv()
	return !sub.failed
}

// Parallel is t.Parallel: the subtest's Run returns, and the subtest goes
// on once the parent's function has returned.
func Parallel(t *testing.T) {
	_, s := scopeOf()
	if s == nil {
		t.Parallel()
		return
	}
	if s.parent == nil || s.isPar {
		return // a top-level test: nothing runs beside it in an exploration
	}
	s.isPar = true
	p := s.parent
	p.parSubs = append(p.parSubs, s)
	if p.bodyDone == nil {
		p.bodyDone = check.NewChan[struct{}]("t.Run body", 0)
	}
	s.done.Send(false)
	p.bodyDone.Recv()
}

func fail(t testing.TB, fatal bool, msg string, real func()) {
	g, s := scopeOf()
	if s == nil {
		real()
		return
	}
	s.failed = true
	if fatal {
		g.Engine().Fatalf(g, s.prefix(msg))
		return
	}
	g.Engine().Errorf(g, s.prefix(msg))
}

// Error is t.Error.
func Error(t testing.TB, args ...any) {
	fail(t, false, strings.TrimSuffix(fmt.Sprintln(args...), "\n"), func() { t.Helper(); t.Error(args...) })
}

// Errorf is t.Errorf.
func Errorf(t testing.TB, format string, args ...any) {
	fail(t, false, fmt.Sprintf(format, args...), func() { t.Helper(); t.Errorf(format, args...) })
}

// Fatal is t.Fatal: the failure ends the execution.
func Fatal(t testing.TB, args ...any) {
	fail(t, true, strings.TrimSuffix(fmt.Sprintln(args...), "\n"), func() { t.Helper(); t.Fatal(args...) })
}

// Fatalf is t.Fatalf.
func Fatalf(t testing.TB, format string, args ...any) {
	fail(t, true, fmt.Sprintf(format, args...), func() { t.Helper(); t.Fatalf(format, args...) })
}

// Fail is t.Fail.
func Fail(t testing.TB) { fail(t, false, "failed (t.Fail)", t.Fail) }

// FailNow is t.FailNow.
func FailNow(t testing.TB) { fail(t, true, "failed (t.FailNow)", t.FailNow) }

// Failed is t.Failed: whether this test or subtest failed so far in the
// current schedule.
func Failed(t testing.TB) bool {
	if _, s := scopeOf(); s != nil {
		return s.failed
	}
	return t.Failed()
}

// Log is t.Log: in an exploration the message goes to the trace.
func Log(t testing.TB, args ...any) {
	if g, s := scopeOf(); s != nil {
		msg := strings.TrimSuffix(fmt.Sprintln(args...), "\n")
		g.Engine().Logf(g, s.logTo(msg).prefix(msg))
		return
	}
	t.Helper()
	t.Log(args...)
}

// Logf is t.Logf.
func Logf(t testing.TB, format string, args ...any) {
	if g, s := scopeOf(); s != nil {
		msg := fmt.Sprintf(format, args...)
		g.Engine().Logf(g, s.logTo(msg).prefix(msg))
		return
	}
	t.Helper()
	t.Logf(format, args...)
}

// Skip is t.Skip.
func Skip(t testing.TB, args ...any) {
	skip(t, strings.TrimSuffix(fmt.Sprintln(args...), "\n"), func() { t.Helper(); t.Skip(args...) })
}

// Skipf is t.Skipf.
func Skipf(t testing.TB, format string, args ...any) {
	skip(t, fmt.Sprintf(format, args...), func() { t.Helper(); t.Skipf(format, args...) })
}

// SkipNow is t.SkipNow.
func SkipNow(t testing.TB) { skip(t, "skipped", t.SkipNow) }

func skip(t testing.TB, msg string, real func()) {
	g, s := scopeOf()
	if s == nil {
		real()
		return
	}
	if s.parent == nil {
		s.run.skip = msg
		g.Engine().End(g)
		return
	}
	s.skipped = true
	runtime.Goexit()
}

// Skipped is t.Skipped.
func Skipped(t testing.TB) bool {
	if _, s := scopeOf(); s != nil {
		return s.skipped || s.run.skip != ""
	}
	return t.Skipped()
}

// Cleanup is t.Cleanup: f runs when the test function (of this execution)
// has returned.
func Cleanup(t testing.TB, f func()) {
	if _, s := scopeOf(); s != nil {
		s.cleanups = append(s.cleanups, f)
		return
	}
	t.Cleanup(f)
}

// Context is t.Context: a context cancelled just before the cleanups run.
func Context(t testing.TB) context.Context {
	_, s := scopeOf()
	if s == nil {
		return t.Context()
	}
	if s.ctx == nil {
		s.ctx, s.cancel = checkctx.WithCancel(context.Background())
	}
	return s.ctx
}

// Deadline is t.Deadline, on the checker's clock: the real deadline's
// distance from now, from the virtual now.
func Deadline(t *testing.T) (time.Time, bool) {
	d, ok := t.Deadline()
	if _, s := scopeOf(); s == nil || !ok {
		return d, ok
	}
	return check.Now().Add(time.Until(d)), true
}

// Name is t.Name: the subtest's name for a subtest.
func Name(t testing.TB) string {
	if _, s := scopeOf(); s != nil {
		return s.name
	}
	return t.Name()
}
