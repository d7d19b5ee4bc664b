//go:build !ludus_nolockdep

package lock

import (
	"slices"
	"sync/atomic"
	"unsafe"
)

// What a goroutine holds.
//
// Each goroutine that takes a lock has a state (gstate) whose path lists,
// bottom first, the locks it took and in what order. A path is a chain of
// immutable nodes, each pointing to the node below it and carrying the
// chain hash of the locks up to it; the state publishes its top node with
// one atomic store. Immutable nodes are what let the hot path run without
// locking the state: a goroutine reads its path with atomic loads, and a
// second goroutine that reaches the same state through a stale stack hint
// (see goroutine.go) can at worst overwrite the top and lose a record,
// which may miss an order but cannot invent one.
//
// A node stays in the path after its lock is released: whether it is held
// is read from the lock word's token (see token), not from the path. So a
// goroutine that takes the same locks in the same order again, the usual
// case, finds its nodes already in place and writes nothing: the path only
// changes when the locks held differ from it, and the nodes it changes to
// usually come from the state's small node cache, so that alternating
// between a few patterns allocates nothing either.

// entry is what a node records about one acquisition.
type entry struct {
	// d is the lock's detection part: the identity of the lock.
	d *dep
	// word is the lock word whose token says who holds the lock (a
	// Mutex's word, or an RWMutex's writer word); nil for a read, which
	// is held while the lock's reader count is positive.
	word *atomic.Uint64
	// cls is the lock's class when it was taken.
	cls *class
	// id is the lock's instance number (its place in All's order).
	id   uint64
	mode accessMode
	// vg and epoch, for a read taken under the exact goroutine id, are the
	// goroutine and the lock's rverified epoch: the read proves an order
	// only from that goroutine and while the epoch lasts (see
	// dep.releaseRead). Zero otherwise.
	vg    int64
	epoch uint32
}

// node is one entry in a path. Nodes are never changed once published.
type node struct {
	entry
	// nest is the class's selfNest when the node was made: key depends on
	// it, so a node made before the class nested is not reused after.
	nest bool
	// key is the lock's contribution to chain hashes (keyOf).
	key uint64
	// chain is the hash of the keys of this node and all below it.
	chain uint64
	// below is the lock taken before this one (nil at the bottom).
	below *node
	// depth is the number of nodes below this one.
	depth int
}

// gstate is what one goroutine holds: its path, and the cache of nodes it
// builds paths from. Nothing in it is locked: see the comment above.
type gstate struct {
	// id names the state in tokens; ids are never reused, so a token left
	// in a lock word by a state that is gone matches no other state.
	id uint64
	// goid is the goroutine the state was made for, set once.
	goid int64
	// mapped is whether states[goid] is this state; the sweep unmaps idle
	// states, and a goroutine still using one maps it back (remap).
	mapped atomic.Bool
	// top is the top node of the path; nil for an empty path.
	top atomic.Pointer[node]
	// cache holds recently made nodes, by hash of (below, lock, mode),
	// for reuse; a cache miss makes a node and replaces the slot.
	cache [nodeCacheSize]atomic.Pointer[node]
}

const nodeCacheSize = 16

// lastState numbers the states; the first is 1.
var lastState atomic.Uint64

func newState(gid int64) *gstate {
	return &gstate{id: lastState.Add(1), goid: gid}
}

// token returns the token of an acquisition through s, by a goroutine that
// knows its id (isExact) or does not.
func (s *gstate) token(isExact bool) token {
	t := token(s.id) << tokenShift
	if isExact {
		t |= exactBit
	}
	return t
}

// heldBy reports whether n's lock is held through state s now. A node is
// not proof that s's goroutine holds the lock: the token may have been
// written through a stale hint by another goroutine (see provenBy).
func (n *node) heldBy(s *gstate) bool {
	if n.mode == readAccess {
		return n.d.readers.Load() > 0
	}
	w := token(n.word.Load())
	return w&lockedBit != 0 && w>>tokenShift == token(s.id)
}

// provenBy reports whether n's lock is certainly held by goroutine gid,
// whose own state is own. For a Mutex or an RWMutex's write side, the lock
// word carries own's exact token: only gid writes that token (own is
// states[gid], and an exact token comes only from the state the runtime's
// goroutine id names), and the word is set while it is held. For a read,
// gid pushed the node knowing its id, and no RUnlock that could not tell
// whose read it ended has happened since (the epoch is unchanged).
func (n *node) provenBy(own *gstate, gid int64) bool {
	if n.mode == readAccess {
		return gid != 0 && n.vg == gid && n.epoch == uint32(n.d.rverified.Load()>>32)
	}
	return token(n.word.Load()) == own.token(true)|lockedBit
}

// is reports whether n records e (field by field: the compiler's struct
// comparison calls memequal).
func (n *node) is(e entry) bool {
	return n.d == e.d && n.word == e.word && n.id == e.id && n.cls == e.cls &&
		n.mode == e.mode && n.vg == e.vg && n.epoch == e.epoch
}

// fresh reports whether n's key still matches its class's nesting.
func (n *node) fresh() bool { return n.nest == n.cls.selfNest.Load() }

