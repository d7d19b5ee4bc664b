package lockfree

import (
	"runtime"

	"github.com/labludus/ludus/lockfree/internal/atomics"
)

// Counter is a 64-bit counter for many concurrent writers, after Java's
// LongAdder: while uncontended it is a single word updated by CAS; the first
// time two Adds collide it grows a set of stripes, each on its own cache
// line, and from then on every goroutine adds to a stripe of its own choosing
// (chosen by goroutine, moved to the next stripe when a CAS collides), so
// concurrent Adds stop fighting over one cache line. Load sums the base and
// the stripes.
//
// Use it for statistics that are written far more often than read. When
// readers need a value that existed at one instant, use atomic.Int64.
//
// Progress: Add is lock-free (it retries only after another Add succeeded);
// Load is wait-free (a bounded number of loads).
//
// The zero value is a counter at zero, ready to use. A Counter must not be
// copied after first use.
type Counter struct {
	_       noCopy
	base    atomics.Int64
	stripes atomics.Pointer[[]counterStripe]
}

type counterStripe struct {
	n atomics.Int64
	_ [cacheLine - 8]byte
}

// Add adds delta (which may be negative) to the counter.
func (c *Counter) Add(delta int64) {
	stripes := c.stripes.Load()
	if stripes == nil {
		old := c.base.Load()
		if c.base.CompareAndSwap(old, old+delta) {
			return
		}
		// Contended: from now on spread the writers.
		stripes = c.grow()
	}
	s := *stripes
	idx := stripeHint()
	mask := uint32(len(s) - 1)
	for {
		st := &s[idx&mask]
		old := st.n.Load()
		if st.n.CompareAndSwap(old, old+delta) {
			return
		}
		idx = rehash(idx) // collided with another goroutine: move on
	}
}

// grow installs the stripes: a power of two at least twice GOMAXPROCS, so
// that the stripe choices of different goroutines rarely meet.
func (c *Counter) grow() *[]counterStripe {
	n := 2
	for n < 2*runtime.GOMAXPROCS(0) {
		n <<= 1
	}
	s := make([]counterStripe, n)
	c.stripes.CompareAndSwap(nil, &s)
	return c.stripes.Load()
}

// Inc adds one to the counter.
func (c *Counter) Inc() { c.Add(1) }

// Dec subtracts one from the counter.
func (c *Counter) Dec() { c.Add(-1) }

// Load returns the sum of all Adds that completed before the call, plus some
// of those running concurrently. It is not an atomic snapshot: with
// concurrent Adds of mixed signs it may return a total the counter never held
// at any single instant. With concurrent increments by one only (a pure event
// counter), it returns a value the counter held at some instant during the
// call.
func (c *Counter) Load() int64 {
	sum := c.base.Load()
	if p := c.stripes.Load(); p != nil {
		for i := range *p {
			sum += (*p)[i].n.Load()
		}
	}
	return sum
}
