package remote

import (
	"errors"
	"fmt"

	"github.com/labludus/ludus/actor"
)

var (
	// ErrNodeDown is actor.ErrNodeDown: the node an actor lives on left,
	// died or stopped sending heartbeats. Terminated reasons and Ask errors
	// caused by a lost node wrap it (as a *NodeDownError).
	ErrNodeDown = actor.ErrNodeDown
	// ErrUnknownType reports a message type that is not registered (see
	// Register): an error to a sender, a dead-letter reason on a receiver.
	ErrUnknownType = errors.New("remote: message type not registered")
	// ErrTooLarge reports a message whose encoding exceeds
	// Config.MaxMessageSize: an error to a sender, a dead-letter reason on
	// a receiver.
	ErrTooLarge = errors.New("remote: message too large")
	// ErrNoNode reports a Lookup or SpawnOn that found no live node to ask.
	ErrNoNode = errors.New("remote: no such live node")
	// ErrClosed reports an operation on a Node after Close.
	ErrClosed = errors.New("remote: node closed")
	// ErrBadConfig reports an invalid Config.
	ErrBadConfig = errors.New("remote: invalid config")
)

// NodeDownError says which node went down and why ("no heartbeat for
// 1s", "left", "connection closed"). It matches ErrNodeDown.
type NodeDownError struct {
	Node   string
	Reason string
}

func (e *NodeDownError) Error() string { return fmt.Sprintf("node down: %s (%s)", e.Node, e.Reason) }

// Is makes errors.Is(err, ErrNodeDown) true.
func (e *NodeDownError) Is(target error) bool { return target == actor.ErrNodeDown }

// RemoteError is an error that happened on another node, as its text: a
// behaviour's error or panic reaches a supervisor or an Ask here as a
// *actor.Failure whose Err is a *RemoteError. It matches the actor
// package's sentinel errors that it was on the other side (ErrWrongType,
// ErrStopped, ...).
type RemoteError struct {
	Text string
	is   error // the sentinel it matched where it happened, or nil
}

func (e *RemoteError) Error() string { return e.Text }

// Unwrap returns the sentinel the error matched on its node, if any.
func (e *RemoteError) Unwrap() error { return e.is }
