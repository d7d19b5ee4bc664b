package lockfree

import (
	"fmt"
	"math/rand/v2"

	"github.com/labludus/ludus/linear"
)

// boundedQueue is the sequential model of a Ring of capacity up to 8: a
// FIFO queue whose push is refused (OK false) when full and whose pop
// reports OK false when empty. The linear package's Queue model is
// unbounded; this one checks the full/empty answers too, and closing:
// after a close every push is refused while pops still drain what is left.
type bqState struct {
	n      int
	vals   [8]int
	closed bool
}

type bqIn struct {
	push  bool
	close bool // Close; push is false
	value int
}

type bqOut struct {
	value int
	ok    bool
}

func boundedQueue(capacity int) linear.Model[bqState, bqIn, bqOut] {
	return linear.Model[bqState, bqIn, bqOut]{
		Init: func() bqState { return bqState{} },
		Step: func(s bqState, in bqIn, out bqOut) (bool, bqState) {
			if in.close {
				s.closed = true
				return true, s
			}
			if in.push {
				if s.n == capacity || s.closed {
					return !out.ok, s
				}
				if !out.ok {
					return false, s
				}
				s.vals[s.n] = in.value
				s.n++
				return true, s
			}
			if s.n == 0 {
				return !out.ok, s
			}
			if !out.ok || out.value != s.vals[0] {
				return false, s
			}
			copy(s.vals[:], s.vals[1:s.n])
			s.n--
			s.vals[s.n] = 0
			return true, s
		},
		Describe: func(in bqIn, out bqOut) string {
			if in.close {
				return "close()"
			}
			if in.push {
				return fmt.Sprintf("push(%d) -> %v", in.value, out.ok)
			}
			if !out.ok {
				return "pop() -> empty"
			}
			return fmt.Sprintf("pop() -> %d", out.value)
		},
	}
}

// bqOps are the Stress operations of a ring under the bounded model; with
// a non-nil closeRing, closing is one of them.
func bqOps[R any](tryPush func(R, int) bool, tryPop func(R) (int, bool), closeRing func(R)) []linear.Op[R, bqIn, bqOut] {
	ops := []linear.Op[R, bqIn, bqOut]{
		{
			Name: "push",
			Gen:  func(r *rand.Rand) bqIn { return bqIn{push: true, value: r.IntN(5)} },
			Run:  func(q R, in bqIn) bqOut { return bqOut{ok: tryPush(q, in.value)} },
		},
		{
			Name: "pop",
			Run: func(q R, _ bqIn) bqOut {
				v, ok := tryPop(q)
				return bqOut{value: v, ok: ok}
			},
		},
	}
	if closeRing != nil {
		ops = append(ops, linear.Op[R, bqIn, bqOut]{
			Name: "close",
			Gen:  func(*rand.Rand) bqIn { return bqIn{close: true} },
			Run:  func(q R, _ bqIn) bqOut { closeRing(q); return bqOut{} },
		})
	}
	return ops
}
