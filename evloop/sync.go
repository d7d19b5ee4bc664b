//go:build !ludus_check

package evloop

import (
	"sync"
	"sync/atomic"
	"time"
)

// The loop's hand-off (the mailbox that Post fills and the loop empties,
// the doorbell that wakes a sleeping loop, a timer's state word, the clock
// and the goroutines of the portable backend) goes through these names, so
// that building with the ludus_check tag swaps them for the checker's
// drop-ins (see sync_check.go) and check.Explore can drive the real code
// through its interleavings. In a normal build they are the standard types
// and cost nothing.
type (
	mutex       = sync.Mutex
	atomicBool  = atomic.Bool
	atomicInt32 = atomic.Int32
)

// now reads the clock the timers run on.
func now() time.Time { return time.Now() }

// startGoroutine starts one of the portable backend's goroutines.
func startGoroutine(f func()) { go f() }

// doorbell wakes the portable backend's loop: a channel of capacity one, so
// that any number of rings before the loop looks cost one wake-up.
type doorbell struct {
	c chan struct{}
	t *time.Timer // reused by wait; touched only by the loop
}

func newDoorbell() *doorbell { return &doorbell{c: make(chan struct{}, 1)} }

// ring wakes the loop if it sleeps, or makes its next wait return at once.
func (d *doorbell) ring() {
	select {
	case d.c <- struct{}{}:
	default:
	}
}

// wait blocks until the doorbell rings or, when timeout >= 0, until timeout
// has passed.
func (d *doorbell) wait(timeout time.Duration) {
	if timeout < 0 {
		<-d.c
		return
	}
	if d.t == nil {
		d.t = time.NewTimer(timeout)
	} else {
		d.t.Reset(timeout)
	}
	select {
	case <-d.c:
		d.t.Stop()
	case <-d.t.C:
	}
}

// brokenHandOff, true only in checked tests, reintroduces the classic lost
// wake-up to show that the exploration finds it.
const brokenHandOff = false
