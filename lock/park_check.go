//go:build ludus_check

package lock

import (
	"time"

	"github.com/labludus/ludus/check"
	csync "github.com/labludus/ludus/check/sync"
)

// recursionConfirm: see park.go.
const recursionConfirm = 50 * time.Millisecond

// parker, in a checked build, parks waiters on a check/sync.Cond, so that
// the checker sees a waiting goroutine as blocked (and an AB/BA wait as a
// deadlock) instead of running.
type parker struct {
	// mu guards cond's creation and is the Cond's lock.
	mu csync.Mutex
	// cond is made by the first waiter; Unlock broadcasts on it.
	cond *csync.Cond
}

// wait is Mutex.wait for the checker. A wait with a deadline polls on
// virtual time, since a Cond cannot also watch a channel; the recursion
// confirmation and SetLongWait need real time and are not checked.
func (m *Mutex) wait(w waitFor) bool {
	if w.done == nil && w.timeout == nil {
		m.waiters.Add(1)
		defer m.waiters.Add(-1)
		m.park.mu.Lock()
		defer m.park.mu.Unlock()
		if m.park.cond == nil {
			m.park.cond = csync.NewCond(&m.park.mu)
		}
		for !m.try(w.tok) {
			m.park.cond.Wait()
		}
		return true
	}
	for !m.try(w.tok) {
		select {
		case <-w.done:
			return false
		case <-w.timeout:
			return false
		default:
		}
		check.Sleep(time.Nanosecond)
	}
	return true
}

func (m *Mutex) wakeOne() {
	m.park.mu.Lock()
	if m.park.cond != nil {
		m.park.cond.Broadcast()
	}
	m.park.mu.Unlock()
}
