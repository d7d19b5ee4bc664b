//lint:file-ignore SA2001 lock-order scenarios take locks only to hold them

//go:build !ludus_nolockdep

package lock

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

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
					// stack growth.
					for i := range ms {
						if (w+it+i)%2 == 0 {
							ms[i].Lock()
							grow((w*7 + it*13 + i + round) % 120)
							ms[i].Unlock()
						}
					}
					// The one nested order, growing at every level.
					ms[0].Lock()
					grow((w + it) % 60)
					ms[1].Lock()
					grow(it % 90)
					ms[2].Lock()
					grow((w * it) % 40)
					ms[3].Lock()
					ms[3].Unlock()
					ms[2].Unlock()
					ms[1].Unlock()
					ms[0].Unlock()
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
