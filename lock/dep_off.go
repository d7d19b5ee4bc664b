//go:build ludus_nolockdep

package lock

import "sync/atomic"

// With the ludus_nolockdep build tag, detection is compiled out: a lock is
// its sync counterpart plus the cancellable wait and the id All orders by.

const compiledIn = false

type dep struct{ n string }

func (d *dep) setClass(name string, skip int) { d.n = name }

func (d *dep) name() string { return d.n }

func (*dep) lockedW(*lockID, bool, int) {}
func (*dep) unlockedW()                 {}
func (*dep) lockedR(*lockID, bool, int) {}
func (*dep) releaseRead()               {}

func (*dep) track(*lockID, *atomic.Uint64, uint64, bool, bool, int) {}
func (*dep) check(*lockID, bool, bool, int) bool                    { return false }
func (*dep) recursive()                                             {}
func (*dep) longWait()                                              {}

func stackMoved() {}
