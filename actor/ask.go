package actor

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync/atomic"
)

// Ask sends req to ref and waits for the reply, which the receiving
// behaviour gives with Reply. Only the reply type is written out; the
// request type comes from ref:
//
//	balance, err := actor.Ask[int](ctx, account, Query{})
//
// It returns early with an error when ctx ends (the error matches both
// ErrTimeout and ctx.Err()), when the request is dead-lettered (ErrStopped,
// ErrMailboxFull), when the behaviour fails on the request (the *Failure),
// or when the reply is not a Resp (ErrWrongType). Nothing outlives the
// call: no goroutine, no timer; a reply that comes after the Ask gave up
// goes to dead letters with ErrLateReply.
//
// Inside a behaviour, Ask blocks the asking actor until the answer: an
// actor that asks itself, or asks an actor that asks it back, waits for
// its context to end. Prefer SendFrom (the answer then arrives as a
// message) between actors, and Ask at the edges.
func Ask[Resp, Req any](ctx context.Context, ref Ref[Req], req Req) (Resp, error) {
	return ask(ctx, ref, func(Ref[Resp]) Req { return req })
}

// AskWith is Ask for protocols whose request carries its reply address:
// build receives the Ref the reply must be sent to (it accepts exactly one
// Resp) and returns the request. Both types come from build.
func AskWith[Resp, Req any](ctx context.Context, ref Ref[Req], build func(replyTo Ref[Resp]) Req) (Resp, error) {
	if build == nil {
		var zero Resp
		return zero, fmt.Errorf("%w: nil build function", ErrBadOption)
	}
	return ask(ctx, ref, build)
}

// Reply sends v to the sender of the message c is handling: the Ask
// waiting for it, or the actor given to SendFrom. A reply is never the
// replier's failure, so Reply returns nothing; a reply that cannot be
// delivered goes to dead letters with the reason, where the System logs
// it by default:
//   - the message had no sender (it came with Send): ErrNoSender;
//   - the sender does not take R: ErrWrongType, and a waiting Ask fails
//     with that error at once;
//   - the Ask already gave up: ErrLateReply; the sender stopped:
//     ErrStopped; its bounded mailbox is full: ErrMailboxFull (Block
//     mailboxes make Reply wait for room, as Send does).
//
// R is usually inferred from v; write it out to reply with an interface
// type or to convert a constant (actor.Reply[int64](c, 0)).
func Reply[R, M any](c *Context[M], v R) {
	replier := c.c
	to := c.env.sender
	if to == nil {
		replier.sys.deadLetter(nil, v, replier, ErrNoSender)
		return
	}
	var err error
	if t, ok := to.(typed[R]); ok {
		err = t.tell(context.Background(), v, replier, modeReply)
	} else {
		err = to.tellAny(v, replier, modeReply)
	}
	if errors.Is(err, ErrWrongType) {
		replier.sys.deadLetter(to, v, replier, err)
	}
}

func ask[Resp, Req any](ctx context.Context, ref Ref[Req], build func(Ref[Resp]) Req) (Resp, error) {
	var zero Resp
	if ref.p == nil {
		return zero, ErrNoActor
	}
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("actor: ask %s: %w: %w", ref.Address(), ErrTimeout, err)
	}
	sys := ref.p.system()
	if sys == nil {
		return zero, fmt.Errorf("actor: ask %s: %w: the reference is not bound to a System", ref.Address(), ErrNoActor)
	}
	f := &future[Resp]{sys: sys, id: sys.ids.Add(1), ch: make(chan futureResult[Resp], 1)}
	if err := ref.p.tell(ctx, build(Ref[Resp]{f}), f, modeSend); err != nil {
		f.complete(zero, err) // settles the future, so nothing keeps it reachable
		return zero, fmt.Errorf("actor: ask %s: %w", ref.Address(), err)
	}
	select {
	case r := <-f.ch:
		if r.err != nil {
			return zero, fmt.Errorf("actor: ask %s: %w", ref.Address(), r.err)
		}
		return r.v, nil
	case <-ctx.Done():
		if f.complete(zero, nil) {
			return zero, fmt.Errorf("actor: ask %s: %w: %w", ref.Address(), ErrTimeout, ctx.Err())
		}
		r := <-f.ch // completed while we gave up: the answer is here
		if r.err != nil {
			return zero, fmt.Errorf("actor: ask %s: %w", ref.Address(), r.err)
		}
		return r.v, nil
	}
}

type futureResult[R any] struct {
	v   R
	err error
}

// future is the one-shot process an Ask waits on. It is a process like an
// actor's (a Ref can point to it) but owns no goroutine.
type future[R any] struct {
	sys      *System
	id       uint64
	done     atomic.Bool
	exported atomic.Bool // its address went to another System
	ch       chan futureResult[R]
}

func (f *future[R]) complete(v R, err error) bool {
	if !f.done.CompareAndSwap(false, true) {
		return false
	}
	if f.exported.Load() {
		if b := f.sys.bridge.Load(); b != nil {
			b.forget(f)
		}
	}
	f.ch <- futureResult[R]{v, err}
	return true
}

// export registers the future with b so that a reply from another System
// finds it (see Bridge.addTemp).
func (f *future[R]) export(b *Bridge) {
	if f.exported.CompareAndSwap(false, true) {
		b.addTemp(f)
	}
}

func (f *future[R]) isDone() bool { return f.done.Load() }

func (f *future[R]) messageType() reflect.Type { return reflect.TypeFor[R]() }

func (f *future[R]) fail(err error) {
	var zero R
	f.complete(zero, err)
}

func (f *future[R]) address() Address {
	return Address{System: f.sys.name, Path: tempPrefix + strconv.FormatUint(f.id, 10), ID: f.id}
}

func (f *future[R]) tell(_ context.Context, msg R, sender process, _ sendMode) error {
	if !f.complete(msg, nil) {
		// The replier did its part; the asker left. Not the replier's
		// failure, but not silent either.
		f.sys.deadLetter(f, msg, sender, ErrLateReply)
	}
	return nil
}

// tellAny takes a reply of any type. One of the wrong type fails the Ask
// at once (the asker learns why) and is returned as an error, so that the
// caller dead-letters it.
func (f *future[R]) tellAny(msg any, sender process, mode sendMode) error {
	if v, ok := msg.(R); ok {
		return f.tell(context.Background(), v, sender, mode)
	}
	err := fmt.Errorf("%w: reply %T to an ask expecting %v", ErrWrongType, msg, reflect.TypeFor[R]())
	f.fail(err)
	return err
}

func (f *future[R]) sendSys(sysMsg)  {}
func (f *future[R]) stopGraceful()   {}
func (f *future[R]) core() *base     { return nil }
func (f *future[R]) ident() process  { return f }
func (f *future[R]) system() *System { return f.sys }
