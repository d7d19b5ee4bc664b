//lint:file-ignore SA2001 lock-order scenarios take locks only to hold them

//go:build !ludus_nolockdep

package lock

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

func TestGoid(t *testing.T) {
	ids := make(chan int64, 2)
	inGoroutine(func() { ids <- goid() })
	inGoroutine(func() { ids <- goid() })
	a, b := <-ids, <-ids
	if a <= 0 || b <= 0 || a == b || goid() <= 0 {
		t.Fatalf("goroutine ids %d, %d, %d", a, b, goid())
	}
}

// TestManyGoroutines: short-lived goroutines reuse each other's stacks,
// which is what the stack-memory hint must survive.
func TestManyGoroutines(t *testing.T) {
	got := reports(t)
	a, b, c := NewMutex(fresh("many-a")), NewMutex(fresh("many-b")), NewMutex(fresh("many-c"))
	var wg sync.WaitGroup
	for i := range size(3000, 500) {
		wg.Go(func() {
			if i%2 == 0 {
				nested(a, b)()
			} else {
				nested(b, c)()
			}
			grow(i % 50)
			a.Lock()
			c.Lock()
			c.Unlock()
			a.Unlock()
		})
	}
	wg.Wait()
	if rs := got(); len(rs) != 0 {
		t.Fatalf("false positives: %v", rs)
	}
	// c -> a is new, and c's class finished learning long ago: its first
	// time is taken on a lock pushed through a stack hint, which proves no
	// order, so it is reported the second time at the latest.
	for range 2 {
		if len(got()) == 0 {
			inGoroutine(nested(c, a))
		}
	}
	if rs := got(); len(rs) != 1 {
		t.Fatalf("missed c -> a against a -> c: %v", rs)
	}
}

// growingLocks is the stack-growth tests' workload for worker w in
// iteration it: single locks of ms in turn, each held across a growth of
// the stack, then the one nested order ms[0] -> ... -> ms[depth-1],
// growing at every level but the last.
func growingLocks(ms []*Mutex, depth, w, it, round int) {
	for i, m := range ms {
		if (w+it+i)%2 == 0 {
			m.Lock()
			grow((w*7 + it*13 + i + round) % 120)
			m.Unlock()
		}
	}
	growths := [...]int{(w + it) % 60, it % 90, (w * it) % 40}
	for i, m := range ms[:depth] {
		m.Lock()
		if i < depth-1 {
			grow(growths[i%len(growths)])
		}
	}
	for i := depth - 1; i >= 0; i-- {
		ms[i].Unlock()
	}
}

// TestExactGoroutinesUnderStackGrowth: goroutines whose stacks grow while
// they hold locks, in one consistent order, with SetExactGoroutines (the
// default mode is TestNoFalseCycleUnderStackGrowth): no false report, and
// a real reversal is found the first time.
func TestExactGoroutinesUnderStackGrowth(t *testing.T) {
	defer SetExactGoroutines(SetExactGoroutines(true))
	got := reports(t)
	var ms [4]*Mutex
	for round := range size(10, 3) {
		for i := range ms {
			ms[i] = NewMutex(fresh(fmt.Sprintf("growth-%d-%d", round, i)))
		}
		var wg sync.WaitGroup
		for w := range 16 {
			wg.Go(func() {
				for it := range size(40, 15) {
					growingLocks(ms[:], 3, w, it, 0)
				}
			})
		}
		wg.Wait()
	}
	if rs := got(); len(rs) != 0 {
		t.Fatalf("%d false positives, first: %v", len(rs), rs[0])
	}
	inGoroutine(nested(ms[2], ms[0]))
	checkCycleKinds(t, got())
}

// TestNoFalseCycleUnderStackGrowth is the case that made the stack-memory
// hints cry wolf: goroutines whose stacks grow (and so move) while they
// hold locks, many of them, and new goroutines every round that reuse the
// memory of old stacks. Every goroutine takes the locks in one consistent
// order (single locks in any order, nested ones always 0 -> 1 -> 2 -> 3,
// and a bank of same-class accounts through All), so any report at all is
// false. It runs in the default mode, after the classes have finished
// learning, which is where stale hints used to leak into held lists.
func TestNoFalseCycleUnderStackGrowth(t *testing.T) {
	got := reports(t)
	classes := [4]string{}
	for i := range classes {
		classes[i] = fresh(fmt.Sprintf("growth-%d", i))
	}
	account := fresh("growth-account")
	rounds, workers, iters := size(20, 6), 16, size(50, 20)
	var ms [4]*Mutex
	for round := range rounds {
		for i := range ms {
			ms[i] = NewMutex(classes[i])
		}
		var accounts [8]*Mutex
		for i := range accounts {
			accounts[i] = NewMutex(account)
		}
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for it := range iters {
					// Single locks, in any order, each held across a
					// stack growth; then the one nested order, growing at
					// every level.
					growingLocks(ms[:], 4, w, it, round)
					// Two accounts at a time, in All's order.
					a, b := accounts[(w+it)%8], accounts[(w*3+it*5+1)%8]
					l := All(a, b)
					grow((w + 2*it) % 70)
					l.Unlock()
					// Short-lived goroutines, whose stacks are the memory
					// that the others' stacks left when they grew, each
					// holding a late lock while the others run.
					if it%5 == 0 {
						wg.Go(func() {
							ms[3].Lock()
							runtime.Gosched()
							ms[3].Unlock()
							ms[2].Lock()
							ms[3].Lock()
							runtime.Gosched()
							ms[3].Unlock()
							ms[2].Unlock()
						})
					}
					// An early lock held across a growth and a yield, then
					// a later one: the window in which a newcomer on the
					// old stack memory used to lend its locks to us.
					ms[0].Lock()
					grow((w*5 + it) % 100)
					runtime.Gosched()
					ms[2].Lock()
					ms[2].Unlock()
					ms[0].Unlock()
				}
			})
		}
		wg.Wait()
	}
	if rs := got(); len(rs) != 0 {
		t.Fatalf("%d false reports in a consistent order, first:\n%v", len(rs), rs[0])
	}
}

// TestReadHandoffProvesNothing: an RLock released by another goroutine
// (allowed, as in sync.RWMutex) while a third reader keeps the lock
// read-held. The first goroutine no longer holds it when it takes x, so
// rw -> x never happened, and x -> rw alone closes no cycle.
func TestReadHandoffProvesNothing(t *testing.T) {
	got := reports(t)
	rw, x := NewRWMutex(fresh("handoff-rw")), NewMutex(fresh("handoff-x"))
	held, release, released := make(chan bool), make(chan bool), make(chan bool)
	go func() {
		rw.RLock()
		held <- true
		<-release
		rw.RUnlock()
		released <- true
	}()
	<-held
	inGoroutine(func() {
		rw.RLock()
		inGoroutine(rw.RUnlock)
		x.Lock()
		x.Unlock()
	})
	inGoroutine(func() {
		x.Lock()
		rw.RLock()
		rw.RUnlock()
		x.Unlock()
	})
	release <- true
	<-released
	if rs := got(); len(rs) != 0 {
		t.Fatalf("false report after a read handed off: %v", rs)
	}
}
