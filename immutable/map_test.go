package immutable

import (
	"hash/maphash"
	"maps"
	"math/rand/v2"
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
func constHash(maphash.Seed, string) uint64 { return collidingHash }

// TestMapCollisions drives the trie with a hash under which every key
// collides in all 64 bits (maphash gives no way to choose colliding keys),
// so that the collision nodes at the bottom are built, searched, updated
// and emptied.
func TestMapCollisions(t *testing.T) {
	seed := maphash.MakeSeed()
	root := &hnode[string, int]{}
	const h = collidingHash
	keys := []string{"a", "b", "c", "d"}
	var added bool
	for i, k := range keys {
		root, added = root.set(nil, 0, h, k, i, seed, constHash)
		if !added {
			t.Fatalf("set(%q) reported an existing key", k)
		}
	}
	m := Map[string, int]{root: root, size: len(keys), seed: seed}
	get := func(k string) (int, bool) { // Get with the constant hash
		n := m.root
		for shift := uint(0); shift < maxShift; shift += bitsPerLevel {
			bit := uint32(1) << ((h >> shift) & levelMask)
			if n.datamap&bit != 0 {
				e := n.entries[index(n.datamap, bit)]
				return e.value, e.key == k
			}
			if n.nodemap&bit == 0 {
				return 0, false
			}
			n = n.kids[index(n.nodemap, bit)]
		}
		for _, e := range n.entries {
			if e.key == k {
				return e.value, true
			}
		}
		return 0, false
	}
	for i, k := range keys {
		if v, ok := get(k); !ok || v != i {
			t.Fatalf("colliding key %q = %d, %v", k, v, ok)
		}
	}
	old := m.root
	root, _ = m.root.set(nil, 0, h, "b", 20, seed, constHash)
	m.root = root
	if v, _ := get("b"); v != 20 {
		t.Fatal("overwrite in a collision node failed")
	}
	// Delete down to one key: it must be inlined up to the root.
	for _, k := range []string{"a", "c", "d"} {
		var removed bool
		root, removed = m.root.del(nil, 0, h, k)
		if !removed {
			t.Fatalf("del(%q) found nothing", k)
		}
		m.root = root
	}
	if len(m.root.entries) != 1 || len(m.root.kids) != 0 {
		t.Fatalf("last colliding key not inlined into the root: %d entries, %d kids", len(m.root.entries), len(m.root.kids))
	}
	// The old version is untouched.
	m.root = old
	for i, k := range keys {
		if v, ok := get(k); !ok || v != i {
			t.Fatalf("old version changed: %q = %d, %v", k, v, ok)
		}
	}
	// And a Builder handles collision nodes in place.
	edit := new(token)
	r2 := &hnode[string, int]{}
	for i, k := range keys {
		r2, _ = r2.set(edit, 0, h, k, i, seed, constHash)
	}
	r2, _ = r2.set(edit, 0, h, "a", 100, seed, constHash)
	r2, _ = r2.del(edit, 0, h, "b")
	m.root = r2
	if v, ok := get("a"); !ok || v != 100 {
		t.Fatal("builder overwrite in a collision node failed")
	}
	if _, ok := get("b"); ok {
		t.Fatal("builder delete in a collision node failed")
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
