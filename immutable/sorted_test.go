package immutable

import (
	"cmp"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// checkSorted checks m against want: Len, Get of every key, a key not in
// it, All and Backward in key order, and the B-tree's invariants.
func checkSorted(t *testing.T, m SortedMap[int, int], want map[int]int) {
	t.Helper()
	if m.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", m.Len(), len(want))
	}
	for k, v := range want {
		if got, ok := m.Get(k); !ok || got != v {
			t.Fatalf("Get(%d) = %d, %v; want %d, true", k, got, ok, v)
		}
	}
	if _, ok := m.Get(-12345); ok {
		t.Fatal("Get found a key never set")
	}
	keys := slices.Sorted(maps.Keys(want))
	got := slices.Collect(m.Keys())
	if !slices.Equal(got, keys) {
		t.Fatalf("Keys = %v, want %v", got, keys)
	}
	var back []int
	for k, v := range m.Backward() {
		if want[k] != v {
			t.Fatalf("Backward yields %d=%d, want %d", k, v, want[k])
		}
		back = append(back, k)
	}
	slices.Reverse(back)
	if !slices.Equal(back, keys) {
		t.Fatalf("Backward = %v reversed, want %v", back, keys)
	}
	if m.root != nil {
		checkBTree(t, m.root, true)
	}
}

// checkBTree checks node sizes and that every leaf is at the same depth;
// it returns that depth.
func checkBTree[K, V any](t *testing.T, n *bnode[K, V], root bool) int {
	t.Helper()
	if len(n.items) > maxItems || (!root && len(n.items) < minItems) || len(n.items) == 0 {
		t.Fatalf("node with %d entries (root %v)", len(n.items), root)
	}
	if n.kids == nil {
		return 0
	}
	if len(n.kids) != len(n.items)+1 {
		t.Fatalf("branch with %d entries and %d kids", len(n.items), len(n.kids))
	}
	depth := -1
	for _, k := range n.kids {
		d := checkBTree(t, k, false)
		if depth >= 0 && d != depth {
			t.Fatalf("leaves at depths %d and %d", depth, d)
		}
		depth = d
	}
	return depth + 1
}

// TestSortedMapVersions applies random sets and deletes to random earlier
// versions and checks every version against the Go map it must equal, with
// the B-tree's invariants: splits, borrowing from either side and merges
// at every level, persistently.
func TestSortedMapVersions(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	steps := 3000
	if testing.Short() {
		steps = 600
	}
	type version struct {
		m    SortedMap[int, int]
		want map[int]int
	}
	versions := []version{{want: map[int]int{}}}
	for range steps {
		base := versions[rng.IntN(len(versions))]
		if rng.IntN(3) != 0 {
			base = versions[len(versions)-1]
		}
		next := version{m: base.m, want: maps.Clone(base.want)}
		grow := rng.IntN(3) != 0 || len(next.want) < 100
		for range 1 + rng.IntN(40) {
			k := rng.IntN(3000)
			if grow {
				next.m = next.m.Set(k, k*10+len(versions))
				next.want[k] = k*10 + len(versions)
			} else {
				next.m = next.m.Delete(k)
				delete(next.want, k)
			}
		}
		versions = append(versions, next)
	}
	for i, v := range versions {
		if i%9 == 0 || i == len(versions)-1 {
			checkSorted(t, v.m, v.want)
		}
	}
	// Empty it completely, one key at a time, in random order.
	last := versions[len(versions)-1]
	m, want := last.m, maps.Clone(last.want)
	for _, k := range rng.Perm(3000) {
		m = m.Delete(k)
		delete(want, k)
		if k%97 == 0 {
			checkSorted(t, m, want)
		}
	}
	if m.Len() != 0 || m.root != nil {
		t.Fatalf("emptied map: Len %d, root %v", m.Len(), m.root)
	}
	checkSorted(t, last.m, last.want) // untouched
}

func TestSortedMapRangeMinMax(t *testing.T) {
	var m SortedMap[int, string]
	if _, _, ok := m.Min(); ok {
		t.Fatal("Min of an empty map")
	}
	for i := 0; i < 1000; i += 2 {
		m = m.Set(i, "v")
	}
	for _, tc := range []struct{ from, to, first, n int }{
		{0, 1000, 0, 500}, {1, 9, 2, 4}, {2, 10, 2, 4}, {-5, 3, 0, 2}, {998, 2000, 998, 1}, {999, 2000, 0, 0}, {10, 10, 0, 0}, {10, 5, 0, 0},
	} {
		keys := slices.Collect(func(yield func(int) bool) {
			for k := range m.Range(tc.from, tc.to) {
				if !yield(k) {
					return
				}
			}
		})
		if len(keys) != tc.n || (tc.n > 0 && keys[0] != tc.first) || !slices.IsSorted(keys) {
			t.Errorf("Range(%d, %d) = %v, want %d keys from %d", tc.from, tc.to, keys, tc.n, tc.first)
		}
	}
	for k := range m.Range(0, 1000) {
		if k == 100 {
			break // early stop must be honoured
		}
	}
	if k, _, ok := m.Min(); !ok || k != 0 {
		t.Fatalf("Min = %d, %v", k, ok)
	}
	if k, _, ok := m.Max(); !ok || k != 998 {
		t.Fatalf("Max = %d, %v", k, ok)
	}
}

