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
	mu      sync.Mutex
	settled atomic.Bool // the future has settled
	state   atomic.Uint32
	parent  context.Context // nil for futures not started by Go
	done    atomic.Pointer[chan struct{}]
	extra   *ctxExtra // made on first AfterFunc or parent hook
}

// Context states: live, or cancelled and why.
const (
	ctxLive uint32 = iota
	ctxCancelled
	ctxParentDone
)

type ctxExtra struct {
	afters []*afterFunc
	unhook func() bool // stops the parent hook
}

type afterFunc struct{ f func() }

func (c *taskCtx) Deadline() (time.Time, bool) { return c.parent.Deadline() }
func (c *taskCtx) Value(key any) any           { return c.parent.Value(key) }
func (c *taskCtx) String() string              { return "async.Go context" }

func (c *taskCtx) Err() error {
	switch c.state.Load() {
	case ctxCancelled:
		return context.Canceled
	case ctxParentDone:
		return c.parent.Err()
	}
	if err := c.parent.Err(); err != nil {
		// Close our channel before reporting, as context.Context requires.
		c.cancel(ctxParentDone)
		return c.Err()
	}
	return nil
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
	if c.state.Load() != ctxLive {
		go f()
		return func() bool { return false }
	}
	a := &afterFunc{f}
	if c.extra == nil {
		c.extra = &ctxExtra{}
	}
	c.extra.afters = append(c.extra.afters, a)
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
	if c.state.Load() != ctxLive || c.parent.Done() == nil || c.extra != nil && c.extra.unhook != nil {
		return
	}
	if c.extra == nil {
		c.extra = &ctxExtra{}
	}
	c.extra.unhook = context.AfterFunc(c.parent, func() { c.cancel(ctxParentDone) })
}

// cancel records why c ended (the first reason wins), closes Done and runs
// the functions of derived contexts.
func (c *taskCtx) cancel(why uint32) {
	c.mu.Lock()
	if c.state.Load() != ctxLive {
		c.mu.Unlock()
		return
	}
	c.state.Store(why)
	if d := c.done.Load(); d != nil {
		close(*d)
	} else {
		c.done.Store(&closed)
	}
	x := c.extra
	c.extra = nil
	c.mu.Unlock()
	if x == nil {
		return
	}
	if x.unhook != nil {
		x.unhook()
	}
	for _, a := range x.afters {
		a.f()
	}
}
