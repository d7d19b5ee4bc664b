package immutable_test

import (
	"fmt"
	"maps"
	"slices"
	"sync/atomic"

	"github.com/labludus/ludus/immutable"
)

func ExampleMap() {
	var v1 immutable.Map[string, int]
	v2 := v1.Set("a", 1).Set("b", 2)
	v3 := v2.Set("a", 10).Delete("b")

	a2, _ := v2.Get("a")
	a3, _ := v3.Get("a")
	fmt.Println(v1.Len(), v2.Len(), v3.Len())
	fmt.Println(a2, a3, v3.Has("b"), v2.Has("b"))
	// Output:
	// 0 2 1
	// 1 10 false true
}

func ExampleMap_Get() {
	m := immutable.Map[string, int]{}.Set("x", 42)
	v, ok := m.Get("x")
	fmt.Println(v, ok)
	v, ok = m.Get("y")
	fmt.Println(v, ok)
	// Output:
	// 42 true
	// 0 false
}

func ExampleMap_Set() {
	base := immutable.Map[string, string]{}.Set("env", "dev")
	prod := base.Set("env", "prod") // base is unchanged
	b, _ := base.Get("env")
	p, _ := prod.Get("env")
	fmt.Println(b, p)
	// Output: dev prod
}

func ExampleMap_Delete() {
	m := immutable.Map[int, string]{}.Set(1, "one").Set(2, "two")
	fmt.Println(m.Delete(1).Len(), m.Len())
	// Output: 1 2
}

func ExampleMap_Len() {
	var m immutable.Map[int, bool]
	for i := range 5 {
		m = m.Set(i%3, true)
	}
	fmt.Println(m.Len())
	// Output: 3
}

func ExampleMap_All() {
	m := immutable.Map[string, int]{}.Set("b", 2).Set("a", 1).Set("c", 3)
	// The order of All depends on hashes: sort for a stable listing.
	got := maps.Collect(m.All())
	for _, k := range slices.Sorted(maps.Keys(got)) {
		fmt.Println(k, got[k])
	}
	// Output:
	// a 1
	// b 2
	// c 3
}

func ExampleMap_Keys() {
	m := immutable.Map[string, int]{}.Set("y", 1).Set("x", 2)
	fmt.Println(slices.Sorted(m.Keys()))
	// Output: [x y]
}

func ExampleMap_Has() {
	m := immutable.Map[string, struct{}]{}.Set("admin", struct{}{})
	fmt.Println(m.Has("admin"), m.Has("guest"))
	// Output: true false
}

// A configuration snapshot shared by readers without locks.
func ExampleMap_snapshot() {
	var current atomic.Pointer[immutable.Map[string, string]]
	cfg := immutable.Map[string, string]{}.Set("mode", "safe")
	current.Store(&cfg)

	snapshot := current.Load() // a reader keeps this version

	next := current.Load().Set("mode", "fast") // a writer publishes another
	current.Store(&next)

	old, _ := snapshot.Get("mode")
	now, _ := current.Load().Get("mode")
	fmt.Println(old, now)
	// Output: safe fast
}

func ExampleBuilder() {
	var b immutable.Builder[int, int]
	for i := range 1000 {
		b.Set(i, i*i)
	}
	b.Delete(0)
	m := b.Map()
	v, _ := m.Get(30)
	fmt.Println(m.Len(), v)
	// Output: 999 900
}

func ExampleNewBuilder() {
	base := immutable.Map[string, int]{}.Set("a", 1)
	b := immutable.NewBuilder(base)
	b.Set("b", 2)
	v, _ := b.Get("b")
	fmt.Println(b.Len(), v, base.Len()) // base is unchanged
	// Output: 2 2 1
}

func ExampleBuilder_Map() {
	var b immutable.Builder[string, int]
	b.Set("x", 1)
	first := b.Map()
	b.Set("x", 2) // does not affect first
	x1, _ := first.Get("x")
	x2, _ := b.Map().Get("x")
	fmt.Println(x1, x2)
	// Output: 1 2
}

func ExampleVector() {
	var v1 immutable.Vector[string]
	v2 := v1.Append("a").Append("b")
	v3 := v2.Set(0, "A").Append("c")
	fmt.Println(slices.Collect(v2.Values()), slices.Collect(v3.Values()), v1.Len())
	// Output: [a b] [A b c] 0
}

func ExampleVector_Get() {
	v := immutable.Vector[int]{}.Append(10).Append(20)
	x, ok := v.Get(1)
	fmt.Println(x, ok)
	_, ok = v.Get(2)
	fmt.Println(ok)
	// Output:
	// 20 true
	// false
}

func ExampleVector_At() {
	v := immutable.Vector[int]{}.Append(7)
	fmt.Println(v.At(0))
	// Output: 7
}

func ExampleVector_Append() {
	var v immutable.Vector[int]
	for i := range 100 {
		v = v.Append(i)
	}
	fmt.Println(v.Len(), v.At(99))
	// Output: 100 99
}

func ExampleVector_Set() {
	v := immutable.Vector[string]{}.Append("x").Append("y")
	w := v.Set(1, "Y")
	fmt.Println(v.At(1), w.At(1))
	// Output: y Y
}

func ExampleVector_Len() {
	fmt.Println(immutable.Vector[int]{}.Append(1).Append(2).Len())
	// Output: 2
}

func ExampleVector_All() {
	v := immutable.Vector[string]{}.Append("a").Append("b")
	for i, s := range v.All() {
		fmt.Println(i, s)
	}
	// Output:
	// 0 a
	// 1 b
}

func ExampleVector_Values() {
	v := immutable.Vector[int]{}.Append(1).Append(2).Append(3)
	sum := 0
	for x := range v.Values() {
		sum += x
	}
	fmt.Println(sum)
	// Output: 6
}

func ExampleBuilder_Set() {
	var b immutable.Builder[string, int]
	b.Set("a", 1)
	b.Set("a", 2)
	v, _ := b.Get("a")
	fmt.Println(b.Len(), v)
	// Output: 1 2
}

func ExampleBuilder_Delete() {
	var b immutable.Builder[string, int]
	b.Set("a", 1)
	b.Delete("a")
	b.Delete("missing")
	fmt.Println(b.Len())
	// Output: 0
}

func ExampleBuilder_Get() {
	b := immutable.NewBuilder(immutable.Map[int, string]{}.Set(1, "one"))
	v, ok := b.Get(1)
	fmt.Println(v, ok)
	// Output: one true
}

func ExampleBuilder_Len() {
	var b immutable.Builder[int, int]
	for i := range 10 {
		b.Set(i%4, i)
	}
	fmt.Println(b.Len())
	// Output: 4
}
