package linear

import (
	"fmt"
	"reflect"
	"unsafe"
)

// mix64 is the SplitMix64 finalizer: a cheap bijection that spreads small
// integers over all 64 bits.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// interner hash-conses states: every distinct state gets a small integer id,
// so the search compares and hashes ids instead of states, and transitions
// can be cached per (state id, operation).
//
// With a model Hash, a search whose states are nearly all new (a key-value
// store's values, each append making a string never seen before) pays a
// probe of a table as large as all its states for each new one, two cache
// misses for nothing: on a 3-million-state search that was half the time.
// So after internTrial lookups, if fewer than one in internKeep found a
// state again, the interner stops looking up and gives every state a fresh
// id. Ids are then no longer canonical: equal states may have different
// ids, so the memo compares states by their hash and Equal (see same), and
// only the transition cache loses hits.
type interner[S any] struct {
	states []S
	eq     func(a, b S) bool
	hash   func(S) uint64
	mode   internMode
	// hashed mode: open addressing over ids+1, keyed by hashes[id].
	table  []int32
	hashes []uint64
	// lookups and found count the hashed mode's lookups and hits, until
	// fresh is decided.
	lookups, found int
	// fresh: ids are handed out without lookup.
	fresh bool
	// comparable mode: == through interfaces.
	byValue map[any]int32
	// sampled is the total size of the states sampled so far, beyond
	// their inline size, and samples their number: bytes estimates the
	// memory of all states from them.
	sampled, samples int64
}

type internMode uint8

const (
	internHashed internMode = iota
	internComparable
	internScan
)

// makeInterner chooses how states are identified: by Hash when given, by ==
// when S is comparable, else by a scan with Equal.
func makeInterner[S any](equal func(a, b S) bool, hash func(S) uint64) (*interner[S], error) {
	t := reflect.TypeFor[S]()
	comparable := t.Comparable()
	in := &interner[S]{eq: equal, hash: hash}
	switch {
	case hash != nil:
		in.mode = internHashed
		if in.eq == nil {
			if !comparable {
				return nil, fmt.Errorf("%w: state type %v is not comparable: give Equal", ErrInvalidModel, t)
			}
			in.eq = func(a, b S) bool { return any(a) == any(b) }
		}
		in.table = make([]int32, 64)
	case comparable && (equal == nil || t.Kind() != reflect.Interface):
		// == may distinguish states that Equal would merge; that only costs
		// cache hits, never a wrong verdict.
		in.mode = internComparable
		in.byValue = make(map[any]int32)
	case equal != nil:
		in.mode = internScan
	default:
		return nil, fmt.Errorf("%w: state type %v is not comparable: give Equal", ErrInvalidModel, t)
	}
	return in, nil
}

// intern returns the id of s, adding it if it is new.
func (in *interner[S]) intern(s S) int32 {
	n := len(in.states)
	id := in.lookup(s)
	if len(in.states) > n && sampleState(len(in.states)) {
		in.sampled += deepSize(reflect.ValueOf(&in.states[id]).Elem())
		in.samples++
	}
	return id
}

// The fresh-id trial: how many lookups, and the hit rate below which
// lookups stop (one in internKeep). Tests shorten the trial.
var internTrial = 4096

const internKeep = 16

// key is the hash of state id for the memo: the model's hash of the state
// when there is one (equal states then share it, canonical ids or not),
// else the id itself, canonical in the other modes.
func (in *interner[S]) key(id int32) uint64 {
	if in.mode == internHashed {
		return in.hashes[id]
	}
	return uint64(id)
}

// same reports whether the states of ids a and b are equal.
func (in *interner[S]) same(a, b int32) bool {
	if a == b {
		return true
	}
	return in.fresh && in.hashes[a] == in.hashes[b] && in.eq(in.states[a], in.states[b])
}

// sampleState reports whether the n-th state added is measured: all of
// the first 64, then one in 64.
func sampleState(n int) bool { return n <= 64 || n%64 == 0 }

