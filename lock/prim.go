//go:build !ludus_check

package lock

import "sync/atomic"

// The atomics of a Mutex's lock word. Built with the ludus_check tag they
// are check/atomic's, so that the ludus checker schedules every step of the
// lock protocol (see check_test.go).
type (
	atomicUint64 = atomic.Uint64
	atomicInt32  = atomic.Int32
)

// shadowWord is empty here: the detector reads the lock word itself.
//
//lint:ignore U1000 the ludus_check build gives it a field (prim_check.go)
type shadowWord struct{}

// detWord is the word the detector's records compare against.
func (m *Mutex) detWord() *atomic.Uint64 { return &m.word }

func (m *Mutex) mirror(uint64) {}
