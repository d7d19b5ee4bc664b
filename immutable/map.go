package immutable

import (
	"hash/maphash"
	"iter"
	"math/bits"
	"slices"
)

// Map is a persistent hash map: Set and Delete return a new Map and leave
// the receiver unchanged, sharing all but the O(log32 n) nodes on the path
// they changed. Any number of goroutines may read the same Map while others
// derive new versions from it, without locks.
//
// The structure is a hash array mapped trie (Bagwell, 2001) in the compact
// CHAMP layout (Steindorfer and Vinju, 2015): each node covers five bits of
// the key's 64-bit hash and keeps a bitmap of the slots holding key/value
// pairs inline and a bitmap of the slots holding child nodes, so a lookup is
// a few shifts, popcounts and one key comparison per level, with no
// interface calls. Keys are hashed with hash/maphash.Comparable under a seed
// chosen randomly when the first key is added, and shared by every version
// derived from that Map; NewMapFunc installs a hash function of your own.
//
// The zero Map is empty and ready to use. Maps are small values (four
// words): pass and store them by value.
//
// Comparing two Maps with == compares identity, not contents: it reports
// whether they are the same version (the same trie, size and hashing), so
// two maps built alike, or a map and a copy of it updated back to the same
// contents, compare unequal. Use Equal or EqualFunc to compare contents.
//
// Keys that are not equal to themselves (floating-point NaNs) can be added
// but never found, as with Go maps.
type Map[K comparable, V any] struct {
	root *hnode[K, V]
	size int
	h    hasher[K]
}

// hasher is how a Map hashes its keys. Every version derived from one Map
// shares it, so that they can share subtrees.
type hasher[K comparable] struct {
	// seed is maphash's seed, chosen when the first key is added (zero
	// until then, and unused with fn).
	seed maphash.Seed
	// fn holds the user's hash function (NewMapFunc), or is nil for
	// maphash. It is a pointer so that Maps stay comparable with ==.
	fn *func(K) uint64
}

func (h hasher[K]) hash(k K) uint64 {
	if h.fn != nil {
		return (*h.fn)(k)
	}
	return maphash.Comparable(h.seed, k)
}

// sameAs reports whether h and o are known to hash every key alike: the
// same maphash seed, or the same NewMapFunc function (versions derived from
// one Map share its pointer). Then equal key sets have identical tries.
func (h hasher[K]) sameAs(o hasher[K]) bool {
	if h.fn != nil || o.fn != nil {
		return h.fn == o.fn
	}
	return h.seed == o.seed
}

// NewMapFunc returns an empty Map that hashes its keys with hash instead of
// hash/maphash, and so does every Map derived from it (and a Builder
// started from it). hash must give equal keys (==) equal hashes. It need
// not be good: keys whose hashes collide in all 64 bits share a collision
// node, searched key by key, so a poor hash costs speed, never
// correctness. A fixed hash makes iteration order the same from run to run
// (maphash's random seed does not), and a cheap one can be faster for
// small keys; but a hash an adversary can predict lets chosen keys pile up
// in one node. A nil hash gives the default Map.
func NewMapFunc[K comparable, V any](hash func(K) uint64) Map[K, V] {
	if hash == nil {
		return Map[K, V]{}
	}
	return Map[K, V]{h: hasher[K]{fn: &hash}}
}

const (
	bitsPerLevel = 5
	levelMask    = 1<<bitsPerLevel - 1
	// maxShift is where the 64 hash bits run out: a node at this depth is a
	// collision node, a plain list of the keys that share a full hash.
	maxShift = 64
)

// hnode is a trie node. entries and kids are in the order of the set bits of
// datamap and nodemap. Persistent updates never modify a node reachable from
// a Map; a Builder modifies in place the nodes it created itself (edit set to
// its token), and nothing else.
type hnode[K comparable, V any] struct {
	datamap uint32
	nodemap uint32
	entries []entry[K, V]
	kids    []*hnode[K, V]
	edit    *token
}

type entry[K, V any] struct {
	key   K
	value V
}

// token identifies the owner of nodes that may be modified in place.
type token struct{ _ byte }

