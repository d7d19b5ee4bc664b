//go:build ludus_check

package evloop

import (
	"time"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/atomic"
	"github.com/labludus/ludus/check/sync"
)

type (
	mutex       = sync.Mutex
	atomicBool  = atomic.Bool
	atomicInt32 = atomic.Int32
)

func now() time.Time { return check.Now() }

func startGoroutine(f func()) { check.Go("evloop", f) }

// doorbell is a checked channel of capacity one: a ring that is lost shows
// up as a deadlock (the loop asleep forever) in the exploration.
type doorbell struct{ c *check.Chan[struct{}] }

func newDoorbell() *doorbell { return &doorbell{c: check.NewChan[struct{}]("doorbell", 1)} }

func (d *doorbell) ring() { d.c.TrySend(struct{}{}) }

func (d *doorbell) wait(timeout time.Duration) {
	if timeout < 0 {
		d.c.Recv()
		return
	}
	t := check.NewTimer(timeout)
	var x struct{}
	var at time.Time
	if chosen, _ := check.Select(d.c.RecvCase(&x), t.C.RecvCase(&at)); chosen == 0 {
		t.Stop()
	}
}

var brokenHandOff bool
