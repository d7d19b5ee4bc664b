package actor

import (
	"fmt"
	"strings"
)

// Behavior handles one message. The actor calls it with one message at a
// time, never concurrently, so the state it closes over needs no lock.
// Returning a non-nil error (or panicking) is a failure: the actor is
// suspended and its supervisor decides what happens (see Strategy).
type Behavior[M any] func(c *Context[M], msg M) error

// Parent is where an actor can be spawned: a *System (top-level actors) or
// the *Context of an actor (its children).
type Parent interface {
	parentBase() *base
}

var defaultStrategy Strategy // never modified: the zero Strategy

// Spawn starts an actor under parent and returns its reference at once.
//
// setup runs on the actor's goroutine before any message, and again on
// every restart: it builds the actor's state (usually variables its
// behaviour closes over), may spawn children, start timers and register
// hooks, and returns the behaviour. It is the actor's "started" hook; a
// failure in it is handled like a failure in the behaviour.
//
// name must be unique among the parent's live children; "" generates one
// ("$<id>"). Names may not contain '/' or '#' nor start with '$'.
func Spawn[M any](parent Parent, name string, setup func(c *Context[M]) Behavior[M], opts ...SpawnOption) (Ref[M], error) {
	cfg := spawnConfig{throughput: DefaultThroughput}
	for _, o := range opts {
		if o == nil {
			continue
		}
		o.applySpawn(&cfg)
		if cfg.err != nil {
			return Ref[M]{}, cfg.err
		}
	}
	if setup == nil {
		return Ref[M]{}, ErrNilBehavior
	}
	if strings.ContainsAny(name, "/#") || strings.HasPrefix(name, "$") {
		return Ref[M]{}, fmt.Errorf("%w: %q", ErrBadName, name)
	}
	if parent == nil {
		return Ref[M]{}, ErrNoActor
	}
	pb := parent.parentBase()
	if pb == nil {
		return Ref[M]{}, ErrNoActor
	}
	c := &cell[M]{setup: setup}
	c.base = base{sys: pb.sys, parent: pb, name: name, strategy: cfg.strategy, policy: cfg.policy, throughput: int32(cfg.throughput)}
	if c.strategy == nil {
		c.strategy = &defaultStrategy
	}
	c.self = c
	c.sysq.init()
	c.userq.init()
	c.ctx.c = c
	if cfg.capacity > 0 {
		c.tokens = make(chan struct{}, cfg.capacity)
	}

	pb.mu.Lock()
	if pb.noSpawn != spawnOK {
		err := pb.noSpawn.err()
		pb.mu.Unlock()
		return Ref[M]{}, fmt.Errorf("actor: spawn %q under %s: %w", name, pb.address(), err)
	}
	if name != "" {
		if pb.named[name] != nil {
			pb.mu.Unlock()
			return Ref[M]{}, fmt.Errorf("%w: %q under %s", ErrNameTaken, name, pb.address())
		}
		if pb.named == nil {
			pb.named = make(map[string]*base)
		}
		pb.named[name] = &c.base
	}
	if pb.children == nil {
		pb.children = make(map[*base]struct{})
	}
	// The ID is taken under the parent's lock so that sibling IDs follow
	// spawn order (RestForOne relies on it).
	c.id = pb.sys.ids.Add(1)
	pb.children[&c.base] = struct{}{}
	pb.mu.Unlock()

	c.schedule() // the first run calls setup
	return Ref[M]{c}, nil
}

// Stateless adapts a behaviour without setup (no state to rebuild on a
// restart) to what Spawn takes.
func Stateless[M any](b Behavior[M]) func(*Context[M]) Behavior[M] {
	return func(*Context[M]) Behavior[M] { return b }
}