func (m Map[K, V]) hash(k K) uint64 { return m.h.hash(k) }

// init gives an empty map a root, and a seed if it hashes with maphash and
// has none yet (an emptied map keeps its seed).
func (m *Map[K, V]) init() {
	if m.h.fn == nil && m.h.seed == (maphash.Seed{}) {
		m.h.seed = maphash.MakeSeed()
	}
	m.root = &hnode[K, V]{}
}

// index returns the position of bit among the set bits of bitmap.
func index(bitmap, bit uint32) int { return bits.OnesCount32(bitmap & (bit - 1)) }

// Len returns the number of keys in the map.
func (m Map[K, V]) Len() int { return m.size }

// Get returns the value stored under k, and whether there was one.
func (m Map[K, V]) Get(k K) (v V, ok bool) {
	n := m.root
	if n == nil {
		return v, false
	}
	h := m.hash(k)
	for shift := uint(0); shift < maxShift; shift += bitsPerLevel {
		bit := uint32(1) << ((h >> shift) & levelMask)
		if n.datamap&bit != 0 {
			e := &n.entries[index(n.datamap, bit)]
			if e.key == k {
				return e.value, true
			}
			return v, false
		}
		if n.nodemap&bit == 0 {
			return v, false
		}
		n = n.kids[index(n.nodemap, bit)]
	}
	for i := range n.entries {
		if n.entries[i].key == k {
			return n.entries[i].value, true
		}
	}
	return v, false
}

// Has reports whether k is in the map.
func (m Map[K, V]) Has(k K) bool {
	_, ok := m.Get(k)
	return ok
}

// Set returns a map in which k maps to v, and all other keys as in m.
func (m Map[K, V]) Set(k K, v V) Map[K, V] {
	if m.root == nil {
		m.init()
	}
	root, added := m.root.set(nil, 0, m.hash(k), k, v, m.h)
	m.root = root
	if added {
		m.size++
	}
	return m
}

// Delete returns a map without k (m itself if k was absent).
func (m Map[K, V]) Delete(k K) Map[K, V] {
	if m.root == nil {
		return m
	}
	root, removed := m.root.del(nil, 0, m.hash(k), k)
	if !removed {
		return m
	}
	m.root = root
	m.size--
	if m.size == 0 {
		m.root = nil // keep the hasher: versions of one map hash alike
	}
	return m
}

// Equal reports whether a and b hold the same keys with equal values (==).
// Unlike a == b, which compares identity, Equal compares contents. It is
// fast where the maps share structure: versions derived from one Map hash
// alike, so their tries have the same shape for the same keys, and a
// subtree both share is equal without a look inside (a map equals itself,
// even with NaN values). Maps that hash differently are compared key by
// key.
func Equal[K, V comparable](a, b Map[K, V]) bool {
	return EqualFunc(a, b, func(x, y V) bool { return x == y })
}

// EqualFunc is like Equal, but compares values with eq.
func EqualFunc[K comparable, V1, V2 any](a Map[K, V1], b Map[K, V2], eq func(V1, V2) bool) bool {
	switch {
	case a.size != b.size:
		return false
	case a.size == 0:
		return true
	case a.h.sameAs(b.h):
		return equalNodes(a.root, b.root, 0, eq)
	}
	for k, va := range a.All() {
		vb, ok := b.Get(k)
		if !ok || !eq(va, vb) {
			return false
		}
	}
	return true
}

// equalNodes compares two tries built under the same hashing, which have
// the same shape for the same keys (CHAMP's canonical form): the same
// bitmaps, entries in the same order, except in collision nodes, whose
// entries are in the order they were added.
func equalNodes[K comparable, V1, V2 any](a *hnode[K, V1], b *hnode[K, V2], shift uint, eq func(V1, V2) bool) bool {
	if any(a) == any(b) { // a subtree the two versions share
		return true
	}
	if shift >= maxShift {
		if len(a.entries) != len(b.entries) {
			return false
		}
		for _, ea := range a.entries {
			i := slices.IndexFunc(b.entries, func(eb entry[K, V2]) bool { return eb.key == ea.key })
			if i < 0 || !eq(ea.value, b.entries[i].value) {
				return false
			}
		}
		return true
	}
	if a.datamap != b.datamap || a.nodemap != b.nodemap {
		return false
	}
	for i := range a.entries {
		if a.entries[i].key != b.entries[i].key || !eq(a.entries[i].value, b.entries[i].value) {
			return false
		}
	}
	for i := range a.kids {
		if !equalNodes(a.kids[i], b.kids[i], shift+bitsPerLevel, eq) {
			return false
		}
	}
	return true
}

