//go:build !ludus_check

package actor

import (
	"sync"
	"sync/atomic"
)

// The scheduling hand-off (the mailbox queue, the scheduled flag, the
// terminated flag, the tree's lock and the goroutine start) goes through
// these names, so that building with the ludus_check tag swaps them for the
// checker's drop-ins (see sync_check.go) and check.Explore can drive the
// real code through its interleavings. In a normal build they are the
// standard types and cost nothing.
type (
	atomicPointer[T any] = atomic.Pointer[T]
	atomicInt32          = atomic.Int32
	atomicBool           = atomic.Bool
	mutex                = sync.Mutex
)

func startGoroutine(f func()) { go f() }

// brokenHandOff, true only in checked tests, reintroduces the classic lost
// wake-up to show that the exploration finds it.
const brokenHandOff = false
