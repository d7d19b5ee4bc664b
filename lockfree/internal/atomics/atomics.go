//go:build !ludus_check

// Package atomics is the single place through which lockfree reaches its
// synchronisation primitives: atomics, the mutex and the wake-up signal of
// the parking protocol. Normally they are sync/atomic, sync and a channel
// (type aliases and a tiny struct cost nothing); built with the ludus_check
// tag they become check/atomic, check/sync and check.Chan, so that the ludus
// checker sees every step of the algorithms as a scheduling point and can
// explore their interleavings exhaustively, blocking operations included.
package atomics

import (
	"context"
	"runtime"
	"sync"
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
	// Mutex is sync.Mutex.
	Mutex = sync.Mutex
)

// Signal is a one-shot broadcast: Fire wakes every Wait, past and future.
type Signal struct{ c chan struct{} }

// NewSignal returns a signal not yet fired.
func NewSignal() *Signal { return &Signal{c: make(chan struct{})} }

// Fire fires the signal; call it once.
func (s *Signal) Fire() { close(s.c) }

// Wait blocks until the signal fires (nil) or ctx ends (ctx's error).
func (s *Signal) Wait(ctx context.Context) error {
	select {
	case <-s.c:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Yield lets other goroutines run while the caller waits for one of them to
// finish a step (runtime.Gosched; under ludus_check, a checker scheduling
// point).
func Yield() { runtime.Gosched() }
