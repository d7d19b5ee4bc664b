package actor

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// System is a tree of actors with its own name, registry and dead letters.
// There is no global state: two Systems in one process know nothing of each
// other. Actors spawned on the System itself are its top-level actors,
// supervised by the System's guardian (see WithChildStrategy); their paths
// start with "/user/".
//
// The zero System is ready to use, as NewSystem() without options would
// make it; NewSystem is how to give options.
type System struct {
	initOnce sync.Once
	name     string
	guardian *cell[struct{}]
	ids      atomic.Uint64

	deadCount atomic.Uint64
	subsMu    sync.Mutex
	subs      atomic.Pointer[[]*deadSub]

	onFailure func(*Failure, Directive) // nil: failures are logged
	logger    *slog.Logger              // nil: slog.Default()
	deadLog   deadLetterLog             // rate limit of the dead-letter log lines

	bridge atomic.Pointer[Bridge] // the Transport's side, once attached

	shuttingDown atomic.Bool
	shutdownOnce sync.Once
	doneOnce     sync.Once
	done         chan struct{}
}

// NewSystem returns a running System. Bad options are reported, never
// silently replaced.
func NewSystem(opts ...SystemOption) (*System, error) {
	cfg := systemConfig{name: "ludus"}
	for _, o := range opts {
		if o == nil {
			continue
		}
		o.applySystem(&cfg)
		if cfg.err != nil {
			return nil, cfg.err
		}
	}
	s := &System{}
	s.initOnce.Do(func() { s.init(cfg) })
	return s, nil
}

// init sets up a System once, from NewSystem or on first use of a zero one.
func (s *System) init(cfg systemConfig) {
	s.name, s.onFailure, s.logger, s.done = cfg.name, cfg.onFailure, cfg.logger, make(chan struct{})
	g := &cell[struct{}]{}
	g.base = base{sys: s, name: "user", id: s.ids.Add(1), strategy: &cfg.guardian, throughput: DefaultThroughput}
	g.self = g
	g.sysq.init()
	g.userq.init()
	g.ctx.c = g
	g.state = stateRunning
	// The guardian only supervises; it has no user behaviour of its own.
	g.behavior = func(*Context[struct{}], struct{}) error { return nil }
	s.guardian = g
}

// ready initialises a zero System on first use.
func (s *System) ready() *System {
	s.initOnce.Do(func() { s.init(systemConfig{name: "ludus"}) })
	return s
}

// Name returns the System's name, the first part of its actors' addresses.
func (s *System) Name() string { return s.ready().name }

func (s *System) parentBase() *base {
	if s == nil {
		return nil
	}
	return &s.ready().guardian.base
}

// Lookup finds a live actor by path ("/user/a/b"; generated names are
// "$<id>"). The result's Address, Send and Stop work whatever the type;
// RefOf turns it into a typed Ref.
func (s *System) Lookup(path string) (AnyRef, bool) {
	s.ready()
	rest, ok := strings.CutPrefix(path, "/user")
	if !ok {
		return AnyRef{}, false
	}
	b := &s.guardian.base
	for rest != "" {
		if rest[0] != '/' {
			return AnyRef{}, false
		}
		rest = rest[1:]
		elem := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			elem, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		if b = b.child(elem); b == nil {
			return AnyRef{}, false
		}
	}
	if b == &s.guardian.base || b.closed.Load() {
		return AnyRef{}, false
	}
	return AnyRef{b.self}, true
}

func (b *base) child(elem string) *base {
	b.mu.Lock()
	defer b.mu.Unlock()
	if id, ok := strings.CutPrefix(elem, "$"); ok {
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			return nil
		}
		for k := range b.children {
			if k.id == n && k.name == "" {
				return k
			}
		}
		return nil
	}
	return b.named[elem]
}

// ShutdownReport says what a Shutdown could not finish.
type ShutdownReport struct {
	// Unprocessed counts the messages that went to dead letters while the
	// System shut down: sent after their recipient had stopped, or still
	// queued when it was killed.
	Unprocessed uint64
	// Killed lists the actors that were still running when the context
	// ended and were killed (their queued messages are among Unprocessed).
	Killed []Address
}

// Shutdown stops every actor gracefully: each top-level actor, and below it
// each descendant, handles the messages queued before the stop, then stops.
// If ctx ends first, every remaining actor is killed (stopped after its
// current message, its queue dead-lettered), Shutdown returns at once with
// ctx's error and the report lists the killed actors; Done is closed when the
// last one has ended. New Spawns on the System fail with ErrSystemStopped
// from the moment Shutdown starts. Calling Shutdown again waits again.
func (s *System) Shutdown(ctx context.Context) (ShutdownReport, error) {
	s.ready()
	before := s.deadCount.Load()
	s.shutdownOnce.Do(func() {
		g := &s.guardian.base
		s.shuttingDown.Store(true)
		g.mu.Lock()
		g.noSpawn = spawnShutdown
		g.mu.Unlock()
		kids := g.childList()
		for _, k := range kids {
			k.self.stopGraceful()
		}
		if len(kids) == 0 {
			s.allStopped()
		}
	})
	select {
	case <-s.done:
		return ShutdownReport{Unprocessed: s.deadCount.Load() - before}, nil
	case <-ctx.Done():
	}
	var rep ShutdownReport
	var walk func(b *base)
	walk = func(b *base) {
		for _, k := range b.childList() {
			if !k.closed.Load() {
				rep.Killed = append(rep.Killed, k.address())
			}
			walk(k)
		}
	}
	g := &s.guardian.base
	walk(g)
	for _, k := range g.childList() {
		k.self.sendSys(sysMsg{kind: sysStop, err: ErrKilled})
	}
	rep.Unprocessed = s.deadCount.Load() - before
	return rep, fmt.Errorf("actor: shutdown of %s: %d actors killed: %w", s.name, len(rep.Killed), ctx.Err())
}

func (s *System) allStopped() { s.doneOnce.Do(func() { close(s.done) }) }

// Done is closed when a Shutdown has ended every actor.
func (s *System) Done() <-chan struct{} { return s.ready().done }
