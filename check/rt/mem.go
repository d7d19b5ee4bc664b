package rt

import (
	"fmt"
	"unsafe"
)

// Shared memory. The rewriter wraps every access to memory that goroutines
// can share: a read x becomes *R(&x, "x"), a write x = v becomes
// *W(&x, "x") = v, a map operand m becomes MR(m, "m") or MW(m, "m"). In an
// exploration each call feeds the data-race detector (it is not a
// scheduling point); outside, it returns its argument.

// R records a read of *p and returns p.
func R[T any](p *T, name string) *T {
	if g := current(); g != nil {
		e := g.Engine()
		var val func() string
		if e.Recording() {
			val = func() string { return short(*p) }
		}
		e.Mem(g, unsafe.Pointer(p), false, name, val)
	}
	return p
}

// W records a write of *p and returns p: the caller assigns through it.
func W[T any](p *T, name string) *T {
	if g := current(); g != nil {
		e := g.Engine()
		var val func() string
		if e.Recording() {
			val = func() string { return short(*p) } // printed after the assignment
		}
		e.Mem(g, unsafe.Pointer(p), true, name, val)
	}
	return p
}

// MR records a read of map m (an index, len, range) and returns m.
func MR[M any](m M, name string) M {
	if g := current(); g != nil {
		g.Engine().Mem(g, ptrOf(m), false, name, nil)
	}
	return m
}

// MW records a write of map m (an assignment, delete, clear) and returns m.
func MW[M any](m M, name string) M {
	if g := current(); g != nil {
		g.Engine().Mem(g, ptrOf(m), true, name, nil)
	}
	return m
}

// short prints a value for a trace, cut to 40 bytes.
func short(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}