// All returns an iterator over the key/value pairs, in an order that depends
// on the hashes (stable for one Map value, random between maps).
func (m Map[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		if m.root != nil {
			m.root.each(yield)
		}
	}
}

// Keys returns an iterator over the keys, in the order of All.
func (m Map[K, V]) Keys() iter.Seq[K] {
	return func(yield func(K) bool) {
		for k := range m.All() {
			if !yield(k) {
				return
			}
		}
	}
}

func (n *hnode[K, V]) each(yield func(K, V) bool) bool {
	for i := range n.entries {
		if !yield(n.entries[i].key, n.entries[i].value) {
			return false
		}
	}
	for _, kid := range n.kids {
		if !kid.each(yield) {
			return false
		}
	}
	return true
}

// editable returns n itself if the Builder token edit owns it, else a copy
// owned by edit, with slices of its own, so that in-place edits never touch
// n's. The copy's main slice (children if any, else entries) shares its
// allocation with the node and has room to grow, which saves an allocation
// per node and keeps a lookup's reads close together. edit must not be nil:
// persistent updates use the with* constructors instead.
func (n *hnode[K, V]) editable(edit *token) *hnode[K, V] {
	if n.edit == edit {
		return n
	}
	var c *hnode[K, V]
	if len(n.kids) > 0 {
		c = withKids(n, len(n.kids))
		copy(c.kids, n.kids)
		c.entries = append(make([]entry[K, V], 0, len(n.entries)+1), n.entries...)
	} else {
		c = withEntries(n, len(n.entries))
		copy(c.entries, n.entries)
	}
	c.edit = edit
	return c
}

// set returns the node that results from setting k to v under n (at depth
// shift, h = hash(k)), and whether k was new. With edit nil it copies the
// nodes it changes; with a Builder's token it changes in place the nodes
// that token owns. hs hashes an entry that must be pushed down (hashes are
// not stored).
func (n *hnode[K, V]) set(edit *token, shift uint, h uint64, k K, v V, hs hasher[K]) (*hnode[K, V], bool) {
	if shift >= maxShift {
		for i := range n.entries {
			if n.entries[i].key == k {
				return n.replaceValue(edit, i, v), false
			}
		}
		return n.insertEntry(edit, len(n.entries), 0, entry[K, V]{k, v}), true
	}
	bit := uint32(1) << ((h >> shift) & levelMask)
	switch {
	case n.datamap&bit != 0:
		i := index(n.datamap, bit)
		if n.entries[i].key == k {
			return n.replaceValue(edit, i, v), false
		}
		// Two keys in one slot: push both down into a new child.
		old := n.entries[i]
		kid := pair(edit, shift+bitsPerLevel, hs.hash(old.key), old, h, entry[K, V]{k, v})
		var c *hnode[K, V]
		if edit != nil {
			c = n.editable(edit)
		} else {
			c = &hnode[K, V]{datamap: n.datamap, nodemap: n.nodemap, entries: n.entries, kids: n.kids}
		}
		owned := edit != nil
		c.entries = removeAt(c.entries, i, owned)
		c.datamap ^= bit
		c.nodemap |= bit
		c.kids = insertAt(c.kids, index(c.nodemap, bit), kid, owned)
		return c, true
	case n.nodemap&bit != 0:
		i := index(n.nodemap, bit)
		kid, added := n.kids[i].set(edit, shift+bitsPerLevel, h, k, v, hs)
		return n.replaceKid(edit, i, kid), added
	default:
		return n.insertEntry(edit, index(n.datamap|bit, bit), bit, entry[K, V]{k, v}), true
	}
}

