package sync

import (
	stdsync "sync"
	"unsafe"

	"github.com/labludus/ludus/check/internal/engine"
)

// A Locker represents an object that can be locked and unlocked.
type Locker interface {
	Lock()
	Unlock()
}

// Mutex is a mutual exclusion lock, as sync.Mutex.
type Mutex struct {
	st engine.Lazy[engine.Mutex]
	mu stdsync.Mutex
}

// Lock locks m, blocking until it is available.
func (m *Mutex) Lock() {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(m.st.Peek()), "Mutex.Lock"); g != nil {
			g.Engine().Lock(g, m.model())
			return
		}
	}
	m.mu.Lock()
}

// TryLock tries to lock m and reports whether it succeeded.
func (m *Mutex) TryLock() bool {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(m.st.Peek()), "Mutex.TryLock"); g != nil {
			return g.Engine().TryLock(g, m.model())
		}
	}
	return m.mu.TryLock()
}

// Unlock unlocks m; unlocking an unlocked mutex is a run-time error.
func (m *Mutex) Unlock() {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(m.st.Peek()), "Mutex.Unlock"); g != nil {
			g.Engine().Unlock(g, m.model())
			return
		}
	}
	m.mu.Unlock()
}

// RWMutex is a reader/writer mutual exclusion lock, as sync.RWMutex (a
// blocked Lock call excludes new readers).
type RWMutex struct {
	st engine.Lazy[engine.RWMutex]
	mu stdsync.RWMutex
}

// Lock locks rw for writing.
func (rw *RWMutex) Lock() {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(rw.st.Peek()), "RWMutex.Lock"); g != nil {
			g.Engine().RWLock(g, rw.model())
			return
		}
	}
	rw.mu.Lock()
}

// TryLock tries to lock rw for writing.
func (rw *RWMutex) TryLock() bool {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(rw.st.Peek()), "RWMutex.TryLock"); g != nil {
			return g.Engine().RWTryLock(g, rw.model())
		}
	}
	return rw.mu.TryLock()
}

// Unlock unlocks rw for writing.
func (rw *RWMutex) Unlock() {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(rw.st.Peek()), "RWMutex.Unlock"); g != nil {
			g.Engine().RWUnlock(g, rw.model())
			return
		}
	}
	rw.mu.Unlock()
}

// RLock locks rw for reading.
func (rw *RWMutex) RLock() {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(rw.st.Peek()), "RWMutex.RLock"); g != nil {
			g.Engine().RLock(g, rw.model())
			return
		}
	}
	rw.mu.RLock()
}

// TryRLock tries to lock rw for reading.
func (rw *RWMutex) TryRLock() bool {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(rw.st.Peek()), "RWMutex.TryRLock"); g != nil {
			return g.Engine().TryRLock(g, rw.model())
		}
	}
	return rw.mu.TryRLock()
}

// RUnlock undoes a single RLock call.
func (rw *RWMutex) RUnlock() {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(rw.st.Peek()), "RWMutex.RUnlock"); g != nil {
			g.Engine().RUnlock(g, rw.model())
			return
		}
	}
	rw.mu.RUnlock()
}

// RLocker returns a Locker that calls RLock and RUnlock.
func (rw *RWMutex) RLocker() Locker { return (*rlocker)(rw) }

type rlocker RWMutex

func (r *rlocker) Lock()   { (*RWMutex)(r).RLock() }
func (r *rlocker) Unlock() { (*RWMutex)(r).RUnlock() }

func (m *Mutex) model() *engine.Mutex {
	p := m.st.Get()
	if p.Key == 0 {
		p.Key = uintptr(unsafe.Pointer(m))
	}
	return p
}

func (rw *RWMutex) model() *engine.RWMutex {
	p := rw.st.Get()
	if p.Key == 0 {
		p.Key = uintptr(unsafe.Pointer(rw))
	}
	return p
}
