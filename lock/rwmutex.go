package lock

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// RWMutex is a reader/writer lock with the API of sync.RWMutex, plus
// LockContext, RLockContext, TryLockFor and TryRLockFor. Read and write
// acquisitions both feed the lock-order graph: Go's RWMutex blocks new
// readers while a writer waits, so read locks take part in deadlocks too.
// The zero value is an unlocked RWMutex whose class is the place that first
// locks it; NewRWMutex names the class.
type RWMutex struct {
	// mu is the lock itself: plain Lock and RLock wait in the runtime's
	// semaphore inside it.
	mu sync.RWMutex
	// id is the lock's place in All's order.
	id lockID
	// sig wakes the cancellable waiters (LockContext, TryLockFor), which
	// cannot wait in mu.
	sig signal
	// dep is the lock's detection part; its writer word carries the write
	// acquisition's token.
	dep dep
}

// NewRWMutex returns an unlocked RWMutex whose class is name (see NewMutex).
func NewRWMutex(name string) *RWMutex {
	m := new(RWMutex)
	m.dep.setClass(name, 2)
	return m
}

// The write and read sides of an RWMutex share their code; mode says
// which side. (A switch, not function values: calling a function value
// with pointers to the tracker would move it to the heap.)

// try takes side mode of mu if it can without waiting.
func (m *RWMutex) try(mode accessMode) bool {
	if mode == writeAccess {
		return m.mu.TryLock()
	}
	return m.mu.TryRLock()
}

// tryFunc is try as a function, for the waits that poll it.
func (m *RWMutex) tryFunc(mode accessMode) func() bool {
	if mode == writeAccess {
		return m.mu.TryLock
	}
	return m.mu.TryRLock
}

// locked records a taken acquisition with the detector.
func (m *RWMutex) locked(t *tracker, here *byte, mode accessMode) {
	if mode == writeAccess {
		m.dep.lockedW(t, here)
	} else {
		m.dep.lockedR(t, here)
	}
}

// begin starts an acquisition of side mode; skip counts the frames up to
// the user's call.
func (m *RWMutex) begin(t *tracker, mode accessMode, wait waitBound, here *byte, skip int) {
	a := acquire{id: &m.id, mode: mode, wait: wait, recursion: reportAtOnce}
	if mode == writeAccess {
		a.word = m.dep.writerWord()
	}
	m.dep.begin(t, a, here, skip+1)
}

// take is Lock and RLock: it waits as long as it takes.
func (m *RWMutex) take(mode accessMode) {
	var here byte
	var t tracker
	m.begin(&t, mode, unbounded, &here, 3)
	if !m.try(mode) {
		m.block(mode)
	}
	m.locked(&t, &here, mode)
}

// block takes side mode, waiting in mu, first watching for a long wait if
// SetLongWait asked for it.
func (m *RWMutex) block(mode accessMode) {
	var w stackWatch
	w.start()
	defer w.end()
	if d := longWaitLimit(); d > 0 {
		if m.try(mode) || m.sig.waitFor(m.tryFunc(mode), d) {
			return
		}
		m.dep.longWait()
	}
	if mode == writeAccess {
		m.mu.Lock()
	} else {
		m.mu.RLock()
	}
}

// tryTake is TryLock, TryRLock, TryLockFor and TryRLockFor: it waits at
// most d (not at all for d <= 0).
func (m *RWMutex) tryTake(mode accessMode, d time.Duration) bool {
	var here byte
	var t tracker
	m.begin(&t, mode, bounded, &here, 3)
	if !m.try(mode) && (d <= 0 || !m.sig.waitFor(m.tryFunc(mode), d)) {
		return false
	}
	m.locked(&t, &here, mode)
	return true
}

// takeContext is LockContext and RLockContext.
func (m *RWMutex) takeContext(ctx context.Context, mode accessMode) error {
	var here byte
	var t tracker
	m.begin(&t, mode, unbounded, &here, 3)
	if !m.try(mode) && !m.sig.wait(m.tryFunc(mode), ctx.Done(), nil) {
		what := ""
		if mode == readAccess {
			what = " (read)"
		}
		return fmt.Errorf("lock: RWMutex %s%s: %w", m.dep.name(), what, context.Cause(ctx))
	}
	m.locked(&t, &here, mode)
	return nil
}

// Lock locks m for writing (see Mutex.Lock). Locking an RWMutex that the
// goroutine holds, for reading or writing, is reported before it waits.
func (m *RWMutex) Lock() { m.take(writeAccess) }

// TryLock locks m for writing if it is free and reports whether it did.
func (m *RWMutex) TryLock() bool { return m.tryTake(writeAccess, 0) }

// LockContext locks m for writing, or returns an error wrapping
// context.Cause(ctx) if ctx is done first (see Mutex.LockContext).
func (m *RWMutex) LockContext(ctx context.Context) error { return m.takeContext(ctx, writeAccess) }

// TryLockFor locks m for writing if it becomes free within d and reports
// whether it did.
func (m *RWMutex) TryLockFor(d time.Duration) bool { return m.tryTake(writeAccess, d) }

// Unlock unlocks m for writing.
func (m *RWMutex) Unlock() {
	m.dep.unlockedW()
	m.mu.Unlock()
	m.sig.wake()
}

// RLock locks m for reading. Taking a read lock that the goroutine already
// holds is reported: with a writer waiting in between, it deadlocks.
func (m *RWMutex) RLock() { m.take(readAccess) }

// TryRLock locks m for reading if no writer holds it and reports whether it
// did.
func (m *RWMutex) TryRLock() bool { return m.tryTake(readAccess, 0) }

// RLockContext locks m for reading, or returns an error wrapping
// context.Cause(ctx) if ctx is done first.
func (m *RWMutex) RLockContext(ctx context.Context) error { return m.takeContext(ctx, readAccess) }

// TryRLockFor locks m for reading if it becomes possible within d and
// reports whether it did.
func (m *RWMutex) TryRLockFor(d time.Duration) bool { return m.tryTake(readAccess, d) }

// RUnlock undoes one RLock.
func (m *RWMutex) RUnlock() {
	var here byte
	m.dep.releaseRead(&here)
	m.mu.RUnlock()
	m.sig.wake()
}

// RLocker returns a sync.Locker whose Lock and Unlock call m.RLock and
// m.RUnlock.
func (m *RWMutex) RLocker() sync.Locker { return (*rlocker)(m) }

type rlocker RWMutex

func (r *rlocker) Lock()   { (*RWMutex)(r).RLock() }
func (r *rlocker) Unlock() { (*RWMutex)(r).RUnlock() }
