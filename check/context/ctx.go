package context

import (
	"time"

	"github.com/labludus/ludus/check/internal/engine"
)

// ctxKey: Value(&ctxKey) returns the nearest checker context, so a child
// finds its cancellable ancestor through any wrapper that keeps its Done
// channel (a WithValue), as the standard package does.
var ctxKey int

// cctx is a cancellable context of an exploration.
type cctx struct {
	parent Context
	kind   string         // the constructor, for String and traces
	e      *engine.Engine // the exploration it belongs to
	obj    engine.Atomic  // every operation is one step on it

	done chan struct{} // its Done channel, modelled by the engine (m)
	m    *engine.Chan

	// Guarded by the turn: only the goroutine holding it touches them.
	err      error          // set once, by the cancel
	cause    error          // the cancel's cause (Cause)
	children map[*cctx]bool // contexts cancelled with it
	after    []*afterFn     // AfterFunc registrations
	timer    any            // its deadline's engine timer, if any
	deadline time.Time      // when it expires (or its parent's deadline)
	hasDL    bool           // deadline is set
	followed bool           // its parent's cancellation is followed (follow, or the parent's AfterFunc)
	// stopParent stops the parent's AfterFunc once c is cancelled itself.
	stopParent func() bool
}

// afterFn is an AfterFunc registration.
type afterFn struct {
	f    func()
	done bool // ran or was stopped
}

// newCtx makes a context under parent for managed goroutine g; creating it
// is a step on the parent when the parent is a checker context.
func newCtx(g *engine.G, parent Context, kind string) *cctx {
	e := g.Engine()
	c := &cctx{parent: parent, kind: kind, e: e, done: make(chan struct{})}
	c.m = e.MakeChan(engine.ChanPtr(c.done), 0)
	e.Bind(&c.obj.Object, "context", "")
	if p := ancestor(e, parent); p != nil {
		e.AtomicOp(g, &p.obj, true)
		e.Record(g, "ctx = context."+kind+"(ctx)")
		if p.err != nil {
			c.cancel(g, p.err, p.cause, false)
		} else {
			if p.children == nil {
				p.children = map[*cctx]bool{}
			}
			p.children[c] = true
		}
		return c
	}
	if done := parent.Done(); done != nil {
		// A parent the checker did not make (a type of the program's
		// own): done now, or followed by a goroutine when its Done channel
		// is one the checker sees, as the standard package follows a
		// parent it does not know; a channel it does not see (a library's)
		// can only be looked at now.
		if err := parent.Err(); err != nil {
			c.cancel(g, err, Cause(parent), false)
		} else if a, ok := parent.(afterFuncer); ok {
			// The parent says how to follow it, as the standard package
			// asks (async's contexts do).
			c.followed = true
			c.stopParent = a.AfterFunc(func() { c.cancelStep(parent.Err(), Cause(parent)) })
		} else if pm := e.ChanAt(engine.ChanPtr(done)); pm != nil {
			c.follow(g, parent, pm)
		}
	}
	return c
}

// afterFuncer is a Context of the program's own that can run a function
// when it is done (the standard package looks for this method too).
type afterFuncer interface {
	AfterFunc(func()) func() bool
}

// follow starts the goroutine that cancels c when parent, a Context the
// checker did not make whose Done channel it models as pm, is done, and
// ends when c is. Like the standard package's, it may outlive the test
// when neither happens: a daemon, not a leak.
func (c *cctx) follow(g *engine.G, parent Context, pm *engine.Chan) {
	c.followed = true
	c.e.GoDaemon(g, "context.propagateCancel", func() {
		w := engine.Current()
		if k, _, _ := c.e.Select(w, []engine.Case{{Chan: pm}, {Chan: c.m}}, false); k == 0 {
			c.cancelStep(parent.Err(), Cause(parent))
		}
	})
}

