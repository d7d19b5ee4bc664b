package immutable

import (
	"cmp"
	"fmt"
	"iter"
	"reflect"
	"unsafe"
)

// SortedMap is a persistent map that keeps its keys in order: Set and
// Delete return a new SortedMap and leave the receiver unchanged, sharing
// all but the O(log n) nodes on the path they changed, and iteration runs
// in key order, forwards (All, Range) or backwards (Backward).
//
// The structure is a B-tree (Bayer and McCreight, 1972) of 8 to 31 keys per
// node (an (a,b)-tree with a = 8, b = 32), updated by path copying: a lookup
// is a binary search in each of about log16 n nodes, and an update copies
// those nodes, splitting full ones on the way down and refilling thin ones
// on the way down when deleting, as in CLRS's single-pass B-tree. Nodes
// hold keys and values inline, so a walk reads few cache lines. The low
// minimum (a quarter of the maximum, where CLRS has a half) makes thin
// nodes rare, so that a delete seldom has to copy a sibling as well.
//
// Keys are ordered by a comparison function: cmp(a, b) is negative when a
// sorts before b, positive when after, and zero when they are the same key.
// NewSortedMapFunc takes one. The zero SortedMap is empty and ready to use
// for keys whose underlying type is an integer, a float or a string, which
// it orders as cmp.Compare does (NaN first); Set on a zero SortedMap of any
// other key type panics, since it has no order to go by: make such maps
// with NewSortedMapFunc. Every SortedMap derived from another uses its
// order.
//
// As with Map, == compares identity (the same version), not contents; use
// SortedEqual. SortedMaps are small values: pass and store them by value.
type SortedMap[K, V any] struct {
	root  *bnode[K, V]
	size  int
	order *ordering[K] // nil until the first Set of a zero SortedMap
}

// ordering is a SortedMap's comparison, shared by every version derived
// from it (a pointer, so that SortedMaps stay comparable with ==).
type ordering[K any] struct{ cmp func(a, b K) int }

// A B-tree node holds between minItems and maxItems entries (the root may
// hold fewer), in key order; a branch has one more kid than entries, kid i
// holding the keys between entries i-1 and i. A full node splits into two
// of 15; a thin one (minItems) that cannot borrow merges with a sibling
// into at most 2*minItems+1.
const (
	minItems = 7
	maxItems = 31
)

type bnode[K, V any] struct {
	items []entry[K, V]
	kids  []*bnode[K, V] // nil for a leaf
}

// NewSortedMap returns an empty SortedMap ordered by cmp.Compare.
func NewSortedMap[K cmp.Ordered, V any]() SortedMap[K, V] {
	return SortedMap[K, V]{order: &ordering[K]{cmp: cmp.Compare[K]}}
}

// NewSortedMapFunc returns an empty SortedMap ordered by cmp, which must be
// a strict weak order (as slices.SortFunc requires): keys for which cmp
// returns 0 are the same key. A nil cmp gives the zero SortedMap.
func NewSortedMapFunc[K, V any](cmp func(a, b K) int) SortedMap[K, V] {
	if cmp == nil {
		return SortedMap[K, V]{}
	}
	return SortedMap[K, V]{order: &ordering[K]{cmp: cmp}}
}

// naturalOrder returns cmp.Compare for K's underlying type, if it is an
// integer, float or string type; ok is false otherwise. A named type has the
// memory layout of its underlying type, so the conversion through
// unsafe.Pointer reads the same value.
func naturalOrder[K any]() (func(a, b K) int, bool) {
	switch reflect.TypeFor[K]().Kind() {
	case reflect.Int:
		return compareAs[K, int](), true
	case reflect.Int8:
		return compareAs[K, int8](), true
	case reflect.Int16:
		return compareAs[K, int16](), true
	case reflect.Int32:
		return compareAs[K, int32](), true
	case reflect.Int64:
		return compareAs[K, int64](), true
	case reflect.Uint:
		return compareAs[K, uint](), true
	case reflect.Uint8:
		return compareAs[K, uint8](), true
	case reflect.Uint16:
		return compareAs[K, uint16](), true
	case reflect.Uint32:
		return compareAs[K, uint32](), true
	case reflect.Uint64:
		return compareAs[K, uint64](), true
	case reflect.Uintptr:
		return compareAs[K, uintptr](), true
	case reflect.Float32:
		return compareAs[K, float32](), true
	case reflect.Float64:
		return compareAs[K, float64](), true
	case reflect.String:
		return compareAs[K, string](), true
	}
	return nil, false
}

