//go:build ludus_check

package atomics

import (
	"context"
	"time"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/atomic"
	checksync "github.com/labludus/ludus/check/sync"
)

// Checked reports whether the atomics are routed through check/atomic.
const Checked = true

type (
	// Int32 is check/atomic.Int32.
	Int32 = atomic.Int32
	// Int64 is check/atomic.Int64.
	Int64 = atomic.Int64
	// Uint64 is check/atomic.Uint64.
	Uint64 = atomic.Uint64
	// Pointer is check/atomic.Pointer.
	Pointer[T any] = atomic.Pointer[T]
	// Mutex is check/sync.Mutex.
	Mutex = checksync.Mutex
)

// Signal is a one-shot broadcast over a checked channel: a Wait that is
// never fired shows up as a deadlock (a lost wake-up) in the exploration.
type Signal struct{ c *check.Chan[struct{}] }

// NewSignal returns a signal not yet fired.
func NewSignal() *Signal { return &Signal{c: check.NewChan[struct{}]("wakeup", 0)} }

// Fire fires the signal; call it once.
func (s *Signal) Fire() { s.c.Close() }

// Wait blocks until the signal fires (nil) or ctx ends (ctx's error). A
// context that can end is polled every virtual millisecond, since its Done
// channel is not one the checker controls.
func (s *Signal) Wait(ctx context.Context) error {
	if ctx.Done() == nil {
		s.c.Recv()
		return nil
	}
	var dummy struct{}
	for {
		if chosen, _ := check.Select(s.c.RecvCase(&dummy), check.DefaultCase()); chosen == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		check.Sleep(time.Millisecond)
	}
}

// Yield, in a checked build, is check.Spin: the caller becomes runnable
// again only when no other goroutine can run. A plain yield (Sleep(0))
// would let the exploration try the waiter's retry between every two steps
// of the others, which multiplies schedules without new behaviour. The
// price: after a Yield the checker does not interleave the waiter's retry
// with third goroutines that can still run.
func Yield() { check.Spin() }
