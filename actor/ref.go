package actor

import (
	"context"
	"fmt"
	"reflect"
)

// Target is anything that designates an actor: a Ref of any message type or
// an AnyRef. Watch, Unwatch and System.Stop-like operations take a Target.
type Target interface {
	Address() Address
	proc() process
}

// Ref is a typed reference to an actor that receives messages of type M.
// It is a small comparable value: copy it, store it, send it inside
// messages, compare it, use it as a map key. Holding a Ref does not keep
// the actor alive; sending to a stopped actor dead-letters the message.
//
// A Ref says where the actor lives (Address). Today every Ref is local and
// Send is a lock-free enqueue; a Ref to an actor in another System will have
// the same API, with Send going through a codec and a transport.
type Ref[M any] struct {
	p typed[M]
}

// Address returns where the actor lives; the zero Address for the zero Ref.
func (r Ref[M]) Address() Address {
	if r.p == nil {
		return Address{}
	}
	return r.p.address()
}

func (r Ref[M]) proc() process {
	if r.p == nil {
		return nil
	}
	return r.p
}

// String returns the Address in text form.
func (r Ref[M]) String() string { return r.Address().String() }

// IsZero reports whether r refers to no actor.
func (r Ref[M]) IsZero() bool { return r.p == nil }

// Any returns the untyped form of r.
func (r Ref[M]) Any() AnyRef { return AnyRef{r.proc()} }

// Send delivers msg to the actor's mailbox (tell). It never blocks, except
// on a full bounded mailbox with the Block policy, where it waits for room
// (use SendContext to bound the wait). It returns nil when the message was
// queued; otherwise an error: ErrStopped (the message went to dead letters),
// ErrMailboxFull (see Policy), ErrNoActor for the zero Ref. Messages from
// one sender to one actor arrive in the order they were sent.
func (r Ref[M]) Send(msg M) error {
	if r.p == nil {
		return ErrNoActor
	}
	return r.p.tell(context.Background(), msg, nil, modeSend)
}

// SendContext is Send with a bound on the wait of the Block policy; the
// returned error then wraps ctx.Err().
func (r Ref[M]) SendContext(ctx context.Context, msg M) error {
	if r.p == nil {
		return ErrNoActor
	}
	return r.p.tell(ctx, msg, nil, modeSend)
}

// SendFrom is Send with a sender: the receiving behaviour sees it as
// Context.Sender and can answer it with Reply.
func (r Ref[M]) SendFrom(sender Target, msg M) error {
	if r.p == nil {
		return ErrNoActor
	}
	var from process
	if sender != nil {
		from = sender.proc()
	}
	return r.p.tell(context.Background(), msg, from, modeSend)
}

// Stop asks the actor to stop gracefully: it first handles every message
// queued before the request, then its children stop (gracefully too), then
// it ends with a nil reason. Messages sent after Stop go to dead letters.
func (r Ref[M]) Stop() {
	if r.p != nil {
		r.p.stopGraceful()
	}
}

// Kill stops the actor after the message it is handling, if any: system
// messages overtake the mailbox, whose messages go to dead letters. Its
// children are killed too. The termination reason is ErrKilled.
func (r Ref[M]) Kill() { r.Any().Kill() }

// Done returns a channel closed when the actor has terminated (after its
// stopped hook ran and its children ended).
func (r Ref[M]) Done() <-chan struct{} { return r.Any().Done() }

// AnyRef is a reference whose message type is known only at run time: what
// Lookup, Sender, Children and Terminated give. Its Send checks the type.
type AnyRef struct {
	p process
}

// Address returns where the actor lives.
func (r AnyRef) Address() Address {
	if r.p == nil {
		return Address{}
	}
	return r.p.address()
}

func (r AnyRef) proc() process { return r.p }

// String returns the Address in text form.
func (r AnyRef) String() string { return r.Address().String() }

// IsZero reports whether r refers to nothing.
func (r AnyRef) IsZero() bool { return r.p == nil }

// Send delivers msg if its dynamic type is the actor's message type, and
// returns an error wrapping ErrWrongType if not; otherwise as Ref.Send.
func (r AnyRef) Send(msg any) error {
	if r.p == nil {
		return ErrNoActor
	}
	return r.p.tellAny(msg, nil, modeSend)
}

// Stop is Ref.Stop.
func (r AnyRef) Stop() {
	if r.p != nil {
		r.p.stopGraceful()
	}
}

// Kill is Ref.Kill.
func (r AnyRef) Kill() {
	if r.p != nil {
		r.p.sendSys(sysMsg{kind: sysStop, err: ErrKilled})
	}
}

// Done is Ref.Done. For an actor of another System it watches the actor
// (once for all callers), and is also closed when its node goes down. For
// the zero AnyRef, or for something that is not an actor, the channel is
// already closed.
func (r AnyRef) Done() <-chan struct{} {
	if r.p == nil || r.p.core() == nil {
		if rp, ok := r.p.(interface{ ident() process }); ok {
			if rm, ok := rp.ident().(remote); ok && rm.b != nil {
				return rm.b.done(rm.addr)
			}
		}
		ch := make(chan struct{})
		close(ch)
		return ch
	}
	return r.p.core().doneChan()
}

// RefOf returns the typed Ref behind r, or an error wrapping ErrWrongType if
// the actor's messages are not of type M (ErrNoActor for the zero AnyRef).
func RefOf[M any](r AnyRef) (Ref[M], error) {
	if r.p == nil {
		return Ref[M]{}, ErrNoActor
	}
	t, ok := r.p.(typed[M])
	if rm, isRemote := r.p.ident().(remote); !ok && isRemote {
		// Checked where the actor lives: a message it cannot take is a
		// dead letter there.
		return Ref[M]{remoteOf[M]{rm}}, nil
	}
	if !ok {
		return Ref[M]{}, fmt.Errorf("%w: %s does not take %v", ErrWrongType, r.Address(), reflect.TypeFor[M]())
	}
	return Ref[M]{t}, nil
}

// Terminated tells a watcher that an actor has ended.
type Terminated struct {
	Ref AnyRef
	// Reason is nil after Stop or Context.Stop, ErrKilled after Kill, and
	// the *Failure after a supervisor's Stop directive.
	Reason error
}