// compareAs compares Ks as their underlying type U.
func compareAs[K any, U cmp.Ordered]() func(a, b K) int {
	return func(a, b K) int { return cmp.Compare(*(*U)(unsafe.Pointer(&a)), *(*U)(unsafe.Pointer(&b))) }
}

// cmpFunc returns m's comparison, choosing the natural order for a zero
// SortedMap (and panicking if K has none).
func (m SortedMap[K, V]) cmpFunc() *ordering[K] {
	if m.order != nil {
		return m.order
	}
	c, ok := naturalOrder[K]()
	if !ok {
		panic(fmt.Sprintf("immutable: a zero SortedMap has no order for keys of type %v; make it with NewSortedMapFunc", reflect.TypeFor[K]()))
	}
	return &ordering[K]{cmp: c}
}

// Len returns the number of keys in the map.
func (m SortedMap[K, V]) Len() int { return m.size }

// find returns the index of the first entry of items whose key is not
// before k, and whether that entry's key is k.
func find[K, V any](items []entry[K, V], k K, cmp func(a, b K) int) (int, bool) {
	lo, hi := 0, len(items)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if cmp(items[mid].key, k) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(items) && cmp(items[lo].key, k) == 0
}

// Get returns the value stored under k, and whether there was one.
func (m SortedMap[K, V]) Get(k K) (v V, ok bool) {
	if m.root == nil {
		return v, false
	}
	cmp := m.order.cmp
	for n := m.root; ; {
		i, found := find(n.items, k, cmp)
		if found {
			return n.items[i].value, true
		}
		if n.kids == nil {
			return v, false
		}
		n = n.kids[i]
	}
}

// Has reports whether k is in the map.
func (m SortedMap[K, V]) Has(k K) bool {
	_, ok := m.Get(k)
	return ok
}

// Set returns a map in which k maps to v, and all other keys as in m.
func (m SortedMap[K, V]) Set(k K, v V) SortedMap[K, V] {
	m.order = m.cmpFunc()
	if m.root == nil {
		m.root = &bnode[K, V]{items: []entry[K, V]{{k, v}}}
		m.size = 1
		return m
	}
	var root *bnode[K, V]
	if len(m.root.items) == maxItems {
		// Split a full root first: the tree grows at the top.
		mid, left, right := m.root.split()
		root = &bnode[K, V]{items: []entry[K, V]{mid}, kids: []*bnode[K, V]{left, right}}
	} else {
		root = m.root.clone()
	}
	if root.insert(k, v, m.order.cmp) {
		m.size++
	}
	m.root = root
	return m
}

// clone returns a copy of n with slices of its own, with room for one more
// entry and kid: an update adds at most one to a node it copies (a merge,
// which adds more, lets append grow the slices).
func (n *bnode[K, V]) clone() *bnode[K, V] {
	return newNode(n.items, n.kids)
}

// newNode returns a node holding copies of items and kids (nil for a
// leaf), each with room for one more.
func newNode[K, V any](items []entry[K, V], kids []*bnode[K, V]) *bnode[K, V] {
	c := &bnode[K, V]{items: append(make([]entry[K, V], 0, len(items)+1), items...)}
	if kids != nil {
		c.kids = append(make([]*bnode[K, V], 0, len(kids)+1), kids...)
	}
	return c
}

// split divides a full node into its middle entry and two new nodes with
// the entries (and kids) on either side.
func (n *bnode[K, V]) split() (mid entry[K, V], left, right *bnode[K, V]) {
	half := len(n.items) / 2
	if n.kids == nil {
		return n.items[half], newNode(n.items[:half], nil), newNode(n.items[half+1:], nil)
	}
	return n.items[half], newNode(n.items[:half], n.kids[:half+1]), newNode(n.items[half+1:], n.kids[half+1:])
}

