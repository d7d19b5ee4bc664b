package atomic_test

import (
	stdatomic "sync/atomic"
	"testing"
	"unsafe"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/atomic"
)

// Every function and method agrees with sync/atomic, outside an
// exploration and inside one (where each is also a scheduling point).
func TestSameAsSyncAtomic(t *testing.T) {
	t.Run("outside", func(t *testing.T) { sameAsSyncAtomic(t.Errorf) })
	r := check.Run(func(ct *check.T) { sameAsSyncAtomic(ct.Errorf) }, check.Exhaustive())
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
}

func sameAsSyncAtomic(errorf func(string, ...any)) {
	eq := func(what string, got, want any) {
		if got != want {
			errorf("%s: got %v, want %v", what, got, want)
		}
	}
	{
		var a, b int32 = 6, 6
		eq("AddInt32", atomic.AddInt32(&a, 3), stdatomic.AddInt32(&b, 3))
		eq("AndInt32", atomic.AndInt32(&a, 5), stdatomic.AndInt32(&b, 5))
		eq("OrInt32", atomic.OrInt32(&a, 8), stdatomic.OrInt32(&b, 8))
		eq("SwapInt32", atomic.SwapInt32(&a, 2), stdatomic.SwapInt32(&b, 2))
		eq("CompareAndSwapInt32", atomic.CompareAndSwapInt32(&a, 2, 7), stdatomic.CompareAndSwapInt32(&b, 2, 7))
		eq("CompareAndSwapInt32 fails", atomic.CompareAndSwapInt32(&a, 2, 9), stdatomic.CompareAndSwapInt32(&b, 2, 9))
		atomic.StoreInt32(&a, 11)
		stdatomic.StoreInt32(&b, 11)
		eq("LoadInt32", atomic.LoadInt32(&a), stdatomic.LoadInt32(&b))
		var x atomic.Int32
		var y stdatomic.Int32
		eq("Int32.Add", x.Add(3), y.Add(3))
		eq("Int32.And", x.And(1), y.And(1))
		eq("Int32.Or", x.Or(6), y.Or(6))
		eq("Int32.Swap", x.Swap(4), y.Swap(4))
		eq("Int32.CompareAndSwap", x.CompareAndSwap(4, 5), y.CompareAndSwap(4, 5))
		x.Store(9)
		y.Store(9)
		eq("Int32.Load", x.Load(), y.Load())
	}
	{
		var a, b int64 = 6, 6
		eq("AddInt64", atomic.AddInt64(&a, 3), stdatomic.AddInt64(&b, 3))
		eq("AndInt64", atomic.AndInt64(&a, 5), stdatomic.AndInt64(&b, 5))
		eq("OrInt64", atomic.OrInt64(&a, 8), stdatomic.OrInt64(&b, 8))
		eq("SwapInt64", atomic.SwapInt64(&a, 2), stdatomic.SwapInt64(&b, 2))
		eq("CompareAndSwapInt64", atomic.CompareAndSwapInt64(&a, 2, 7), stdatomic.CompareAndSwapInt64(&b, 2, 7))
		eq("CompareAndSwapInt64 fails", atomic.CompareAndSwapInt64(&a, 2, 9), stdatomic.CompareAndSwapInt64(&b, 2, 9))
		atomic.StoreInt64(&a, 11)
		stdatomic.StoreInt64(&b, 11)
		eq("LoadInt64", atomic.LoadInt64(&a), stdatomic.LoadInt64(&b))
		var x atomic.Int64
		var y stdatomic.Int64
		eq("Int64.Add", x.Add(3), y.Add(3))
		eq("Int64.And", x.And(1), y.And(1))
		eq("Int64.Or", x.Or(6), y.Or(6))
		eq("Int64.Swap", x.Swap(4), y.Swap(4))
		eq("Int64.CompareAndSwap", x.CompareAndSwap(4, 5), y.CompareAndSwap(4, 5))
		x.Store(9)
		y.Store(9)
		eq("Int64.Load", x.Load(), y.Load())
	}
	{
		var a, b uint32 = 6, 6
		eq("AddUint32", atomic.AddUint32(&a, 3), stdatomic.AddUint32(&b, 3))
		eq("AndUint32", atomic.AndUint32(&a, 5), stdatomic.AndUint32(&b, 5))
		eq("OrUint32", atomic.OrUint32(&a, 8), stdatomic.OrUint32(&b, 8))
		eq("SwapUint32", atomic.SwapUint32(&a, 2), stdatomic.SwapUint32(&b, 2))
		eq("CompareAndSwapUint32", atomic.CompareAndSwapUint32(&a, 2, 7), stdatomic.CompareAndSwapUint32(&b, 2, 7))
		eq("CompareAndSwapUint32 fails", atomic.CompareAndSwapUint32(&a, 2, 9), stdatomic.CompareAndSwapUint32(&b, 2, 9))
		atomic.StoreUint32(&a, 11)
		stdatomic.StoreUint32(&b, 11)
		eq("LoadUint32", atomic.LoadUint32(&a), stdatomic.LoadUint32(&b))
		var x atomic.Uint32
		var y stdatomic.Uint32
		eq("Uint32.Add", x.Add(3), y.Add(3))
		eq("Uint32.And", x.And(1), y.And(1))
		eq("Uint32.Or", x.Or(6), y.Or(6))
		eq("Uint32.Swap", x.Swap(4), y.Swap(4))
		eq("Uint32.CompareAndSwap", x.CompareAndSwap(4, 5), y.CompareAndSwap(4, 5))
		x.Store(9)
		y.Store(9)
		eq("Uint32.Load", x.Load(), y.Load())
	}
	{
		var a, b uint64 = 6, 6
		eq("AddUint64", atomic.AddUint64(&a, 3), stdatomic.AddUint64(&b, 3))
		eq("AndUint64", atomic.AndUint64(&a, 5), stdatomic.AndUint64(&b, 5))
		eq("OrUint64", atomic.OrUint64(&a, 8), stdatomic.OrUint64(&b, 8))
		eq("SwapUint64", atomic.SwapUint64(&a, 2), stdatomic.SwapUint64(&b, 2))
		eq("CompareAndSwapUint64", atomic.CompareAndSwapUint64(&a, 2, 7), stdatomic.CompareAndSwapUint64(&b, 2, 7))
		eq("CompareAndSwapUint64 fails", atomic.CompareAndSwapUint64(&a, 2, 9), stdatomic.CompareAndSwapUint64(&b, 2, 9))
		atomic.StoreUint64(&a, 11)
		stdatomic.StoreUint64(&b, 11)
		eq("LoadUint64", atomic.LoadUint64(&a), stdatomic.LoadUint64(&b))
		var x atomic.Uint64
		var y stdatomic.Uint64
		eq("Uint64.Add", x.Add(3), y.Add(3))
		eq("Uint64.And", x.And(1), y.And(1))
		eq("Uint64.Or", x.Or(6), y.Or(6))
		eq("Uint64.Swap", x.Swap(4), y.Swap(4))
		eq("Uint64.CompareAndSwap", x.CompareAndSwap(4, 5), y.CompareAndSwap(4, 5))
		x.Store(9)
		y.Store(9)
		eq("Uint64.Load", x.Load(), y.Load())
	}
	{
		var a, b uintptr = 6, 6
		eq("AddUintptr", atomic.AddUintptr(&a, 3), stdatomic.AddUintptr(&b, 3))
		eq("AndUintptr", atomic.AndUintptr(&a, 5), stdatomic.AndUintptr(&b, 5))
		eq("OrUintptr", atomic.OrUintptr(&a, 8), stdatomic.OrUintptr(&b, 8))
		eq("SwapUintptr", atomic.SwapUintptr(&a, 2), stdatomic.SwapUintptr(&b, 2))
		eq("CompareAndSwapUintptr", atomic.CompareAndSwapUintptr(&a, 2, 7), stdatomic.CompareAndSwapUintptr(&b, 2, 7))
		eq("CompareAndSwapUintptr fails", atomic.CompareAndSwapUintptr(&a, 2, 9), stdatomic.CompareAndSwapUintptr(&b, 2, 9))
		atomic.StoreUintptr(&a, 11)
		stdatomic.StoreUintptr(&b, 11)
		eq("LoadUintptr", atomic.LoadUintptr(&a), stdatomic.LoadUintptr(&b))
		var x atomic.Uintptr
		var y stdatomic.Uintptr
		eq("Uintptr.Add", x.Add(3), y.Add(3))
		eq("Uintptr.And", x.And(1), y.And(1))
		eq("Uintptr.Or", x.Or(6), y.Or(6))
		eq("Uintptr.Swap", x.Swap(4), y.Swap(4))
		eq("Uintptr.CompareAndSwap", x.CompareAndSwap(4, 5), y.CompareAndSwap(4, 5))
		x.Store(9)
		y.Store(9)
		eq("Uintptr.Load", x.Load(), y.Load())
	}
	{
		var x atomic.Bool
		var y stdatomic.Bool
		eq("Bool.Swap", x.Swap(true), y.Swap(true))
		eq("Bool.CompareAndSwap", x.CompareAndSwap(true, false), y.CompareAndSwap(true, false))
		x.Store(true)
		y.Store(true)
		eq("Bool.Load", x.Load(), y.Load())
	}
	{
		p1, p2 := new(int), new(int)
		var x atomic.Pointer[int]
		var y stdatomic.Pointer[int]
		eq("Pointer.Swap", x.Swap(p1), y.Swap(p1))
		eq("Pointer.CompareAndSwap", x.CompareAndSwap(p1, p2), y.CompareAndSwap(p1, p2))
		x.Store(p1)
		y.Store(p1)
		eq("Pointer.Load", x.Load(), y.Load())
		var a, b unsafe.Pointer
		atomic.StorePointer(&a, unsafe.Pointer(p1))
		stdatomic.StorePointer(&b, unsafe.Pointer(p1))
		eq("SwapPointer", atomic.SwapPointer(&a, unsafe.Pointer(p2)), stdatomic.SwapPointer(&b, unsafe.Pointer(p2)))
		eq("CompareAndSwapPointer", atomic.CompareAndSwapPointer(&a, unsafe.Pointer(p2), nil), stdatomic.CompareAndSwapPointer(&b, unsafe.Pointer(p2), nil))
		eq("LoadPointer", atomic.LoadPointer(&a), stdatomic.LoadPointer(&b))
	}
	{
		var x atomic.Value
		var y stdatomic.Value
		eq("Value.Load", x.Load(), y.Load())
		x.Store("a")
		y.Store("a")
		eq("Value.Swap", x.Swap("b"), y.Swap("b"))
		eq("Value.CompareAndSwap", x.CompareAndSwap("b", "c"), y.CompareAndSwap("b", "c"))
		eq("Value.Load", x.Load(), y.Load())
	}
}
