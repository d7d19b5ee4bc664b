//go:build ludus_check

package actor

import (
	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/atomic"
	"github.com/labludus/ludus/check/sync"
)

type (
	atomicPointer[T any] = atomic.Pointer[T]
	atomicInt32          = atomic.Int32
	atomicBool           = atomic.Bool
	mutex                = sync.Mutex
)

func startGoroutine(f func()) { check.Go("actor", f) }

var brokenHandOff bool
