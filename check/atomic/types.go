package atomic

import (
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/labludus/ludus/check/internal/engine"
)

// op schedules an operation on a typed atomic (nil outside an exploration).
func op(st *engine.Lazy[engine.Atomic], key unsafe.Pointer, write bool, what string) (*engine.G, *engine.Atomic) {
	if !engine.Active() {
		return nil, nil
	}
	g := engine.Enter(engine.BaseOf(st.Peek()), what)
	if g == nil {
		return nil, nil
	}
	a := st.Get()
	if a.Key == 0 {
		a.Key = uintptr(key)
	}
	g.Engine().AtomicOp(g, a, write)
	return g, a
}

func text(g *engine.G, a *engine.Atomic, format string, args ...any) {
	e := g.Engine()
	if e.Recording() {
		e.AtomicDone(g, a, func(name string) string { return fmt.Sprintf(format, append([]any{name}, args...)...) })
	}
}

// Bool is an atomic boolean value, as sync/atomic.Bool. The zero value is false.
type Bool struct {
	_  noCopy
	st engine.Lazy[engine.Atomic]
	v  atomic.Bool
}

// Load atomically loads and returns the value stored in x.
func (x *Bool) Load() bool {
	g, a := op(&x.st, unsafe.Pointer(x), false, "Bool.Load")
	v := x.v.Load()
	if g != nil {
		text(g, a, "%s.Load() -> %v", v)
	}
	return v
}

// Store atomically stores val into x.
func (x *Bool) Store(val bool) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Bool.Store")
	x.v.Store(val)
	if g != nil {
		text(g, a, "%s.Store(%v)", val)
	}
}

// Swap atomically stores new into x and returns the previous value.
func (x *Bool) Swap(new bool) (old bool) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Bool.Swap")
	old = x.v.Swap(new)
	if g != nil {
		text(g, a, "%s.Swap(%v) -> %v", new, old)
	}
	return old
}

// CompareAndSwap executes the compare-and-swap operation for x.
func (x *Bool) CompareAndSwap(old, new bool) (swapped bool) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Bool.CompareAndSwap")
	swapped = x.v.CompareAndSwap(old, new)
	if g != nil {
		text(g, a, "%s.CompareAndSwap(%v, %v) -> %v", old, new, swapped)
	}
	return swapped
}

// Int32 is an atomic int32, as sync/atomic.Int32. The zero value is zero.
type Int32 struct {
	_  noCopy
	st engine.Lazy[engine.Atomic]
	v  atomic.Int32
}

// Load atomically loads and returns the value stored in x.
func (x *Int32) Load() int32 {
	g, a := op(&x.st, unsafe.Pointer(x), false, "Int32.Load")
	v := x.v.Load()
	if g != nil {
		text(g, a, "%s.Load() -> %v", v)
	}
	return v
}

// Store atomically stores val into x.
func (x *Int32) Store(val int32) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Int32.Store")
	x.v.Store(val)
	if g != nil {
		text(g, a, "%s.Store(%v)", val)
	}
}

// Swap atomically stores new into x and returns the previous value.
func (x *Int32) Swap(new int32) (old int32) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Int32.Swap")
	old = x.v.Swap(new)
	if g != nil {
		text(g, a, "%s.Swap(%v) -> %v", new, old)
	}
	return old
}

// CompareAndSwap executes the compare-and-swap operation for x.
func (x *Int32) CompareAndSwap(old, new int32) (swapped bool) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Int32.CompareAndSwap")
	swapped = x.v.CompareAndSwap(old, new)
	if g != nil {
		text(g, a, "%s.CompareAndSwap(%v, %v) -> %v", old, new, swapped)
	}
	return swapped
}

// Add atomically adds delta to x and returns the new value.
func (x *Int32) Add(delta int32) (new int32) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Int32.Add")
	new = x.v.Add(delta)
	if g != nil {
		text(g, a, "%s.Add(%v) -> %v", delta, new)
	}
	return new
}

// And atomically performs a bitwise AND with mask and returns the old value.
func (x *Int32) And(mask int32) (old int32) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Int32.And")
	old = x.v.And(mask)
	if g != nil {
		text(g, a, "%s.And(%v) -> %v", mask, old)
	}
	return old
}