// replaceValue returns n with the value of entries[i] replaced.
func (n *hnode[K, V]) replaceValue(edit *token, i int, v V) *hnode[K, V] {
	if edit != nil {
		c := n.editable(edit)
		c.entries[i].value = v
		return c
	}
	c := withEntries(n, len(n.entries))
	copy(c.entries, n.entries)
	c.entries[i].value = v
	return c
}

// insertEntry returns n with e inserted at entries[i] and bit set in the
// datamap (bit 0 for a collision node).
func (n *hnode[K, V]) insertEntry(edit *token, i int, bit uint32, e entry[K, V]) *hnode[K, V] {
	if edit != nil {
		c := n.editable(edit)
		c.datamap |= bit
		c.entries = insertAt(c.entries, i, e, true)
		return c
	}
	c := withEntries(n, len(n.entries)+1)
	c.datamap |= bit
	copy(c.entries, n.entries[:i])
	c.entries[i] = e
	copy(c.entries[i+1:], n.entries[i:])
	return c
}

// removeEntry returns n without entries[i], and with bit cleared.
func (n *hnode[K, V]) removeEntry(edit *token, i int, bit uint32) *hnode[K, V] {
	if edit != nil {
		c := n.editable(edit)
		c.datamap &^= bit
		c.entries = removeAt(c.entries, i, true)
		return c
	}
	c := withEntries(n, len(n.entries)-1)
	c.datamap &^= bit
	copy(c.entries, n.entries[:i])
	copy(c.entries[i:], n.entries[i+1:])
	return c
}

// replaceKid returns n with kids[i] replaced by kid.
func (n *hnode[K, V]) replaceKid(edit *token, i int, kid *hnode[K, V]) *hnode[K, V] {
	if edit != nil {
		c := n.editable(edit)
		c.kids[i] = kid
		return c
	}
	c := withKids(n, len(n.kids))
	copy(c.kids, n.kids)
	c.kids[i] = kid
	return c
}

// withEntries returns a persistent copy of n's header with a fresh entries
// slice of length size, allocated together with the node (one allocation
// instead of two: path copies are allocation-bound). The caller fills it.
func withEntries[K comparable, V any](n *hnode[K, V], size int) *hnode[K, V] {
	var c *hnode[K, V]
	switch {
	case size == 0:
		c = new(hnode[K, V])
	case size <= 2:
		x := new(struct {
			h hnode[K, V]
			a [2]entry[K, V]
		})
		c = &x.h
		c.entries = x.a[:size]
	case size <= 4:
		x := new(struct {
			h hnode[K, V]
			a [4]entry[K, V]
		})
		c = &x.h
		c.entries = x.a[:size]
	case size <= 8:
		x := new(struct {
			h hnode[K, V]
			a [8]entry[K, V]
		})
		c = &x.h
		c.entries = x.a[:size]
	case size <= 16:
		x := new(struct {
			h hnode[K, V]
			a [16]entry[K, V]
		})
		c = &x.h
		c.entries = x.a[:size]
	default:
		c = &hnode[K, V]{entries: make([]entry[K, V], size)}
	}
	c.datamap, c.nodemap, c.kids = n.datamap, n.nodemap, n.kids
	return c
}

// withKids is withEntries for the kids slice.
func withKids[K comparable, V any](n *hnode[K, V], size int) *hnode[K, V] {
	var c *hnode[K, V]
	switch {
	case size <= 2:
		x := new(struct {
			h hnode[K, V]
			a [2]*hnode[K, V]
		})
		c = &x.h
		c.kids = x.a[:size]
	case size <= 4:
		x := new(struct {
			h hnode[K, V]
			a [4]*hnode[K, V]
		})
		c = &x.h
		c.kids = x.a[:size]
	case size <= 8:
		x := new(struct {
			h hnode[K, V]
			a [8]*hnode[K, V]
		})
		c = &x.h
		c.kids = x.a[:size]
	case size <= 16:
		x := new(struct {
			h hnode[K, V]
			a [16]*hnode[K, V]
		})
		c = &x.h
		c.kids = x.a[:size]
	default:
		x := new(struct {
			h hnode[K, V]
			a [32]*hnode[K, V]
		})
		c = &x.h
		c.kids = x.a[:size]
	}
	c.datamap, c.nodemap, c.entries = n.datamap, n.nodemap, n.entries
	return c
}

