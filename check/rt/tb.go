package rt

import (
	"context"
	"testing"
	"time"
)

// A test often hands its *testing.T to code as an interface: a logger's
// TestingT (zaptest), testify's require.TestingT, a helper's own
// interface. Calls through the interface do not pass through the
// rewriter, so rewritten code wraps the conversion: the interface then
// holds a *T, whose methods act on the calling goroutine's test as the
// rewritten t.Errorf does (a failure is the schedule's; a Log after the
// test completed panics, as package testing makes it).

// T is a *testing.T whose methods go through the checker's runtime. It
// has every method of *testing.T, so it satisfies every interface a
// *testing.T does.
type T struct{ *testing.T }

// WrapT wraps t for a conversion to an interface.
func WrapT(t *testing.T) *T { return &T{t} }

// WrapTB wraps a testing.TB that holds a *testing.T; any other (a
// *testing.B, a wrapper already) is returned as it is.
func WrapTB(tb testing.TB) testing.TB {
	if t, ok := tb.(*testing.T); ok {
		return &T{t}
	}
	return tb
}

// Error is t.Error.
func (t *T) Error(args ...any) { t.T.Helper(); Error(t.T, args...) }

// Errorf is t.Errorf.
func (t *T) Errorf(format string, args ...any) { t.T.Helper(); Errorf(t.T, format, args...) }

// Fatal is t.Fatal.
func (t *T) Fatal(args ...any) { t.T.Helper(); Fatal(t.T, args...) }

// Fatalf is t.Fatalf.
func (t *T) Fatalf(format string, args ...any) { t.T.Helper(); Fatalf(t.T, format, args...) }

// Fail is t.Fail.
func (t *T) Fail() { t.T.Helper(); Fail(t.T) }

// FailNow is t.FailNow.
func (t *T) FailNow() { t.T.Helper(); FailNow(t.T) }

// Failed is t.Failed.
func (t *T) Failed() bool { return Failed(t.T) }

// Log is t.Log.
func (t *T) Log(args ...any) { t.T.Helper(); Log(t.T, args...) }

// Logf is t.Logf.
func (t *T) Logf(format string, args ...any) { t.T.Helper(); Logf(t.T, format, args...) }

// Skip is t.Skip.
func (t *T) Skip(args ...any) { t.T.Helper(); Skip(t.T, args...) }

// Skipf is t.Skipf.
func (t *T) Skipf(format string, args ...any) { t.T.Helper(); Skipf(t.T, format, args...) }

// SkipNow is t.SkipNow.
func (t *T) SkipNow() { t.T.Helper(); SkipNow(t.T) }

// Skipped is t.Skipped.
func (t *T) Skipped() bool { return Skipped(t.T) }

// Cleanup is t.Cleanup.
func (t *T) Cleanup(f func()) { Cleanup(t.T, f) }

// Context is t.Context.
func (t *T) Context() context.Context { return Context(t.T) }

// Deadline is t.Deadline.
func (t *T) Deadline() (time.Time, bool) { return Deadline(t.T) }

// Name is t.Name.
func (t *T) Name() string { return Name(t.T) }

// Run is t.Run.
func (t *T) Run(name string, f func(*testing.T)) bool { return Run(t.T, name, f) }

// Parallel is t.Parallel.
func (t *T) Parallel() { Parallel(t.T) }
