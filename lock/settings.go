package lock

import (
	"sync/atomic"
	"time"
)

// The package's settings. Each is one atomic word read on the paths that
// need it, so that a setting can change while locks are in use.
var (
	// enabled is SetDetection's switch: off, acquisitions are not tracked
	// (one load per Lock). It starts as compiledIn.
	enabled atomic.Bool
	// exact is SetExactGoroutines' switch: on, every acquisition asks the
	// runtime for its goroutine's id instead of trusting a stack hint.
	exact atomic.Bool
	// longWaitNanos is SetLongWait's limit; 0 is off.
	longWaitNanos atomic.Int64
)

func init() { enabled.Store(compiledIn) }

// SetDetection switches deadlock detection on or off for the acquisitions
// that follow and returns the previous setting. Locks taken while it is off
// are not tracked; switching it off costs one atomic load per Lock. In a
// build with the ludus_nolockdep tag detection is compiled out and stays
// off.
func SetDetection(on bool) (previous bool) {
	return enabled.Swap(on && compiledIn)
}

// Detection reports whether deadlock detection is on.
func Detection() bool { return enabled.Load() }

// SetLongWait makes a Lock or RLock that waits longer than d report a
// LongWait (once per lock class), the way go-deadlock's DeadlockTimeout
// does, and returns the previous limit. Zero, the default, turns it off; a
// negative d is zero. Only goroutines that actually wait pay for the timer.
// LockContext and TryLockFor are the other answer to a long wait: the
// caller hears of it.
func SetLongWait(d time.Duration) (previous time.Duration) {
	return time.Duration(longWaitNanos.Swap(int64(max(d, 0))))
}

// longWaitLimit is the limit a wait starting now should use: 0 when
// detection is off, since a LongWait is a detection report.
func longWaitLimit() time.Duration {
	if !compiledIn || !enabled.Load() {
		return 0
	}
	return time.Duration(longWaitNanos.Load())
}

// SetExactGoroutines chooses how the package tells goroutines apart, and
// returns the previous choice. By default (false) a goroutine is known by
// the stack memory it runs on, and asks the runtime for its id only on a
// miss, for a new chain, and while a lock class is learning (see the
// package documentation): fast, never a false report, but a new order
// first taken through a stack hint is reported the next time it is taken
// rather than the first. With true, every acquisition asks the runtime for
// the goroutine's id (a microsecond or more, slower than go-deadlock, which
// reads the id from the runtime's private structures): every order is
// reported the first time it is taken.
func SetExactGoroutines(on bool) (previous bool) { return exact.Swap(on) }