// Or atomically performs a bitwise OR with mask and returns the old value.
func (x *Int32) Or(mask int32) (old int32) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Int32.Or")
	old = x.v.Or(mask)
	if g != nil {
		text(g, a, "%s.Or(%v) -> %v", mask, old)
	}
	return old
}

// Int64 is an atomic int64, as sync/atomic.Int64. The zero value is zero.
type Int64 struct {
	_  noCopy
	st engine.Lazy[engine.Atomic]
	v  atomic.Int64
}

// Load atomically loads and returns the value stored in x.
func (x *Int64) Load() int64 {
	g, a := op(&x.st, unsafe.Pointer(x), false, "Int64.Load")
	v := x.v.Load()
	if g != nil {
		text(g, a, "%s.Load() -> %v", v)
	}
	return v
}

// Store atomically stores val into x.
func (x *Int64) Store(val int64) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Int64.Store")
	x.v.Store(val)
	if g != nil {
		text(g, a, "%s.Store(%v)", val)
	}
}

// Swap atomically stores new into x and returns the previous value.
func (x *Int64) Swap(new int64) (old int64) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Int64.Swap")
	old = x.v.Swap(new)
	if g != nil {
		text(g, a, "%s.Swap(%v) -> %v", new, old)
	}
	return old
}

// CompareAndSwap executes the compare-and-swap operation for x.
func (x *Int64) CompareAndSwap(old, new int64) (swapped bool) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Int64.CompareAndSwap")
	swapped = x.v.CompareAndSwap(old, new)
	if g != nil {
		text(g, a, "%s.CompareAndSwap(%v, %v) -> %v", old, new, swapped)
	}
	return swapped
}

// Add atomically adds delta to x and returns the new value.
func (x *Int64) Add(delta int64) (new int64) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Int64.Add")
	new = x.v.Add(delta)
	if g != nil {
		text(g, a, "%s.Add(%v) -> %v", delta, new)
	}
	return new
}

// And atomically performs a bitwise AND with mask and returns the old value.
func (x *Int64) And(mask int64) (old int64) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Int64.And")
	old = x.v.And(mask)
	if g != nil {
		text(g, a, "%s.And(%v) -> %v", mask, old)
	}
	return old
}

// Or atomically performs a bitwise OR with mask and returns the old value.
func (x *Int64) Or(mask int64) (old int64) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Int64.Or")
	old = x.v.Or(mask)
	if g != nil {
		text(g, a, "%s.Or(%v) -> %v", mask, old)
	}
	return old
}

// Uint32 is an atomic uint32, as sync/atomic.Uint32. The zero value is zero.
type Uint32 struct {
	_  noCopy
	st engine.Lazy[engine.Atomic]
	v  atomic.Uint32
}

// Load atomically loads and returns the value stored in x.
func (x *Uint32) Load() uint32 {
	g, a := op(&x.st, unsafe.Pointer(x), false, "Uint32.Load")
	v := x.v.Load()
	if g != nil {
		text(g, a, "%s.Load() -> %v", v)
	}
	return v
}

// Store atomically stores val into x.
func (x *Uint32) Store(val uint32) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uint32.Store")
	x.v.Store(val)
	if g != nil {
		text(g, a, "%s.Store(%v)", val)
	}
}

// Swap atomically stores new into x and returns the previous value.
func (x *Uint32) Swap(new uint32) (old uint32) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uint32.Swap")
	old = x.v.Swap(new)
	if g != nil {
		text(g, a, "%s.Swap(%v) -> %v", new, old)
	}
	return old
}

// CompareAndSwap executes the compare-and-swap operation for x.
func (x *Uint32) CompareAndSwap(old, new uint32) (swapped bool) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uint32.CompareAndSwap")
	swapped = x.v.CompareAndSwap(old, new)
	if g != nil {
		text(g, a, "%s.CompareAndSwap(%v, %v) -> %v", old, new, swapped)
	}
	return swapped
}

// Add atomically adds delta to x and returns the new value.
func (x *Uint32) Add(delta uint32) (new uint32) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uint32.Add")
	new = x.v.Add(delta)
	if g != nil {
		text(g, a, "%s.Add(%v) -> %v", delta, new)
	}
	return new
}

