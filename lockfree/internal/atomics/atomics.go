//go:build !ludus_check

// Package atomics is the single place through which lockfree reaches its
// atomic operations. Normally it is sync/atomic itself (type aliases cost
// nothing); built with the ludus_check tag it becomes check/atomic, so that
// the ludus checker sees every atomic step of the lock-free algorithms as a
// scheduling point and can explore their interleavings exhaustively.
package atomics

import (
	"runtime"
	"sync/atomic"
)

// Checked reports whether the atomics are routed through check/atomic.
const Checked = false

type (
	// Int32 is sync/atomic.Int32.
	Int32 = atomic.Int32
	// Int64 is sync/atomic.Int64.
	Int64 = atomic.Int64
	// Uint64 is sync/atomic.Uint64.
	Uint64 = atomic.Uint64
	// Pointer is sync/atomic.Pointer.
	Pointer[T any] = atomic.Pointer[T]
)

// Yield lets other goroutines run while the caller waits for one of them to
// finish a step (runtime.Gosched; under ludus_check, a checker scheduling
// point).
func Yield() { runtime.Gosched() }
