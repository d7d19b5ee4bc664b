package engine

import "unsafe"

// Atomic is the engine's view of an atomic variable (or of any object
// whose operations are single atomic steps, such as a context); the value
// itself lives in a real sync/atomic variable the primitive operates on.
type Atomic struct{ Object }

func (a *Atomic) base() *Object                            { return &a.Object }
func (a *Atomic) enabled(e *Engine, g *G, p *Pending) bool { return true }

// AtomicAt returns the engine object for the atomic variable at addr (for
// the sync/atomic functions, which have no object of their own).
func (e *Engine) AtomicAt(addr unsafe.Pointer) *Atomic {
	if e.addr == nil {
		e.addr = map[uintptr]*Atomic{}
	}
	a := e.addr[uintptr(addr)]
	if a == nil {
		a = &Atomic{}
		if n, ok := e.names[uintptr(addr)]; ok {
			a.Name = n
		}
		e.addr[uintptr(addr)] = a
	}
	return a
}

// AtomicOp schedules an atomic operation by g; the caller performs it on
// the real variable right after, then calls AtomicDone. Atomics are
// sequentially consistent: every operation synchronizes with the previous
// ones on the same variable.
func (e *Engine) AtomicOp(g *G, a *Atomic, write bool) {
	e.touch(&a.Object, "atomic")
	k := KAtomicLoad
	if write {
		k = KAtomicWrite
	}
	e.begin(g, a, k, write)
	e.Step(g)
	e.access(&a.Object, write)
	g.vc.join(a.vc)
	if write {
		a.vc.join(g.vc)
		g.vc.tick(g.ID)
	}
}

// AtomicAdd schedules an atomic update of a by g whose result the caller
// does not use (x.Add(d) as a statement): it commutes with other such
// updates, so DPOR does not order them against each other.
func (e *Engine) AtomicAdd(g *G, a *Atomic) {
	e.touch(&a.Object, "atomic")
	p := e.begin(g, a, KAtomicWrite, true)
	p.Commute = true
	e.Step(g)
	e.accessMode(&a.Object, accCommute)
	g.vc.join(a.vc)
	a.vc.join(g.vc)
	g.vc.tick(g.ID)
}

// AtomicDone records the operation's text in recording mode.
func (e *Engine) AtomicDone(g *G, a *Atomic, text func(name string) string) {
	if e.rec != nil {
		e.rec.step(g, text(e.label(g, &a.Object)))
	}
}

// Join blocks g until every other managed goroutine has finished.
func (e *Engine) Join(g *G) {
	e.begin(g, nil, KJoin, false)
	e.Step(g)
	for _, h := range e.gs {
		if h != g && !h.pseudo {
			g.vc.join(h.vc)
			if e.por != nil && e.por.evOpen {
				e.por.evc.join(h.dc)
			}
		}
	}
	e.recordf(g, "Wait() for all goroutines")
}
