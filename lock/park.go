//go:build !ludus_check

package lock

import (
	"runtime"
	"slices"
	"sync"
	"time"
)

// parker holds the goroutines waiting in a Mutex: a FIFO of channels, one
// per waiter, closed by Unlock.
type parker struct {
	// mu guards queue.
	mu sync.Mutex
	// queue holds one channel per parked waiter, oldest first; wakeOne
	// closes the first. A waiter woken but beaten to the lock goes back at
	// the head.
	queue []chan struct{}
}

// recursionConfirm is how long a Lock that the goroutine's own records say
// is recursive waits before it is reported: a truly recursive Lock never
// ends, and one that does was not recursive.
const recursionConfirm = 50 * time.Millisecond

// wait parks until it takes m, with w.tok as the holder's token, or
// w.done or w.timeout fires; it reports whether it took m. A waiter queues
// its channel before its last try, so an Unlock that the try missed finds
// the channel and closes it.
func (m *Mutex) wait(w waitFor) bool {
	// Parking and timers use stack; if ours grows here, the hints to our
	// state from the old memory must go (see stackMoved).
	var sw stackWatch
	sw.start()
	defer sw.end()
	for range 4 {
		runtime.Gosched()
		if m.try(w.tok) {
			return true
		}
	}
	var long <-chan time.Time
	if d := longWaitLimit(); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		long = t.C
	}
	var confirm <-chan time.Time
	if w.suspect {
		t := time.NewTimer(recursionConfirm)
		defer t.Stop()
		confirm = t.C
	}
	m.waiters.Add(1)
	defer m.waiters.Add(-1)
	front := false
	for {
		c := make(chan struct{})
		m.park.mu.Lock()
		if front {
			m.park.queue = slices.Insert(m.park.queue, 0, c)
		} else {
			m.park.queue = append(m.park.queue, c)
		}
		m.park.mu.Unlock()
		if m.try(w.tok) {
			m.leave(c)
			return true
		}
	sleep:
		select {
		case <-c:
		case <-w.done:
			m.leave(c)
			return false
		case <-w.timeout:
			m.leave(c)
			return false
		case <-long:
			m.dep.longWait()
			long = nil
			goto sleep
		case <-confirm:
			m.dep.recursive()
			confirm = nil
			goto sleep
		}
		if m.try(w.tok) {
			return true
		}
		front = true // woken but beaten to it: wait at the head
	}
}

// leave takes c off the queue; if an Unlock took it off first, the wake-up
// it meant for us is passed on so that it is not lost.
func (m *Mutex) leave(c chan struct{}) {
	m.park.mu.Lock()
	i := slices.Index(m.park.queue, c)
	if i >= 0 {
		m.park.queue = slices.Delete(m.park.queue, i, i+1)
	}
	m.park.mu.Unlock()
	if i < 0 {
		m.wakeOne()
	}
}

func (m *Mutex) wakeOne() {
	m.park.mu.Lock()
	var c chan struct{}
	if len(m.park.queue) > 0 {
		c = m.park.queue[0]
		m.park.queue = slices.Delete(m.park.queue, 0, 1)
	}
	m.park.mu.Unlock()
	if c != nil {
		close(c)
	}
}
