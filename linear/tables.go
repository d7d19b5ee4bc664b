package linear

import (
	"fmt"
	"reflect"
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
type interner[S any] struct {
	states []S
	eq     func(a, b S) bool
	hash   func(S) uint64
	mode   internMode
	// hashed mode: open addressing over ids+1, keyed by hashes[id].
	table  []int32
	hashes []uint64
	// comparable mode: == through interfaces.
	byValue map[any]int32
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
	switch in.mode {
	case internHashed:
		h := in.hash(s)
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
				return id
			}
		}
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

// transitions caches Step results per (state id, operation): Step is pure,
// so each pair is computed once however often the search comes back to it.
// Values: -1 illegal, otherwise the next state's id.
type transitions struct {
	keys []uint64 // key+1; 0 is empty
	vals []int32
	n    int
}

// reset empties t, sized for about hint entries, keeping its memory.
func (t *transitions) reset(hint int) *transitions {
	size := 64
	for size < 2*hint {
		size *= 2
	}
	if len(t.keys) < size || len(t.keys) > 64*size {
		t.keys, t.vals = make([]uint64, size), make([]int32, size)
	} else {
		clear(t.keys)
	}
	t.n = 0
	return t
}

func transKey(state int32, op int32) uint64 { return uint64(state)<<32 | uint64(uint32(op)) }

func (t *transitions) get(key uint64) (int32, bool) {
	k := key + 1
	mask := uint64(len(t.keys) - 1)
	for i := mix64(k) & mask; ; i = (i + 1) & mask {
		switch t.keys[i] {
		case k:
			return t.vals[i], true
		case 0:
			return 0, false
		}
	}
}

func (t *transitions) put(key uint64, v int32) {
	if 2*(t.n+1) > len(t.keys) {
		old, oldv := t.keys, t.vals
		t.keys, t.vals = make([]uint64, 2*len(old)), make([]int32, 2*len(old))
		for i, k := range old {
			if k != 0 {
				t.insert(k, oldv[i])
			}
		}
	}
	t.insert(key+1, v)
	t.n++
}

func (t *transitions) insert(k uint64, v int32) {
	mask := uint64(len(t.keys) - 1)
	i := mix64(k) & mask
	for t.keys[i] != 0 {
		i = (i + 1) & mask
	}
	t.keys[i], t.vals[i] = k, v
}

// visited is the memo of WGL search: the configurations (set of linearized
// operations, state) already explored. A configuration's hash is the XOR of
// per-operation random keys (Zobrist hashing, updated in O(1) as operations
// are linearized and undone) mixed with the state id. Slots hold the hash
// and state inline, so a probe touches one cache line unless the
// configuration is really there; the bit sets live in one arena, so a new
// entry costs no allocation of its own.
type visited struct {
	words int      // uint64 words per bit set
	slots []vslot  // open addressing, linear probing
	n     int      // entries
	arena []uint64 // per entry, words each
}

type vslot struct {
	hash  uint64
	state int32 // state id + 1; 0 is empty
	entry int32 // index of the bit set in the arena
}

// reset empties v for bit sets of the given words, sized for about hint
// entries, keeping its memory.
func (v *visited) reset(words, hint int) *visited {
	size := 64
	for size < 4*hint {
		size *= 2
	}
	if len(v.slots) < size || len(v.slots) > 64*size {
		v.slots = make([]vslot, size)
	} else {
		clear(v.slots)
	}
	v.words, v.n, v.arena = words, 0, v.arena[:0]
	return v
}

// add records (bits, state) and reports whether it was new.
func (v *visited) add(h uint64, bits []uint64, state int32) bool {
	mask := uint64(len(v.slots) - 1)
	i := h & mask
	for {
		sl := &v.slots[i]
		if sl.state == 0 {
			break
		}
		if sl.hash == h && sl.state == state+1 {
			off := int(sl.entry) * v.words
			if equalWords(v.arena[off:off+v.words], bits) {
				return false
			}
		}
		i = (i + 1) & mask
	}
	v.slots[i] = vslot{hash: h, state: state + 1, entry: int32(v.n)}
	v.arena = append(v.arena, bits...)
	v.n++
	if 2*v.n > len(v.slots) {
		v.grow()
	}
	return true
}

func (v *visited) grow() {
	slots := make([]vslot, 2*len(v.slots))
	mask := uint64(len(slots) - 1)
	for _, sl := range v.slots {
		if sl.state == 0 {
			continue
		}
		i := sl.hash & mask
		for slots[i].state != 0 {
			i = (i + 1) & mask
		}
		slots[i] = sl
	}
	v.slots = slots
}

func equalWords(a, b []uint64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
