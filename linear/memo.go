package linear

import "unsafe"

// memo is the WGL search's memory of the configurations (set of linearized
// operations, state) already explored: a configuration found there has been
// searched (or is being searched, on the stack), so the search need not
// enter it again.
//
// Its size does not depend on the history's length. Storing each
// configuration's set as a bit set, as WGL does, costs n/8 bytes per entry
// and makes the memo grow with the square of a long history. Here an entry
// holds only the operation it added and its parent entry, the configuration
// it was reached from: the set is the chain of operations back to the root.
// Entries are found by a Zobrist hash of the set (the XOR of per-operation
// random keys, kept up to date in O(1) as the search moves) and the state,
// and a hash match is confirmed exactly by walking the entry's chain back
// to the first configuration it shares with the search's current path;
// revisits come from reordering the last few operations, so the walk is
// short, and it stops at the first operation that is not in the current
// set. No verdict depends on a hash being free of collisions.
//
// The table is split by depth (the size of the set): a configuration can
// only equal one of its own size, and the search moves one level at a
// time, so its probes stay within the few small tables around the current
// depth, which stay in cache, where one large table would miss on almost
// every probe.
type memo struct {
	levels  []memoLevel // levels[d]: the configurations of depth d
	entries []memoEntry // every configuration added, in order
	slotCap int64       // slots over all levels
}

// memoLevel is an open-addressing table with linear probing.
type memoLevel struct {
	slots []memoSlot // len a power of two, or 0
	n     int32      // entries
}

// memoSlot locates an entry, with its hash and state inline so that a probe
// that fails touches one cache line.
type memoSlot struct {
	hash  uint64 // Zobrist hash of the set, mixed with the state
	state int32  // the state id + 1; 0 marks an empty slot
	entry int32  // index in entries
}

// memoEntry is one configuration: its parent's set plus op.
type memoEntry struct {
	parent int32 // the entry it was reached from; -1 for the root
	op     int32 // the operation added
	depth  int32 // the size of the set
}

// reset empties the memo for a search of n operations, keeping its
// memory.
func (m *memo) reset(n int) {
	m.levels = grow(&m.levels, n+1)
	for i := range m.levels {
		if l := &m.levels[i]; l.n > 0 {
			clear(l.slots)
			l.n = 0
		}
	}
	m.entries = m.entries[:0]
}

// find returns the slot for the configuration (bits, state) of the given
// depth, with hash its hash: the slot of its entry if the memo holds it,
// or the empty slot where it would go. path[d-1] is the entry of the
// current path's configuration of depth d; bits must already hold the
// configuration's set. The level must have room (see full).
func (m *memo) find(hash uint64, state, depth int32, bits []uint64, path []int32) (slot int, found bool) {
	slots := m.levels[depth].slots
	mask := uint64(len(slots) - 1)
	for i := hash & mask; ; i = (i + 1) & mask {
		sl := &slots[i]
		if sl.state == 0 {
			return int(i), false
		}
		if sl.hash == hash && sl.state == state+1 && m.sameSet(sl.entry, bits, path) {
			return int(i), true
		}
	}
}

// sameSet reports whether entry e's set is bits, whose size is e's depth.
// It walks e's chain back until it meets an entry on the current path:
// below that the two sets agree, and above it e's chain added as many
// operations as the path did, distinct and outside the shared part, so the
// sets are equal exactly when each of them is in bits.
func (m *memo) sameSet(e int32, bits []uint64, path []int32) bool {
	for e >= 0 {
		en := m.entries[e]
		if int(en.depth) <= len(path) && path[en.depth-1] == e {
			return true
		}
		if bits[en.op>>6]&(1<<(en.op&63)) == 0 {
			return false
		}
		e = en.parent
	}
	return true // both chains start at the empty set
}

// put adds the configuration parent+op, of the given depth, in the empty
// slot find returned, and returns its entry.
func (m *memo) put(slot int, hash uint64, state, parent, op, depth int32) int32 {
	e := int32(len(m.entries))
	m.entries = append(m.entries, memoEntry{parent: parent, op: op, depth: depth})
	l := &m.levels[depth]
	l.slots[slot] = memoSlot{hash: hash, state: state + 1, entry: e}
	l.n++
	return e
}

// full reports whether level depth must grow before the next put (load
// above one half).
func (m *memo) full(depth int32) bool {
	l := &m.levels[depth]
	return 2*(l.n+1) > int32(len(l.slots))
}

// growBytes is the memory growing level depth would allocate.
func (m *memo) growBytes(depth int32) int64 {
	return int64(max(2*len(m.levels[depth].slots), minLevel)) * int64(unsafe.Sizeof(memoSlot{}))
}

// minLevel is the size of a level's first table.
const minLevel = 8

// grow doubles level depth's table.
func (m *memo) grow(depth int32) {
	l := &m.levels[depth]
	slots := make([]memoSlot, max(2*len(l.slots), minLevel))
	mask := uint64(len(slots) - 1)
	for _, sl := range l.slots {
		if sl.state == 0 {
			continue
		}
		i := sl.hash & mask
		for slots[i].state != 0 {
			i = (i + 1) & mask
		}
		slots[i] = sl
	}
	m.slotCap += int64(len(slots) - len(l.slots))
	l.slots = slots
}

// bytes is the memory the memo holds.
func (m *memo) bytes() int64 {
	return m.slotCap*int64(unsafe.Sizeof(memoSlot{})) + int64(cap(m.entries))*int64(unsafe.Sizeof(memoEntry{})) +
		int64(cap(m.levels))*int64(unsafe.Sizeof(memoLevel{}))
}
