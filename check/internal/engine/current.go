package engine

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Process-wide state. Explorations are serialized (exploreMu), so at most
// one engine runs at a time; primitives find it through running.
var (
	active    atomic.Bool   // an exploration runs somewhere in the process: the primitives' fast path
	running   enginePtr     // the engine of that exploration
	exploreMu sync.Mutex    // held for the whole of an exploration
	epochs    atomic.Uint64 // exploration and execution epochs, never reused
)

// Active reports whether an exploration is running in this process. It is the
// fast path of every primitive: one atomic load.
func Active() bool { return active.Load() }

// Running returns the engine of the running exploration, if any.
func Running() *Engine { return running.Load() }

// Current returns the managed goroutine calling it, or nil when the caller
// is not managed by the running exploration (or none runs).
//
// Exactly one managed goroutine holds the turn at a time and the engine
// publishes it in curA, so the common case is one comparison of the
// caller's runtime g with the holder's. A managed goroutine that does not
// hold the turn only calls in while the execution is being torn down; it
// is found through the registry and ended.
func Current() *G {
	e := running.Load()
	if e == nil {
		return nil
	}
	gp := getg()
	if c := e.curA.Load(); c != nil && c.gp.Load() == gp {
		if e.aborting.Load() {
			// Teardown: the goroutine runs its deferred calls; any
			// further operation just ends it.
			runtime.Goexit()
		}
		return c
	}
	if w, ok := e.byGp.Load(gp); ok {
		if g := w.cur.Load(); g != nil && g.e == e && e.aborting.Load() {
			runtime.Goexit()
		}
	}
	return nil
}

// Enter classifies the caller of an operation on o while an exploration
// runs: it returns the managed goroutine, or nil when the caller is not
// managed. A goroutine outside the exploration touching an object the
// exploration uses is reported and stopped (runtime.Goexit): letting it
// through would race with the managed goroutines behind the checker's back.
func Enter(o *Object, what string) *G { return EnterOp(o, what, "") }

// EnterOp is Enter for operation op on the object named name: the two are
// joined only when the caller is reported, not on every operation.
func EnterOp(o *Object, name, op string) *G {
	g := Current()
	if g == nil && o != nil {
		if e := Running(); e != nil && o.Bound(e) {
			e.Uncontrolled(name + op)
			runtime.Goexit()
		}
	}
	return g
}

// Bound reports whether obj has been used by the running exploration, so a
// goroutine outside the exploration touching it is a bug, not unrelated use.
func (o *Object) Bound(e *Engine) bool { return e != nil && o.explo.Load() == e.explo }

// setCur hands the turn to g (nil: nobody holds it).
func (e *Engine) setCur(g *G) {
	e.cur = g
	e.curA.Store(g)
}
