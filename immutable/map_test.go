package immutable

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// mapVersion pairs a Map with the Go map it must equal.
type mapVersion[K comparable, V comparable] struct {
	m    Map[K, V]
	want map[K]V
}

func checkMap[K comparable, V comparable](t *testing.T, m Map[K, V], want map[K]V) {
	t.Helper()
	if m.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", m.Len(), len(want))
	}
	for k, v := range want {
		if got, ok := m.Get(k); !ok || got != v {
			t.Fatalf("Get(%v) = %v, %v; want %v, true", k, got, ok, v)
		}
	}
	seen := 0
	for k, v := range m.All() {
		if w, ok := want[k]; !ok || w != v {
			t.Fatalf("All yields %v=%v, not in the reference", k, v)
		}
		seen++
	}
	if seen != len(want) {
		t.Fatalf("All yields %d pairs, want %d", seen, len(want))
	}
}

// TestMapVersions applies random updates to random earlier versions and
// checks, at the end, that every version still holds exactly what it held
// when it was made.
func TestMapVersions(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	steps := 4000
	if testing.Short() {
		steps = 800
	}
	keys := 300 // few keys: many overwrites, deletes and re-inserts
	versions := []mapVersion[int, int]{{want: map[int]int{}}}
	for range steps {
		base := versions[rng.IntN(len(versions))]
		if rng.IntN(4) == 0 {
			base = versions[len(versions)-1] // mostly grow the newest
		}
		next := mapVersion[int, int]{m: base.m, want: maps.Clone(base.want)}
		for range 1 + rng.IntN(3) {
			k := rng.IntN(keys)
			if rng.IntN(3) == 0 {
				next.m = next.m.Delete(k)
				delete(next.want, k)
			} else {
				v := rng.Int()
				next.m = next.m.Set(k, v)
				next.want[k] = v
			}
		}
		versions = append(versions, next)
	}
	for i, v := range versions {
		if i%7 == 0 || i == len(versions)-1 {
			checkMap(t, v.m, v.want)
		}
	}
	// Absent keys stay absent.
	last := versions[len(versions)-1]
	for k := keys; k < keys+100; k++ {
		if _, ok := last.m.Get(k); ok {
			t.Fatalf("Get(%d) found a key never set", k)
		}
	}
}

const collidingHash = 0xdeadbeefcafebabe

// constHash gives every key the same 64-bit hash.
func constHash(string) uint64 { return collidingHash }

// TestMapCollisions drives the trie with a hash under which every key
// collides in all 64 bits (NewMapFunc), so that the collision nodes at the
// bottom are built, searched, updated and emptied, persistently and by a
// Builder.
func TestMapCollisions(t *testing.T) {
	keys := []string{"a", "b", "c", "d"}
	m := NewMapFunc[string, int](constHash)
	want := map[string]int{}
	for i, k := range keys {
		m = m.Set(k, i)
		want[k] = i
	}
	checkMap(t, m, want)
	if _, ok := m.Get("e"); ok {
		t.Fatal("found a colliding key never set")
	}
	old, oldWant := m, maps.Clone(want)
	m = m.Set("b", 20)
	want["b"] = 20
	checkMap(t, m, want)
	// Delete down to one key: it must be inlined up to the root.
	for _, k := range []string{"a", "c", "d"} {
		m = m.Delete(k)
		delete(want, k)
	}
	checkMap(t, m, want)
	if len(m.root.entries) != 1 || len(m.root.kids) != 0 {
		t.Fatalf("last colliding key not inlined into the root: %d entries, %d kids", len(m.root.entries), len(m.root.kids))
	}
	checkMap(t, old, oldWant) // the old version is untouched

	// A Builder handles collision nodes in place.
	b := NewBuilder(NewMapFunc[string, int](constHash))
	for i, k := range keys {
		b.Set(k, i)
	}
	b.Set("a", 100)
	b.Delete("b")
	checkMap(t, b.Map(), map[string]int{"a": 100, "c": 2, "d": 3})
	checkMap(t, old, oldWant)
}

