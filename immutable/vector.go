package immutable

import (
	"fmt"
	"iter"
	"sync/atomic"
)

// Vector is a persistent sequence: Append, Prepend, Set and Slice return a
// new Vector and leave the receiver unchanged. Get, Set, Append and Prepend
// take O(log32 n) steps, which is at most 7 for any vector that fits in
// memory; appends are amortised O(1), and Slice takes O(log32 n) too.
//
// The structure is Clojure's persistent vector (Hickey, after Bagwell): a
// 32-way trie of full leaves plus a tail of up to 32 elements kept out of the
// trie, so that appends and reads near the end touch only the tail. The tail
// array is shared between versions: the first version to append at a
// position claims it (with an atomic compare-and-swap), writes it in place
// and shares the array with its predecessor, which does not see that
// position; a second Append at the same position, from the older version,
// copies the tail instead. A run of appends therefore writes each element
// once instead of copying the tail each time. (The price: a version may keep
// alive up to 31 elements appended by its successors.)
//
// To prepend and slice without copying, element 0 need not sit at the
// trie's position 0: an origin offset says where it is (as in
// benbjohnson/immutable's List). Prepend moves the origin one to the left,
// growing the trie on the left when the origin reaches 0; Slice moves the
// origin and the end, keeps the nodes on its two boundary paths and shares
// everything in between.
//
// The zero Vector is empty and ready to use. Vectors are small values: pass
// and store them by value. As with Map, == compares identity (the same
// version), not contents.
type Vector[T any] struct {
	root *vnode[T]
	tail *vtail[T]
	size int
	// origin is the trie position of element 0: element i is at position
	// origin+i. It is below width when root is nil (all the elements are
	// in the tail, which is then chunk 0).
	origin int
	shift  uint // depth of the trie times bitsPerLevel
}

const width = 1 << bitsPerLevel

// vnode is a trie node: a branch (kids) or a full leaf (vals). A branch's
// kids may be nil left of the origin and end at the last one in use.
type vnode[T any] struct {
	kids []*vnode[T]
	vals []T
}

// vtail is a tail array. claimed counts the slots handed out to some
// version; slots below claimed are never written again.
type vtail[T any] struct {
	claimed atomic.Int32
	vals    [width]T
}

// Len returns the number of elements.
func (v Vector[T]) Len() int { return v.size }

// end is the trie position just past the last element.
func (v Vector[T]) end() int { return v.origin + v.size }

// tailStart is the position of the tail's slot 0: the start of the chunk of
// 32 positions that holds the last element.
func (v Vector[T]) tailStart() int {
	if v.size == 0 {
		return 0
	}
	return (v.end() - 1) &^ (width - 1)
}

// leaf returns the 32 elements of the leaf that holds position p (which is
// below tailStart).
func (v Vector[T]) leaf(p int) []T { return leafOf(v.root, v.shift, p) }

// leafOf walks from root, of height shift, to the leaf that holds position
// p. It takes the two fields it needs rather than the Vector, so that Get's
// hot path passes two words instead of copying the whole Vector.
func leafOf[T any](n *vnode[T], shift uint, p int) []T {
	for ; shift > 0; shift -= bitsPerLevel {
		n = n.kids[(p>>shift)&levelMask]
	}
	return n.vals
}

// Get returns the element at index i, and false if i is out of range.
func (v Vector[T]) Get(i int) (T, bool) {
	if uint(i) >= uint(v.size) {
		var zero T
		return zero, false
	}
	p := v.origin + i
	if p >= (v.origin+v.size-1)&^levelMask { // tailStart, for a non-empty v
		return v.tail.vals[p&levelMask], true
	}
	return leafOf(v.root, v.shift, p)[p&levelMask], true
}

// At returns the element at index i. It panics if i is out of range, like
// indexing a slice; use Get to test the range instead.
func (v Vector[T]) At(i int) T {
	x, ok := v.Get(i)
	if !ok {
		panic(fmt.Sprintf("immutable: index %d out of range [0:%d]", i, v.size))
	}
	return x
}

// Append returns a vector with x added at the end.
func (v Vector[T]) Append(x T) Vector[T] {
	if v.size == 0 {
		return Vector[T]{tail: newTail(0, x), size: 1}
	}
	ts := v.tailStart()
	n := v.end() - ts // slots of the tail in use: x goes to slot n
	if n < width {
		if v.tail.claimed.CompareAndSwap(int32(n), int32(n+1)) {
			v.tail.vals[n] = x
			v.size++
			return v
		}
		// Another version appended here first: copy our part of the tail.
		v.tail = v.tail.copyTo(n)
		v.tail.vals[n] = x
		v.tail.claimed.Store(int32(n + 1))
		v.size++
		return v
	}
	// The tail is full: push it into the trie as a leaf and start anew.
	leaf := &vnode[T]{vals: v.tail.vals[:]}
	switch {
	case v.root == nil:
		v.root, v.shift = leaf, 0 // the tail was chunk 0
	case ts>>bitsPerLevel >= 1<<v.shift:
		// The trie is full at this depth: grow a new root.
		v.root = &vnode[T]{kids: []*vnode[T]{v.root, newPath(v.shift, leaf)}}
		v.shift += bitsPerLevel
	default:
		v.root = pushLeaf(v.root, v.shift, ts, leaf)
	}
	v.tail = newTail(0, x)
	v.size++
	return v
}

