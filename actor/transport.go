package actor

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
)

// A Transport carries messages between Systems, usually in different
// processes or on different machines; package actor/remote implements one
// over NATS. This file is the seam between the two: a System attached to a
// Transport (System.Attach) gets a Bridge, through which the Transport
// delivers what arrives and reports nodes that went down, and references
// to actors of other Systems become ordinary Refs whose Send, Ask, Watch
// and Stop go through the Transport.
//
// Most programs never use these names: they call remote.Join and use Refs.

// Transport is what a System needs from a connection to other Systems. An
// Address's System field names the System (the node) an actor lives in.
type Transport interface {
	// Tell carries a user message to the actor at e.To, in another System.
	// It returns nil when the message is on its way (delivery is at most
	// once). It returns an error when it did not send it: an error wrapping
	// ErrNodeDown (the System is down or unknown), ErrMailboxFull (its
	// outbound buffer is full), ctx's error (it waited for room and ctx
	// ended), or an encoding error. Like a mailbox, a Transport
	// dead-letters (Bridge.DeadLetter) what it drops under a DropNewest
	// policy or because the node is down, and leaves to the caller what it
	// refuses under Fail or for an encoding error. When e.Reply is set no
	// caller can take an error (Reply returns nothing): the Transport then
	// dead-letters whatever it cannot send.
	Tell(ctx context.Context, e Envelope) error
	// Signal carries a system signal to the process at to. It returns an
	// error wrapping ErrNodeDown when to's System is unreachable.
	Signal(to Address, s Signal) error
}

// Envelope is a user message crossing between Systems.
type Envelope struct {
	To   Address
	From Address // the sender (an actor or an Ask); zero if none
	// Message is the message, of the type the recipient takes.
	Message any
	// Reply marks an answer given with Reply (see Transport.Tell).
	Reply bool
}

// SignalKind names a system signal between Systems.
type SignalKind uint8

const (
	// SignalWatch: From starts watching the actor at To.
	SignalWatch SignalKind = iota + 1
	// SignalUnwatch: From stops watching.
	SignalUnwatch
	// SignalTerminated: the actor From, watched by To, ended with Reason.
	SignalTerminated
	// SignalStop: stop the actor at To gracefully (after its queued
	// messages), as Ref.Stop.
	SignalStop
	// SignalKill: stop it at once, as Ref.Kill.
	SignalKill
	// SignalFail: the request of the Ask at To will never be answered;
	// Reason says why (the recipient failed on it, or dead-lettered it).
	SignalFail
)

func (k SignalKind) String() string {
	switch k {
	case SignalWatch:
		return "watch"
	case SignalUnwatch:
		return "unwatch"
	case SignalTerminated:
		return "terminated"
	case SignalStop:
		return "stop"
	case SignalKill:
		return "kill"
	case SignalFail:
		return "fail"
	}
	return fmt.Sprintf("SignalKind(%d)", uint8(k))
}

// Signal is a system message between Systems.
type Signal struct {
	Kind   SignalKind
	From   Address
	Reason error // SignalTerminated and SignalFail: why
}

// tempPrefix starts the path of an Ask's reply receiver (and of the other
// one-shot processes a Bridge exposes).
const tempPrefix = "/temp/$"

func isTemp(a Address) bool { return strings.HasPrefix(a.Path, tempPrefix) }

// Bridge is a System's side of its Transport: what the Transport calls
// when something arrives, and the book-keeping that makes node failures
// visible. It is safe for concurrent use.
type Bridge struct {
	sys *System
	t   Transport

	mu sync.Mutex
	// temps holds the one-shot processes (Asks, Done watchers) whose
	// address went to another System, by ID, so that the answer finds them.
	temps map[uint64]process
	// pending maps each Ask whose request went to another System to that
	// System's name, so that the Ask fails at once if it goes down.
	pending map[process]string
	// watches holds, per remote System, the watches of local actors on its
	// actors: remote is the watched actor, local the watcher.
	watches map[string]map[remoteWatch]struct{}
	// watchedBy holds, per remote System, the watches of its actors on
	// local ones: remote is the watcher, local the watched actor.
	watchedBy map[string]map[remoteWatch]struct{}
	// dones holds the Done channels of remote actors, by address.
	dones map[Address]*doneWatch

	// cells caches local actors by address, so that a message from
	// another System does not walk the tree; an entry whose actor ended is
	// dropped when met, and the whole cache when it passes cacheMax.
	cells  sync.Map // Address -> process
	cached atomic.Int64
}

const cacheMax = 1 << 12

type remoteWatch struct {
	remote Address
	local  process // an ident()
}