// TestMapFunc: a Map made with NewMapFunc uses that hash for every version
// and Builder derived from it, and works like the default one.
func TestMapFunc(t *testing.T) {
	calls := 0
	identity := func(k int) uint64 { calls++; return uint64(k) }
	m := NewMapFunc[int, string](identity)
	for i := range 100 {
		m = m.Set(i, "v")
	}
	if calls == 0 {
		t.Fatal("the custom hash was never called")
	}
	b := NewBuilder(m.Delete(5))
	before := calls
	b.Set(200, "w")
	if calls == before {
		t.Fatal("a Builder started from the map does not use its hash")
	}
	got := b.Map()
	if _, ok := got.Get(5); ok || got.Len() != 100 {
		t.Fatalf("Len %d, has 5: %v", got.Len(), got.Has(5))
	}
	// With the identity hash the keys below 32 sit in the root in order:
	// iteration order is the same in every run.
	var first []int
	for k := range NewMapFunc[int, bool](identity).Set(3, true).Set(1, true).Set(2, true).Keys() {
		first = append(first, k)
	}
	if !slices.Equal(first, []int{1, 2, 3}) {
		t.Fatalf("order with the identity hash = %v, want [1 2 3]", first)
	}
	if NewMapFunc[int, int](nil).Set(1, 1).h.fn != nil {
		t.Fatal("NewMapFunc(nil) is not the default map")
	}
}

// TestMapEqual compares maps built along different paths: Equal must agree
// with a comparison of their contents, whatever the history, while ==
// compares identity.
func TestMapEqual(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base := Map[int, int]{}.Set(-1, -1) // fixes the seed the versions share
	for round := range 300 {
		n := rng.IntN(60)
		contents := map[int]int{}
		for range n {
			contents[rng.IntN(80)] = rng.IntN(3)
		}
		// Three histories of the same contents: Set in random order with
		// detours through deleted extra keys, a Builder, and the reverse.
		a := base.Delete(-1)
		for k, v := range contents {
			a = a.Set(k+1000, 0).Set(k, v+7).Set(k, v).Delete(k + 1000)
		}
		b := NewBuilder(base.Delete(-1))
		for k, v := range contents {
			b.Set(k, v)
		}
		bm := b.Map()
		keys := slices.Sorted(maps.Keys(contents))
		c := base.Delete(-1)
		for _, k := range slices.Backward(keys) {
			c = c.Set(k, contents[k])
		}
		// And one with a different seed (compared key by key).
		var d Map[int, int]
		for k, v := range contents {
			d = d.Set(k, v)
		}
		for name, pair := range map[string][2]Map[int, int]{"set/builder": {a, bm}, "set/reverse": {a, c}, "other seed": {a, d}} {
			if !Equal(pair[0], pair[1]) {
				t.Fatalf("round %d, %s: equal contents (%d keys) judged unequal", round, name, len(contents))
			}
		}
		if len(contents) == 0 {
			continue
		}
		// Change one value, add one key, or drop one: unequal.
		k := keys[rng.IntN(len(keys))]
		for name, other := range map[string]Map[int, int]{
			"value": c.Set(k, contents[k]+1), "extra key": c.Set(999, 0), "missing key": c.Delete(k),
			"value, other seed": d.Set(k, contents[k]+1),
		} {
			if Equal(a, other) {
				t.Fatalf("round %d: a map with a different %s judged equal", round, name)
			}
		}
	}
	x := Map[string, int]{}.Set("a", 1)
	y := x.Set("a", 2).Set("a", 1)
	if x == y || !Equal(x, y) {
		t.Fatalf("x == y: %v, Equal: %v; want identity false, contents true", x == y, Equal(x, y))
	}
	if !Equal(Map[string, int]{}, x.Delete("a")) {
		t.Fatal("two empty maps unequal")
	}
	// EqualFunc compares values of different types.
	s := Map[string, string]{}.Set("a", "1")
	if !EqualFunc(x, s, func(i int, s string) bool { return strconv.Itoa(i) == s }) {
		t.Fatal("EqualFunc across value types")
	}
	// Collision nodes hold their keys in insertion order: still equal.
	p := NewMapFunc[string, int](constHash).Set("a", 1).Set("b", 2)
	q := NewMapFunc[string, int](constHash).Set("b", 2).Set("a", 1)
	if !Equal(p, q) || Equal(p, q.Set("a", 3)) {
		t.Fatal("collision nodes compared by position")
	}
	// Versions of one NewMapFunc map are compared structurally, collision
	// nodes included.
	r := p.Delete("a").Set("c", 3).Set("a", 1).Delete("c")
	if !p.h.sameAs(r.h) || !Equal(p, r) || Equal(p, r.Set("b", 0)) {
		t.Fatal("versions of one custom-hash map")
	}
}