// insert sets k to v below n, which the caller owns (a fresh copy) and
// which is not full; it copies the kids it changes. It reports whether k
// was new.
func (n *bnode[K, V]) insert(k K, v V, cmp func(a, b K) int) bool {
	for {
		i, found := find(n.items, k, cmp)
		if found {
			n.items[i].value = v
			return false
		}
		if n.kids == nil {
			n.items = insertAt(n.items, i, entry[K, V]{k, v}, true)
			return true
		}
		if len(n.kids[i].items) == maxItems {
			// Split the full kid before going down, so that it has room.
			mid, left, right := n.kids[i].split()
			n.items = insertAt(n.items, i, mid, true)
			n.kids[i] = left
			n.kids = insertAt(n.kids, i+1, right, true)
			switch c := cmp(k, mid.key); {
			case c == 0:
				n.items[i].value = v
				return false
			case c > 0:
				i++
			}
		}
		kid := n.kids[i].clone()
		n.kids[i] = kid
		n = kid
	}
}

// Delete returns a map without k (m itself if k was absent).
func (m SortedMap[K, V]) Delete(k K) SortedMap[K, V] {
	if !m.Has(k) {
		return m
	}
	root := m.root.clone()
	root.remove(k, m.order.cmp, removeKey)
	switch {
	case len(root.items) > 0:
	case root.kids != nil:
		// The root gave its last entry to a merge: its only kid is the
		// new root, and the tree is one level lower.
		root = root.kids[0]
	default:
		root = nil
	}
	m.root = root
	m.size--
	return m
}

// removal says what remove takes out of a subtree.
type removal uint8

const (
	removeKey removal = iota // the entry with the given key
	removeMax                // the last entry (the predecessor of a key above)
)

func (r removal) String() string {
	switch r {
	case removeKey:
		return "key"
	case removeMax:
		return "max"
	}
	return fmt.Sprintf("removal(%d)", uint8(r))
}

// remove takes an entry out of the subtree of n, which the caller owns,
// and returns it. On the way down it makes sure that the kid it descends
// into has more than minItems entries (borrowing from a sibling or merging
// with one), so that taking one out never leaves a node too thin and no
// step has to go back up. With removeKey, k is in the subtree.
func (n *bnode[K, V]) remove(k K, cmp func(a, b K) int, what removal) entry[K, V] {
	for {
		var i int
		var found bool
		if what == removeMax {
			i = len(n.items)
		} else {
			i, found = find(n.items, k, cmp)
		}
		if n.kids == nil {
			if what == removeMax {
				i--
			}
			out := n.items[i]
			n.items = removeAt(n.items, i, true)
			return out
		}
		if len(n.kids[i].items) <= minItems {
			n.growKid(i)
			continue // entries moved between n and its kids: look again
		}
		kid := n.kids[i].clone()
		n.kids[i] = kid
		if found {
			// Replace the entry by its predecessor, the largest key of the
			// kid on its left, which has entries to spare.
			out := n.items[i]
			n.items[i] = kid.remove(k, cmp, removeMax)
			return out
		}
		n = kid
	}
}

// growKid gives kid i of n (owned) more than minItems entries: it borrows
// one from a sibling that can spare it (through the separating entry of
// n), or else merges the kid with a sibling and their separating entry.
func (n *bnode[K, V]) growKid(i int) {
	switch {
	case i > 0 && len(n.kids[i-1].items) > minItems:
		// Rotate right: the left sibling's last entry goes up, the
		// separator comes down to the front of kid i.
		kid, left := n.kids[i].clone(), n.kids[i-1].clone()
		n.kids[i], n.kids[i-1] = kid, left
		kid.items = insertAt(kid.items, 0, n.items[i-1], true)
		n.items[i-1] = left.items[len(left.items)-1]
		left.items = removeAt(left.items, len(left.items)-1, true)
		if left.kids != nil {
			kid.kids = insertAt(kid.kids, 0, left.kids[len(left.kids)-1], true)
			left.kids = removeAt(left.kids, len(left.kids)-1, true)
		}
		return
	case i < len(n.items) && len(n.kids[i+1].items) > minItems:
		// Rotate left: the mirror image.
		kid, right := n.kids[i].clone(), n.kids[i+1].clone()
		n.kids[i], n.kids[i+1] = kid, right
		kid.items = append(kid.items, n.items[i])
		n.items[i] = right.items[0]
		right.items = removeAt(right.items, 0, true)
		if right.kids != nil {
			kid.kids = append(kid.kids, right.kids[0])
			right.kids = removeAt(right.kids, 0, true)
		}
		return
	}
	// Merge kid i with its right sibling (or its left one, if it is the
	// last): minItems + 1 + minItems entries, at most, make one node.
	if i == len(n.items) {
		i--
	}
	merged := n.kids[i].clone()
	right := n.kids[i+1]
	merged.items = append(append(merged.items, n.items[i]), right.items...)
	if merged.kids != nil {
		merged.kids = append(merged.kids, right.kids...)
	}
	n.items = removeAt(n.items, i, true)
	n.kids = removeAt(n.kids, i+1, true)
	n.kids[i] = merged
}