// nodeFor returns the node for e on top of below: a cached one if it is
// the same, else a new one, which it caches.
func (s *gstate) nodeFor(below *node, e entry) *node {
	nest := e.cls.selfNest.Load()
	slot := &s.cache[cacheSlot(below, e.d, e.mode)]
	if n := slot.Load(); n != nil && n.below == below && n.is(e) && n.nest == nest {
		return n
	}
	n := &node{entry: e, nest: nest, key: keyOf(e.cls, e.id, e.mode), below: below}
	n.chain = chainOn(below, n.key)
	if below != nil {
		n.depth = below.depth + 1
	}
	slot.Store(n)
	return n
}

func cacheSlot(below *node, d *dep, mode accessMode) uint64 {
	h := uint64(uintptr(unsafe.Pointer(below)))*0x9e3779b97f4a7c15 ^ uint64(uintptr(unsafe.Pointer(d)))*0xff51afd7ed558ccd ^ uint64(mode)
	return (h >> 32) % nodeCacheSize
}

// held is a state's path as read with atomic loads, and which of its
// nodes the state holds now. It lives in the caller's frame.
//
// The path is regular when its held nodes are its bottom ones: the locks
// held, in the order they were taken, then released ones above. That is
// the usual shape, and it is read in one walk down from the top without
// copying the path. Otherwise (a lock released out of order, or a held node
// made before its class nested) the held nodes are listed, and the path is
// rebuilt from them at the next change.
type held struct {
	// n is the number of nodes held.
	n       int
	regular bool
	// base is the topmost held node of a regular path: a new node goes on
	// it (nil when nothing is held).
	base *node
	// next is the node above base in a regular path (the bottom node when
	// nothing is held), the one that taking its lock again revives.
	next *node
	// list holds the held nodes, bottom first, of a path that is not
	// regular.
	list []*node
}

// read reads s's path and which of its nodes s holds.
func (h *held) read(s *gstate) {
	*h = held{regular: true}
	var above *node
	seen := false // a held node was met on the way down
	for x := s.top.Load(); x != nil; x = x.below {
		on := x.heldBy(s)
		switch {
		case on && !x.fresh(), !on && seen:
			h.regular = false
		case on && !seen:
			seen = true
			h.base, h.next, h.n = x, above, x.depth+1
		}
		if !h.regular {
			h.readList(s)
			return
		}
		above = x
	}
	if !seen {
		h.next = above
	}
}

// readList lists the held nodes of s's path, bottom first.
func (h *held) readList(s *gstate) {
	*h = held{}
	for x := s.top.Load(); x != nil; x = x.below {
		if x.heldBy(s) {
			h.list = append(h.list, x)
		}
	}
	slices.Reverse(h.list)
	h.n = len(h.list)
}

// nodes returns the held nodes, bottom first (allocating for a regular
// path: for the slow paths).
func (h *held) nodes() []*node {
	if !h.regular {
		return h.list
	}
	out := make([]*node, h.n)
	for x := h.base; x != nil; x = x.below {
		out[x.depth] = x
	}
	return out
}

// holds reports whether d is among the held nodes.
func (h *held) holds(d *dep) bool {
	if !h.regular {
		return slices.ContainsFunc(h.list, func(n *node) bool { return n.d == d })
	}
	for x := h.base; x != nil; x = x.below {
		if x.d == d {
			return true
		}
	}
	return false
}

// chainWith returns the chain hash of the held locks plus key.
func (h *held) chainWith(key uint64) uint64 {
	if h.regular {
		return chainOn(h.base, key)
	}
	// The path will be rebuilt with fresh keys: hash those.
	c := uint64(chainSeed)
	for _, n := range h.list {
		c = mix(c, keyOf(n.cls, n.id, n.mode))
	}
	return mix(c, key)
}

// revives reports whether taking e now needs no change of the path: the
// node above the held ones is e's, and nothing above it is held.
func (h *held) revives(e entry) bool {
	return h.regular && h.next != nil && h.next.is(e) && h.next.fresh()
}

// push publishes s's path as the held nodes plus e.
func (h *held) push(s *gstate, e entry) {
	below := h.base
	if !h.regular {
		below = s.rebuild(h.list)
	}
	s.top.Store(s.nodeFor(below, e))
}

// rebuild returns the top of a path of the nodes ns, bottom first, reusing
// the nodes that already sit on the right base.
func (s *gstate) rebuild(ns []*node) *node {
	var below *node
	for _, n := range ns {
		if n.below == below && n.fresh() {
			below = n
		} else {
			below = s.nodeFor(below, n.entry)
		}
	}
	return below
}

// removeRead publishes s's path without the topmost held read node of d
// that ok accepts, and reports whether there was one.
func (h *held) removeRead(s *gstate, d *dep, ok func(*node) bool) bool {
	isIt := func(n *node) bool { return n.d == d && n.mode == readAccess && ok(n) }
	if h.regular && h.base != nil && isIt(h.base) {
		s.top.Store(h.base.below) // the usual case: the last lock taken
		return true
	}
	ns := h.nodes()
	for i := len(ns) - 1; i >= 0; i-- {
		if isIt(ns[i]) {
			s.top.Store(s.rebuild(slices.Delete(ns, i, i+1)))
			return true
		}
	}
	return false
}

// has reports whether a held read node of d is accepted by ok.
func (h *held) has(d *dep, ok func(*node) bool) bool {
	for _, n := range h.nodes() {
		if n.d == d && n.mode == readAccess && ok(n) {
			return true
		}
	}
	return false
}