func TestMapZero(t *testing.T) {
	var m Map[string, int]
	if m.Len() != 0 || m.Has("x") {
		t.Fatal("zero Map not empty")
	}
	if m.Delete("x").Len() != 0 {
		t.Fatal("Delete on a zero Map")
	}
	for range m.All() {
		t.Fatal("All on a zero Map yields")
	}
	m2 := m.Set("x", 1)
	if m.Len() != 0 || m2.Len() != 1 {
		t.Fatal("Set changed the zero Map")
	}
	m3 := m2.Delete("x")
	if m3.Len() != 0 || m3.Has("x") || !m2.Has("x") {
		t.Fatal("Delete to empty")
	}
	if m3.Set("y", 2).Len() != 1 {
		t.Fatal("Set after emptying")
	}
}

func TestMapDeleteAbsentSharesRoot(t *testing.T) {
	var m Map[int, int]
	for i := range 100 {
		m = m.Set(i, i)
	}
	if m2 := m.Delete(1000); m2.root != m.root {
		t.Fatal("deleting an absent key copied the trie")
	}
}

func TestMapIterStop(t *testing.T) {
	var m Map[int, int]
	for i := range 1000 {
		m = m.Set(i, i)
	}
	n := 0
	for range m.All() {
		n++
		if n == 10 {
			break
		}
	}
	keys := 0
	for range m.Keys() {
		keys++
	}
	if n != 10 || keys != 1000 {
		t.Fatalf("iteration: stopped at %d, keys %d", n, keys)
	}
}

func TestBuilderVersions(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var b Builder[int, int]
	want := map[int]int{}
	var snaps []mapVersion[int, int]
	for round := range 60 {
		for range 50 {
			k := rng.IntN(400)
			if rng.IntN(4) == 0 {
				b.Delete(k)
				delete(want, k)
			} else {
				b.Set(k, round)
				want[k] = round
			}
			if g, ok := b.Get(k); ok != (want[k] == g && ok) {
				t.Fatal("Builder.Get disagrees")
			}
		}
		if b.Len() != len(want) {
			t.Fatalf("Builder.Len = %d, want %d", b.Len(), len(want))
		}
		snaps = append(snaps, mapVersion[int, int]{m: b.Map(), want: maps.Clone(want)})
	}
	// Every snapshot survived the in-place updates that followed it.
	for _, s := range snaps {
		checkMap(t, s.m, s.want)
	}
	// A Builder from an existing map leaves that map alone.
	base := snaps[10]
	nb := NewBuilder(base.m)
	for k := range 400 {
		nb.Set(k, -1)
	}
	checkMap(t, base.m, base.want)
	if nb.Map().Len() != 400 {
		t.Fatal("NewBuilder result")
	}
}

// TestMapConcurrentReaders: many goroutines read one version while others
// derive new ones from it (run with -race).
func TestMapConcurrentReaders(t *testing.T) {
	var base Map[int, int]
	for i := range 2000 {
		base = base.Set(i, i)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			m := base
			for i := range 2000 {
				if v, ok := base.Get(i); !ok || v != i {
					t.Errorf("reader saw %d=%d,%v", i, v, ok)
					return
				}
				if g%2 == 0 {
					m = m.Set(i, -i).Delete(i + 1)
				}
			}
		})
	}
	wg.Wait()
}

func FuzzMap(f *testing.F) {
	f.Add([]byte{1, 2, 3, 1, 0x81, 2})
	f.Add([]byte{0, 0, 0, 0x80, 0x80})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var m Map[byte, int]
		var b Builder[byte, int]
		want := map[byte]int{}
		var versions []mapVersion[byte, int]
		for i, op := range ops {
			k := op & 0x3f
			if op&0x80 != 0 {
				m = m.Delete(k)
				b.Delete(k)
				delete(want, k)
			} else {
				m = m.Set(k, i)
				b.Set(k, i)
				want[k] = i
			}
			versions = append(versions, mapVersion[byte, int]{m: m, want: maps.Clone(want)})
		}
		for _, v := range versions {
			checkMap(t, v.m, v.want)
		}
		checkMap(t, b.Map(), want)
	})
}
