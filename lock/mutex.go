package lock

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
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
	// word counts every Lock and Unlock: odd means locked, and its value
	// names the current acquisition, so the holder's record of it goes
	// stale by itself when the lock is released, from any goroutine.
	word    atomicUint64
	waiters atomicInt32
	park    parker
	id      lockID
	dep     dep
}

// NewMutex returns an unlocked Mutex whose class is name: every lock made
// with the same name is one node of the lock-order graph. An empty name
// makes the class the place that called NewMutex.
func NewMutex(name string) *Mutex {
	m := new(Mutex)
	m.dep.setClass(name, 2)
	return m
}

func (m *Mutex) try() (uint64, bool) {
	w := m.word.Load()
	if w&1 == 0 && m.word.CompareAndSwap(w, w+1) {
		m.mirror(w + 1)
		return w + 1, true
	}
	return 0, false
}

// Lock locks m, waiting as long as it takes. It records, for every lock the
// goroutine already holds, the order "held before m", and reports a
// potential deadlock if that order closes a cycle; if m is busy, it does so
// before waiting, and reports it if the goroutine itself holds m.
func (m *Mutex) Lock() { m.lock(2) }

// lock is Lock for callers inside the package; skip counts the frames from
// lock up to the user's call, which names a zero value's class.
func (m *Mutex) lock(skip int) {
	if w, ok := m.try(); ok {
		m.dep.track(&m.id, m.detWord(), w, false, true, skip+1)
		return
	}
	suspect := m.dep.check(&m.id, false, false, skip+1)
	w, _ := m.wait(nil, nil, suspect)
	m.dep.track(&m.id, m.detWord(), w, false, true, skip+1)
}

// TryLock locks m if it is free and reports whether it did. A try cannot
// wait, so it adds no edge to the lock-order graph; a lock taken this way
// still orders the locks taken after it.
func (m *Mutex) TryLock() bool {
	w, ok := m.try()
	if ok {
		m.dep.track(&m.id, m.detWord(), w, false, false, 2)
	}
	return ok
}

// LockContext locks m, or returns an error wrapping context.Cause(ctx) if
// ctx is done first. If m is free it is taken even when ctx is already done.
// A LockContext can wait forever, so it feeds the graph like Lock.
func (m *Mutex) LockContext(ctx context.Context) error { return m.lockContext(ctx, 2) }

func (m *Mutex) lockContext(ctx context.Context, skip int) error {
	if w, ok := m.try(); ok {
		m.dep.track(&m.id, m.detWord(), w, false, true, skip+1)
		return nil
	}
	suspect := m.dep.check(&m.id, false, false, skip+1)
	w, ok := m.wait(ctx.Done(), nil, suspect)
	if !ok {
		return fmt.Errorf("lock: Mutex %s: %w", m.dep.name(), context.Cause(ctx))
	}
	m.dep.track(&m.id, m.detWord(), w, false, true, skip+1)
	return nil
}

// TryLockFor locks m if it becomes free within d and reports whether it did.
// Waiting is bounded, which is the guide's cure for deadlocks, so like
// TryLock it adds no edge to the graph.
func (m *Mutex) TryLockFor(d time.Duration) bool {
	w, ok := m.try()
	if !ok && d > 0 {
		t := time.NewTimer(d)
		w, ok = m.wait(nil, t.C, false)
		t.Stop()
	}
	if ok {
		m.dep.track(&m.id, m.detWord(), w, false, false, 2)
	}
	return ok
}

// Unlock unlocks m. Unlocking an unlocked Mutex panics.
func (m *Mutex) Unlock() {
	if m.word.Load()&1 == 0 {
		panic("lock: Unlock of unlocked Mutex")
	}
	m.mirror(m.word.Add(1))
	if m.waiters.Load() > 0 {
		m.wakeOne()
	}
}

// RWMutex is a reader/writer lock with the API of sync.RWMutex, plus
// LockContext, RLockContext, TryLockFor and TryRLockFor. Read and write
// acquisitions both feed the lock-order graph: Go's RWMutex blocks new
// readers while a writer waits, so read locks take part in deadlocks too.
// The zero value is an unlocked RWMutex whose class is the place that first
// locks it; NewRWMutex names the class.
type RWMutex struct {
	mu  sync.RWMutex
	id  lockID
	sig signal
	dep dep
}

// NewRWMutex returns an unlocked RWMutex whose class is name (see NewMutex).
func NewRWMutex(name string) *RWMutex {
	m := new(RWMutex)
	m.dep.setClass(name, 2)
	return m
}

// Lock locks m for writing (see Mutex.Lock).
func (m *RWMutex) Lock() {
	if !m.mu.TryLock() {
		m.dep.check(&m.id, false, true, 2)
		m.block(m.mu.TryLock, m.mu.Lock)
	}
	m.dep.lockedW(&m.id, true, 2)
}

// block takes the lock with lock, first watching for a long wait if
// SetLongWait asked for it.
func (m *RWMutex) block(try func() bool, lock func()) {
	var probe byte
	at := uintptr(unsafe.Pointer(&probe))
	defer func() {
		if uintptr(unsafe.Pointer(&probe)) != at {
			stackMoved()
		}
	}()
	if d := longWaitLimit(); d > 0 {
		if try() || m.sig.waitFor(try, d) {
			return
		}
		m.dep.longWait()
	}
	lock()
}

