//lint:file-ignore SA2001 lock-order scenarios take locks only to hold them

//lint:file-ignore SA9010 OnPotentialDeadlock and SetLongWait return the previous setting, which the deferred call restores

//go:build !ludus_nolockdep && !ludus_check

package lock

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// These tests need the real parking of a Mutex: the confirmation of a
// recursive Lock and SetLongWait run on real timers, which a ludus_check
// build (where waiters park on the checker's Cond) does not have.

func TestRecursiveLock(t *testing.T) {
	got := reports(t)
	a := NewMutex(fresh("recursive"))
	a.Lock()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := a.LockContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	a.Unlock()
	rs := got()
	if len(rs) != 1 || rs[0].Kind != Recursive || rs[0].Locks[0] != a.dep.name() {
		t.Fatalf("reports = %v, want one Recursive for \"recursive\"", rs)
	}
	if !strings.Contains(rs[0].Edges[0].Stack, "TestRecursiveLock") {
		t.Fatalf("stack misses the test:\n%s", rs[0].Edges[0].Stack)
	}
}

func TestLongWait(t *testing.T) {
	got := reports(t)
	defer SetLongWait(SetLongWait(10 * time.Millisecond))
	m, rw := NewMutex(fresh("long-mutex")), NewRWMutex(fresh("long-rw"))
	for _, c := range []struct {
		lock, unlock, wait func()
	}{
		{m.Lock, m.Unlock, func() { m.Lock(); m.Unlock() }},
		{rw.Lock, rw.Unlock, func() { rw.Lock(); rw.Unlock() }},
		{rw.Lock, rw.Unlock, func() { rw.RLock(); rw.RUnlock() }},
	} {
		// Holder and waiter are both fresh goroutines: see the limits in
		// the package documentation about goroutines whose stacks move.
		held := make(chan bool)
		go func() {
			c.lock()
			held <- true
			time.Sleep(60 * time.Millisecond)
			c.unlock()
		}()
		<-held
		inGoroutine(c.wait)
	}
	rs := got()
	if len(rs) != 2 || rs[0].Kind != LongWait || rs[0].Locks[0] != m.dep.name() || rs[1].Locks[0] != rw.dep.name() {
		t.Fatalf("reports = %v, want a LongWait for each lock, once", rs)
	}
	if !strings.Contains(rs[0].Edges[0].Stack, "TestLongWait.func") || strings.Contains(rs[0].Edges[0].Stack, "(*Mutex).wait") {
		t.Fatalf("stack should show the waiter, not the package:\n%s", rs[0].Edges[0].Stack)
	}
	if s := rs[0].String(); !strings.Contains(s, "waits for "+m.dep.name()) {
		t.Fatalf("text:\n%s", s)
	}
	if SetLongWait(0) != 10*time.Millisecond {
		t.Fatal("SetLongWait did not return the previous limit")
	}
}