// pair builds the subtree holding two distinct keys with hashes h1, h2
// below depth shift.
func pair[K comparable, V any](edit *token, shift uint, h1 uint64, e1 entry[K, V], h2 uint64, e2 entry[K, V]) *hnode[K, V] {
	var b1, b2 uint32
	if shift < maxShift {
		b1 = uint32(1) << ((h1 >> shift) & levelMask)
		b2 = uint32(1) << ((h2 >> shift) & levelMask)
		if b1 == b2 {
			kid := pair(edit, shift+bitsPerLevel, h1, e1, h2, e2)
			x := new(struct {
				h hnode[K, V]
				a [1]*hnode[K, V]
			})
			x.a[0] = kid
			x.h = hnode[K, V]{nodemap: b1, kids: x.a[:], edit: edit}
			return &x.h
		}
		if b1 > b2 {
			e1, e2 = e2, e1
		}
	}
	// One allocation for the node and its two entries (a collision node
	// below maxShift has no bitmap).
	x := new(struct {
		h hnode[K, V]
		a [2]entry[K, V]
	})
	x.a = [2]entry[K, V]{e1, e2}
	x.h = hnode[K, V]{datamap: b1 | b2, entries: x.a[:], edit: edit}
	return &x.h
}

// del returns the node that results from deleting k under n, and whether k
// was there. A child left with a single entry and no children is inlined
// into its parent (CHAMP's canonical form), so the trie never keeps chains of
// one-entry nodes and a non-root node never becomes empty.
func (n *hnode[K, V]) del(edit *token, shift uint, h uint64, k K) (*hnode[K, V], bool) {
	if shift >= maxShift {
		for i := range n.entries {
			if n.entries[i].key == k {
				return n.removeEntry(edit, i, 0), true
			}
		}
		return n, false
	}
	bit := uint32(1) << ((h >> shift) & levelMask)
	switch {
	case n.datamap&bit != 0:
		i := index(n.datamap, bit)
		if n.entries[i].key != k {
			return n, false
		}
		return n.removeEntry(edit, i, bit), true
	case n.nodemap&bit != 0:
		i := index(n.nodemap, bit)
		kid, removed := n.kids[i].del(edit, shift+bitsPerLevel, h, k)
		if !removed {
			return n, false
		}
		if len(kid.kids) != 0 || len(kid.entries) != 1 {
			return n.replaceKid(edit, i, kid), true
		}
		// Inline the child's last entry into this node.
		var c *hnode[K, V]
		if edit != nil {
			c = n.editable(edit)
		} else {
			c = &hnode[K, V]{datamap: n.datamap, nodemap: n.nodemap, entries: n.entries, kids: n.kids}
		}
		owned := edit != nil
		c.kids = removeAt(c.kids, i, owned)
		c.nodemap ^= bit
		c.datamap |= bit
		c.entries = insertAt(c.entries, index(c.datamap, bit), kid.entries[0], owned)
		return c, true
	}
	return n, false
}

// insertAt returns s with e inserted at i, in place if owned (the slice
// belongs to the caller), else in a new slice.
func insertAt[E any](s []E, i int, e E, owned bool) []E {
	if owned {
		var zero E
		s = append(s, zero)
		copy(s[i+1:], s[i:])
		s[i] = e
		return s
	}
	c := make([]E, len(s)+1)
	copy(c, s[:i])
	c[i] = e
	copy(c[i+1:], s[i:])
	return c
}

// removeAt returns s without its element i, in place if owned.
func removeAt[E any](s []E, i int, owned bool) []E {
	if owned {
		copy(s[i:], s[i+1:])
		var zero E
		s[len(s)-1] = zero // let the garbage collector have it
		return s[:len(s)-1]
	}
	if len(s) == 1 {
		return nil
	}
	c := make([]E, len(s)-1)
	copy(c, s[:i])
	copy(c[i:], s[i+1:])
	return c
}
