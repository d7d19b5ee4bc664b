//go:build ludus_check

package atomics

import (
	"time"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/atomic"
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
)

// Yield, in a checked build, sleeps one nanosecond of the checker's virtual
// time: the caller becomes runnable again only when no other goroutine can
// run. A plain scheduling point (Sleep(0)) would let the exploration pick the
// waiting goroutine forever, a schedule no fair scheduler produces, and end
// in a step-limit verdict. The price: after a Yield the checker does not
// interleave the waiter's retry with third goroutines that can still run.
func Yield() { check.Sleep(time.Nanosecond) }
