//lint:file-ignore SA2001 lock-order scenarios take locks only to hold them

//lint:file-ignore SA9010 OnPotentialDeadlock and SetLongWait return the previous setting, which the deferred call restores

//go:build !ludus_nolockdep

package lock

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var freshNames atomic.Int64

// fresh makes a class name unique to this run of the test: the graph
// reports a cycle once per process, and -count reruns tests in one.
func fresh(name string) string {
	return fmt.Sprintf("%s#%d", name, freshNames.Add(1))
}

// reports makes the handler collect reports for the rest of the test.
func reports(t *testing.T) func() []Report {
	t.Helper()
	var mu sync.Mutex
	var rs []Report
	old := OnPotentialDeadlock(func(r Report) {
		mu.Lock()
		rs = append(rs, r)
		mu.Unlock()
	})
	t.Cleanup(func() { OnPotentialDeadlock(old) })
	return func() []Report {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(rs)
	}
}

// inGoroutine runs f in a new goroutine and waits for it, so that orders
// are taken by different goroutines at different times.
func inGoroutine(f func()) {
	var wg sync.WaitGroup
	wg.Go(f)
	wg.Wait()
}

func nested(outer, inner *Mutex) func() {
	return func() {
		outer.Lock()
		inner.Lock()
		inner.Unlock()
		outer.Unlock()
	}
}

func checkCycle(t *testing.T, got []Report, names ...string) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("got %d reports, want 1: %v", len(got), got)
	}
	r := got[0]
	if r.Kind != Cycle {
		t.Fatalf("kind = %v, want Cycle", r.Kind)
	}
	gotNames := slices.Sorted(slices.Values(r.Locks))
	if !slices.Equal(gotNames, slices.Sorted(slices.Values(names))) {
		t.Fatalf("locks = %v, want %v", r.Locks, names)
	}
	if len(r.Edges) != len(names) {
		t.Fatalf("%d edges, want %d", len(r.Edges), len(names))
	}
	for i, e := range r.Edges {
		if e.From != r.Locks[i] || e.To != r.Locks[(i+1)%len(r.Locks)] {
			t.Fatalf("edge %d = %s -> %s, out of order with %v", i, e.From, e.To, r.Locks)
		}
		if !strings.Contains(e.Stack, "nested") || e.Goroutine == 0 {
			t.Fatalf("edge %d lacks where it was first seen: goroutine %d, stack\n%s", i, e.Goroutine, e.Stack)
		}
	}
	s := r.String()
	for _, n := range names {
		if !strings.Contains(s, n) {
			t.Fatalf("report text misses %s:\n%s", n, s)
		}
	}
}

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

// grow uses stack, so that goroutines' stacks move.
func grow(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return grow(n-1) + int(pad[n%256])
}

func checkCycleKinds(t *testing.T, rs []Report) {
	t.Helper()
	if len(rs) != 1 || rs[0].Kind != Cycle {
		t.Fatalf("reports = %v, want one cycle", rs)
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

func TestNamedClassShared(t *testing.T) {
	got := reports(t)
	shared := fresh("shared-a")
	a1, a2 := NewMutex(shared), NewMutex(shared)
	b := NewMutex(fresh("shared-b"))
	inGoroutine(nested(a1, b))
	inGoroutine(nested(b, a2)) // another lock, same class: the class order is reversed
	checkCycleKinds(t, got())
}

func TestZeroValueClass(t *testing.T) {
	var m Mutex
	m.Lock()
	m.Unlock()
	if name := m.dep.name(); !strings.Contains(name, "TestZeroValueClass") || !strings.Contains(name, "dep_test.go") {
		t.Fatalf("class %q does not name the first locking site", name)
	}
	n := NewMutex("")
	if name := n.dep.name(); !strings.Contains(name, "TestZeroValueClass") {
		t.Fatalf("class %q does not name the creation site", name)
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

func TestSetDetection(t *testing.T) {
	got := reports(t)
	if !Detection() {
		t.Fatal("detection off by default")
	}
	a, b := NewMutex(fresh("off-a")), NewMutex(fresh("off-b"))
	if !SetDetection(false) {
		t.Fatal("SetDetection did not return the previous setting")
	}
	inGoroutine(nested(a, b))
	inGoroutine(nested(b, a))
	SetDetection(true)
	if rs := got(); len(rs) != 0 {
		t.Fatalf("reported while off: %v", rs)
	}
	// A lock taken while detection was off and released while on.
	SetDetection(false)
	a.Lock()
	SetDetection(true)
	a.Unlock()
}

func TestDefaultHandler(t *testing.T) {
	prev := OnPotentialDeadlock(nil)
	defer OnPotentialDeadlock(prev)
	if OnPotentialDeadlock(nil) != nil {
		t.Fatal("default handler is not reported as nil")
	}
	r := Report{Kind: Cycle, Locks: []string{"x", "y"}, Edges: []Edge{{From: "x", To: "y", Goroutine: 7, Stack: "f\n\tf.go:1\n"}, {From: "y", To: "x", Goroutine: 8, Stack: "g\n\tg.go:2\n"}}}
	s := r.String()
	for _, want := range []string{"POTENTIAL DEADLOCK", "x -> y -> x", "goroutine 7", "f.go:1", "g.go:2"} {
		if !strings.Contains(s, want) {
			t.Fatalf("report text misses %q:\n%s", want, s)
		}
	}
	if Kind(9).String() == "" || Recursive.String() == Cycle.String() {
		t.Fatal("Kind strings")
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
					for i := range ms {
						if (w+it+i)%2 == 0 {
							ms[i].Lock()
							grow((w*7 + it*13 + i) % 120)
							ms[i].Unlock()
						}
					}
					ms[0].Lock()
					grow((w + it) % 60)
					ms[1].Lock()
					grow(it % 90)
					ms[2].Lock()
					ms[2].Unlock()
					ms[1].Unlock()
					ms[0].Unlock()
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

func TestGoid(t *testing.T) {
	ids := make(chan int64, 2)
	inGoroutine(func() { ids <- goid() })
	inGoroutine(func() { ids <- goid() })
	a, b := <-ids, <-ids
	if a <= 0 || b <= 0 || a == b || goid() <= 0 {
		t.Fatalf("goroutine ids %d, %d, %d", a, b, goid())
	}
}