// Prepend returns a vector with x added at the front: index 0 is x and
// every other element moves up by one.
func (v Vector[T]) Prepend(x T) Vector[T] {
	if v.size == 0 {
		return v.Append(x)
	}
	if v.origin == 0 {
		v = v.growLeft()
	}
	p := v.origin - 1
	if ts := v.tailStart(); p >= ts {
		// Every element is in the tail: copy it with x in front.
		n := v.end() - ts
		v.tail = v.tail.copyTo(n)
		v.tail.vals[p&levelMask] = x
		v.tail.claimed.Store(int32(n))
	} else {
		v.root = setPath(v.root, v.shift, p, x)
	}
	v.origin--
	v.size++
	return v
}

// growLeft makes room left of the origin, which is 0: the elements move
// right by a whole subtree, under a new root whose first kid is empty (or,
// for a vector that is all tail, by one chunk, so that the tail becomes
// chunk 1 and the prepended element starts a leaf).
func (v Vector[T]) growLeft() Vector[T] {
	if v.root == nil {
		v.origin += width
		return v
	}
	v.origin += 1 << (v.shift + bitsPerLevel)
	v.root = &vnode[T]{kids: []*vnode[T]{nil, v.root}}
	v.shift += bitsPerLevel
	return v
}

// Slice returns the elements from index i up to but not including j, as
// s[i:j] does for a slice. It panics unless 0 <= i <= j <= Len(). The result
// shares the trie with v; it keeps only the nodes on its two boundary
// paths, so it holds no more of v's memory than O(log32 n) nodes beyond its
// own elements.
func (v Vector[T]) Slice(i, j int) Vector[T] {
	if i < 0 || j < i || j > v.size {
		panic(fmt.Sprintf("immutable: slice bounds [%d:%d] out of range [0:%d]", i, j, v.size))
	}
	if i == j {
		return Vector[T]{}
	}
	s := Vector[T]{root: v.root, size: j - i, origin: v.origin + i, shift: v.shift}
	ts := s.tailStart()
	switch {
	case ts == v.tailStart():
		s.tail = v.tail // claimed is past s's end: an Append to s copies it
	default:
		s.tail = new(vtail[T])
		copy(s.tail.vals[:], v.leaf(ts))
		s.tail.claimed.Store(int32(s.end() - ts))
	}
	if s.origin >= ts { // all in the tail, which becomes chunk 0
		s.root, s.shift, s.origin = nil, 0, s.origin-ts
		return s
	}
	s.root = keepRange(s.root, s.shift, s.origin, ts-1)
	// Drop roots with a single kid in use, rebasing the positions.
	for s.shift > 0 && s.origin>>s.shift == (ts-1)>>s.shift {
		k := s.origin >> s.shift
		s.root = s.root.kids[k]
		s.origin -= k << s.shift
		s.shift -= bitsPerLevel
	}
	return s
}

// keepRange returns n (of height shift) with only the leaves that hold
// positions lo..hi: the nodes on the paths to lo and hi are copied without
// their kids outside the range; the subtrees between them are shared.
func keepRange[T any](n *vnode[T], shift uint, lo, hi int) *vnode[T] {
	if shift == 0 {
		return n // a leaf is kept whole: the positions outside are not read
	}
	klo, khi := (lo>>shift)&levelMask, (hi>>shift)&levelMask
	c := &vnode[T]{kids: make([]*vnode[T], khi+1)}
	copy(c.kids[klo:], n.kids[klo:khi+1])
	below := 1<<shift - 1 // positions within one kid
	if klo == khi {
		c.kids[klo] = keepRange(n.kids[klo], shift-bitsPerLevel, lo, hi)
		return c
	}
	c.kids[klo] = keepRange(n.kids[klo], shift-bitsPerLevel, lo, lo|below)
	c.kids[khi] = keepRange(n.kids[khi], shift-bitsPerLevel, hi&^below, hi)
	return c
}

// newTail returns a tail whose slot i holds x, claimed up to i.
func newTail[T any](i int, x T) *vtail[T] {
	t := new(vtail[T])
	t.vals[i] = x
	t.claimed.Store(int32(i + 1))
	return t
}