// All returns an iterator over the key/value pairs in key order.
func (m SortedMap[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		if m.root != nil {
			m.root.ascend(yield)
		}
	}
}

// Keys returns an iterator over the keys in order.
func (m SortedMap[K, V]) Keys() iter.Seq[K] {
	return func(yield func(K) bool) {
		for k := range m.All() {
			if !yield(k) {
				return
			}
		}
	}
}

// Backward returns an iterator over the key/value pairs in reverse key
// order, from the largest key to the smallest.
func (m SortedMap[K, V]) Backward() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		if m.root != nil {
			m.root.descend(yield)
		}
	}
}

// Range returns an iterator over the pairs whose keys lie in [from, to),
// in key order; it visits only the nodes on the way to them.
func (m SortedMap[K, V]) Range(from, to K) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		if m.root != nil && m.order.cmp(from, to) < 0 {
			m.root.ascendRange(from, to, m.order.cmp, yield)
		}
	}
}

// Min returns the smallest key and its value; ok is false if m is empty.
func (m SortedMap[K, V]) Min() (k K, v V, ok bool) {
	for k, v := range m.All() {
		return k, v, true
	}
	return k, v, false
}

// Max returns the largest key and its value; ok is false if m is empty.
func (m SortedMap[K, V]) Max() (k K, v V, ok bool) {
	for k, v := range m.Backward() {
		return k, v, true
	}
	return k, v, false
}

func (n *bnode[K, V]) ascend(yield func(K, V) bool) bool {
	for i, e := range n.items {
		if n.kids != nil && !n.kids[i].ascend(yield) {
			return false
		}
		if !yield(e.key, e.value) {
			return false
		}
	}
	return n.kids == nil || n.kids[len(n.items)].ascend(yield)
}

func (n *bnode[K, V]) descend(yield func(K, V) bool) bool {
	for i := len(n.items) - 1; i >= 0; i-- {
		if n.kids != nil && !n.kids[i+1].descend(yield) {
			return false
		}
		if !yield(n.items[i].key, n.items[i].value) {
			return false
		}
	}
	return n.kids == nil || n.kids[0].descend(yield)
}

// ascendRange yields the pairs of n's subtree with keys in [from, to); it
// returns false once iteration must stop (the caller said so, or a key
// reached to).
func (n *bnode[K, V]) ascendRange(from, to K, cmp func(a, b K) int, yield func(K, V) bool) bool {
	i, _ := find(n.items, from, cmp)
	for ; i <= len(n.items); i++ {
		if n.kids != nil && !n.kids[i].ascendRange(from, to, cmp, yield) {
			return false
		}
		if i == len(n.items) {
			return true
		}
		e := n.items[i]
		if cmp(e.key, to) >= 0 || !yield(e.key, e.value) {
			return false
		}
	}
	return true
}

// SortedEqual reports whether a and b hold the same keys (cmp returns 0,
// by a's order) with equal values (==), comparing their contents in key
// order, not their identity as == does.
func SortedEqual[K any, V comparable](a, b SortedMap[K, V]) bool {
	return SortedEqualFunc(a, b, func(x, y V) bool { return x == y })
}

// SortedEqualFunc is like SortedEqual, but compares values with eq.
func SortedEqualFunc[K, V1, V2 any](a SortedMap[K, V1], b SortedMap[K, V2], eq func(V1, V2) bool) bool {
	if a.size != b.size {
		return false
	}
	if a.size == 0 {
		return true
	}
	next, stop := iter.Pull2(b.All())
	defer stop()
	for ka, va := range a.All() {
		kb, vb, ok := next()
		if !ok || a.order.cmp(ka, kb) != 0 || !eq(va, vb) {
			return false
		}
	}
	return true
}
