package lockfree

import (
	"runtime"

	"github.com/labludus/ludus/lockfree/internal/atomics"
)

// The structures below are deliberately wrong: each has one read-modify-write
// done as a Load followed by a Store instead of a CAS, the classic lost
// update. The checkers must catch them (see linear_test.go and
// check_test.go); if they did not, a passing verdict on the real structures
// would mean nothing. The runtime.Gosched between the two steps only widens
// the window so that real goroutines on two cores hit it within a short test;
// the checker needs no help (and does not see Gosched: the Load and the Store
// are its scheduling points).

// racyStack is a Treiber stack whose Pop is not atomic.
type racyStack struct {
	top atomics.Pointer[stackNode[int]]
}

func (s *racyStack) Push(v int) {
	n := &stackNode[int]{value: v}
	for {
		top := s.top.Load()
		n.next = top
		if s.top.CompareAndSwap(top, n) {
			return
		}
	}
}

func (s *racyStack) Pop() (int, bool) {
	top := s.top.Load()
	if top == nil {
		return 0, false
	}
	runtime.Gosched()
	s.top.Store(top.next) // BUG: another Pop may have taken top meanwhile
	return top.value, true
}

// racyCounter adds with a Load and a Store.
type racyCounter struct{ n atomics.Int64 }

func (c *racyCounter) Add(d int64) {
	v := c.n.Load()
	runtime.Gosched()
	c.n.Store(v + d) // BUG: lost update
}

func (c *racyCounter) Load() int64 { return c.n.Load() }

// racyRing is a Vyukov ring whose producers claim a position with a Load
// and a Store instead of a CAS, so two producers can write the same cell.
type racyRing struct{ *Ring[int] }

func newRacyRing(capacity int) *racyRing {
	r, err := NewRing[int](capacity)
	if err != nil {
		panic(err)
	}
	return &racyRing{Ring: r}
}

func (r *racyRing) TryPush(v int) bool {
	for {
		pos := r.enq.Load()
		c := &r.cells[pos&r.mask]
		turn := 2 * (pos >> r.shift)
		seq := c.seq.Load()
		switch {
		case seq == turn:
			runtime.Gosched()
			r.enq.Store(pos + 1) // BUG: not a CAS
			c.value = v
			c.seq.Store(turn + 1)
			return true
		case seq < turn:
			if r.deq.Load()+uint64(len(r.cells)) <= pos {
				return false
			}
			atomics.Yield()
		}
	}
}
