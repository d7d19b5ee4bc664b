package atomic

import (
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/labludus/ludus/check/internal/engine"
)

// at schedules an operation on the variable at addr, or returns nil when
// the caller is outside an exploration.
func at(addr unsafe.Pointer, write bool, what string) (*engine.G, *engine.Atomic) {
	if !engine.Active() {
		return nil, nil
	}
	g := engine.Current()
	if g == nil {
		return nil, nil
	}
	e := g.Engine()
	a := e.AtomicAt(addr)
	e.AtomicOp(g, a, write)
	return g, a
}

// done records the operation's text (recording only) and checks it for
// data races against plain accesses of the same memory at addr.
func done(g *engine.G, a *engine.Atomic, addr unsafe.Pointer, write bool, format string, args ...any) {
	e := g.Engine()
	if e.Recording() {
		e.AtomicDone(g, a, func(name string) string { return fmt.Sprintf(format, append([]any{name}, args...)...) })
	}
	e.MemAtomic(g, addr, write, a.Label())
}

// AddInt32 atomically adds delta to *addr and returns the new value.
func AddInt32(addr *int32, delta int32) (new int32) {
	g, a := at(unsafe.Pointer(addr), true, "AddInt32")
	new = atomic.AddInt32(addr, delta)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AddInt32(&%s, %v) -> %v", delta, new)
	}
	return new
}

// AndInt32 atomically performs a bitwise AND and returns the old value.
func AndInt32(addr *int32, mask int32) (old int32) {
	g, a := at(unsafe.Pointer(addr), true, "AndInt32")
	old = atomic.AndInt32(addr, mask)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AndInt32(&%s, %v) -> %v", mask, old)
	}
	return old
}

// OrInt32 atomically performs a bitwise OR and returns the old value.
func OrInt32(addr *int32, mask int32) (old int32) {
	g, a := at(unsafe.Pointer(addr), true, "OrInt32")
	old = atomic.OrInt32(addr, mask)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.OrInt32(&%s, %v) -> %v", mask, old)
	}
	return old
}

// AddInt64 atomically adds delta to *addr and returns the new value.
func AddInt64(addr *int64, delta int64) (new int64) {
	g, a := at(unsafe.Pointer(addr), true, "AddInt64")
	new = atomic.AddInt64(addr, delta)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AddInt64(&%s, %v) -> %v", delta, new)
	}
	return new
}

// AndInt64 atomically performs a bitwise AND and returns the old value.
func AndInt64(addr *int64, mask int64) (old int64) {
	g, a := at(unsafe.Pointer(addr), true, "AndInt64")
	old = atomic.AndInt64(addr, mask)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AndInt64(&%s, %v) -> %v", mask, old)
	}
	return old
}

// OrInt64 atomically performs a bitwise OR and returns the old value.
func OrInt64(addr *int64, mask int64) (old int64) {
	g, a := at(unsafe.Pointer(addr), true, "OrInt64")
	old = atomic.OrInt64(addr, mask)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.OrInt64(&%s, %v) -> %v", mask, old)
	}
	return old
}

// AddUint32 atomically adds delta to *addr and returns the new value.
func AddUint32(addr *uint32, delta uint32) (new uint32) {
	g, a := at(unsafe.Pointer(addr), true, "AddUint32")
	new = atomic.AddUint32(addr, delta)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AddUint32(&%s, %v) -> %v", delta, new)
	}
	return new
}

// AndUint32 atomically performs a bitwise AND and returns the old value.
func AndUint32(addr *uint32, mask uint32) (old uint32) {
	g, a := at(unsafe.Pointer(addr), true, "AndUint32")
	old = atomic.AndUint32(addr, mask)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AndUint32(&%s, %v) -> %v", mask, old)
	}
	return old
}

// OrUint32 atomically performs a bitwise OR and returns the old value.
func OrUint32(addr *uint32, mask uint32) (old uint32) {
	g, a := at(unsafe.Pointer(addr), true, "OrUint32")
	old = atomic.OrUint32(addr, mask)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.OrUint32(&%s, %v) -> %v", mask, old)
	}
	return old
}

// AddUint64 atomically adds delta to *addr and returns the new value.
func AddUint64(addr *uint64, delta uint64) (new uint64) {
	g, a := at(unsafe.Pointer(addr), true, "AddUint64")
	new = atomic.AddUint64(addr, delta)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AddUint64(&%s, %v) -> %v", delta, new)
	}
	return new
}

// AndUint64 atomically performs a bitwise AND and returns the old value.
func AndUint64(addr *uint64, mask uint64) (old uint64) {
	g, a := at(unsafe.Pointer(addr), true, "AndUint64")
	old = atomic.AndUint64(addr, mask)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AndUint64(&%s, %v) -> %v", mask, old)
	}
	return old
}

// OrUint64 atomically performs a bitwise OR and returns the old value.
func OrUint64(addr *uint64, mask uint64) (old uint64) {
	g, a := at(unsafe.Pointer(addr), true, "OrUint64")
	old = atomic.OrUint64(addr, mask)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.OrUint64(&%s, %v) -> %v", mask, old)
	}
	return old
}

