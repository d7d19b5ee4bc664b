//lint:file-ignore SA2001 lock-order scenarios take locks only to hold them

//go:build !ludus_nolockdep

package lock

import (
	"context"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTwoCycle(t *testing.T) {
	got := reports(t)
	a, b := NewMutex(fresh("two-a")), NewMutex(fresh("two-b"))
	inGoroutine(nested(a, b))
	if len(got()) != 0 {
		t.Fatal("reported a consistent order")
	}
	inGoroutine(nested(b, a))
	checkCycle(t, got(), a.dep.name(), b.dep.name())
	// Once per cycle.
	inGoroutine(nested(b, a))
	inGoroutine(nested(a, b))
	if len(got()) != 1 {
		t.Fatalf("cycle reported %d times", len(got()))
	}
}

// TestThreeCycle is the case go-deadlock v0.3.9 misses: no two goroutines
// ever take the same pair of locks, and no run deadlocks.
func TestThreeCycle(t *testing.T) {
	got := reports(t)
	a, b, c := NewMutex(fresh("three-a")), NewMutex(fresh("three-b")), NewMutex(fresh("three-c"))
	inGoroutine(nested(a, b))
	inGoroutine(nested(b, c))
	if len(got()) != 0 {
		t.Fatal("reported before the cycle closed")
	}
	inGoroutine(nested(c, a))
	checkCycle(t, got(), a.dep.name(), b.dep.name(), c.dep.name())
}

func TestLongCycle(t *testing.T) {
	got := reports(t)
	const n = 6
	var ms [n]*Mutex
	names := make([]string, n)
	for i := range ms {
		names[i] = fresh("long-" + string(rune('a'+i)))
		ms[i] = NewMutex(names[i])
	}
	for i := range ms {
		inGoroutine(nested(ms[i], ms[(i+1)%n]))
	}
	checkCycle(t, got(), names...)
}

func TestRecursiveRLock(t *testing.T) {
	got := reports(t)
	m := NewRWMutex(fresh("recursive-read"))
	m.RLock()
	m.RLock() // does not block here, but would behind a waiting writer
	m.RUnlock()
	m.RUnlock()
	rs := got()
	if len(rs) != 1 || rs[0].Kind != Recursive {
		t.Fatalf("reports = %v, want one Recursive", rs)
	}
}

func TestRWMutexCycle(t *testing.T) {
	got := reports(t)
	a, b := NewRWMutex(fresh("rw-a")), NewRWMutex(fresh("rw-b"))
	inGoroutine(func() {
		a.RLock()
		b.Lock()
		b.Unlock()
		a.RUnlock()
	})
	inGoroutine(func() {
		b.RLock()
		a.Lock()
		a.Unlock()
		b.RUnlock()
	})
	if rs := got(); len(rs) != 1 || rs[0].Kind != Cycle {
		t.Fatalf("reports = %v, want one cycle", rs)
	}
}

// TestNoFalsePositive takes many locks in one consistent order, from many
// goroutines at once, with every way of locking, and with unlocks in any
// order and from other goroutines.
func TestNoFalsePositive(t *testing.T) {
	got := reports(t)
	const n = 5
	var ms [n]*Mutex
	for i := range ms {
		ms[i] = NewMutex(fresh("consistent-" + string(rune('a'+i))))
	}
	rw := NewRWMutex(fresh("consistent-rw"))
	iters := size(300, 60)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range iters {
				// A random increasing subsequence, then rw, released in a
				// random order.
				var held []*Mutex
				for i := range ms {
					if r.IntN(2) == 0 {
						continue
					}
					switch r.IntN(3) {
					case 0:
						ms[i].Lock()
					case 1:
						if ms[i].LockContext(context.Background()) != nil {
							t.Error("LockContext failed")
						}
					case 2:
						for !ms[i].TryLockFor(time.Millisecond) {
						}
					}
					held = append(held, ms[i])
				}
				rw.RLock()
				rw.RUnlock()
				r.Shuffle(len(held), func(i, j int) { held[i], held[j] = held[j], held[i] })
				for _, m := range held {
					m.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if rs := got(); len(rs) != 0 {
		t.Fatalf("false positives: %v", rs)
	}
}

// TestUnlockElsewhere: a mutex unlocked by another goroutine is no longer
// held by the one that locked it, so no order is recorded from it.
func TestUnlockElsewhere(t *testing.T) {
	got := reports(t)
	a, b := NewMutex(fresh("elsewhere-a")), NewMutex(fresh("elsewhere-b"))
	a.Lock()
	inGoroutine(a.Unlock)
	b.Lock() // a is not held any more: no a -> b
	b.Unlock()
	inGoroutine(nested(b, a))
	if rs := got(); len(rs) != 0 {
		t.Fatalf("false positive after a cross-goroutine Unlock: %v", rs)
	}
}

// TestSameClass: accounts made by one constructor share a class; their
// orders are kept per instance, so the classic transfer deadlock is seen,
// and All removes it.
func TestSameClass(t *testing.T) {
	got := reports(t)
	type account struct {
		mu      *Mutex
		balance int
	}
	class := fresh("account")
	newAccount := func() *account { return &account{mu: NewMutex(class)} }
	transfer := func(from, to *account, n int) {
		from.mu.Lock()
		defer from.mu.Unlock()
		to.mu.Lock()
		defer to.mu.Unlock()
		from.balance -= n
		to.balance += n
	}
	x, y, z := newAccount(), newAccount(), newAccount()
	inGoroutine(func() { transfer(x, y, 1) })
	inGoroutine(func() { transfer(x, y, 1) })
	inGoroutine(func() { transfer(y, z, 1) })
	if rs := got(); len(rs) != 0 {
		t.Fatalf("reported a consistent order: %v", rs)
	}
	inGoroutine(func() { transfer(z, x, 1) }) // x -> y -> z -> x
	checkCycleKinds(t, got())
	if r := got()[0]; len(r.Locks) != 3 || !strings.Contains(r.Locks[0], "[lock #") {
		t.Fatalf("want a cycle of three account instances: %v", r)
	}

	safe := func(from, to *account, n int) {
		defer All(from.mu, to.mu).Unlock()
		from.balance -= n
		to.balance += n
	}
	p, q := newAccount(), newAccount()
	inGoroutine(func() { safe(p, q, 1) })
	inGoroutine(func() { safe(q, p, 1) })
	if rs := got(); len(rs) != 1 {
		t.Fatalf("All still reported: %v", rs[1:])
	}
}

func TestTryAddsNoEdge(t *testing.T) {
	got := reports(t)
	a, b := NewMutex(fresh("try-a")), NewMutex(fresh("try-b"))
	inGoroutine(func() {
		a.Lock()
		if !b.TryLock() {
			t.Error("TryLock failed")
		}
		b.Unlock()
		if !b.TryLockFor(time.Second) {
			t.Error("TryLockFor failed")
		}
		b.Unlock()
		a.Unlock()
	})
	inGoroutine(nested(b, a))
	if rs := got(); len(rs) != 0 {
		t.Fatalf("a try recorded an order: %v", rs)
	}
}
