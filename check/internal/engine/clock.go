package engine

// VC is a vector clock indexed by goroutine ID: entry i counts the events
// of goroutine i that happen before the clock's owner. Two clocks serve
// two purposes: a goroutine's DPOR clock (events of the exploration's
// dependency order, for backtracking) and its synchronization clock
// (happens-before in the Go memory model, for data races). A clock only
// grows as far as its highest non-zero entry.
type VC []uint32

func (v VC) get(i int) uint32 {
	if i < len(v) {
		return v[i]
	}
	return 0
}

func (v *VC) grow(n int) {
	if l := len(*v); l < n {
		if cap(*v) >= n {
			*v = (*v)[:n]
			clear((*v)[l:])
			return
		}
		nv := make(VC, n, max(n, 8, 2*cap(*v)))
		copy(nv, *v)
		*v = nv
	}
}

func (v *VC) tick(i int) {
	v.grow(i + 1)
	(*v)[i]++
}

func (v *VC) set(i int, x uint32) {
	v.grow(i + 1)
	(*v)[i] = x
}

func (v *VC) join(o VC) {
	v.grow(len(o))
	for i, x := range o {
		if x > (*v)[i] {
			(*v)[i] = x
		}
	}
}

func (v *VC) copyFrom(o VC) { *v = append((*v)[:0], o...) }
