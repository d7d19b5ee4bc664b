package rt

import (
	"cmp"
	"reflect"
	"slices"
)

// Map iteration. Go visits a map's entries in a random order, so code that
// ranges over a map would run differently every time a schedule is
// replayed; the rewriter turns for k, v := range m into a loop over
// MapRange, which, in an exploration, visits the keys in a fixed order
// (ordered by value: numbers, strings, then field by field; pointers by
// address). Outside an exploration the order is Go's own. Entries deleted
// during the loop are not visited, as with range; entries added are not.

// MapIt is a loop over a map's keys as they were when it started.
type MapIt[K comparable, V any] struct {
	m    map[K]V
	keys []K
	i    int
}

// MapRange starts a loop over m (named name in the source: the loop reads
// the map); it returns the zero key and value for the loop's variables.
func MapRange[M ~map[K]V, K comparable, V any](m M, name string) (*MapIt[K, V], K, V) {
	MR(m, name)
	it := &MapIt[K, V]{m: m, keys: make([]K, 0, len(m))}
	for k := range m {
		it.keys = append(it.keys, k)
	}
	if current() != nil {
		slices.SortFunc(it.keys, func(a, b K) int { return compareValues(reflect.ValueOf(a), reflect.ValueOf(b)) })
	}
	var k K
	var v V
	return it, k, v
}

// Next moves to the next entry still in the map, stores it through k and
// v (either may be nil) and reports whether there was one.
func (it *MapIt[K, V]) Next(k *K, v *V) bool {
	for it.i < len(it.keys) {
		key := it.keys[it.i]
		it.i++
		val, ok := it.m[key]
		if !ok {
			continue // deleted during the loop
		}
		if k != nil {
			*k = key
		}
		if v != nil {
			*v = val
		}
		return true
	}
	return false
}

// compareValues orders two values of one type, deterministically for
// everything but addresses.
func compareValues(a, b reflect.Value) int {
	switch a.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cmp.Compare(a.Int(), b.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return cmp.Compare(a.Uint(), b.Uint())
	case reflect.Float32, reflect.Float64:
		return cmp.Compare(a.Float(), b.Float())
	case reflect.Complex64, reflect.Complex128:
		if c := cmp.Compare(real(a.Complex()), real(b.Complex())); c != 0 {
			return c
		}
		return cmp.Compare(imag(a.Complex()), imag(b.Complex()))
	case reflect.String:
		return cmp.Compare(a.String(), b.String())
	case reflect.Bool:
		return cmp.Compare(boolInt(a.Bool()), boolInt(b.Bool()))
	case reflect.Pointer, reflect.Chan, reflect.UnsafePointer, reflect.Func, reflect.Map, reflect.Slice:
		return cmp.Compare(a.Pointer(), b.Pointer())
	case reflect.Struct:
		for i := range a.NumField() {
			if c := compareValues(a.Field(i), b.Field(i)); c != 0 {
				return c
			}
		}
		return 0
	case reflect.Array:
		for i := range a.Len() {
			if c := compareValues(a.Index(i), b.Index(i)); c != 0 {
				return c
			}
		}
		return 0
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return cmp.Compare(boolInt(!a.IsNil()), boolInt(!b.IsNil()))
		}
		ea, eb := a.Elem(), b.Elem()
		if ta, tb := ea.Type().String(), eb.Type().String(); ta != tb {
			return cmp.Compare(ta, tb)
		}
		return compareValues(ea, eb)
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
