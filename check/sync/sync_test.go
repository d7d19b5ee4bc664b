//lint:file-ignore SA2001 lock-order and deadlock scenarios take locks only to hold them

package sync_test

import (
	"fmt"
	stdsync "sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/sync"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Outside an exploration the types are the standard ones: a stress test
// with many goroutines loses no update.
func TestPassthroughStress(t *testing.T) {
	var mu sync.Mutex
	var rw sync.RWMutex
	var wg sync.WaitGroup
	var once sync.Once
	n, m, inits := 0, 0, 0
	for i := 0; i < 64; i++ {
		wg.Go(func() {
			for j := 0; j < 100; j++ {
				once.Do(func() { inits++ })
				mu.Lock()
				n++
				mu.Unlock()
				if j%10 == 0 {
					rw.Lock()
					m++
					rw.Unlock()
				}
				rw.RLock()
				_ = m
				rw.RUnlock()
			}
		})
	}
	wg.Wait()
	if n != 6400 || m != 640 || inits != 1 {
		t.Fatalf("n = %d, inits = %d", n, inits)
	}
	if !mu.TryLock() || mu.TryLock() {
		t.Fatal("TryLock")
	}
	mu.Unlock()
}

func TestPassthroughCond(t *testing.T) {
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	ready := false
	done := make(chan struct{})
	go func() {
		mu.Lock()
		for !ready {
			c.Wait()
		}
		mu.Unlock()
		close(done)
	}()
	mu.Lock()
	ready = true
	mu.Unlock()
	c.Broadcast()
	<-done
}

func TestOnceFuncs(t *testing.T) {
	calls := 0
	f := sync.OnceFunc(func() { calls++ })
	f()
	f()
	v := sync.OnceValues(func() (int, error) { calls++; return 7, nil })
	if a, err := v(); a != 7 || err != nil {
		t.Fatal(a, err)
	}
	v()
	if calls != 2 {
		t.Fatalf("calls = %d", calls)
	}
	p := sync.OnceFunc(func() { panic("boom") })
	for i := 0; i < 2; i++ {
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Fatalf("call %d: recovered %v", i, r)
				}
			}()
			p()
		}()
	}
}

func TestUnlockOfUnlockedIsAPanicVerdict(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var mu sync.Mutex
		mu.Unlock()
	})
	if r.Failure == nil || r.Failure.Kind != check.Panicked {
		t.Fatalf("%+v", r)
	}
}

func TestNegativeWaitGroup(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var wg sync.WaitGroup
		wg.Done()
	})
	if r.Failure == nil || r.Failure.Kind != check.Panicked {
		t.Fatalf("%+v", r)
	}
}

func TestCondBroadcastWakesAll(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var mu sync.Mutex
		c := sync.NewCond(&mu)
		open := check.NewVar("open", false)
		for _, n := range []string{"W1", "W2"} {
			t.Go(n, func() {
				mu.Lock()
				for !open.Load() {
					c.Wait()
				}
				mu.Unlock()
			})
		}
		mu.Lock()
		open.Store(true)
		mu.Unlock()
		c.Broadcast()
		t.Wait()
	}, check.Exhaustive())
	if r.Failure != nil || !r.Exhausted {
		t.Fatalf("%+v", r)
	}
}

// Signal instead of Broadcast wakes only one of two waiters: the other is
// left blocked forever.
func TestCondSignalWakesOne(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var mu sync.Mutex
		c := sync.NewCond(&mu)
		open := check.NewVar("open", false)
		for _, n := range []string{"W1", "W2"} {
			t.Go(n, func() {
				mu.Lock()
				for !open.Load() {
					c.Wait()
				}
				mu.Unlock()
			})
		}
		check.Sleep(1) // let both wait
		mu.Lock()
		open.Store(true)
		mu.Unlock()
		c.Signal()
		t.Wait()
	})
	if r.Failure == nil || r.Failure.Kind != check.Deadlock {
		t.Fatalf("%+v", r)
	}
}

