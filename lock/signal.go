package lock

import (
	"sync/atomic"
	"time"
)

// signal wakes the goroutines waiting in an RWMutex's LockContext or
// TryLockFor. Plain Lock waits in the runtime's semaphore inside
// sync.RWMutex, which cannot be cancelled, so cancellable waiters park on a
// channel that Unlock closes when, and only when, someone waits on it: an
// Unlock with no such waiter pays one atomic load.
type signal struct {
	// waiters counts the goroutines between their registration and their
	// return in wait; wake does nothing while it is 0.
	waiters atomic.Int32
	// ch is the channel the current waiters sleep on, made by the first of
	// them; wake swaps it out and closes it, and the next waiter makes a
	// new one.
	ch atomic.Pointer[chan struct{}]
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

// waitFor is wait with a timeout of d; a d of zero or less gives up at
// once.
func (s *signal) waitFor(try func() bool, d time.Duration) bool {
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	return s.wait(try, nil, t.C)
}
