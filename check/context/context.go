// Package context is the standard context package on the checker's
// clock: rewritten code imports it instead of "context" (ludus check), and
// hand-written code may too. Outside an exploration every function is the
// standard one. Inside, the contexts With* return are the checker's: their
// Done channels are channels it controls, deadlines run on the virtual
// clock, and each operation (Err, a cancel, a deadline firing) is one step
// of the schedule, shown in a trace as, for example,
// "ctx.cancel() (context deadline exceeded)".
//
// Context, CancelFunc and the errors are the standard ones, so contexts
// pass to and from code that is not checked.
package context

import (
	stdctx "context"
	"time"

	"github.com/labludus/ludus/check/internal/engine"
)

// Types and values that are the standard ones.
type (
	Context         = stdctx.Context
	CancelFunc      = stdctx.CancelFunc
	CancelCauseFunc = stdctx.CancelCauseFunc
)

// Errors.
var (
	Canceled         = stdctx.Canceled
	DeadlineExceeded = stdctx.DeadlineExceeded
)

// Background returns the empty, never cancelled context.
func Background() Context { return stdctx.Background() }

// TODO returns the empty context for code that has none yet.
func TODO() Context { return stdctx.TODO() }

// WithValue returns a copy of parent carrying key and val.
func WithValue(parent Context, key, val any) Context { return stdctx.WithValue(parent, key, val) }

// WithoutCancel returns a copy of parent that is never cancelled.
func WithoutCancel(parent Context) Context { return stdctx.WithoutCancel(parent) }

// current returns the managed goroutine calling, or nil.
func current() *engine.G {
	if !engine.Active() {
		return nil
	}
	return engine.Current()
}

// WithCancel returns a copy of parent with a new Done channel, closed when
// cancel is called or parent is done.
func WithCancel(parent Context) (Context, CancelFunc) {
	if g := current(); g != nil {
		c := newCtx(g, parent, "WithCancel")
		return c, func() { c.cancelStep(Canceled, nil) }
	}
	return stdctx.WithCancel(parent)
}

// WithCancelCause is WithCancel whose cancel records a cause (Cause).
func WithCancelCause(parent Context) (Context, CancelCauseFunc) {
	if g := current(); g != nil {
		c := newCtx(g, parent, "WithCancelCause")
		return c, func(cause error) { c.cancelStep(Canceled, cause) }
	}
	return stdctx.WithCancelCause(parent)
}

// WithDeadline returns a copy of parent done at d at the latest.
func WithDeadline(parent Context, d time.Time) (Context, CancelFunc) {
	return WithDeadlineCause(parent, d, nil)
}

// WithDeadlineCause is WithDeadline whose expiry records cause.
func WithDeadlineCause(parent Context, d time.Time, cause error) (Context, CancelFunc) {
	if g := current(); g != nil {
		c := newCtx(g, parent, "WithDeadline")
		c.setDeadline(g, d, cause)
		return c, func() { c.cancelStep(Canceled, nil) }
	}
	return stdctx.WithDeadlineCause(parent, d, cause)
}

// WithTimeout is WithDeadline(parent, now+timeout).
func WithTimeout(parent Context, timeout time.Duration) (Context, CancelFunc) {
	return WithTimeoutCause(parent, timeout, nil)
}

// WithTimeoutCause is WithDeadlineCause(parent, now+timeout, cause).
func WithTimeoutCause(parent Context, timeout time.Duration, cause error) (Context, CancelFunc) {
	if g := current(); g != nil {
		c := newCtx(g, parent, "WithTimeout("+timeout.String()+")")
		c.setDeadline(g, engine.Epoch.Add(time.Duration(g.Engine().Now())+timeout), cause)
		return c, func() { c.cancelStep(Canceled, nil) }
	}
	return stdctx.WithTimeoutCause(parent, timeout, cause)
}

// Cause returns why c was cancelled: the cause given to a
// CancelCauseFunc or a *Cause constructor, else c.Err().
func Cause(c Context) error {
	if cc, ok := c.Value(&ctxKey).(*cctx); ok && current() != nil {
		cc.step(false)
		if cc.cause != nil {
			return cc.cause
		}
		if Context(cc) == c {
			return cc.err
		}
		// Not cancelled there: c may be a custom Context that was
		// cancelled itself (standard Cause returns c.Err() then).
		return c.Err()
	}
	return stdctx.Cause(c)
}

// AfterFunc arranges to call f in its own goroutine after ctx is done; stop
// cancels that and reports whether it did.
func AfterFunc(ctx Context, f func()) (stop func() bool) {
	if cc, ok := ctx.Value(&ctxKey).(*cctx); ok && current() != nil && cc.Done() == ctx.Done() {
		return cc.afterFunc(f)
	}
	if g := current(); g != nil {
		// A Context of the program's own type: a context under it runs f
		// when it is cancelled, if its cancellation can be followed.
		if c := newCtx(g, ctx, "AfterFunc"); c.err != nil || c.followed {
			return c.afterFunc(f)
		}
	}
	return stdctx.AfterFunc(ctx, f)
}