func TestSortedMapOrders(t *testing.T) {
	// The zero map orders named string types naturally.
	type name string
	var byName SortedMap[name, int]
	byName = byName.Set("b", 2).Set("a", 1).Set("c", 3)
	if got := slices.Collect(byName.Keys()); !slices.Equal(got, []name{"a", "b", "c"}) {
		t.Fatalf("named strings: %v", got)
	}
	// Floats: NaN sorts first, as cmp.Compare has it, and can be found.
	var f SortedMap[float64, int]
	f = f.Set(1.5, 1).Set(math.NaN(), 0).Set(-2, -2)
	if got := slices.Collect(f.Keys()); !math.IsNaN(got[0]) || got[1] != -2 || got[2] != 1.5 {
		t.Fatalf("floats: %v", got)
	}
	if v, ok := f.Get(math.NaN()); !ok || v != 0 {
		t.Fatal("NaN key not found")
	}
	// A custom order: case-insensitive, longest first for ties.
	ci := NewSortedMapFunc[string, int](func(a, b string) int {
		return cmp.Compare(strings.ToLower(a), strings.ToLower(b))
	})
	ci = ci.Set("Go", 1).Set("go", 2).Set("ALPHA", 3)
	if ci.Len() != 2 {
		t.Fatalf("case-insensitive keys: Len %d, want 2", ci.Len())
	}
	if v, _ := ci.Get("GO"); v != 2 {
		t.Fatalf("Get(GO) = %d", v)
	}
	// Versions keep the order of the map they came from.
	if got := slices.Collect(ci.Delete("alpha").Set("Zed", 0).Set("beta", 9).Keys()); !slices.Equal(got, []string{"beta", "Go", "Zed"}) {
		t.Fatalf("derived order: %v", got)
	}
	if got := slices.Collect(NewSortedMap[int, bool]().Set(3, true).Set(1, true).Keys()); !slices.Equal(got, []int{1, 3}) {
		t.Fatalf("NewSortedMap: %v", got)
	}
	// A struct key has no natural order: the zero map refuses it loudly.
	type point struct{ _, _ int }
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "NewSortedMapFunc") {
			t.Fatalf("Set on a zero SortedMap of structs: %v", r)
		}
	}()
	SortedMap[point, int]{}.Set(point{}, 1)
}

func TestSortedEqual(t *testing.T) {
	a := NewSortedMap[int, int]()
	b := NewSortedMap[int, int]()
	for i := range 500 {
		a = a.Set(i, i)
	}
	for i := 499; i >= 0; i-- { // another history, another tree shape
		b = b.Set(i, i).Set(i+1000, 0).Delete(i + 1000)
	}
	if a == b || !SortedEqual(a, b) {
		t.Fatal("equal contents: want == false (identity), SortedEqual true")
	}
	if SortedEqual(a, b.Set(7, 8)) || SortedEqual(a, b.Delete(7)) || SortedEqual(a, b.Delete(7).Set(1000, 7)) {
		t.Fatal("different contents judged equal")
	}
	if !SortedEqual(SortedMap[int, int]{}, SortedMap[int, int]{}.Set(1, 1).Delete(1)) {
		t.Fatal("empty maps unequal")
	}
}

// TestSortedMapConcurrentReaders: readers iterate a version while a writer
// derives new versions from it (run with -race): no node reachable from a
// published version is ever written.
func TestSortedMapConcurrentReaders(t *testing.T) {
	var base SortedMap[int, int]
	for i := range 2000 {
		base = base.Set(i, i)
	}
	done := make(chan struct{})
	errs := make(chan string, 4)
	for range 3 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 5 {
				sum := 0
				for _, v := range base.All() {
					sum += v
				}
				if sum != 1999*2000/2 {
					errs <- "a reader saw a changed version"
					return
				}
			}
		}()
	}
	m := base
	for i := range 4000 {
		if i%2 == 0 {
			m = base.Set(i, -i).Delete(i / 2)
		} else {
			m = m.Delete(i).Set(i+5000, i)
		}
	}
	for range 3 {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	_ = m
}
