//go:build ludus_check

package lock

import (
	"sync/atomic"

	catomic "github.com/labludus/ludus/check/atomic"
)

// The atomics of a Mutex's lock word, routed through the ludus checker.
type (
	atomicUint64 = catomic.Uint64
	atomicInt32  = catomic.Int32
)

// shadowWord mirrors the lock word in a plain atomic, so that the
// detector's reads of it are not scheduling points: they depend on the
// detector's process-wide state, which the checker does not replay, and
// would make its schedules nondeterministic. Only one managed goroutine
// runs between the checker's steps, so the mirror is exact whenever it is
// read.
type shadowWord struct{ v atomic.Uint64 }

func (m *Mutex) detWord() *atomic.Uint64 { return &m.shadow.v }

func (m *Mutex) mirror(w uint64) { m.shadow.v.Store(w) }