// AddUintptr atomically adds delta to *addr and returns the new value.
func AddUintptr(addr *uintptr, delta uintptr) (new uintptr) {
	g, a := at(unsafe.Pointer(addr), true, "AddUintptr")
	new = atomic.AddUintptr(addr, delta)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AddUintptr(&%s, %v) -> %v", delta, new)
	}
	return new
}

// AndUintptr atomically performs a bitwise AND and returns the old value.
func AndUintptr(addr *uintptr, mask uintptr) (old uintptr) {
	g, a := at(unsafe.Pointer(addr), true, "AndUintptr")
	old = atomic.AndUintptr(addr, mask)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.AndUintptr(&%s, %v) -> %v", mask, old)
	}
	return old
}

// OrUintptr atomically performs a bitwise OR and returns the old value.
func OrUintptr(addr *uintptr, mask uintptr) (old uintptr) {
	g, a := at(unsafe.Pointer(addr), true, "OrUintptr")
	old = atomic.OrUintptr(addr, mask)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.OrUintptr(&%s, %v) -> %v", mask, old)
	}
	return old
}

// LoadInt32 atomically loads *addr.
func LoadInt32(addr *int32) (val int32) {
	g, a := at(unsafe.Pointer(addr), false, "LoadInt32")
	val = atomic.LoadInt32(addr)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), false, "atomic.LoadInt32(&%s) -> %v", val)
	}
	return val
}

// StoreInt32 atomically stores val into *addr.
func StoreInt32(addr *int32, val int32) {
	g, a := at(unsafe.Pointer(addr), true, "StoreInt32")
	atomic.StoreInt32(addr, val)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.StoreInt32(&%s, %v)", val)
	}
}

// SwapInt32 atomically stores new into *addr and returns the previous value.
func SwapInt32(addr *int32, new int32) (old int32) {
	g, a := at(unsafe.Pointer(addr), true, "SwapInt32")
	old = atomic.SwapInt32(addr, new)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.SwapInt32(&%s, %v) -> %v", new, old)
	}
	return old
}

// CompareAndSwapInt32 executes the compare-and-swap operation for a int32.
func CompareAndSwapInt32(addr *int32, old, new int32) (swapped bool) {
	g, a := at(unsafe.Pointer(addr), true, "CompareAndSwapInt32")
	swapped = atomic.CompareAndSwapInt32(addr, old, new)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.CompareAndSwapInt32(&%s, %v, %v) -> %v", old, new, swapped)
	}
	return swapped
}

// LoadInt64 atomically loads *addr.
func LoadInt64(addr *int64) (val int64) {
	g, a := at(unsafe.Pointer(addr), false, "LoadInt64")
	val = atomic.LoadInt64(addr)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), false, "atomic.LoadInt64(&%s) -> %v", val)
	}
	return val
}

// StoreInt64 atomically stores val into *addr.
func StoreInt64(addr *int64, val int64) {
	g, a := at(unsafe.Pointer(addr), true, "StoreInt64")
	atomic.StoreInt64(addr, val)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.StoreInt64(&%s, %v)", val)
	}
}

// SwapInt64 atomically stores new into *addr and returns the previous value.
func SwapInt64(addr *int64, new int64) (old int64) {
	g, a := at(unsafe.Pointer(addr), true, "SwapInt64")
	old = atomic.SwapInt64(addr, new)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.SwapInt64(&%s, %v) -> %v", new, old)
	}
	return old
}

// CompareAndSwapInt64 executes the compare-and-swap operation for a int64.
func CompareAndSwapInt64(addr *int64, old, new int64) (swapped bool) {
	g, a := at(unsafe.Pointer(addr), true, "CompareAndSwapInt64")
	swapped = atomic.CompareAndSwapInt64(addr, old, new)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.CompareAndSwapInt64(&%s, %v, %v) -> %v", old, new, swapped)
	}
	return swapped
}

// LoadUint32 atomically loads *addr.
func LoadUint32(addr *uint32) (val uint32) {
	g, a := at(unsafe.Pointer(addr), false, "LoadUint32")
	val = atomic.LoadUint32(addr)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), false, "atomic.LoadUint32(&%s) -> %v", val)
	}
	return val
}

// StoreUint32 atomically stores val into *addr.
func StoreUint32(addr *uint32, val uint32) {
	g, a := at(unsafe.Pointer(addr), true, "StoreUint32")
	atomic.StoreUint32(addr, val)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.StoreUint32(&%s, %v)", val)
	}
}

// SwapUint32 atomically stores new into *addr and returns the previous value.
func SwapUint32(addr *uint32, new uint32) (old uint32) {
	g, a := at(unsafe.Pointer(addr), true, "SwapUint32")
	old = atomic.SwapUint32(addr, new)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.SwapUint32(&%s, %v) -> %v", new, old)
	}
	return old
}

