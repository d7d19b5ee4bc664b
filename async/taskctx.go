package async

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// taskCtx is the non-generic half of a Future: its lock and settled flag,
// and the context a function started by Go runs under (the caller's
// context plus the future's own cancellation). Keeping that context inside
// the future means starting one allocates no context (context.WithCancel
// costs two allocations and more bytes than the whole future). It hooks
// itself to the parent's cancellation only when someone needs a channel
// (Done, or a context derived from it); Err alone just asks the parent.
type taskCtx struct {
	mu sync.Mutex
	// state holds the context's state (ctxLive, ctxCancelled or
	// ctxParentDone, under ctxMask) and the future's settledBit: one word
	// for both keeps a Future[int] at 80 bytes, a size class below 96.
	state atomic.Uint32
	// sub0i belongs to the Future: the index of its first subscriber among
	// that combinator's futures. It sits here, in what would be padding;
	// guarded by mu.
	sub0i  int32
	parent context.Context // nil for futures not started by Go
	done   atomic.Pointer[chan struct{}]
	extra  *sideRecord // made on demand, guarded by mu
}

// Context states: live, or cancelled and why; the first is final.
const (
	ctxLive uint32 = iota
	ctxCancelled
	ctxParentDone

	ctxMask    uint32 = 3 // the context state's bits
	settledBit uint32 = 4 // the future has settled
)

// ctxState returns the context's state.
func (c *taskCtx) ctxState() uint32 { return c.state.Load() & ctxMask }

// settled reports whether the future has settled.
func (c *taskCtx) settled() bool { return c.state.Load()&settledBit != 0 }

// markSettled records that the future has settled (under mu, or before the
// future is shared).
func (c *taskCtx) markSettled() { c.state.Or(settledBit) }

// sideRecord holds what few futures need.
type sideRecord struct {
	afters  []*afterFunc       // derived contexts to cancel
	unhook  func() bool        // stops the parent hook
	settled chan struct{}      // the future's Done channel
	more    []subscription     // subscribers after the first
	cancel  context.CancelFunc // a Promise's cancel function
}

func (c *taskCtx) extraLocked() *sideRecord {
	if c.extra == nil {
		c.extra = &sideRecord{}
	}
	return c.extra
}

type afterFunc struct{ f func() }

func (c *taskCtx) Deadline() (time.Time, bool) { return c.parent.Deadline() }
func (c *taskCtx) Value(key any) any           { return c.parent.Value(key) }
func (c *taskCtx) String() string              { return "async.Go context" }

func (c *taskCtx) Err() error {
	switch c.ctxState() {
	case ctxCancelled:
		c.closing()
		return context.Canceled
	case ctxParentDone:
		c.closing()
		return c.parent.Err()
	}
	if err := c.parent.Err(); err != nil {
		// Close our channel before reporting, as context.Context requires.
		c.cancel(ctxParentDone)
		return c.Err()
	}
	return nil
}

// closing waits for the cancel that set the state to close Done: the state
// is set under mu before the channel is closed, and Err must not report a
// context whose Done is still open (context.Context's contract; ludus
// check found Err set with Done open, at one preemption).
func (c *taskCtx) closing() {
	c.mu.Lock()
	//lint:ignore SA2001 an empty critical section: waiting for the holder is the point
	c.mu.Unlock()
}

func (c *taskCtx) Done() <-chan struct{} {
	if d := c.done.Load(); d != nil {
		return *d
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.done.Load(); d != nil {
		return *d
	}
	d := make(chan struct{})
	c.done.Store(&d)
	c.hookLocked()
	return d
}

// AfterFunc lets contexts derived from c (context.WithCancel(c), ...)
// follow its cancellation without a goroutine each: package context looks
// for this method.
func (c *taskCtx) AfterFunc(f func()) (stop func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctxState() != ctxLive {
		go f()
		return func() bool { return false }
	}
	a := &afterFunc{f}
	x := c.extraLocked()
	x.afters = append(x.afters, a)
	c.hookLocked()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.extra == nil {
			return false
		}
		for i, x := range c.extra.afters {
			if x == a {
				c.extra.afters = append(c.extra.afters[:i], c.extra.afters[i+1:]...)
				return true
			}
		}
		return false
	}
}

// hookLocked makes the parent's cancellation reach c, once.
func (c *taskCtx) hookLocked() {
	if c.ctxState() != ctxLive || c.parent.Done() == nil || c.extra != nil && c.extra.unhook != nil {
		return
	}
	c.extraLocked().unhook = context.AfterFunc(c.parent, func() { c.cancel(ctxParentDone) })
}

// cancel records why c ended (the first reason wins), closes Done and runs
// the functions of derived contexts.
func (c *taskCtx) cancel(why uint32) {
	c.mu.Lock()
	x := c.cancelLocked(why)
	c.mu.Unlock()
	x.run()
}

// cancelLocked is cancel's part under c.mu; run the result after
// unlocking.
func (c *taskCtx) cancelLocked(why uint32) (after cancelled) {
	if c.ctxState() != ctxLive {
		return after
	}
	c.state.Or(why) // from ctxLive, whose bits are zero
	if d := c.done.Load(); d != nil {
		close(*d)
	} else {
		c.done.Store(&closed)
	}
	if x := c.extra; x != nil {
		after = cancelled{x.afters, x.unhook}
		x.afters, x.unhook = nil, nil
	}
	return after
}

// cancelled is what remains to do once a context is cancelled: stop
// following the parent and cancel the derived contexts.
type cancelled struct {
	afters []*afterFunc
	unhook func() bool
}

func (x cancelled) run() {
	if x.unhook != nil {
		x.unhook()
	}
	for _, a := range x.afters {
		a.f()
	}
}
