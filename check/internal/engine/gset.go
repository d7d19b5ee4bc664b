package engine

import "math/bits"

// gset is a set of goroutine IDs. IDs below 64 live in an inline word, so
// the common case (a test with a handful of goroutines) never allocates;
// larger IDs spill into hi, one bit per ID from 64 on.
//
// A gset is a value, but hi is shared by copies: code that keeps a set
// (a DFS node) stores a clone, and the mutating methods never write
// through a slice they did not allocate themselves (see own).
type gset struct {
	lo    uint64   // IDs 0..63
	hi    []uint64 // IDs 64.., word i holding 64+64i..127+64i
	owned bool     // hi was allocated for this value and may be written
}

func bit(i int) uint64 { return 1 << uint(i&63) }

func (s gset) has(i int) bool {
	if i < 64 {
		return s.lo&bit(i) != 0
	}
	w := (i - 64) >> 6
	return w < len(s.hi) && s.hi[w]&bit(i) != 0
}

// own makes hi private to s, with room for ID i.
func (s *gset) own(i int) {
	need := 0
	if i >= 64 {
		need = (i-64)>>6 + 1
	}
	if s.owned && len(s.hi) >= need {
		return
	}
	n := max(need, len(s.hi))
	h := make([]uint64, n)
	copy(h, s.hi)
	s.hi, s.owned = h, true
}

func (s *gset) add(i int) {
	if i < 64 {
		s.lo |= bit(i)
		return
	}
	s.own(i)
	s.hi[(i-64)>>6] |= bit(i)
}

func (s *gset) remove(i int) {
	if i < 64 {
		s.lo &^= bit(i)
		return
	}
	if !s.has(i) {
		return
	}
	s.own(i)
	s.hi[(i-64)>>6] &^= bit(i)
}

func (s gset) empty() bool {
	if s.lo != 0 {
		return false
	}
	for _, w := range s.hi {
		if w != 0 {
			return false
		}
	}
	return true
}

// lowest returns the smallest ID in s, or -1.
func (s gset) lowest() int {
	if s.lo != 0 {
		return bits.TrailingZeros64(s.lo)
	}
	for i, w := range s.hi {
		if w != 0 {
			return 64 + 64*i + bits.TrailingZeros64(w)
		}
	}
	return -1
}

// next returns the smallest ID in s greater than i, or -1.
func (s gset) next(i int) int {
	i++
	if i < 64 {
		if m := s.lo &^ (bit(i) - 1); m != 0 {
			return bits.TrailingZeros64(m)
		}
		i = 64
	}
	for w := (i - 64) >> 6; w < len(s.hi); w++ {
		m := s.hi[w]
		if w == (i-64)>>6 {
			m &^= bit(i) - 1
		}
		if m != 0 {
			return 64 + 64*w + bits.TrailingZeros64(m)
		}
	}
	return -1
}

func (s gset) count() int {
	n := bits.OnesCount64(s.lo)
	for _, w := range s.hi {
		n += bits.OnesCount64(w)
	}
	return n
}

// nth returns the k-th smallest ID (0-based), or -1.
func (s gset) nth(k int) int {
	for i := s.lowest(); i >= 0; i = s.next(i) {
		if k == 0 {
			return i
		}
		k--
	}
	return -1
}

func (s gset) clone() gset {
	if len(s.hi) == 0 {
		return gset{lo: s.lo}
	}
	return gset{lo: s.lo, hi: append([]uint64(nil), s.hi...), owned: true}
}

// and, or and andNot return new sets; they never write into s or o.
func (s gset) and(o gset) gset {
	r := gset{lo: s.lo & o.lo}
	if n := min(len(s.hi), len(o.hi)); n > 0 {
		r.hi, r.owned = make([]uint64, n), true
		for i := range n {
			r.hi[i] = s.hi[i] & o.hi[i]
		}
	}
	return r
}

func (s gset) or(o gset) gset {
	r := gset{lo: s.lo | o.lo}
	if n := max(len(s.hi), len(o.hi)); n > 0 {
		r.hi, r.owned = make([]uint64, n), true
		copy(r.hi, s.hi)
		for i, w := range o.hi {
			r.hi[i] |= w
		}
	}
	return r
}

func (s gset) andNot(o gset) gset {
	r := gset{lo: s.lo &^ o.lo}
	if len(s.hi) > 0 {
		r.hi, r.owned = make([]uint64, len(s.hi)), true
		copy(r.hi, s.hi)
		for i := range min(len(s.hi), len(o.hi)) {
			r.hi[i] &^= o.hi[i]
		}
	}
	return r
}

// intersects reports whether s and o share an ID.
func (s gset) intersects(o gset) bool {
	if s.lo&o.lo != 0 {
		return true
	}
	for i := range min(len(s.hi), len(o.hi)) {
		if s.hi[i]&o.hi[i] != 0 {
			return true
		}
	}
	return false
}

// single returns the set {i}.
func single(i int) gset {
	var s gset
	s.add(i)
	return s
}