// Attach connects s to t and returns the Bridge that t must use. A System
// has at most one Transport at a time; Detach ends the attachment.
func (s *System) Attach(t Transport) (*Bridge, error) {
	if t == nil {
		return nil, fmt.Errorf("%w: nil transport", ErrBadOption)
	}
	s.ready()
	b := &Bridge{
		sys: s, t: t,
		temps: make(map[uint64]process), pending: make(map[process]string),
		watches: make(map[string]map[remoteWatch]struct{}), watchedBy: make(map[string]map[remoteWatch]struct{}),
		dones: make(map[Address]*doneWatch),
	}
	if !s.bridge.CompareAndSwap(nil, b) {
		return nil, fmt.Errorf("%w: system %s is already attached to a transport", ErrBadOption, s.name)
	}
	return b, nil
}

// Detach ends the attachment. Remote references keep their address but
// fail with ErrNodeDown; the Transport should call NodeDown for every
// System it knew first, so that watchers and Asks learn of it.
func (b *Bridge) Detach() { b.sys.bridge.CompareAndSwap(b, nil) }

func (b *Bridge) attached() bool { return b.sys.bridge.Load() == b }

// System returns the System the Bridge belongs to.
func (b *Bridge) System() *System { return b.sys }

// Ref returns a reference to the actor at a, which may be in another
// System (its messages then go through the Transport) or in this one.
func (b *Bridge) Ref(a Address) AnyRef { return AnyRef{b.proc(a)} }

// RemoteRef returns a typed reference to the actor at a. Whether that
// actor takes M is checked where it lives: a message it cannot take is a
// dead letter there (remote.Lookup checks the type before it returns).
func RemoteRef[M any](b *Bridge, a Address) Ref[M] {
	if p := b.proc(a); p != nil {
		if t, ok := p.(typed[M]); ok {
			return Ref[M]{t}
		}
	}
	if a == (Address{}) {
		return Ref[M]{}
	}
	return Ref[M]{remoteOf[M]{remote{b, a}}}
}

// Lookup finds a live local actor by path, with the type of the messages
// it takes (what a Transport answers to a remote lookup).
func (b *Bridge) Lookup(path string) (AnyRef, reflect.Type, bool) {
	r, ok := b.sys.Lookup(path)
	if !ok {
		return AnyRef{}, nil, false
	}
	mt, _ := r.p.(interface{ messageType() reflect.Type })
	if mt == nil {
		return AnyRef{}, nil, false
	}
	return r, mt.messageType(), true
}

// proc returns the process at a: a local one if a names this System and
// it exists, else a remote one (which dead-letters what it is sent if the
// local actor is gone).
func (b *Bridge) proc(a Address) process {
	if a == (Address{}) {
		return nil
	}
	if a.System == b.sys.name {
		if p, ok := b.local(a); ok {
			return p
		}
	}
	return remote{b, a}
}

// local finds the live local process at a.
func (b *Bridge) local(a Address) (process, bool) {
	if a.System != b.sys.name {
		return nil, false
	}
	if isTemp(a) {
		b.mu.Lock()
		p, ok := b.temps[a.ID]
		b.mu.Unlock()
		return p, ok
	}
	if v, ok := b.cells.Load(a); ok {
		p := v.(process)
		if !p.core().closed.Load() {
			return p, true
		}
		if _, was := b.cells.LoadAndDelete(a); was {
			b.cached.Add(-1)
		}
	}
	r, ok := b.sys.Lookup(a.Path)
	if !ok || (a.ID != 0 && r.Address().ID != a.ID) {
		return nil, false
	}
	if a.ID != 0 {
		if b.cached.Add(1) > cacheMax {
			b.cells.Clear()
			b.cached.Store(1)
		}
		b.cells.Store(a, r.p)
	}
	return r.p, true
}

// Deliver hands a message that arrived from another System to its local
// recipient. What cannot be delivered (no such actor, the wrong type, a
// full mailbox: a remote sender never blocks the connection) is a dead
// letter with the reason, and an Ask that sent it is told at once.
func (b *Bridge) Deliver(e Envelope) {
	sender := b.proc(e.From)
	target, ok := b.local(e.To)
	if !ok {
		reason := ErrNoActor
		if isTemp(e.To) {
			reason = ErrLateReply
		}
		b.sys.deadLetter(remote{b, e.To}, e.Message, sender, reason)
		return
	}
	if err := target.tellAny(e.Message, sender, modeNoWait); errors.Is(err, ErrWrongType) {
		b.sys.deadLetter(target, e.Message, sender, err)
	}
}

