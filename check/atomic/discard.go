package atomic

import (
	"sync/atomic"
	"unsafe"

	"github.com/labludus/ludus/check/internal/engine"
)

// The Discard forms of Add add and drop the result: what x.Add(d) or
// atomic.AddInt64(&x, d) written as a statement does. The checker takes
// two of them on one variable as commuting (the sum does not depend on
// their order), so n goroutines counting on one variable cost the
// exploration one schedule instead of n! of them; a Load, Store, CAS or an
// Add whose result is used is still ordered against them. ludus check
// rewrites such statements to these forms.

// addStep makes a discarded Add a step on the variable at addr (typed:
// the object of a typed atomic; nil st: the address's object).
func addStep(st *engine.Lazy[engine.Atomic], addr unsafe.Pointer, what string) (*engine.G, *engine.Atomic) {
	if !engine.Active() {
		return nil, nil
	}
	var g *engine.G
	var a *engine.Atomic
	if st != nil {
		g = engine.Enter(engine.BaseOf(st.Peek()), what)
		if g == nil {
			return nil, nil
		}
		a = st.Get()
		if a.Key == 0 {
			a.Key = uintptr(addr)
		}
	} else {
		g = engine.Current()
		if g == nil {
			return nil, nil
		}
		a = g.Engine().AtomicAt(addr)
	}
	g.Engine().AtomicAdd(g, a)
	return g, a
}

// AddDiscard adds delta to x and drops the new value (see the Discard forms).
func (x *Int32) AddDiscard(delta int32) {
	g, a := addStep(&x.st, unsafe.Pointer(x), "Int32.Add")
	n := x.v.Add(delta)
	if g != nil {
		text(g, a, "%s.Add(%v) -> %v", delta, n)
	}
}

// AddInt32Discard adds delta to *addr and drops the new value (see the
// Discard forms).
func AddInt32Discard(addr *int32, delta int32) {
	g, a := addStep(nil, unsafe.Pointer(addr), "AddInt32")
	n := atomic.AddInt32(addr, delta)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AddInt32(&%s, %v) -> %v", delta, n)
	}
}

// AddDiscard adds delta to x and drops the new value (see the Discard forms).
func (x *Int64) AddDiscard(delta int64) {
	g, a := addStep(&x.st, unsafe.Pointer(x), "Int64.Add")
	n := x.v.Add(delta)
	if g != nil {
		text(g, a, "%s.Add(%v) -> %v", delta, n)
	}
}

// AddInt64Discard adds delta to *addr and drops the new value (see the
// Discard forms).
func AddInt64Discard(addr *int64, delta int64) {
	g, a := addStep(nil, unsafe.Pointer(addr), "AddInt64")
	n := atomic.AddInt64(addr, delta)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AddInt64(&%s, %v) -> %v", delta, n)
	}
}

// AddDiscard adds delta to x and drops the new value (see the Discard forms).
func (x *Uint32) AddDiscard(delta uint32) {
	g, a := addStep(&x.st, unsafe.Pointer(x), "Uint32.Add")
	n := x.v.Add(delta)
	if g != nil {
		text(g, a, "%s.Add(%v) -> %v", delta, n)
	}
}

// AddUint32Discard adds delta to *addr and drops the new value (see the
// Discard forms).
func AddUint32Discard(addr *uint32, delta uint32) {
	g, a := addStep(nil, unsafe.Pointer(addr), "AddUint32")
	n := atomic.AddUint32(addr, delta)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AddUint32(&%s, %v) -> %v", delta, n)
	}
}

// AddDiscard adds delta to x and drops the new value (see the Discard forms).
func (x *Uint64) AddDiscard(delta uint64) {
	g, a := addStep(&x.st, unsafe.Pointer(x), "Uint64.Add")
	n := x.v.Add(delta)
	if g != nil {
		text(g, a, "%s.Add(%v) -> %v", delta, n)
	}
}

// AddUint64Discard adds delta to *addr and drops the new value (see the
// Discard forms).
func AddUint64Discard(addr *uint64, delta uint64) {
	g, a := addStep(nil, unsafe.Pointer(addr), "AddUint64")
	n := atomic.AddUint64(addr, delta)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AddUint64(&%s, %v) -> %v", delta, n)
	}
}

// AddDiscard adds delta to x and drops the new value (see the Discard forms).
func (x *Uintptr) AddDiscard(delta uintptr) {
	g, a := addStep(&x.st, unsafe.Pointer(x), "Uintptr.Add")
	n := x.v.Add(delta)
	if g != nil {
		text(g, a, "%s.Add(%v) -> %v", delta, n)
	}
}

// AddUintptrDiscard adds delta to *addr and drops the new value (see the
// Discard forms).
func AddUintptrDiscard(addr *uintptr, delta uintptr) {
	g, a := addStep(nil, unsafe.Pointer(addr), "AddUintptr")
	n := atomic.AddUintptr(addr, delta)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AddUintptr(&%s, %v) -> %v", delta, n)
	}
}