// CompareAndSwapUint32 executes the compare-and-swap operation for a uint32.
func CompareAndSwapUint32(addr *uint32, old, new uint32) (swapped bool) {
	g, a := at(unsafe.Pointer(addr), true, "CompareAndSwapUint32")
	swapped = atomic.CompareAndSwapUint32(addr, old, new)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.CompareAndSwapUint32(&%s, %v, %v) -> %v", old, new, swapped)
	}
	return swapped
}

// LoadUint64 atomically loads *addr.
func LoadUint64(addr *uint64) (val uint64) {
	g, a := at(unsafe.Pointer(addr), false, "LoadUint64")
	val = atomic.LoadUint64(addr)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), false, "atomic.LoadUint64(&%s) -> %v", val)
	}
	return val
}

// StoreUint64 atomically stores val into *addr.
func StoreUint64(addr *uint64, val uint64) {
	g, a := at(unsafe.Pointer(addr), true, "StoreUint64")
	atomic.StoreUint64(addr, val)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.StoreUint64(&%s, %v)", val)
	}
}

// SwapUint64 atomically stores new into *addr and returns the previous value.
func SwapUint64(addr *uint64, new uint64) (old uint64) {
	g, a := at(unsafe.Pointer(addr), true, "SwapUint64")
	old = atomic.SwapUint64(addr, new)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.SwapUint64(&%s, %v) -> %v", new, old)
	}
	return old
}

// CompareAndSwapUint64 executes the compare-and-swap operation for a uint64.
func CompareAndSwapUint64(addr *uint64, old, new uint64) (swapped bool) {
	g, a := at(unsafe.Pointer(addr), true, "CompareAndSwapUint64")
	swapped = atomic.CompareAndSwapUint64(addr, old, new)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.CompareAndSwapUint64(&%s, %v, %v) -> %v", old, new, swapped)
	}
	return swapped
}

// LoadUintptr atomically loads *addr.
func LoadUintptr(addr *uintptr) (val uintptr) {
	g, a := at(unsafe.Pointer(addr), false, "LoadUintptr")
	val = atomic.LoadUintptr(addr)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), false, "atomic.LoadUintptr(&%s) -> %v", val)
	}
	return val
}

// StoreUintptr atomically stores val into *addr.
func StoreUintptr(addr *uintptr, val uintptr) {
	g, a := at(unsafe.Pointer(addr), true, "StoreUintptr")
	atomic.StoreUintptr(addr, val)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.StoreUintptr(&%s, %v)", val)
	}
}

// SwapUintptr atomically stores new into *addr and returns the previous value.
func SwapUintptr(addr *uintptr, new uintptr) (old uintptr) {
	g, a := at(unsafe.Pointer(addr), true, "SwapUintptr")
	old = atomic.SwapUintptr(addr, new)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.SwapUintptr(&%s, %v) -> %v", new, old)
	}
	return old
}

// CompareAndSwapUintptr executes the compare-and-swap operation for a uintptr.
func CompareAndSwapUintptr(addr *uintptr, old, new uintptr) (swapped bool) {
	g, a := at(unsafe.Pointer(addr), true, "CompareAndSwapUintptr")
	swapped = atomic.CompareAndSwapUintptr(addr, old, new)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.CompareAndSwapUintptr(&%s, %v, %v) -> %v", old, new, swapped)
	}
	return swapped
}

// LoadPointer atomically loads *addr.
func LoadPointer(addr *unsafe.Pointer) (val unsafe.Pointer) {
	g, a := at(unsafe.Pointer(addr), false, "LoadPointer")
	val = atomic.LoadPointer(addr)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), false, "atomic.LoadPointer(&%s) -> %v", val)
	}
	return val
}

// StorePointer atomically stores val into *addr.
func StorePointer(addr *unsafe.Pointer, val unsafe.Pointer) {
	g, a := at(unsafe.Pointer(addr), true, "StorePointer")
	atomic.StorePointer(addr, val)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.StorePointer(&%s, %v)", val)
	}
}

// SwapPointer atomically stores new into *addr and returns the previous value.
func SwapPointer(addr *unsafe.Pointer, new unsafe.Pointer) (old unsafe.Pointer) {
	g, a := at(unsafe.Pointer(addr), true, "SwapPointer")
	old = atomic.SwapPointer(addr, new)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.SwapPointer(&%s, %v) -> %v", new, old)
	}
	return old
}

// CompareAndSwapPointer executes the compare-and-swap operation for a unsafe.Pointer.
func CompareAndSwapPointer(addr *unsafe.Pointer, old, new unsafe.Pointer) (swapped bool) {
	g, a := at(unsafe.Pointer(addr), true, "CompareAndSwapPointer")
	swapped = atomic.CompareAndSwapPointer(addr, old, new)
	if g != nil {
		done(g, a, unsafe.Pointer(addr), true, "atomic.CompareAndSwapPointer(&%s, %v, %v) -> %v", old, new, swapped)
	}
	return swapped
}
