package engine

import (
	"fmt"
	"sync/atomic"
	"unsafe"
)

// Kind is the kind of a visible operation: what a goroutine's pending
// operation is, which decides whether it is enabled and how it is
// described.
type Kind uint8

// Operation kinds.
const (
	KNone        Kind = iota
	KStart            // a new goroutine's first step: runs it up to its first operation
	KVarLoad          // check.Var Load
	KVarStore         // check.Var Store
	KLock             // Mutex.Lock
	KUnlock           // Mutex.Unlock, RWMutex.Unlock
	KTryLock          // Mutex.TryLock, RWMutex.TryLock
	KRLock            // RWMutex.RLock
	KRUnlock          // RWMutex.RUnlock
	KTryRLock         // RWMutex.TryRLock
	KWAnnounce        // RWMutex.Lock, first half: the writer announces itself
	KWAcquire         // RWMutex.Lock, second half: the writer waits for readers to leave
	KSend             // channel send
	KRecv             // channel receive
	KClose            // channel close
	KSelect           // select statement
	KWGAdd            // WaitGroup.Add/Done
	KWGWait           // WaitGroup.Wait
	KOnce             // Once.Do, entry
	KOnceEnd          // Once.Do, f returned
	KCondAdd          // Cond.Wait, first half: take a ticket
	KCondWait         // Cond.Wait, second half: wait for the ticket
	KSignal           // Cond.Signal
	KBroadcast        // Cond.Broadcast
	KAtomicLoad       // an atomic read
	KAtomicWrite      // an atomic write or read-modify-write
	KSleep            // Sleep(d > 0): enabled once the clock reaches Until
	KJoin             // T.Wait: enabled once every other goroutine finished
	KYield            // Sleep(0), Gosched: runs again after another goroutine's step
	KSpin             // a spin-wait's round (check.Spin): runs again when nothing else can
	KChanWait         // queued on a channel, waiting for a partner (Wait says why)
	KTimer            // Timer.Stop/Reset: an access to the timer's channel
	KFire             // a timer fires (the timer's own pseudo-goroutine)
	KTick             // the clock jumps to the next deadline while a call is external
	KExternal         // a call into code the checker does not control
	KOp               // one atomic step on an object described by Text (context, sync.Map, ...)
)

// waitKind says what a goroutine queued on a channel waits for.
type waitKind uint8

const (
	waitSend   waitKind = iota + 1 // a send waits for a receiver or room
	waitRecv                       // a receive waits for a sender or a value
	waitSelect                     // a select waits for any of its cases
)

// FailKind classifies a failure; package check mirrors it as FailureKind.
type FailKind uint8

// Failure kinds.
const (
	KindNone           FailKind = iota
	KindAssertion               // T.Errorf/Fatalf or a test's t.Error
	KindPanic                   // a managed goroutine panicked
	KindDeadlock                // every goroutine is blocked and the body has not returned
	KindLeak                    // the body returned, goroutines are still blocked or running
	KindDataRace                // two unordered accesses, one a write
	KindStepLimit               // kept for compatibility: a step limit is now a Limit, not a failure
	KindNondeterminism          // a replayed schedule behaved differently
	KindUncontrolled            // a goroutine or a blocking call the checker does not control
)

func (k FailKind) String() string {
	switch k {
	case KindNone:
		return "none"
	case KindAssertion:
		return "assertion failed"
	case KindPanic:
		return "panic"
	case KindDeadlock:
		return "deadlock"
	case KindLeak:
		return "goroutine leak"
	case KindDataRace:
		return "data race"
	case KindStepLimit:
		return "step limit"
	case KindNondeterminism:
		return "nondeterminism"
	case KindUncontrolled:
		return "uncontrolled goroutine"
	}
	return fmt.Sprintf("FailKind(%d)", uint8(k))
}

// Object is the part of every checked object the engine keeps: its
// identity in the current execution, its last accesses (for DPOR) and its
// synchronization clock (for data races). Zero values are ready to use: an
// object is reset the first time an execution touches it.
type Object struct {
	explo atomic.Uint64 // exploration that last touched it (read by goroutines outside it)
	epoch uint64        // execution that last touched it; older state is stale
	ID    int32         // number in the current execution, in order of first touch
	Name  string        // label in traces: given, or found in the source
	Key   uintptr       // address of the user's object, for check.Name
	kind  string        // "mutex", "chan", ... for default names

	// DPOR: the events that accessed the object, by event index.
	lastW   int32   // the last write, -1 if none
	reads   []int32 // reads since lastW, at most one per goroutine
	adds    []int32 // commuting updates since lastW (accCommute)
	lastRel int32   // the last release, -1 if none
	tries   []int32 // non-blocking attempts since the last release
	relVC   VC      // DPOR clocks of the releases, joined: acquires come after them
	rrelVC  VC      // DPOR clocks of the readers' releases (RUnlock), for writers

	// vc is the synchronization clock the object carries from releases to
	// acquires (unlock to lock, send to receive, ...), for data races.
	vc VC

	// state describes the object's current state for a step-by-step view
	// (Walk); nil for objects that need no words.
	state func() string
}

