//go:build ludus_nolockdep

package lock

import "sync/atomic"

// With the ludus_nolockdep build tag, detection is compiled out: a lock is
// its sync counterpart plus the cancellable wait and the id All orders by.

const compiledIn = false

// dep keeps only the name given to NewMutex, for error messages.
type dep struct{ n string }

// tracker carries nothing but a zero token: untracked acquisitions.
type tracker struct {
	tok     token
	suspect bool
}

func (d *dep) setClass(name string, skip int) { d.n = name }

func (d *dep) name() string { return d.n }

func (*dep) writerWord() *atomic.Uint64 { return nil }

func (*dep) begin(*tracker, acquire, *byte, int) {}
func (*dep) acquired(*tracker, *byte)            {}
func (*dep) lockedW(*tracker, *byte)             {}
func (*dep) unlockedW()                          {}
func (*dep) lockedR(*tracker, *byte)             {}
func (*dep) releaseRead(*byte)                   {}
func (*dep) recursive()                          {}
func (*dep) longWait()                           {}

func stackMoved() {}

// quick takes every acquisition untracked.
func (*dep) quick(uintptr) (token, bool) { return 0, true }
