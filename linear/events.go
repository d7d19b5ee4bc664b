package linear

import (
	"cmp"
	"slices"
)

// eventList holds a part's calls and returns in real-time order as a
// doubly linked list over arrays. Linearizing an operation unlinks its call
// and return entries; backtracking relinks them in the reverse order
// (dancing links), so the list always holds exactly the entries of the
// operations not yet linearized.
//
// The operations that may be linearized next, the candidates, are those
// whose call entry comes before the first return entry in the list: an
// operation may go next only if no operation still to be linearized
// returned before it was called. Pending operations have no return entry:
// they may be linearized, but never must be.
type eventList struct {
	ent     []int32 // op<<1 for a call, op<<1|1 for a return
	next    []int32 // next[p]: the entry after p, -1 at the end; next[head] is the first
	prev    []int32 // prev[p]: the entry before p, head for the first
	head    int32   // a sentinel index, len(ent)
	callPos []int32 // callPos[op]: the index of op's call entry
	retPos  []int32 // retPos[op]: the index of op's return entry, -1 if pending
}

// timed is an entry with its time, for sorting.
type timed struct {
	t int64
	e int32
}

// buildList fills l with the entries of ops, sorted by time with calls
// before returns at equal times (intervals are closed, so a call and a
// return at the same instant are concurrent). keys is a reusable buffer;
// build returns it, grown. It reports how many operations are completed.
func buildList[I, O any](l *eventList, ops []Operation[I, O], keys []timed) ([]timed, int) {
	keys = keys[:0]
	completed := 0
	for i, op := range ops {
		keys = append(keys, timed{op.Call, int32(i) << 1})
		if !op.IsPending() {
			keys = append(keys, timed{op.Return, int32(i)<<1 | 1})
			completed++
		}
	}
	slices.SortFunc(keys, func(a, b timed) int {
		if a.t != b.t {
			return cmp.Compare(a.t, b.t)
		}
		if c := cmp.Compare(a.e&1, b.e&1); c != 0 {
			return c
		}
		return cmp.Compare(a.e, b.e)
	})
	m := int32(len(keys))
	l.head = m
	l.ent = grow(&l.ent, int(m))
	l.next = grow(&l.next, int(m)+1)
	l.prev = grow(&l.prev, int(m)+1)
	l.callPos = grow(&l.callPos, len(ops))
	l.retPos = grow(&l.retPos, len(ops))
	for i := range l.retPos {
		l.retPos[i] = -1
	}
	for p, k := range keys {
		p := int32(p)
		l.ent[p] = k.e
		l.next[p], l.prev[p] = p+1, p-1
		if k.e&1 == 1 {
			l.retPos[k.e>>1] = p
		} else {
			l.callPos[k.e>>1] = p
		}
	}
	l.next[l.head] = -1
	if m > 0 {
		l.next[m-1] = -1
		l.prev[0] = l.head
		l.next[l.head] = 0
	}
	return keys, completed
}

// first is the first entry still linked, -1 if none.
func (l *eventList) first() int32 { return l.next[l.head] }

// firstReturn is the first return entry still linked, -1 if none: its
// operation is the one that must be linearized before anything returns.
func (l *eventList) firstReturn() int32 {
	e := l.next[l.head]
	for e >= 0 && l.ent[e]&1 == 0 {
		e = l.next[e]
	}
	return e
}

// isCall reports whether entry p (not -1) is a call.
func (l *eventList) isCall(p int32) bool { return l.ent[p]&1 == 0 }

// op is the operation of entry p.
func (l *eventList) op(p int32) int32 { return l.ent[p] >> 1 }

// remove unlinks op's entries: op is linearized.
func (l *eventList) remove(op int32) {
	l.unlink(l.callPos[op])
	if r := l.retPos[op]; r >= 0 {
		l.unlink(r)
	}
}

// restore relinks op's entries, in the reverse order of remove; every
// operation removed after op must have been restored already.
func (l *eventList) restore(op int32) {
	if r := l.retPos[op]; r >= 0 {
		l.relink(r)
	}
	l.relink(l.callPos[op])
}

func (l *eventList) unlink(p int32) {
	l.next[l.prev[p]] = l.next[p]
	if n := l.next[p]; n >= 0 {
		l.prev[n] = l.prev[p]
	}
}

func (l *eventList) relink(p int32) {
	l.next[l.prev[p]] = p
	if n := l.next[p]; n >= 0 {
		l.prev[n] = p
	}
}

// bytes is the memory the list holds.
func (l *eventList) bytes() int64 {
	return 4 * int64(cap(l.ent)+cap(l.next)+cap(l.prev)+cap(l.callPos)+cap(l.retPos))
}

// grow returns (*buf)[:n], reallocating when the capacity is short.
func grow[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n, n+n/4)
	}
	*buf = (*buf)[:n]
	return *buf
}