// And atomically performs a bitwise AND with mask and returns the old value.
func (x *Uint32) And(mask uint32) (old uint32) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uint32.And")
	old = x.v.And(mask)
	if g != nil {
		text(g, a, "%s.And(%v) -> %v", mask, old)
	}
	return old
}

// Or atomically performs a bitwise OR with mask and returns the old value.
func (x *Uint32) Or(mask uint32) (old uint32) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uint32.Or")
	old = x.v.Or(mask)
	if g != nil {
		text(g, a, "%s.Or(%v) -> %v", mask, old)
	}
	return old
}

// Uint64 is an atomic uint64, as sync/atomic.Uint64. The zero value is zero.
type Uint64 struct {
	_  noCopy
	st engine.Lazy[engine.Atomic]
	v  atomic.Uint64
}

// Load atomically loads and returns the value stored in x.
func (x *Uint64) Load() uint64 {
	g, a := op(&x.st, unsafe.Pointer(x), false, "Uint64.Load")
	v := x.v.Load()
	if g != nil {
		text(g, a, "%s.Load() -> %v", v)
	}
	return v
}

// Store atomically stores val into x.
func (x *Uint64) Store(val uint64) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uint64.Store")
	x.v.Store(val)
	if g != nil {
		text(g, a, "%s.Store(%v)", val)
	}
}

// Swap atomically stores new into x and returns the previous value.
func (x *Uint64) Swap(new uint64) (old uint64) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uint64.Swap")
	old = x.v.Swap(new)
	if g != nil {
		text(g, a, "%s.Swap(%v) -> %v", new, old)
	}
	return old
}

// CompareAndSwap executes the compare-and-swap operation for x.
func (x *Uint64) CompareAndSwap(old, new uint64) (swapped bool) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uint64.CompareAndSwap")
	swapped = x.v.CompareAndSwap(old, new)
	if g != nil {
		text(g, a, "%s.CompareAndSwap(%v, %v) -> %v", old, new, swapped)
	}
	return swapped
}

// Add atomically adds delta to x and returns the new value.
func (x *Uint64) Add(delta uint64) (new uint64) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uint64.Add")
	new = x.v.Add(delta)
	if g != nil {
		text(g, a, "%s.Add(%v) -> %v", delta, new)
	}
	return new
}

// And atomically performs a bitwise AND with mask and returns the old value.
func (x *Uint64) And(mask uint64) (old uint64) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uint64.And")
	old = x.v.And(mask)
	if g != nil {
		text(g, a, "%s.And(%v) -> %v", mask, old)
	}
	return old
}

// Or atomically performs a bitwise OR with mask and returns the old value.
func (x *Uint64) Or(mask uint64) (old uint64) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uint64.Or")
	old = x.v.Or(mask)
	if g != nil {
		text(g, a, "%s.Or(%v) -> %v", mask, old)
	}
	return old
}

// Uintptr is an atomic uintptr, as sync/atomic.Uintptr. The zero value is zero.
type Uintptr struct {
	_  noCopy
	st engine.Lazy[engine.Atomic]
	v  atomic.Uintptr
}

// Load atomically loads and returns the value stored in x.
func (x *Uintptr) Load() uintptr {
	g, a := op(&x.st, unsafe.Pointer(x), false, "Uintptr.Load")
	v := x.v.Load()
	if g != nil {
		text(g, a, "%s.Load() -> %v", v)
	}
	return v
}

// Store atomically stores val into x.
func (x *Uintptr) Store(val uintptr) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uintptr.Store")
	x.v.Store(val)
	if g != nil {
		text(g, a, "%s.Store(%v)", val)
	}
}

// Swap atomically stores new into x and returns the previous value.
func (x *Uintptr) Swap(new uintptr) (old uintptr) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uintptr.Swap")
	old = x.v.Swap(new)
	if g != nil {
		text(g, a, "%s.Swap(%v) -> %v", new, old)
	}
	return old
}

