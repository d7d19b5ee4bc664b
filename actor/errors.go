package actor

import (
	"errors"
	"fmt"

	"github.com/labludus/ludus/panics"
)

var (
	// ErrStopped reports a message sent to an actor that has terminated (or
	// is terminating); the message went to dead letters. It is also the
	// reason dead letters carry for such messages.
	ErrStopped = errors.New("actor: stopped")
	// ErrKilled is the termination reason of an actor ended by Kill.
	ErrKilled = errors.New("actor: killed")
	// ErrMailboxFull reports that a bounded mailbox had no room. Under
	// DropNewest the message also went to dead letters; under Fail it did
	// not: the caller still holds it.
	ErrMailboxFull = errors.New("actor: mailbox full")
	// ErrNameTaken reports a Spawn whose name a live sibling already has.
	ErrNameTaken = errors.New("actor: name taken")
	// ErrBadName reports a name with a '/' or a leading '$' (reserved for
	// generated names).
	ErrBadName = errors.New("actor: invalid name")
	// ErrNilBehavior reports a nil setup function or a setup that returned a
	// nil behaviour.
	ErrNilBehavior = errors.New("actor: nil behavior")
	// ErrNoActor reports an operation on the zero Ref or AnyRef, or a lookup
	// that found nothing.
	ErrNoActor = errors.New("actor: no such actor")
	// ErrWrongType reports a message, reply or lookup whose type does not
	// match the actor's message type.
	ErrWrongType = errors.New("actor: wrong message type")
	// ErrTimeout reports an Ask whose context ended before the reply came;
	// the error also matches the context's own error.
	ErrTimeout = errors.New("actor: ask timed out")
	// ErrNoSender is the dead-letter reason of a Reply to a message that
	// carried no sender (it was sent with Send, not Ask or SendFrom).
	ErrNoSender = errors.New("actor: message has no sender")
	// ErrSystemStopped reports a Spawn on a System that is shutting down.
	ErrSystemStopped = errors.New("actor: system is shutting down")
	// ErrLateReply is the dead-letter reason of a reply that arrived after
	// its Ask had given up.
	ErrLateReply = errors.New("actor: reply arrived after the ask ended")
	// ErrNodeDown reports that the System an actor lives in cannot be
	// reached: its node left, died or stopped answering (see actor/remote).
	// Watchers of its actors get Terminated with a reason that wraps it,
	// and Asks waiting on them fail with it.
	ErrNodeDown = errors.New("actor: node down")
	// ErrBadOption reports an invalid option value (a negative capacity, an
	// unknown policy...).
	ErrBadOption = errors.New("actor: invalid option")
)

// Failure is what a supervisor receives when one of its children fails: the
// behaviour returned an error or panicked. It is also the termination reason
// of an actor its supervisor stopped, so Watch and Terminated expose it.
type Failure struct {
	// Actor is the actor that failed (for an escalation, the supervisor
	// that escalated; Err then holds the child's Failure).
	Actor Address
	// Message is the message being handled, or nil when the failure
	// happened in setup.
	Message any
	// Err is the error the behaviour returned, or a *PanicError.
	Err error
}

func (f *Failure) Error() string {
	return fmt.Sprintf("actor %s failed: %v", f.Actor, f.Err)
}

func (f *Failure) Unwrap() error { return f.Err }

// PanicError is the error a panic in a behaviour, setup or hook becomes:
// the shared [panics.Error] (the panic value, the stack, and an Error()
// that is one line naming the panicking frame), so that errors.As with a
// *panics.Error finds a panic whichever ludus package ran the code.
type PanicError = panics.Error