// DeadLetter records a message the Transport could not deliver or decode
// (msg is nil when it could not be decoded; reason says why).
func (b *Bridge) DeadLetter(to, from Address, msg any, reason error) {
	b.sys.deadLetter(remote{b, to}, msg, b.proc(from), reason)
}

// Signal hands a system signal that arrived from another System to its
// local recipient.
func (b *Bridge) Signal(to Address, s Signal) {
	from := remote{b, s.From}
	target, ok := b.local(to)
	switch s.Kind {
	case SignalWatch:
		if !ok {
			_ = b.t.Signal(s.From, Signal{Kind: SignalTerminated, From: to, Reason: ErrNoActor})
			return
		}
		b.record(b.watchedBy, remoteWatch{s.From, target.ident()}, true)
		target.sendSys(sysMsg{kind: sysWatch, from: from})
	case SignalUnwatch:
		if ok {
			b.record(b.watchedBy, remoteWatch{s.From, target.ident()}, false)
			target.sendSys(sysMsg{kind: sysUnwatch, from: from})
		}
	case SignalTerminated:
		if ok {
			b.record(b.watches, remoteWatch{s.From, target.ident()}, false)
			target.sendSys(sysMsg{kind: sysTerminated, from: from, err: s.Reason})
		}
	case SignalStop:
		if ok {
			target.stopGraceful()
		}
	case SignalKill:
		if ok {
			target.sendSys(sysMsg{kind: sysStop, err: ErrKilled})
		}
	case SignalFail:
		if f, isAsk := target.(interface{ fail(error) }); ok && isAsk && target.core() == nil {
			f.fail(s.Reason)
		}
	}
}

// NodeDown tells the System that the System named system is gone: every
// local watcher of its actors gets Terminated with reason, every Ask whose
// request went there fails with reason, and its watches on local actors
// are dropped. reason should wrap ErrNodeDown.
func (b *Bridge) NodeDown(system string, reason error) {
	b.mu.Lock()
	var asks []process
	for f, s := range b.pending {
		if s == system {
			asks = append(asks, f)
			delete(b.pending, f)
		}
	}
	watches, by := b.watches[system], b.watchedBy[system]
	delete(b.watches, system)
	delete(b.watchedBy, system)
	b.mu.Unlock()
	for _, f := range asks {
		f.(interface{ fail(error) }).fail(reason)
	}
	for w := range watches {
		w.local.sendSys(sysMsg{kind: sysTerminated, from: remote{b, w.remote}, err: reason})
	}
	for w := range by {
		w.local.sendSys(sysMsg{kind: sysUnwatch, from: remote{b, w.remote}})
	}
}

func (b *Bridge) record(m map[string]map[remoteWatch]struct{}, w remoteWatch, add bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	set := m[w.remote.System]
	if !add {
		delete(set, w)
		return
	}
	if set == nil {
		set = make(map[remoteWatch]struct{})
		m[w.remote.System] = set
	}
	set[w] = struct{}{}
}

// exporter is a one-shot process that must be registered with the Bridge
// before its address leaves the System.
type exporter interface {
	process
	export(b *Bridge)
	isDone() bool
}

func (b *Bridge) addTemp(p exporter) {
	b.mu.Lock()
	b.temps[p.address().ID] = p
	b.mu.Unlock()
	if p.isDone() { // settled meanwhile: nothing will forget it
		b.forget(p)
	}
}

func (b *Bridge) forget(p process) {
	b.mu.Lock()
	delete(b.temps, p.address().ID)
	delete(b.pending, p)
	b.mu.Unlock()
}

// tell sends msg to the actor at to, through the Transport, or locally if
// to names this System.
func (b *Bridge) tell(ctx context.Context, to Address, msg any, sender process, mode sendMode) error {
	if b == nil {
		return fmt.Errorf("%w: %s: the reference was decoded outside an attached System", ErrNoActor, to)
	}
	if to.System == b.sys.name {
		b.Deliver(Envelope{To: to, From: addressOf(sender), Message: msg})
		return nil
	}
	var from Address
	if sender != nil {
		from = sender.address()
		if e, ok := sender.(exporter); ok {
			e.export(b)
			if isTemp(from) && mode != modeReply {
				b.mu.Lock()
				b.pending[sender] = to.System
				b.mu.Unlock()
				if e.isDone() {
					b.forget(sender)
				}
			}
		}
	}
	if !b.attached() {
		err := fmt.Errorf("%w: %s: the system is no longer attached to its transport", ErrNodeDown, to)
		b.sys.deadLetter(remote{b, to}, msg, sender, err)
		return err
	}
	return b.t.Tell(ctx, Envelope{To: to, From: from, Message: msg, Reply: mode == modeReply})
}

