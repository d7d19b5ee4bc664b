package atomic_test

import (
	"fmt"
	stdsync "sync"
	"testing"
	"unsafe"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/atomic"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPassthroughFunctionsAndTypes(t *testing.T) {
	var i32 int32
	var u64 uint64
	var c atomic.Int64
	var wg stdsync.WaitGroup
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				atomic.AddInt32(&i32, 1)
				atomic.AddUint64(&u64, 2)
				c.Add(1)
			}
		}()
	}
	wg.Wait()
	if atomic.LoadInt32(&i32) != 3200 || atomic.LoadUint64(&u64) != 6400 || c.Load() != 3200 {
		t.Fatal(i32, u64, c.Load())
	}
	if !atomic.CompareAndSwapInt32(&i32, 3200, 1) || atomic.SwapInt32(&i32, 5) != 1 || atomic.OrInt32(&i32, 2) != 5 || atomic.AndInt32(&i32, 4) != 7 {
		t.Fatal("functions")
	}
	var b atomic.Bool
	if b.Swap(true) || !b.Load() || !b.CompareAndSwap(true, false) {
		t.Fatal("Bool")
	}
	var p atomic.Pointer[int]
	x := 3
	p.Store(&x)
	if *p.Load() != 3 || !p.CompareAndSwap(&x, nil) || p.Load() != nil {
		t.Fatal("Pointer")
	}
	var v atomic.Value
	if v.Load() != nil {
		t.Fatal("Value zero")
	}
	v.Store("a")
	if v.Swap("b") != "a" || !v.CompareAndSwap("b", "c") || v.Load() != "c" {
		t.Fatal("Value")
	}
	var up unsafe.Pointer
	atomic.StorePointer(&up, unsafe.Pointer(&x))
	if atomic.LoadPointer(&up) != unsafe.Pointer(&x) {
		t.Fatal("pointer funcs")
	}
}

// A counter incremented with Load then Store loses updates; with Add it
// does not. Atomics are never data races, so the failure is the lost
// update itself.
func TestLostUpdateWithLoadStore(t *testing.T) {
	body := func(add bool) func(*check.T) {
		return func(t *check.T) {
			var n atomic.Int32
			for _, g := range []string{"A", "B"} {
				t.Go(g, func() {
					if add {
						n.Add(1)
					} else {
						n.Store(n.Load() + 1)
					}
				})
			}
			t.Wait()
			if n.Load() != 2 {
				t.Errorf("n = %d", n.Load())
			}
		}
	}
	if r := check.Run(body(false)); r.Failure == nil || r.Failure.Kind != check.AssertionFailed {
		t.Fatalf("Load+Store: %+v", r)
	}
	if r := check.Run(body(true), check.Exhaustive()); r.Failure != nil || !r.Exhausted {
		t.Fatalf("Add: %+v", r)
	}
}

// The address-based functions are scheduling points too.
func TestFunctionsAreSchedulingPoints(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var n int64
		for _, g := range []string{"A", "B"} {
			t.Go(g, func() { atomic.StoreInt64(&n, atomic.LoadInt64(&n)+1) })
		}
		t.Wait()
		if atomic.LoadInt64(&n) != 2 {
			t.Errorf("n = %d", n)
		}
	})
	if r.Failure == nil {
		t.Fatal("lost update not found")
	}
	t.Logf("\n%s", r.Failure)
}

// Publishing a pointer with an atomic store makes the data it points to
// visible: no data race.
func ExamplePointer() {
	type config struct{ port int }
	r := check.Run(func(t *check.T) {
		var cur atomic.Pointer[config]
		port := check.NewVar("port", 0)
		t.Go("writer", func() {
			port.Store(8080)
			cur.Store(&config{port: 8080})
		})
		t.Go("reader", func() {
			if cur.Load() != nil {
				_ = port.Load() // ordered after the write by the atomic
			}
		})
	}, check.Exhaustive())
	fmt.Println(r.Failure == nil, r.Exhausted)
	// Output: true true
}

func ExampleInt64() {
	var hits atomic.Int64
	hits.Add(2)
	hits.Add(3)
	fmt.Println(hits.Load())
	// Output: 5
}

func ExampleAddInt32() {
	var n int32
	atomic.AddInt32(&n, 4)
	fmt.Println(atomic.LoadInt32(&n))
	// Output: 4
}
