package lock

import (
	"cmp"
	"context"
	"slices"
	"sync/atomic"
)

// Locked is a set of mutexes taken together by All or AllContext.
type Locked struct {
	ms []*Mutex
}

// All locks every mutex in ms, in one global order that every call of All
// shares, and returns them as a Locked to unlock together: the guide's
// "lock ordering" made automatic. Two goroutines calling All(a, b) and
// All(b, a) cannot deadlock each other, and the lock-order graph sees one
// consistent order. Nil entries and repeats are ignored.
//
// The order is a per-lock sequence number given on first use, so it is the
// same for the life of the process whatever the locks' addresses or names.
func All(ms ...*Mutex) Locked {
	l := ordered(ms)
	for _, m := range l.ms {
		m.lock(2)
	}
	return l
}

// AllContext is All, giving up when ctx is done: it then unlocks what it
// took and returns an error wrapping context.Cause(ctx).
func AllContext(ctx context.Context, ms ...*Mutex) (Locked, error) {
	l := ordered(ms)
	for i, m := range l.ms {
		if err := m.LockContext(ctx); err != nil {
			Locked{l.ms[:i]}.Unlock()
			return Locked{}, err
		}
	}
	return l, nil
}

func ordered(ms []*Mutex) Locked {
	out := make([]*Mutex, 0, len(ms))
	for _, m := range ms {
		if m != nil {
			m.id.get()
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b *Mutex) int { return cmp.Compare(a.id.get(), b.id.get()) })
	return Locked{slices.Compact(out)}
}

// Unlock unlocks every mutex of l, in the reverse of the order All took
// them. Unlocking a zero Locked does nothing.
func (l Locked) Unlock() {
	for i := len(l.ms) - 1; i >= 0; i-- {
		l.ms[i].Unlock()
	}
}

// lockID is a lock's place in the global order used by All, and its
// instance number in the lock-order graph. It is assigned on first use so
// that zero values work, and never changes after.
type lockID struct{ v atomic.Uint64 }

// lastID is the last lockID assigned.
var lastID atomic.Uint64

func (l *lockID) get() uint64 {
	if v := l.v.Load(); v != 0 {
		return v
	}
	l.v.CompareAndSwap(0, lastID.Add(1))
	return l.v.Load()
}