func addressOf(p process) Address {
	if p == nil {
		return Address{}
	}
	return p.address()
}

// sendSys carries a system message from a local process to the remote
// process at to, keeping the books NodeDown needs.
func (b *Bridge) sendSys(to Address, m sysMsg) {
	if b == nil {
		return
	}
	switch m.kind {
	case sysWatch:
		w := remoteWatch{to, m.from.ident()}
		b.record(b.watches, w, true)
		if err := b.signal(to, Signal{Kind: SignalWatch, From: m.from.address()}); err != nil {
			b.record(b.watches, w, false)
			m.from.sendSys(sysMsg{kind: sysTerminated, from: remote{b, to}, err: err})
		}
	case sysUnwatch:
		b.record(b.watches, remoteWatch{to, m.from.ident()}, false)
		_ = b.signal(to, Signal{Kind: SignalUnwatch, From: m.from.address()})
	case sysTerminated:
		b.record(b.watchedBy, remoteWatch{to, m.from.ident()}, false)
		_ = b.signal(to, Signal{Kind: SignalTerminated, From: m.from.address(), Reason: m.err})
	case sysStop:
		_ = b.signal(to, Signal{Kind: SignalKill, Reason: m.err})
	}
}

func (b *Bridge) signal(to Address, s Signal) error {
	if to.System == b.sys.name {
		b.Signal(to, s)
		return nil
	}
	if !b.attached() {
		return fmt.Errorf("%w: %s: the system is no longer attached to its transport", ErrNodeDown, to)
	}
	return b.t.Signal(to, s)
}

// remote is a process in another System (or a local address that a
// Transport handed over); b is nil for a reference decoded outside any
// attached System, which refuses every message.
type remote struct {
	b    *Bridge
	addr Address
}

func (r remote) address() Address { return r.addr }
func (r remote) ident() process   { return r }
func (r remote) core() *base      { return nil }
func (r remote) system() *System {
	if r.b == nil {
		return nil
	}
	return r.b.sys
}

func (r remote) tellAny(msg any, sender process, mode sendMode) error {
	return r.b.tell(context.Background(), r.addr, msg, sender, mode)
}

func (r remote) sendSys(m sysMsg) { r.b.sendSys(r.addr, m) }

func (r remote) stopGraceful() {
	if r.b != nil {
		_ = r.b.signal(r.addr, Signal{Kind: SignalStop})
	}
}

// fail tells a remote Ask that its request will not be answered.
func (r remote) fail(err error) {
	if r.b != nil && isTemp(r.addr) {
		_ = r.b.signal(r.addr, Signal{Kind: SignalFail, Reason: err})
	}
}

// remoteOf is a remote process that takes M, for Ref[M].
type remoteOf[M any] struct{ remote }

func (r remoteOf[M]) tell(ctx context.Context, msg M, sender process, mode sendMode) error {
	return r.b.tell(ctx, r.addr, msg, sender, mode)
}

// done returns a channel closed when the remote actor at a terminates or
// its System goes down, watching it once for all callers.
func (b *Bridge) done(a Address) <-chan struct{} {
	b.mu.Lock()
	d := b.dones[a]
	if d == nil {
		d = &doneWatch{b: b, target: a, id: b.sys.ids.Add(1), ch: make(chan struct{})}
		b.dones[a] = d
		b.temps[d.id] = d
	}
	b.mu.Unlock()
	d.once.Do(func() { remote{b, a}.sendSys(sysMsg{kind: sysWatch, from: d}) })
	return d.ch
}

// doneWatch is the watcher behind the Done channel of a remote actor.
type doneWatch struct {
	b      *Bridge
	target Address
	id     uint64
	once   sync.Once
	closed sync.Once
	ch     chan struct{}
}

func (d *doneWatch) address() Address {
	return Address{System: d.b.sys.name, Path: tempPrefix + fmt.Sprint(d.id), ID: d.id}
}
func (d *doneWatch) ident() process                       { return d }
func (d *doneWatch) core() *base                          { return nil }
func (d *doneWatch) system() *System                      { return d.b.sys }
func (d *doneWatch) stopGraceful()                        {}
func (d *doneWatch) tellAny(any, process, sendMode) error { return ErrWrongType }

func (d *doneWatch) sendSys(m sysMsg) {
	if m.kind != sysTerminated {
		return
	}
	d.closed.Do(func() {
		d.b.mu.Lock()
		delete(d.b.dones, d.target)
		delete(d.b.temps, d.id)
		d.b.mu.Unlock()
		close(d.ch)
	})
}
