//go:build ludus_nolockdep

package lock

import "sync/atomic"

// With the ludus_nolockdep build tag, detection is compiled out: a lock is
// its sync counterpart plus the cancellable wait and the id All orders by.

const compiledIn = false

type dep struct{ n string }

type gstate struct{}

func (d *dep) setClass(name string, skip int) { d.n = name }

func (d *dep) name() string { return d.n }

func (*dep) acquire(*lockID, bool, bool, int) *gstate { return nil }
func (*dep) acquired(*gstate)                         {}
func (*dep) acquiredRead(*gstate)                     {}
func (*dep) abort(*gstate)                            {}
func (*dep) release()                                 {}
func (*dep) releaseRead()                             {}

func (*dep) track(*lockID, *atomic.Uint64, uint64, bool, int) {}
func (*dep) check(*lockID, *atomic.Uint64, int) bool          { return false }
func (*dep) recursive()                                       {}
func (*dep) longWait()                                        {}

func stackMoved() {}