// ancestor returns the checker context parent derives from, if parent's
// Done channel is that context's.
func ancestor(e *engine.Engine, parent Context) *cctx {
	p, ok := parent.Value(&ctxKey).(*cctx)
	if !ok || p.e != e || parent.Done() != (<-chan struct{})(p.done) {
		return nil
	}
	return p
}

// setDeadline arms c's deadline d (the parent's when that is earlier).
func (c *cctx) setDeadline(g *engine.G, d time.Time, cause error) {
	if pd, ok := c.parent.Deadline(); ok && pd.Before(d) {
		c.deadline, c.hasDL = pd, true
		return
	}
	c.deadline, c.hasDL = d, true
	e := g.Engine()
	dur := d.Sub(engine.Epoch.Add(time.Duration(e.Now())))
	if dur <= 0 {
		c.cancel(g, DeadlineExceeded, cause, true)
		return
	}
	c.timer = e.AddTimer(g, int64(dur), engine.TimerOpts{Name: "ctx deadline", Action: func(g *engine.G) {
		c.cancel(g, DeadlineExceeded, cause, true)
	}})
}

func (c *cctx) Done() <-chan struct{} { return c.done }

func (c *cctx) Deadline() (time.Time, bool) {
	if c.hasDL {
		return c.deadline, true
	}
	return c.parent.Deadline()
}

func (c *cctx) Err() error {
	if g := c.step(false); g != nil {
		if c.e.Recording() {
			c.e.Record(g, "ctx.Err() -> "+errText(c.err))
		}
	}
	return c.err
}

func (c *cctx) Value(key any) any {
	if key == &ctxKey {
		return c
	}
	return c.parent.Value(key)
}

func (c *cctx) String() string { return "context." + c.kind }

// step makes the calling goroutine's operation on c a step of the
// schedule; it returns the goroutine, or nil outside the exploration.
func (c *cctx) step(write bool) *engine.G {
	if !engine.Active() {
		return nil
	}
	g := engine.Enter(&c.obj.Object, "context")
	if g == nil || g.Engine() != c.e {
		return nil
	}
	c.e.AtomicOp(g, &c.obj, write)
	return g
}

// cancelStep is a CancelFunc's call: one step.
func (c *cctx) cancelStep(err, cause error) {
	if g := c.step(true); g != nil {
		c.cancel(g, err, cause, true)
		return
	}
	if c.err == nil { // after the exploration, or in a goroutine outside it
		c.err, c.cause = err, cause
	}
}

// cancel closes c's Done channel, cancels its children and starts its
// AfterFuncs; g holds the turn.
func (c *cctx) cancel(g *engine.G, err, cause error, removeFromParent bool) {
	if c.err != nil {
		return
	}
	if cause == nil {
		cause = err
	}
	c.err, c.cause = err, cause
	if c.e.Recording() {
		c.e.Record(g, "ctx.cancel() ("+err.Error()+")")
	}
	if c.timer != nil {
		c.e.CancelTimer(c.timer)
	}
	c.e.CloseNow(g, c.m)
	for child := range c.children {
		child.cancel(g, err, cause, false)
	}
	c.children = nil
	if p := ancestor(c.e, c.parent); removeFromParent && p != nil {
		delete(p.children, c)
	}
	if removeFromParent && c.stopParent != nil {
		c.stopParent()
	}
	for _, a := range c.after {
		if !a.done {
			a.done = true
			c.e.Go(g, "context.AfterFunc", true, a.f)
		}
	}
	c.after = nil
}

// afterFunc registers f to run when c is done.
func (c *cctx) afterFunc(f func()) func() bool {
	g := c.step(true)
	a := &afterFn{f: f}
	if c.err != nil {
		a.done = true
		c.e.Go(g, "context.AfterFunc", true, f)
	} else {
		c.after = append(c.after, a)
	}
	return func() bool {
		c.step(true)
		if a.done {
			return false
		}
		a.done = true
		return true
	}
}

func errText(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}
