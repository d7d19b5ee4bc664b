//go:build !ludus_check

package lock

import (
	"runtime"
	"slices"
	"sync"
	"time"
	"unsafe"
)

// parker holds the goroutines waiting in a Mutex: a FIFO of channels, one
// per waiter, closed by Unlock.
type parker struct {
	mu    sync.Mutex
	queue []chan struct{}
}

// recursionConfirm is how long a Lock that the goroutine's own records say
// is recursive waits before it is reported: a truly recursive Lock never
// ends, and one that does was not recursive.
const recursionConfirm = 50 * time.Millisecond

// wait parks until it takes m or done or timeout fires; it returns the
// word of its acquisition. A waiter queues its channel before its last try,
// so an Unlock that the try missed finds the channel and closes it.
func (m *Mutex) wait(done <-chan struct{}, timeout <-chan time.Time, suspect bool) (uint64, bool) {
	// Parking and timers use stack; if ours grows here, the hints to our
	// state from the old memory must go (see stackMoved).
	var probe byte
	at := uintptr(unsafe.Pointer(&probe))
	defer func() {
		if uintptr(unsafe.Pointer(&probe)) != at {
			stackMoved()
		}
	}()
	for range 4 {
		runtime.Gosched()
		if w, ok := m.try(); ok {
			return w, true
		}
	}
	var long <-chan time.Time
	if d := longWaitLimit(); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		long = t.C
	}
	var confirm <-chan time.Time
	if suspect {
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
		if w, ok := m.try(); ok {
			m.leave(c)
			return w, true
		}
	wait:
		select {
		case <-c:
		case <-done:
			m.leave(c)
			return 0, false
		case <-timeout:
			m.leave(c)
			return 0, false
		case <-long:
			m.dep.longWait()
			long = nil
			goto wait
		case <-confirm:
			m.dep.recursive()
			confirm = nil
			goto wait
		}
		if w, ok := m.try(); ok {
			return w, true
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
