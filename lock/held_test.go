//lint:file-ignore SA2001 lock-order scenarios take locks only to hold them

//go:build !ludus_nolockdep

package lock

import (
	"testing"
)

// ownState returns the calling goroutine's state, found by its id.
func ownState() *gstate {
	var b byte
	return stateOf(goid(), blockOf(&b))
}

// learned runs f often enough that the classes it locks finish learning,
// so that their acquisitions take the hinted paths.
func learned(f func()) {
	for range learnAcquisitions + 10 {
		f()
	}
}

// TestTokenSaysWhoHolds: the lock word's token makes a Mutex held through
// its locker's state, and an Unlock from another goroutine ends that
// without touching the state.
func TestTokenSaysWhoHolds(t *testing.T) {
	inGoroutine(func() {
		m := NewMutex(fresh("token"))
		m.Lock()
		st := ownState()
		var h held
		h.read(st)
		if h.n != 1 || !h.regular || h.base.d != &m.dep {
			t.Errorf("after Lock: %d held (regular %v), want m", h.n, h.regular)
		}
		if !h.base.provenBy(st, goid()) {
			t.Error("a Lock taken under the exact id (the class is learning) proves nothing")
		}
		inGoroutine(m.Unlock)
		h.read(st)
		if h.n != 0 {
			t.Errorf("after another goroutine's Unlock: %d held, want 0", h.n)
		}
		if st.top.Load() == nil {
			t.Error("the Unlock rewrote the path; it must leave it alone")
		}
	})
}

// TestRetakingWritesNothing: taking the same locks in the same order
// again leaves the path as it is.
func TestRetakingWritesNothing(t *testing.T) {
	inGoroutine(func() {
		a, b := NewMutex(fresh("retake-a")), NewMutex(fresh("retake-b"))
		learned(nested(a, b))
		st := ownState()
		top := st.top.Load()
		nested(a, b)()
		if st.top.Load() != top {
			t.Error("taking a then b again changed the path")
		}
	})
}

// TestHintedPathKeepsNewOrders: once the classes have learned, a new order
// is taken through the hinted paths; it proves nothing the first time, and
// is reported the second time. Not always: if the goroutine's stack moves
// between its two locks (here the first slow path grows a new goroutine's
// stack, and the collector may shrink it again), the second lock may meet
// a dead goroutine's hint on the new memory and go on its path unseen (see
// the package documentation, Limits); in 800 runs that happened twice, on
// the second try, so the test allows four.
func TestHintedPathKeepsNewOrders(t *testing.T) {
	got := reports(t)
	a, b := NewMutex(fresh("hinted-a")), NewMutex(fresh("hinted-b"))
	inGoroutine(func() { learned(nested(a, b)) })
	if rs := got(); len(rs) != 0 {
		t.Fatalf("reported a consistent order: %v", rs)
	}
	inGoroutine(func() {
		for range 4 {
			if len(got()) == 0 {
				nested(b, a)()
			}
		}
	})
	checkCycleKinds(t, got())
}

// hasEdge reports whether the graph has the class order from -> to.
func hasEdge(from, to *Mutex) bool {
	graphMu.Lock()
	defer graphMu.Unlock()
	return graph[vertex{cls: from.dep.cls.Load()}][vertex{cls: to.dep.cls.Load()}] != nil
}

// TestOutOfOrderRelease: releasing a lock below another leaves a path that
// is not regular; the next acquisition rebuilds it from the held locks and
// records their true order.
func TestOutOfOrderRelease(t *testing.T) {
	got := reports(t)
	a, b, c := NewMutex(fresh("order-a")), NewMutex(fresh("order-b")), NewMutex(fresh("order-c"))
	inGoroutine(func() {
		a.Lock()
		b.Lock()
		a.Unlock() // b is still held, above a released node
		st := ownState()
		var h held
		h.read(st)
		if h.regular || h.n != 1 || h.list[0].d != &b.dep {
			t.Errorf("after releasing a under b: regular %v, %d held, want b alone", h.regular, h.n)
		}
		c.Lock()
		c.Unlock()
		b.Unlock()
		if h.read(st); h.n != 0 {
			t.Errorf("%d held after the last Unlock", h.n)
		}
	})
	if !hasEdge(a, b) || !hasEdge(b, c) || hasEdge(a, c) {
		t.Errorf("edges a->b %v, b->c %v, a->c %v; want true, true, false", hasEdge(a, b), hasEdge(b, c), hasEdge(a, c))
	}
	if rs := got(); len(rs) != 0 {
		t.Fatalf("reports: %v", rs)
	}
}