// CompareAndSwap executes the compare-and-swap operation for x.
func (x *Uintptr) CompareAndSwap(old, new uintptr) (swapped bool) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uintptr.CompareAndSwap")
	swapped = x.v.CompareAndSwap(old, new)
	if g != nil {
		text(g, a, "%s.CompareAndSwap(%v, %v) -> %v", old, new, swapped)
	}
	return swapped
}

// Add atomically adds delta to x and returns the new value.
func (x *Uintptr) Add(delta uintptr) (new uintptr) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uintptr.Add")
	new = x.v.Add(delta)
	if g != nil {
		text(g, a, "%s.Add(%v) -> %v", delta, new)
	}
	return new
}

// And atomically performs a bitwise AND with mask and returns the old value.
func (x *Uintptr) And(mask uintptr) (old uintptr) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uintptr.And")
	old = x.v.And(mask)
	if g != nil {
		text(g, a, "%s.And(%v) -> %v", mask, old)
	}
	return old
}

// Or atomically performs a bitwise OR with mask and returns the old value.
func (x *Uintptr) Or(mask uintptr) (old uintptr) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Uintptr.Or")
	old = x.v.Or(mask)
	if g != nil {
		text(g, a, "%s.Or(%v) -> %v", mask, old)
	}
	return old
}

// Value provides an atomic load and store of a consistently typed value,
// as sync/atomic.Value. The zero value returns nil from Load.
type Value struct {
	_  noCopy
	st engine.Lazy[engine.Atomic]
	v  atomic.Value
}

// Load atomically loads and returns the value stored in x.
func (x *Value) Load() any {
	g, a := op(&x.st, unsafe.Pointer(x), false, "Value.Load")
	v := x.v.Load()
	if g != nil {
		text(g, a, "%s.Load() -> %v", v)
	}
	return v
}

// Store atomically stores val into x.
func (x *Value) Store(val any) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Value.Store")
	x.v.Store(val)
	if g != nil {
		text(g, a, "%s.Store(%v)", val)
	}
}

// Swap atomically stores new into x and returns the previous value.
func (x *Value) Swap(new any) (old any) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Value.Swap")
	old = x.v.Swap(new)
	if g != nil {
		text(g, a, "%s.Swap(%v) -> %v", new, old)
	}
	return old
}

// CompareAndSwap executes the compare-and-swap operation for x.
func (x *Value) CompareAndSwap(old, new any) (swapped bool) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Value.CompareAndSwap")
	swapped = x.v.CompareAndSwap(old, new)
	if g != nil {
		text(g, a, "%s.CompareAndSwap(%v, %v) -> %v", old, new, swapped)
	}
	return swapped
}

// Pointer is an atomic pointer of type *T, as sync/atomic.Pointer. The
// zero value is a nil *T.
type Pointer[T any] struct {
	_  noCopy
	st engine.Lazy[engine.Atomic]
	v  atomic.Pointer[T]
}

// Load atomically loads and returns the value stored in x.
func (x *Pointer[T]) Load() *T {
	g, a := op(&x.st, unsafe.Pointer(x), false, "Pointer.Load")
	v := x.v.Load()
	if g != nil {
		text(g, a, "%s.Load() -> %p", v)
	}
	return v
}

// Store atomically stores val into x.
func (x *Pointer[T]) Store(val *T) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Pointer.Store")
	x.v.Store(val)
	if g != nil {
		text(g, a, "%s.Store(%p)", val)
	}
}

// Swap atomically stores new into x and returns the previous value.
func (x *Pointer[T]) Swap(new *T) (old *T) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Pointer.Swap")
	old = x.v.Swap(new)
	if g != nil {
		text(g, a, "%s.Swap(%p) -> %p", new, old)
	}
	return old
}

// CompareAndSwap executes the compare-and-swap operation for x.
func (x *Pointer[T]) CompareAndSwap(old, new *T) (swapped bool) {
	g, a := op(&x.st, unsafe.Pointer(x), true, "Pointer.CompareAndSwap")
	swapped = x.v.CompareAndSwap(old, new)
	if g != nil {
		text(g, a, "%s.CompareAndSwap(%p, %p) -> %v", old, new, swapped)
	}
	return swapped
}

// noCopy lets go vet's copylocks check flag copies, as in sync/atomic.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