// Label returns the object's name for messages.
func (o *Object) Label() string {
	if o == nil {
		return "nil"
	}
	if o.Name != "" {
		return o.Name
	}
	return fmt.Sprintf("%s#%d", o.kind, o.ID)
}

// touch binds o to the current execution, resetting it when it comes from an
// earlier one; it reports whether it did so.
func (e *Engine) touch(o *Object, kind string) bool {
	if o.epoch == e.epoch {
		return false
	}
	o.epoch = e.epoch
	o.explo.Store(e.explo)
	o.ID = e.nobj
	e.nobj++
	o.kind = kind
	o.lastW, o.lastRel = -1, -1
	o.reads = o.reads[:0]
	o.adds = o.adds[:0]
	o.tries = o.tries[:0]
	o.relVC = o.relVC[:0]
	o.rrelVC = o.rrelVC[:0]
	o.vc = o.vc[:0]
	o.state = nil
	if e.names != nil {
		key := o.Key
		if key == 0 {
			key = uintptr(unsafe.Pointer(o))
		}
		if n, ok := e.names[key]; ok {
			o.Name = n
		}
	}
	e.objects = append(e.objects, o)
	return true
}

// Bind makes o part of the running execution (used when a checked object is
// created inside the body).
func (e *Engine) Bind(o *Object, kind, name string) {
	e.touch(o, kind)
	if name != "" {
		o.Name = name
	}
}

// SetState gives o a description of its state for step-by-step views.
func (o *Object) SetState(f func() string) { o.state = f }

// model is what every primitive's engine state implements: its object and
// whether a goroutine's pending operation on it can run now.
type model interface {
	base() *Object
	enabled(e *Engine, g *G, p *Pending) bool
}

// Pending describes the next visible operation of a goroutine.
type Pending struct {
	Kind    Kind     // what the operation is
	obj     model    // the object it operates on (nil: none, or a nil channel)
	Write   bool     // the operation writes its object (DPOR dependency)
	Commute bool     // the write commutes with the object's other commuting writes
	Cases   []Case   // select cases
	Default bool     // the select has a default case
	Until   int64    // KSleep: virtual time to wake; KYield: the step it yielded at
	Val     any      // the value a send offers
	wait    waitKind // KChanWait: what the goroutine waits for
	Ticket  int64    // KCondWait: the notify-list ticket
	Text    string   // KOp, KExternal: what the operation is, for traces

	// Filled in when a partner performed the operation (rendezvous).
	Done  bool   // the partner completed the operation: the goroutine only wakes
	RVal  any    // the value received
	ROK   bool   // the receive's ok (false: the channel was closed)
	RCase int    // the select case that completed
	Panic string // a closed channel woke a waiting sender
}

func (p *Pending) enabled(e *Engine, g *G) bool {
	switch p.Kind {
	case KStart, KYield, KSpin, KSelect, KExternal, KOp:
		return true
	case KSleep:
		return e.now >= p.Until
	case KJoin:
		for _, h := range e.live {
			if h != g && !h.pseudo {
				return false
			}
		}
		return true
	case KFire:
		return e.now >= p.Until
	case KTick:
		return e.tickEnabled()
	}
	if p.obj == nil {
		return false // nil channel
	}
	return p.obj.enabled(e, g, p)
}

// begin sets up g's pending operation on m; in recording mode it also
// captures the caller's source location.
func (e *Engine) begin(g *G, m model, kind Kind, write bool) *Pending {
	p := &g.pend
	*p = Pending{Kind: kind, obj: m, Write: write}
	if e.rec != nil {
		e.flushWrite(g)
		e.rec.locate(g, m)
	}
	return p
}

// access tells DPOR that the current event read or wrote o.
func (e *Engine) access(o *Object, write bool) {
	mode := accRead
	if write {
		mode = accWrite
	}
	e.accessMode(o, mode)
}

func (e *Engine) accessMode(o *Object, mode accessMode) {
	if e.por != nil {
		e.por.access(e, o, mode)
	}
}

// Lazy holds a model allocated on first use in an exploration, so that a
// primitive costs one pointer outside explorations.
// It keeps an unsafe.Pointer, not an atomic.Pointer[M] (see ptr.go).
type Lazy[M any] struct{ p unsafe.Pointer }

// Peek returns the model if it exists.
func (l *Lazy[M]) Peek() *M { return (*M)(atomic.LoadPointer(&l.p)) }

// Get returns the model, creating it.
func (l *Lazy[M]) Get() *M {
	if m := l.Peek(); m != nil {
		return m
	}
	atomic.CompareAndSwapPointer(&l.p, nil, unsafe.Pointer(new(M)))
	return l.Peek()
}

// based is implemented by every model; Base gives primitives the object of
// a model that may not exist yet (a nil *Mutex before the first Lock).
type based interface{ base() *Object }

// BaseOf returns m's object, or nil for a nil model.
func BaseOf[M any, PM interface {
	*M
	based
}](m PM) *Object {
	if m == nil {
		return nil
	}
	return m.base()
}