// copyTo returns a new tail with t's first n slots; its claimed count is
// left for the caller to set.
func (t *vtail[T]) copyTo(n int) *vtail[T] {
	c := new(vtail[T])
	copy(c.vals[:n], t.vals[:n])
	return c
}

// newPath returns a chain of branches of height shift ending in leaf.
func newPath[T any](shift uint, leaf *vnode[T]) *vnode[T] {
	if shift == 0 {
		return leaf
	}
	return &vnode[T]{kids: []*vnode[T]{newPath(shift-bitsPerLevel, leaf)}}
}

// pushLeaf returns a copy of n (height shift) with leaf added at the
// position of element index i.
func pushLeaf[T any](n *vnode[T], shift uint, i int, leaf *vnode[T]) *vnode[T] {
	k := (i >> shift) & levelMask
	c := &vnode[T]{kids: make([]*vnode[T], len(n.kids), max(len(n.kids), k+1))}
	copy(c.kids, n.kids)
	var kid *vnode[T]
	switch {
	case shift == bitsPerLevel:
		kid = leaf
	case k < len(n.kids) && n.kids[k] != nil:
		kid = pushLeaf(n.kids[k], shift-bitsPerLevel, i, leaf)
	default:
		kid = newPath(shift-bitsPerLevel, leaf)
	}
	if k < len(c.kids) {
		c.kids[k] = kid
	} else {
		c.kids = append(c.kids, kid)
	}
	return c
}

// Set returns a vector with the element at index i replaced by x. It panics
// if i is out of range (i == Len() is out of range: use Append).
func (v Vector[T]) Set(i int, x T) Vector[T] {
	if uint(i) >= uint(v.size) {
		panic(fmt.Sprintf("immutable: index %d out of range [0:%d]", i, v.size))
	}
	p := v.origin + i
	if ts := v.tailStart(); p >= ts {
		n := v.end() - ts
		v.tail = v.tail.copyTo(n)
		v.tail.vals[p&levelMask] = x
		v.tail.claimed.Store(int32(n))
		return v
	}
	v.root = setPath(v.root, v.shift, p, x)
	return v
}

// setPath returns a copy of n (height shift) with position p set to x. n,
// or a node on the way, may be nil (left of the origin, for Prepend): it is
// created.
func setPath[T any](n *vnode[T], shift uint, p int, x T) *vnode[T] {
	// A copied node is allocated together with its array where the array
	// is full (leaves always are): one allocation per level instead of two.
	if shift == 0 {
		c := new(struct {
			n vnode[T]
			a [width]T
		})
		c.n.vals = c.a[:]
		if n != nil {
			copy(c.n.vals, n.vals)
		}
		c.n.vals[p&levelMask] = x
		return &c.n
	}
	k := (p >> shift) & levelMask
	var old []*vnode[T]
	if n != nil {
		old = n.kids
	}
	var c *vnode[T]
	if size := max(len(old), k+1); size == width {
		full := new(struct {
			n vnode[T]
			a [width]*vnode[T]
		})
		c = &full.n
		c.kids = full.a[:]
	} else {
		// A partial branch (the rightmost path) gets an exact-size array:
		// a full one would cost more bytes than the allocation it saves.
		c = &vnode[T]{kids: make([]*vnode[T], size)}
	}
	copy(c.kids, old)
	var kid *vnode[T]
	if k < len(old) {
		kid = old[k]
	}
	c.kids[k] = setPath(kid, shift-bitsPerLevel, p, x)
	return c
}

// All returns an iterator over the indices and elements, in order.
func (v Vector[T]) All() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		ts := v.tailStart()
		i := 0
		for p := v.origin; p < v.end(); {
			chunk := v.tail.vals[:]
			if p < ts {
				chunk = v.leaf(p)
			}
			stop := min(v.end()-(p&^levelMask), width) // slots in use in this chunk
			for j := p & levelMask; j < stop; j++ {
				if !yield(i, chunk[j]) {
					return
				}
				i++
			}
			p = (p &^ levelMask) + width
		}
	}
}

// Backward returns an iterator over the indices and elements in reverse
// order, from the last to the first.
func (v Vector[T]) Backward() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		ts := v.tailStart()
		i := v.size - 1
		for p := v.end() - 1; p >= v.origin; {
			chunk := v.tail.vals[:]
			if p < ts {
				chunk = v.leaf(p)
			}
			first := max(v.origin, p&^levelMask) // the chunk's first position in use
			for q := p; q >= first; q-- {
				if !yield(i, chunk[q&levelMask]) {
					return
				}
				i--
			}
			p = first - 1
		}
	}
}

// Values returns an iterator over the elements, in order.
func (v Vector[T]) Values() iter.Seq[T] {
	return func(yield func(T) bool) {
		for _, x := range v.All() {
			if !yield(x) {
				return
			}
		}
	}
}
