package actor

import (
	"fmt"
	"log/slog"
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

// SpawnOption configures one actor (an argument of Spawn).
type SpawnOption interface{ applySpawn(*spawnConfig) }

// spawnOpt is a SpawnOption that is only that.
type spawnOpt func(*spawnConfig)

func (f spawnOpt) applySpawn(c *spawnConfig) { f(c) }

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
	return spawnOpt(func(c *spawnConfig) {
		if capacity < 0 || policy > Fail {
			c.err = fmt.Errorf("%w: mailbox capacity %d policy %v", ErrBadOption, capacity, policy)
			return
		}
		c.capacity, c.policy = capacity, policy
	})
}

// StrategyOption is what WithChildStrategy returns: an option of both
// Spawn and NewSystem.
type StrategyOption struct{ s Strategy }

// WithChildStrategy sets how failures of children are handled: given to
// Spawn, it is how that actor supervises the children it spawns; given to
// NewSystem, it is how the System supervises its top-level actors (those
// spawned directly on it), where Escalate means Stop. It never changes how
// the actor being spawned is itself supervised: that is its parent's
// strategy. The default is the zero Strategy (restart the failed child,
// at most DefaultMaxRestarts times within DefaultWithin).
func WithChildStrategy(s Strategy) StrategyOption { return StrategyOption{s} }

func (o StrategyOption) applySpawn(c *spawnConfig) {
	if err := o.s.validate(); err != nil {
		c.err = err
		return
	}
	s := o.s
	c.strategy = &s
}

func (o StrategyOption) applySystem(c *systemConfig) {
	if err := o.s.validate(); err != nil {
		c.err = err
		return
	}
	c.guardian = o.s
}

// WithThroughput sets how many messages the actor handles in a row before
// yielding the processor (default DefaultThroughput).
func WithThroughput(n int) SpawnOption {
	return spawnOpt(func(c *spawnConfig) {
		if n <= 0 || n > math.MaxInt32 {
			c.err = fmt.Errorf("%w: throughput %d", ErrBadOption, n)
			return
		}
		c.throughput = n
	})
}

// SystemOption configures a System (an argument of NewSystem).
type SystemOption interface{ applySystem(*systemConfig) }

// systemOpt is a SystemOption that is only that.
type systemOpt func(*systemConfig)

func (f systemOpt) applySystem(c *systemConfig) { f(c) }

type systemConfig struct {
	name      string
	guardian  Strategy                  // how the top-level actors are supervised
	onFailure func(*Failure, Directive) // nil: failures are logged
	logger    *slog.Logger              // nil: slog.Default() at the time of each line
	err       error
}

// WithName names the System; the name is the first part of every Address in
// it (default "ludus").
func WithName(name string) SystemOption {
	return systemOpt(func(c *systemConfig) {
		if name == "" || strings.ContainsAny(name, "/#") {
			c.err = fmt.Errorf("%w: system name %q", ErrBadName, name)
			return
		}
		c.name = name
	})
}

// WithOnFailure calls f for every failure a supervisor handles, with the
// directive it chose (after intensity limits), instead of the log line the
// System writes by default: count them, log them your way, alert. f runs
// on the supervisor's goroutine and must be quick; a panic in it is
// ignored. A nil f keeps the default log line.
func WithOnFailure(f func(failure *Failure, d Directive)) SystemOption {
	return systemOpt(func(c *systemConfig) { c.onFailure = f })
}

// WithLogger sets where the System reports what would otherwise go
// unseen: every failure a supervisor handles, with the directive (unless
// WithOnFailure replaces that line), and dead letters while no
// OnDeadLetter subscriber is installed (at most 10 lines at once, then one
// a second, each saying how many were left out). Nil, or no WithLogger at
// all, means slog.Default() at the time of each line. To silence the
// System, give a logger over slog.DiscardHandler.
func WithLogger(l *slog.Logger) SystemOption {
	return systemOpt(func(c *systemConfig) { c.logger = l })
}
