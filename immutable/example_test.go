package immutable_test

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
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

// A configuration snapshot shared by readers without locks: the package
// documentation's code, run.
func ExampleMap_snapshot() {
	var current atomic.Pointer[immutable.Map[string, string]]
	current.Store(&immutable.Map[string, string]{}) // Load returns nil until the first Store

	// writer
	next := current.Load().Set("mode", "fast")
	current.Store(&next)

	// readers, at any time, lock-free
	cfg := current.Load()
	mode, _ := cfg.Get("mode")

	// A reader that kept cfg keeps its version while writers go on.
	later := current.Load().Set("mode", "safe")
	current.Store(&later)
	now, _ := current.Load().Get("mode")
	fmt.Println(mode, now)
	// Output: fast safe
}

func ExampleEqual() {
	a := immutable.Map[string, int]{}.Set("x", 1)
	b := a.Set("x", 2).Set("x", 1) // same contents, another version
	fmt.Println(a == b, immutable.Equal(a, b))
	// Output: false true
}

func ExampleEqualFunc() {
	counts := immutable.Map[string, int]{}.Set("a", 1)
	labels := immutable.Map[string, string]{}.Set("a", "1")
	fmt.Println(immutable.EqualFunc(counts, labels, func(n int, s string) bool { return strconv.Itoa(n) == s }))
	// Output: true
}

func ExampleNewMapFunc() {
	// A fixed hash gives the same iteration order in every run (maphash's
	// seed is random): here, with small int keys, ascending.
	m := immutable.NewMapFunc[int, string](func(k int) uint64 { return uint64(k) })
	m = m.Set(3, "c").Set(1, "a").Set(2, "b")
	for k, v := range m.All() {
		fmt.Println(k, v)
	}
	// Output:
	// 1 a
	// 2 b
	// 3 c
}

func ExampleSortedMap() {
	var m immutable.SortedMap[string, int]
	m = m.Set("pear", 3).Set("apple", 1).Set("fig", 2)
	older := m
	m = m.Delete("fig")
	for k, v := range older.All() {
		fmt.Println(k, v)
	}
	fmt.Println(m.Len(), older.Len())
	// Output:
	// apple 1
	// fig 2
	// pear 3
	// 2 3
}

func ExampleSortedMap_Range() {
	var prices immutable.SortedMap[int, string]
	for _, p := range []int{5, 12, 18, 25, 40} {
		prices = prices.Set(p, fmt.Sprint("item at ", p))
	}
	for p, item := range prices.Range(10, 30) { // 10 <= p < 30
		fmt.Println(p, item)
	}
	// Output:
	// 12 item at 12
	// 18 item at 18
	// 25 item at 25
}

func ExampleSortedMap_Backward() {
	m := immutable.NewSortedMap[int, string]().Set(1, "one").Set(3, "three").Set(2, "two")
	for k, v := range m.Backward() {
		fmt.Println(k, v)
	}
	hi, _, _ := m.Max()
	lo, _, _ := m.Min()
	fmt.Println(lo, hi)
	// Output:
	// 3 three
	// 2 two
	// 1 one
	// 1 3
}

func ExampleNewSortedMapFunc() {
	type version struct{ major, minor int }
	byVersion := immutable.NewSortedMapFunc[version, string](func(a, b version) int {
		return cmp.Or(cmp.Compare(a.major, b.major), cmp.Compare(a.minor, b.minor))
	})
	byVersion = byVersion.Set(version{1, 10}, "b").Set(version{1, 9}, "a").Set(version{2, 0}, "c")
	for v, name := range byVersion.All() {
		fmt.Println(v.major, v.minor, name)
	}
	// Output:
	// 1 9 a
	// 1 10 b
	// 2 0 c
}

func ExampleSortedEqual() {
	a := immutable.NewSortedMap[string, int]().Set("x", 1).Set("y", 2)
	b := immutable.NewSortedMap[string, int]().Set("y", 2).Set("x", 1)
	fmt.Println(a == b, immutable.SortedEqual(a, b))
	// Output: false true
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

func ExampleVector_Prepend() {
	v := immutable.Vector[string]{}.Append("b").Append("c")
	w := v.Prepend("a")
	fmt.Println(slices.Collect(w.Values()), slices.Collect(v.Values()))
	// Output: [a b c] [b c]
}

func ExampleVector_Slice() {
	var v immutable.Vector[int]
	for i := range 10 {
		v = v.Append(i)
	}
	mid := v.Slice(3, 7) // shares v's nodes; v is unchanged
	fmt.Println(slices.Collect(mid.Values()), mid.Len(), v.Len())
	fmt.Println(slices.Collect(mid.Append(100).Values()), v.At(7))
	// Output:
	// [3 4 5 6] 4 10
	// [3 4 5 6 100] 7
}

func ExampleVector_Backward() {
	v := immutable.Vector[string]{}.Append("a").Append("b").Append("c")
	for i, s := range v.Backward() {
		fmt.Println(i, s)
	}
	// Output:
	// 2 c
	// 1 b
	// 0 a
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
