package linear

import "unsafe"

// memo is the WGL search's memory of the configurations (set of linearized
// operations, state) already explored: a configuration found there has been
// searched (or is being searched, on a walker's path), so no walker need
// enter it again.
//
// Its size does not depend on the history's length. Storing each
// configuration's set as a bit set, as WGL does, costs n/8 bytes per entry
// and makes the memo grow with the square of a long history. Here an entry
// holds only the operation it added and its parent entry, the configuration
// it was reached from: the set is the chain of operations back to the root.
// Entries are found by a Zobrist hash of the set (the XOR of per-operation
// random keys, kept up to date in O(1) as the search moves) and the state.
// A match with an entry of the same walker is confirmed exactly by walking
// the entry's chain back to the first configuration it shares with the
// walker's current path; revisits come from reordering the last few
// operations, so the walk is short, and it stops at the first operation
// that is not in the current set. A match with the other walker's entry
// is confirmed by a second, independent 64-bit hash (see find).
//
// The table is split by depth (the size of the set): a configuration can
// only equal one of its own size, and a walker moves one level at a time,
// so its probes stay within the tables around its depth.
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

// memoSlot locates an entry by 32 bits of its hash: a probe that fails
// reads only slots, eight bytes each, so a level's table is as small as
// can be (searches of millions of configurations were bound by the misses
// of these probes). A tag that matches is confirmed on the entry.
type memoSlot struct {
	tag   uint32 // the hash's high 32 bits
	entry int32  // index in entries + 1; 0 marks an empty slot
}

// memoEntry is one configuration: its parent's set plus op, in state.
type memoEntry struct {
	hash   uint64 // Zobrist hash of the set, mixed with the state's hash
	hash2  uint64 // a second Zobrist hash of the set, with independent keys
	parent int32  // the entry it was reached from, by the same walker; -1 for the root
	op     int32  // the operation added
	depth  int32  // the size of the set
	state  int32  // the state id
	owner  uint8  // the walker that entered it
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
// depth, with hash and hash2 its hashes, looked up by walker owner: the
// slot of an entry that holds it, or the empty slot where the owner's
// would go. paths[w][d-1] is the entry of walker w's configuration of depth
// d on its path; bits must already hold the configuration's set; same
// tells equal states apart when ids are not canonical (see interner). The
// level must have room (see full).
//
// An entry of the same walker is confirmed exactly (sameSet). One of
// another walker is confirmed by the 128 bits of the two hashes, its state
// and its size: its chain leads back to the root through the other's paths
// only, so walking it would cost the whole depth at every match. A
// collision of both hashes between two different sets of the same size
// and state could only make the search skip a configuration, never accept
// a wrong one: a linearizable verdict always carries its linearization.
// Another walker's entry that is still on its path is not a match: that
// walker is searching below it, perhaps in a part it will take long to
// finish, and the owner may find its own way through it faster (both then
// hold an entry for it).
func (m *memo) find(hash, hash2 uint64, state, depth int32, owner uint8, bits []uint64, paths [][]int32, same func(a, b int32) bool) (slot int, found bool) {
	slots := m.levels[depth].slots
	mask := uint64(len(slots) - 1)
	tag := uint32(hash >> 32)
	for i := hash & mask; ; i = (i + 1) & mask {
		sl := slots[i]
		if sl.entry == 0 {
			return int(i), false
		}
		if sl.tag != tag {
			continue
		}
		e := sl.entry - 1
		en := &m.entries[e]
		if en.hash != hash || (en.state != state && !same(en.state, state)) {
			continue
		}
		if en.owner == owner && m.sameSet(e, bits, paths[owner]) || en.owner != owner && en.hash2 == hash2 && !onPath(e, en.depth, paths[en.owner]) {
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
		if onPath(e, en.depth, path) {
			return true
		}
		if bits[en.op>>6]&(1<<(en.op&63)) == 0 {
			return false
		}
		e = en.parent
	}
	return true // both chains start at the empty set
}

// onPath reports whether entry e, of the given depth, is on path.
func onPath(e, depth int32, path []int32) bool {
	return int(depth) <= len(path) && path[depth-1] == e
}

// put adds the configuration parent+op, of the given depth, entered by
// walker owner, in the empty slot find returned, and returns its entry.
func (m *memo) put(slot int, hash, hash2 uint64, state, parent, op, depth int32, owner uint8) int32 {
	e := int32(len(m.entries))
	m.entries = append(m.entries, memoEntry{hash: hash, hash2: hash2, parent: parent, op: op, depth: depth, state: state, owner: owner})
	l := &m.levels[depth]
	l.slots[slot] = memoSlot{tag: uint32(hash >> 32), entry: e + 1}
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
		if sl.entry == 0 {
			continue
		}
		i := m.entries[sl.entry-1].hash & mask
		for slots[i].entry != 0 {
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
