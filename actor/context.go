package actor

import (
	"context"
	"fmt"
	"time"
)

// Context is an actor's view of itself while it handles a message (or runs
// setup or a hook). It is valid only on the actor's own goroutine, during
// that call: do not keep it or hand it to other goroutines.
type Context[M any] struct {
	c   *cell[M]
	env envelope[M]
}

func (x *Context[M]) parentBase() *base { return &x.c.base }

// Self returns the actor's own reference.
func (x *Context[M]) Self() Ref[M] { return Ref[M]{x.c} }

// System returns the System the actor belongs to.
func (x *Context[M]) System() *System { return x.c.sys }

// Parent returns the actor's supervisor (for a top-level actor, the
// System's guardian).
func (x *Context[M]) Parent() AnyRef {
	if x.c.parent == nil {
		return AnyRef{}
	}
	return AnyRef{x.c.parent.self}
}

// Sender returns who sent the current message: an Ask's reply channel, the
// sender given to SendFrom, or the zero AnyRef.
func (x *Context[M]) Sender() AnyRef { return AnyRef{x.env.sender} }

// Children returns the actor's live children, in no particular order.
func (x *Context[M]) Children() []AnyRef {
	kids := x.c.childList()
	out := make([]AnyRef, len(kids))
	for i, k := range kids {
		out[i] = AnyRef{k.self}
	}
	return out
}

// Child returns the live child with the given name ("$<id>" for a
// generated one).
func (x *Context[M]) Child(name string) (AnyRef, bool) {
	if k := x.c.child(name); k != nil && !k.closed.Load() {
		return AnyRef{k.self}, true
	}
	return AnyRef{}, false
}

// Stop stops the actor after the current message: messages still queued go
// to dead letters, children are stopped, the stopping and stopped hooks run,
// and watchers get Terminated with a nil reason.
func (x *Context[M]) Stop() { x.c.sendSys(sysMsg{kind: sysStop}) }

// Become replaces the behaviour from the next message on. A nil b is
// ignored. A restart goes back to the behaviour setup returns.
func (x *Context[M]) Become(b Behavior[M]) {
	if b != nil {
		x.c.behavior = b
	}
}

// Stash sets the current message aside (with its sender) until Unstash.
// Stashed messages survive a restart and go to dead letters if the actor
// stops.
func (x *Context[M]) Stash() {
	e := x.c.extra()
	e.stash = append(e.stash, x.env)
}

// Unstash puts every stashed message back, in the order they were stashed,
// ahead of the mailbox, and returns how many.
func (x *Context[M]) Unstash() int {
	e := x.c.extra()
	n := len(e.stash)
	if n == 0 {
		return 0
	}
	e.pending = append(e.stash, e.pending...)
	e.stash = nil
	return n
}

// Stashed returns how many messages are stashed.
func (x *Context[M]) Stashed() int {
	if x.c.cx == nil {
		return 0
	}
	return len(x.c.cx.stash)
}

// Watch asks to be told when t terminates: the actor then receives
// onTerminated(Terminated{...}) as a message, ahead of its mailbox. If t
// has already terminated, the notice comes at once. Watching again replaces
// the function; a restart drops every watch (setup watches again). t may
// be an actor of another System (a reference from a Transport such as
// actor/remote): its termination, or its node going down, is told the same
// way.
func (x *Context[M]) Watch(t Target, onTerminated func(Terminated) M) error {
	p, err := watchable(t)
	if err != nil {
		return err
	}
	if onTerminated == nil {
		return fmt.Errorf("%w: nil onTerminated", ErrBadOption)
	}
	key := p.ident()
	if key == process(x.c) {
		return fmt.Errorf("%w: an actor cannot watch itself", ErrBadOption)
	}
	e := x.c.extra()
	if e.watching == nil {
		e.watching = make(map[process]func(Terminated) M)
	}
	_, again := e.watching[key]
	e.watching[key] = onTerminated
	if !again {
		p.sendSys(sysMsg{kind: sysWatch, from: x.c})
	}
	return nil
}

// watchable returns t's process if it is an actor, here or remote.
func watchable(t Target) (process, error) {
	if t == nil {
		return nil, ErrNoActor
	}
	p := t.proc()
	if p == nil {
		return nil, ErrNoActor
	}
	if p.core() == nil {
		if _, ok := p.ident().(remote); !ok {
			return nil, ErrNoActor
		}
	}
	return p, nil
}

// Unwatch cancels a Watch; a notice already on its way is discarded.
func (x *Context[M]) Unwatch(t Target) {
	p, err := watchable(t)
	if err != nil || x.c.cx == nil {
		return
	}
	key := p.ident()
	if _, ok := x.c.cx.watching[key]; ok {
		delete(x.c.cx.watching, key)
		p.sendSys(sysMsg{kind: sysUnwatch, from: x.c})
	}
}

// SendAfter sends msg to the actor itself after d. The timer is cancelled
// when the actor stops or restarts. If the mailbox is bounded and full when
// the timer fires, msg goes to dead letters.
func (x *Context[M]) SendAfter(d time.Duration, msg M) *Timer {
	c := x.c
	return c.extra().timers.start(d, false, func() { _ = c.tell(context.Background(), msg, nil, modeNoWait) })
}

// Every sends msg to the actor itself every d, until the returned Timer is
// stopped or the actor stops or restarts. d must be positive.
func (x *Context[M]) Every(d time.Duration, msg M) (*Timer, error) {
	if d <= 0 {
		return nil, fmt.Errorf("%w: tick period %v", ErrBadOption, d)
	}
	c := x.c
	return c.extra().timers.start(d, true, func() { _ = c.tell(context.Background(), msg, nil, modeNoWait) }), nil
}

// OnStopping registers the hook run when the actor starts to stop, before
// its children are stopped. A restart clears the hooks (setup registers them
// again).
func (x *Context[M]) OnStopping(f func()) { x.c.extra().stopping = f }

// OnStopped registers the hook run when the actor has stopped: its children
// have ended and no message will be handled any more. reason is the
// termination reason.
func (x *Context[M]) OnStopped(f func(reason error)) { x.c.extra().stopped = f }

// OnRestarting registers the hook run before a restart discards this
// incarnation's state; cause is the failure that led to it.
func (x *Context[M]) OnRestarting(f func(cause error)) { x.c.extra().restarting = f }