// TryLock locks m for writing if it is free and reports whether it did.
func (m *RWMutex) TryLock() bool {
	if !m.mu.TryLock() {
		return false
	}
	m.dep.lockedW(&m.id, false, 2)
	return true
}

// LockContext locks m for writing, or returns an error wrapping
// context.Cause(ctx) if ctx is done first (see Mutex.LockContext).
func (m *RWMutex) LockContext(ctx context.Context) error {
	if !m.mu.TryLock() {
		m.dep.check(&m.id, false, true, 2)
		if !m.sig.wait(m.mu.TryLock, ctx.Done(), nil) {
			return fmt.Errorf("lock: RWMutex %s: %w", m.dep.name(), context.Cause(ctx))
		}
	}
	m.dep.lockedW(&m.id, true, 2)
	return nil
}

// TryLockFor locks m for writing if it becomes free within d and reports
// whether it did.
func (m *RWMutex) TryLockFor(d time.Duration) bool {
	if !m.mu.TryLock() && !m.sig.waitFor(m.mu.TryLock, d) {
		return false
	}
	m.dep.lockedW(&m.id, false, 2)
	return true
}

// Unlock unlocks m for writing.
func (m *RWMutex) Unlock() {
	m.dep.unlockedW()
	m.mu.Unlock()
	m.sig.wake()
}

// RLock locks m for reading. Taking a read lock that the goroutine already
// holds is reported: with a writer waiting in between, it deadlocks.
func (m *RWMutex) RLock() {
	if !m.mu.TryRLock() {
		m.dep.check(&m.id, true, true, 2)
		m.block(m.mu.TryRLock, m.mu.RLock)
	}
	m.dep.lockedR(&m.id, true, 2)
}

// TryRLock locks m for reading if no writer holds it and reports whether it
// did.
func (m *RWMutex) TryRLock() bool {
	if !m.mu.TryRLock() {
		return false
	}
	m.dep.lockedR(&m.id, false, 2)
	return true
}

// RLockContext locks m for reading, or returns an error wrapping
// context.Cause(ctx) if ctx is done first.
func (m *RWMutex) RLockContext(ctx context.Context) error {
	if !m.mu.TryRLock() {
		m.dep.check(&m.id, true, true, 2)
		if !m.sig.wait(m.mu.TryRLock, ctx.Done(), nil) {
			return fmt.Errorf("lock: RWMutex %s (read): %w", m.dep.name(), context.Cause(ctx))
		}
	}
	m.dep.lockedR(&m.id, true, 2)
	return nil
}

// TryRLockFor locks m for reading if it becomes possible within d and
// reports whether it did.
func (m *RWMutex) TryRLockFor(d time.Duration) bool {
	if !m.mu.TryRLock() && !m.sig.waitFor(m.mu.TryRLock, d) {
		return false
	}
	m.dep.lockedR(&m.id, false, 2)
	return true
}

// RUnlock undoes one RLock.
func (m *RWMutex) RUnlock() {
	m.dep.releaseRead()
	m.mu.RUnlock()
	m.sig.wake()
}

// RLocker returns a sync.Locker whose Lock and Unlock call m.RLock and
// m.RUnlock.
func (m *RWMutex) RLocker() sync.Locker { return (*rlocker)(m) }

type rlocker RWMutex

func (r *rlocker) Lock()   { (*RWMutex)(r).RLock() }
func (r *rlocker) Unlock() { (*RWMutex)(r).RUnlock() }

// lockID is a lock's place in the global order used by All. It is assigned
// on first use so that zero values work.
type lockID struct{ v atomic.Uint64 }

var lastID atomic.Uint64

func (l *lockID) get() uint64 {
	if v := l.v.Load(); v != 0 {
		return v
	}
	l.v.CompareAndSwap(0, lastID.Add(1))
	return l.v.Load()
}

// signal wakes the goroutines waiting in LockContext or TryLockFor. Plain
// Lock waits in the runtime's semaphore inside sync.Mutex, which cannot be
// cancelled, so cancellable waiters park on a channel that Unlock closes
// when, and only when, someone waits on it: an Unlock with no such waiter
// pays one atomic load.
type signal struct {
	waiters atomic.Int32
	ch      atomic.Pointer[chan struct{}]
}

func (s *signal) wake() {
	if s.waiters.Load() == 0 {
		return
	}
	if old := s.ch.Swap(nil); old != nil {
		close(*old)
	}
}

func (s *signal) channel() chan struct{} {
	for {
		if p := s.ch.Load(); p != nil {
			return *p
		}
		c := make(chan struct{})
		if s.ch.CompareAndSwap(nil, &c) {
			return c
		}
	}
}

// wait calls try until it succeeds or done or timeout fires. Registering as
// a waiter before the last try means an Unlock that the try missed sees the
// registration and closes the channel we sleep on.
func (s *signal) wait(try func() bool, done <-chan struct{}, timeout <-chan time.Time) bool {
	for {
		s.waiters.Add(1)
		c := s.channel()
		if try() {
			s.waiters.Add(-1)
			return true
		}
		select {
		case <-c:
		case <-done:
			s.waiters.Add(-1)
			return false
		case <-timeout:
			s.waiters.Add(-1)
			return false
		}
		s.waiters.Add(-1)
		if try() {
			return true
		}
	}
}

func (s *signal) waitFor(try func() bool, d time.Duration) bool {
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	return s.wait(try, nil, t.C)
}
