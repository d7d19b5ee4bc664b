package immutable

import (
	"fmt"
	"iter"
	"sync/atomic"
)

// Vector is a persistent sequence: Append and Set return a new Vector and
// leave the receiver unchanged. Get, Set and Append take O(log32 n) steps,
// which is at most 7 for any vector that fits in memory; appends are
// amortised O(1).
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
// The zero Vector is empty and ready to use. Vectors are small values: pass
// and store them by value.
type Vector[T any] struct {
	root  *vnode[T]
	tail  *vtail[T]
	size  int
	shift uint // depth of the trie times bitsPerLevel
}

const width = 1 << bitsPerLevel

// vnode is a trie node: a branch (kids) or a full leaf (vals).
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

// tailOffset is the index of the first element in the tail.
func (v Vector[T]) tailOffset() int {
	if v.size == 0 {
		return 0
	}
	return (v.size - 1) &^ (width - 1)
}

// leaf returns the 32 elements that hold index i (i < tailOffset).
func (v Vector[T]) leaf(i int) []T {
	n := v.root
	for shift := v.shift; shift > 0; shift -= bitsPerLevel {
		n = n.kids[(i>>shift)&levelMask]
	}
	return n.vals
}

// Get returns the element at index i, and false if i is out of range.
func (v Vector[T]) Get(i int) (T, bool) {
	if uint(i) >= uint(v.size) {
		var zero T
		return zero, false
	}
	if off := v.tailOffset(); i >= off {
		return v.tail.vals[i-off], true
	}
	return v.leaf(i)[i&levelMask], true
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
	n := v.size - v.tailOffset() // elements in the tail
	if n < width && v.tail != nil {
		if v.tail.claimed.CompareAndSwap(int32(n), int32(n+1)) {
			v.tail.vals[n] = x
			v.size++
			return v
		}
		// Another version appended here first: copy our part of the tail.
		t := new(vtail[T])
		copy(t.vals[:], v.tail.vals[:n])
		t.vals[n] = x
		t.claimed.Store(int32(n + 1))
		v.tail = t
		v.size++
		return v
	}
	if v.tail != nil {
		// The tail is full: push it into the trie as a leaf and start anew.
		leaf := &vnode[T]{vals: v.tail.vals[:]}
		if v.root == nil {
			v.root = leaf
			v.shift = 0
		} else if (v.size >> bitsPerLevel) > (1 << v.shift) {
			// The trie is full at this depth: grow a new root.
			v.root = &vnode[T]{kids: []*vnode[T]{v.root, newPath(v.shift, leaf)}}
			v.shift += bitsPerLevel
		} else {
			v.root = pushLeaf(v.root, v.shift, v.size-1, leaf)
		}
	}
	t := new(vtail[T])
	t.vals[0] = x
	t.claimed.Store(1)
	v.tail = t
	v.size++
	return v
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
	if shift == bitsPerLevel {
		kid = leaf
	} else if k < len(n.kids) {
		kid = pushLeaf(n.kids[k], shift-bitsPerLevel, i, leaf)
	} else {
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
	if off := v.tailOffset(); i >= off {
		n := v.size - off
		t := new(vtail[T])
		copy(t.vals[:], v.tail.vals[:n])
		t.vals[i-off] = x
		t.claimed.Store(int32(n))
		v.tail = t
		return v
	}
	v.root = setPath(v.root, v.shift, i, x)
	return v
}

func setPath[T any](n *vnode[T], shift uint, i int, x T) *vnode[T] {
	// A copied node is allocated together with its array where the array
	// is full (leaves always are): one allocation per level instead of two.
	if shift == 0 {
		c := new(struct {
			n vnode[T]
			a [width]T
		})
		c.n.vals = c.a[:len(n.vals)]
		copy(c.n.vals, n.vals)
		c.n.vals[i&levelMask] = x
		return &c.n
	}
	var c *vnode[T]
	if len(n.kids) == width {
		full := new(struct {
			n vnode[T]
			a [width]*vnode[T]
		})
		c = &full.n
		c.kids = full.a[:]
	} else {
		// A partial branch (the rightmost path) gets an exact-size array:
		// a full one would cost more bytes than the allocation it saves.
		c = &vnode[T]{kids: make([]*vnode[T], len(n.kids))}
	}
	copy(c.kids, n.kids)
	k := (i >> shift) & levelMask
	c.kids[k] = setPath(n.kids[k], shift-bitsPerLevel, i, x)
	return c
}

// All returns an iterator over the indices and elements, in order.
func (v Vector[T]) All() iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		off := v.tailOffset()
		for i := 0; i < off; i += width {
			for j, x := range v.leaf(i) {
				if !yield(i+j, x) {
					return
				}
			}
		}
		for j := range v.size - off {
			if !yield(off+j, v.tail.vals[j]) {
				return
			}
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
