package lock

import (
	"strconv"
	"sync/atomic"
	"time"
)

// The names a lock gives the detector for one acquisition, so that no call
// passes a bare true or false.

// accessMode says whether an acquisition is exclusive (a Mutex, an
// RWMutex's Lock) or shared (an RWMutex's RLock).
type accessMode uint8

const (
	writeAccess accessMode = iota + 1
	readAccess
)

func (m accessMode) String() string { return enumName("accessMode", int(m), "write", "read") }

// waitBound says whether an acquisition can wait forever. Only one that can
// takes part in a deadlock, so only those record lock orders: Lock, RLock
// and LockContext (whose context may never be done) are unbounded; TryLock
// and TryLockFor, the guide's timeout cure, are bounded. A bounded
// acquisition is still recorded as held, so the locks taken after it are
// ordered after it.
type waitBound uint8

const (
	unbounded waitBound = iota + 1
	bounded
)

func (w waitBound) String() string { return enumName("waitBound", int(w), "unbounded", "bounded") }

// recursionReport says when a lock its goroutine already holds is
// reported.
type recursionReport uint8

const (
	// reportAtOnce: before the acquisition waits. An RWMutex's: a recursive
	// RLock is legal in Go but deadlocks with a writer waiting in between,
	// and a recursive Lock never returns.
	reportAtOnce recursionReport = iota + 1
	// reportIfStuck: once the wait has lasted recursionConfirm. A Mutex's:
	// its Lock never ends if the goroutine truly holds it, and one that
	// does end was not recursive.
	reportIfStuck
)

func (r recursionReport) String() string {
	return enumName("recursionReport", int(r), "report at once", "report if stuck")
}

// enumName names value v of a typed constant whose values count from 1 in
// the order of names, or says "typ(v)" for any other value.
func enumName(typ string, v int, names ...string) string {
	if v >= 1 && v <= len(names) {
		return names[v-1]
	}
	return typ + "(" + strconv.Itoa(v) + ")"
}

// acquire describes one acquisition to the detector.
type acquire struct {
	// id is the lock's place in All's order, and its instance in the graph.
	id *lockID
	// word is the lock word that will carry the acquirer's token (a
	// Mutex's word, an RWMutex's writer word); nil for a read.
	word *atomic.Uint64
	mode accessMode
	wait waitBound
	// recursion says when a recursive acquisition is reported.
	recursion recursionReport
}

// token is what a lock word says about its holder. Bit 0 (lockedBit) is
// set while the lock is held. The bits above name the holder's goroutine
// state: its id shifted left by tokenShift, and exactBit if the acquirer
// knew its goroutine id exactly. The acquisition's compare-and-swap writes
// the whole token, so recording who holds a lock costs nothing beyond
// taking it; an Unlock, from any goroutine, clears lockedBit, so a record
// of a held lock goes stale by itself. With detection off, or compiled
// out, the token is 0.
type token uint64

const (
	lockedBit  token = 1
	exactBit   token = 2
	tokenShift       = 2
)

// waitFor says how a Mutex waits (park.go).
type waitFor struct {
	// tok is the token to take the Mutex with.
	tok token
	// done ends the wait when closed (LockContext's ctx.Done()); nil
	// never.
	done <-chan struct{}
	// timeout ends the wait when it fires (TryLockFor's timer); nil never.
	timeout <-chan time.Time
	// suspect is whether the goroutine provably holds the Mutex already:
	// the wait then reports recursion once it has lasted recursionConfirm.
	suspect bool
}