// bytes estimates the memory the interner holds: its tables, and its
// states at their inline size plus the sampled average of what they point
// to.
func (in *interner[S]) bytes() int64 {
	n := int64(len(in.states))
	b := int64(cap(in.states))*int64(unsafe.Sizeof(*new(S))) + int64(cap(in.table))*4 + int64(cap(in.hashes))*8
	if in.byValue != nil {
		b += n * 48 // a map entry of an interface key and an int32
	}
	if in.samples > 0 {
		b += n * in.sampled / in.samples
	}
	return b
}

// lookup returns the id of s, adding it if it is new.
func (in *interner[S]) lookup(s S) int32 {
	switch in.mode {
	case internHashed:
		h := in.hash(s)
		if in.fresh {
			in.states = append(in.states, s)
			in.hashes = append(in.hashes, h)
			return int32(len(in.states) - 1)
		}
		id := in.lookupHashed(s, h)
		if in.lookups++; in.lookups == internTrial {
			in.fresh = in.found*internKeep < in.lookups
		}
		return id
	case internComparable:
		if id, ok := in.byValue[any(s)]; ok {
			return id
		}
		id := int32(len(in.states))
		in.states = append(in.states, s)
		in.byValue[any(s)] = id
		return id
	default:
		for id := range in.states {
			if in.eq(in.states[id], s) {
				return int32(id)
			}
		}
		in.states = append(in.states, s)
		return int32(len(in.states) - 1)
	}
}

// lookupHashed finds s, of hash h, in the table, adding it if it is new.
func (in *interner[S]) lookupHashed(s S, h uint64) int32 {
	mask := uint64(len(in.table) - 1)
	for i := mix64(h) & mask; ; i = (i + 1) & mask {
		slot := in.table[i]
		if slot == 0 {
			id := int32(len(in.states))
			in.states = append(in.states, s)
			in.hashes = append(in.hashes, h)
			in.table[i] = id + 1
			if 2*len(in.states) > len(in.table) {
				in.growTable()
			}
			return id
		}
		id := slot - 1
		if in.hashes[id] == h && in.eq(in.states[id], s) {
			in.found++
			return id
		}
	}
}

func (in *interner[S]) growTable() {
	table := make([]int32, 2*len(in.table))
	mask := uint64(len(table) - 1)
	for id, h := range in.hashes {
		i := mix64(h) & mask
		for table[i] != 0 {
			i = (i + 1) & mask
		}
		table[i] = int32(id) + 1
	}
	in.table = table
}

// transitions caches Step per (operation, state id): Step is pure, so a
// transition the search comes back to need not be computed again. Each
// operation has a few ways, chosen by the state id's low bits, in one flat
// array: the search tries the operations of a short window (those called
// before the first pending return), so the ways it touches stay in cache,
// where a table keyed by (state, operation) would miss on most lookups. A
// conflict evicts; that costs a Step call, never a wrong answer.
type transitions struct {
	slots []tslot // transWays per operation
}

// transWays is the number of cached states per operation (a power of two).
const transWays = 4

type tslot struct {
	state int32 // state id + 1; 0 is empty
	next  int32 // the next state's id, or -1 if the step is illegal
}

// reset empties t for n operations, keeping its memory.
func (t *transitions) reset(n int) {
	size := n * transWays
	if cap(t.slots) < size {
		t.slots = make([]tslot, size)
	} else {
		t.slots = t.slots[:size]
		clear(t.slots)
	}
}

// get returns the cached next state of op from state.
func (t *transitions) get(op, state int32) (next int32, ok bool) {
	sl := t.slots[int(op)*transWays+int(state&(transWays-1))]
	return sl.next, sl.state == state+1
}

// put caches the next state (-1: illegal) of op from state.
func (t *transitions) put(op, state, next int32) {
	t.slots[int(op)*transWays+int(state&(transWays-1))] = tslot{state: state + 1, next: next}
}

func (t *transitions) bytes() int64 { return int64(cap(t.slots)) * int64(unsafe.Sizeof(tslot{})) }
