package actor

import (
	"sync"
	"time"
)

// Timer is a pending SendAfter or a periodic Every.
type Timer struct {
	set     *timerSet
	t       *time.Timer
	stopped bool // guarded by set.mu
}

// Stop cancels the timer. It reports whether the call stopped it (false if
// it had already fired, for SendAfter, or was already stopped). No message
// is sent by the timer after Stop returns.
func (t *Timer) Stop() bool {
	if t == nil {
		return false
	}
	s := t.set
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.stopped {
		return false
	}
	t.stopped = true
	t.t.Stop()
	delete(s.m, t)
	return true
}

// timerSet holds an actor's live timers so they can all be cancelled when
// it stops. Firing happens under mu, so after cancelAll returns no timer of
// the set sends anything.
type timerSet struct {
	mu sync.Mutex
	m  map[*Timer]struct{}
}

func (s *timerSet) start(d time.Duration, periodic bool, fire func()) *Timer {
	t := &Timer{set: s}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[*Timer]struct{})
	}
	s.m[t] = struct{}{}
	t.t = time.AfterFunc(d, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if t.stopped {
			return
		}
		if periodic {
			t.t.Reset(d)
		} else {
			t.stopped = true
			delete(s.m, t)
		}
		fire()
	})
	return t
}

func (s *timerSet) cancelAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.m {
		t.stopped = true
		t.t.Stop()
	}
	s.m = nil
}