func TestRLocker(t *testing.T) {
	var rw sync.RWMutex
	var l sync.Locker = rw.RLocker()
	l.Lock()
	if rw.TryLock() {
		t.Fatal("writer got in past a reader")
	}
	l.Unlock()
	if !rw.TryLock() {
		t.Fatal("writer locked out")
	}
	rw.Unlock()
	var _ stdsync.Locker = &rw // same interface as package sync
}

func ExampleMutex() {
	r := check.Run(func(t *check.T) {
		var mu sync.Mutex
		hits := check.NewVar("hits", 0)
		for _, g := range []string{"A", "B", "C"} {
			t.Go(g, func() {
				mu.Lock()
				defer mu.Unlock()
				hits.Store(hits.Load() + 1)
			})
		}
		t.Wait()
		if hits.Load() != 3 {
			t.Errorf("hits = %d", hits.Load())
		}
	}, check.Exhaustive())
	fmt.Println(r.Failure == nil, r.Exhausted)
	// Output: true true
}

func ExampleWaitGroup_Go() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	sum := 0
	for i := 1; i <= 4; i++ {
		wg.Go(func() {
			mu.Lock()
			sum += i
			mu.Unlock()
		})
	}
	wg.Wait()
	fmt.Println(sum)
	// Output: 10
}

func ExampleOnceValue() {
	load := sync.OnceValue(func() string { fmt.Println("loading"); return "config" })
	fmt.Println(load(), load())
	// Output:
	// loading
	// config config
}

func ExampleRWMutex() {
	r := check.Run(func(t *check.T) {
		var rw sync.RWMutex
		t.Go("reader", func() {
			rw.RLock()
			rw.RLock() // recursive read lock: deadlocks once a writer waits
			rw.RUnlock()
			rw.RUnlock()
		})
		t.Go("writer", func() {
			rw.Lock()
			rw.Unlock()
		})
		t.Wait()
	})
	fmt.Println(r.Failure.Kind)
	// Output: deadlock
}

func ExampleCond() {
	r := check.Run(func(t *check.T) {
		var mu sync.Mutex
		c := sync.NewCond(&mu)
		ready := check.NewVar("ready", false)
		t.Go("waiter", func() {
			mu.Lock()
			for !ready.Load() {
				c.Wait()
			}
			mu.Unlock()
		})
		mu.Lock()
		ready.Store(true)
		mu.Unlock()
		c.Signal()
		t.Wait()
	}, check.Exhaustive())
	fmt.Println(r.Failure == nil)
	// Output: true
}

// lazyValue is a package variable made by OnceValue, as programs keep a
// value computed on first use.
var (
	lazyCalls int
	lazyValue = sync.OnceValue(func() int { lazyCalls++; return 7 })
)

// A function OnceValue made, first called in an execution, starts over in
// the next one, as the test did: each execution computes the value once,
// and every schedule replays the same way (no nondeterminism).
func TestOnceValueStartsOverEachExecution(t *testing.T) {
	r := check.Run(func(ct *check.T) {
		v := check.NewVar("v", 0)
		ct.Go("a", func() { v.Store(1) })
		if got := lazyValue(); got != 7 {
			ct.Errorf("lazyValue() = %d", got)
		}
		if got := lazyValue(); got != 7 {
			ct.Errorf("lazyValue() again = %d", got)
		}
		v.Store(2)
		ct.Wait()
	}, check.DetectDataRaces(false))
	if r.Verdict() != check.Pass || r.Executions < 2 || lazyCalls < r.Executions {
		t.Fatalf("%d calls in %d executions: %+v", lazyCalls, r.Executions, r)
	}
	first, again := lazyValue(), lazyValue()
	if first != 7 || again != 7 {
		t.Fatalf("outside the exploration: %d, then %d", first, again)
	}
}
