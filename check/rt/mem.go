package rt

import (
	"fmt"
	"reflect"
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

// short prints a value for a trace: a pointer, map, channel or function
// as its type and an address suffix (what it points to is not the point),
// anything else as fmt prints it, cut to 40 bytes.
func short(v any) string {
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Func:
		if rv.IsNil() {
			return "nil"
		}
		return "func"
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.UnsafePointer:
		if rv.IsNil() {
			return "nil"
		}
		return fmt.Sprintf("%s@%x", typeName(rv.Type()), rv.Pointer()&0xffff)
	}
	s := fmt.Sprint(v)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// typeName is a type as a reader writes it: *Account, not *unmodified.Account.
func typeName(t reflect.Type) string {
	s := t.String()
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			j := i
			for j > 0 && s[j-1] != '*' && s[j-1] != '[' && s[j-1] != ']' && s[j-1] != ' ' {
				j--
			}
			return s[:j] + s[i+1:]
		}
	}
	return s
}

// Setter is an assignment to shared memory whose write is recorded when it
// happens, after the right-hand side: x = f() becomes Set(&x, "x").To(f()),
// so what f does (start a goroutine, take a lock) comes before the write,
// as in the original.
type Setter[T any] struct {
	p    *T
	name string
}

// Set starts an assignment to *p (named name in the source).
func Set[T any](p *T, name string) Setter[T] { return Setter[T]{p, name} }

// To assigns v and records the write.
func (s Setter[T]) To(v T) {
	*s.p = v
	if g := current(); g != nil {
		e := g.Engine()
		var val func() string
		if e.Recording() {
			p := s.p
			val = func() string { return short(*p) }
		}
		e.Mem(g, unsafe.Pointer(s.p), true, s.name, val)
	}
}
