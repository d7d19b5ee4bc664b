package actor

import (
	"fmt"
	"math"
	"strings"
)

// Policy is what a bounded mailbox does with a message that finds it full.
type Policy uint8

const (
	// Block makes the sender wait for room (SendContext bounds the wait).
	// Actors that send to each other in a cycle through full Block
	// mailboxes (or an actor to itself) wait forever, as goroutines do on
	// full channels: bound the wait or use another policy there.
	Block Policy = iota
	// DropNewest discards the incoming message to dead letters; Send
	// reports ErrMailboxFull.
	DropNewest
	// Fail rejects the message: Send returns ErrMailboxFull and the caller
	// keeps the message.
	Fail
)

func (p Policy) String() string {
	switch p {
	case Block:
		return "block"
	case DropNewest:
		return "drop-newest"
	case Fail:
		return "fail"
	}
	return fmt.Sprintf("Policy(%d)", uint8(p))
}

// DefaultThroughput is how many messages an actor handles before it lets
// other goroutines run.
const DefaultThroughput = 300

// SpawnOption configures one actor.
type SpawnOption func(*spawnConfig)

type spawnConfig struct {
	capacity   int // 0: unbounded
	policy     Policy
	strategy   *Strategy
	throughput int
	err        error
}

// WithMailbox bounds the actor's mailbox to capacity user messages, with
// policy deciding what happens when it is full. Capacity 0 means unbounded
// (the default). System messages are never bounded.
func WithMailbox(capacity int, policy Policy) SpawnOption {
	return func(c *spawnConfig) {
		if capacity < 0 || policy > Fail {
			c.err = fmt.Errorf("%w: mailbox capacity %d policy %v", ErrBadOption, capacity, policy)
			return
		}
		c.capacity, c.policy = capacity, policy
	}
}

// WithSupervisor sets how the actor supervises its children.
func WithSupervisor(s Strategy) SpawnOption {
	return func(c *spawnConfig) {
		if err := s.validate(); err != nil {
			c.err = err
			return
		}
		c.strategy = &s
	}
}

// WithThroughput sets how many messages the actor handles in a row before
// yielding the processor (default DefaultThroughput).
func WithThroughput(n int) SpawnOption {
	return func(c *spawnConfig) {
		if n <= 0 || n > math.MaxInt32 {
			c.err = fmt.Errorf("%w: throughput %d", ErrBadOption, n)
			return
		}
		c.throughput = n
	}
}

// SystemOption configures a System.
type SystemOption func(*systemConfig)

type systemConfig struct {
	name      string
	guardian  Strategy
	onFailure func(*Failure, Directive)
	err       error
}

// WithName names the System; the name is the first part of every Address in
// it (default "ludus").
func WithName(name string) SystemOption {
	return func(c *systemConfig) {
		if name == "" || strings.ContainsAny(name, "/#") {
			c.err = fmt.Errorf("%w: system name %q", ErrBadName, name)
			return
		}
		c.name = name
	}
}

// WithGuardian sets how the System supervises its top-level actors (those
// spawned directly on it). An Escalate at that level stops the actor.
func WithGuardian(s Strategy) SystemOption {
	return func(c *systemConfig) {
		if err := s.validate(); err != nil {
			c.err = err
			return
		}
		c.guardian = s
	}
}

// WithOnFailure calls f for every failure a supervisor handles, with the
// directive it chose (after intensity limits), so that crashes that are
// restarted or resumed are still seen: log them, count them. f runs on the
// supervisor's goroutine and must be quick; a panic in it is ignored.
func WithOnFailure(f func(failure *Failure, d Directive)) SystemOption {
	return func(c *systemConfig) { c.onFailure = f }
}
