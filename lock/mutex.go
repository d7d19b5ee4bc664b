package lock

import (
	"context"
	"fmt"
	"time"
)

// Mutex is a mutual exclusion lock with the API of sync.Mutex, plus
// LockContext and TryLockFor, whose acquisitions feed the lock-order graph
// (see the package documentation). The zero value is an unlocked mutex whose
// class is the place that first locks it; NewMutex names the class.
//
// As with sync.Mutex, a Mutex must not be copied after first use, and it may
// be unlocked by a goroutine other than the one that locked it. Waiters are
// woken in FIFO order, but a running goroutine may take the lock before a
// woken one (as in sync.Mutex's normal mode); there is no starvation mode.
type Mutex struct {
	//lint:ignore U1000 the detector reads it in ludus_check builds (prim_check.go)
	shadow shadowWord
	// word is the lock word: bit 0 is set while the mutex is held, and the
	// bits above are the acquisition's token (see token), so the detector
	// knows who holds the mutex from the same compare-and-swap that takes
	// it, and an Unlock from any goroutine ends that knowledge.
	word atomicUint64
	// waiters counts the goroutines in wait; Unlock wakes one only when it
	// is positive, so an uncontended Unlock is one atomic add and a load.
	waiters atomicInt32
	// park holds the waiters (park.go).
	park parker
	// id is the mutex's place in All's order.
	id lockID
	// dep is the mutex's detection part.
	dep dep
}

// NewMutex returns an unlocked Mutex whose class is name: every lock made
// with the same name is one node of the lock-order graph. An empty name
// makes the class the place that called NewMutex.
func NewMutex(name string) *Mutex {
	m := new(Mutex)
	m.dep.setClass(name, 2)
	return m
}

// try takes m if it is free, writing tok as its holder.
func (m *Mutex) try(tok token) bool {
	w := m.word.Load()
	if w&1 == 0 && m.word.CompareAndSwap(w, uint64(tok|lockedBit)) {
		m.mirror(uint64(tok | lockedBit))
		return true
	}
	return false
}

// blocking is how Lock and LockContext take a Mutex: they can wait
// forever, and a recursive one is reported once its wait has lasted.
func (m *Mutex) blocking() acquire {
	return acquire{id: &m.id, word: m.detWord(), mode: writeAccess, wait: unbounded, recursion: reportIfStuck}
}

// Lock locks m, waiting as long as it takes. It records, for every lock the
// goroutine already holds, the order "held before m", and reports a
// potential deadlock if that order closes a cycle, before it waits; and it
// reports a goroutine that waits for a mutex it holds itself.
func (m *Mutex) Lock() { m.lock(2) }

// lock is Lock for callers inside the package; skip counts the frames from
// lock up to the user's call, which names a zero value's class. It is not
// inlined: its frame, and so the stack block of here (which keys the
// goroutine's hint, see dep.begin), is then the same for every Lock made
// from one frame of the caller's.
//
//go:noinline
func (m *Mutex) lock(skip int) {
	var here byte
	if tok, ok := m.dep.quick(blockOf(&here)); ok && m.try(tok) {
		return
	}
	m.lockSlow(&here, skip+1)
}

// lockSlow is lock when the lock is busy, or the detector has work to do;
// here is lock's local (see dep.begin).
func (m *Mutex) lockSlow(here *byte, skip int) {
	var t tracker
	m.dep.begin(&t, m.blocking(), here, skip+1)
	if !m.try(t.tok) {
		m.wait(waitFor{tok: t.tok, suspect: t.suspect})
	}
	m.dep.acquired(&t, here)
}

// TryLock locks m if it is free and reports whether it did. A try cannot
// wait, so it adds no edge to the lock-order graph; a lock taken this way
// still orders the locks taken after it.
//
//go:noinline
func (m *Mutex) TryLock() bool {
	var here byte
	if tok, ok := m.dep.quick(blockOf(&here)); ok {
		return m.try(tok)
	}
	var t tracker
	m.dep.begin(&t, acquire{id: &m.id, word: m.detWord(), mode: writeAccess, wait: bounded}, &here, 2)
	if !m.try(t.tok) {
		return false
	}
	m.dep.acquired(&t, &here)
	return true
}

// LockContext locks m, or returns an error wrapping context.Cause(ctx) if
// ctx is done first. If m is free it is taken even when ctx is already done.
// A LockContext can wait forever, so it feeds the graph like Lock.
func (m *Mutex) LockContext(ctx context.Context) error { return m.lockContext(ctx, 2) }

//go:noinline
func (m *Mutex) lockContext(ctx context.Context, skip int) error {
	var here byte
	if tok, ok := m.dep.quick(blockOf(&here)); ok && m.try(tok) {
		return nil
	}
	var t tracker
	m.dep.begin(&t, m.blocking(), &here, skip+1)
	if !m.try(t.tok) && !m.wait(waitFor{tok: t.tok, done: ctx.Done(), suspect: t.suspect}) {
		return fmt.Errorf("lock: Mutex %s: %w", m.dep.name(), context.Cause(ctx))
	}
	m.dep.acquired(&t, &here)
	return nil
}

// TryLockFor locks m if it becomes free within d and reports whether it did.
// Waiting is bounded, which is the guide's cure for deadlocks, so like
// TryLock it adds no edge to the graph. A d of zero or less tries once.
//
//go:noinline
func (m *Mutex) TryLockFor(d time.Duration) bool {
	var here byte
	var t tracker
	m.dep.begin(&t, acquire{id: &m.id, word: m.detWord(), mode: writeAccess, wait: bounded}, &here, 2)
	ok := m.try(t.tok)
	if !ok && d > 0 {
		timer := time.NewTimer(d)
		ok = m.wait(waitFor{tok: t.tok, timeout: timer.C})
		timer.Stop()
	}
	if ok {
		m.dep.acquired(&t, &here)
	}
	return ok
}

// Unlock unlocks m. Unlocking an unlocked Mutex panics.
func (m *Mutex) Unlock() {
	if m.word.Load()&1 == 0 {
		panic("lock: Unlock of unlocked Mutex")
	}
	// Clearing bit 0 keeps the token, which no longer says anyone holds m.
	m.mirror(m.word.Add(^uint64(0)))
	if m.waiters.Load() > 0 {
		m.wakeOne()
	}
}
