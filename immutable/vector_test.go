package immutable

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

func checkVector[T comparable](t *testing.T, v Vector[T], want []T) {
	t.Helper()
	if v.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", v.Len(), len(want))
	}
	for i, w := range want {
		if got, ok := v.Get(i); !ok || got != w {
			t.Fatalf("Get(%d) = %v, %v; want %v (len %d)", i, got, ok, w, len(want))
		}
	}
	if _, ok := v.Get(len(want)); ok {
		t.Fatalf("Get(%d) past the end succeeded", len(want))
	}
	if _, ok := v.Get(-1); ok {
		t.Fatal("Get(-1) succeeded")
	}
	i := 0
	for j, x := range v.All() {
		if j != i || x != want[i] {
			t.Fatalf("All yields (%d, %v) at step %d, want (%d, %v)", j, x, i, i, want[i])
		}
		i++
	}
	if i != len(want) {
		t.Fatalf("All yields %d elements, want %d", i, len(want))
	}
}

// TestVectorGrowth crosses every structural boundary: tail full, root a
// leaf, first branch level, root overflow at 32*32+32 and beyond.
func TestVectorGrowth(t *testing.T) {
	n := 40000
	if testing.Short() {
		n = 5000
	}
	var v Vector[int]
	var want []int
	versions := map[int]Vector[int]{}
	for i := range n {
		v = v.Append(i)
		want = append(want, i)
		switch i + 1 {
		case 1, 31, 32, 33, 64, 65, 1024, 1056, 1057, 2048, 32 * 32 * 32, 32*32*32 + 33:
			versions[i+1] = v
		}
	}
	checkVector(t, v, want)
	for size, old := range versions {
		checkVector(t, old, want[:size])
	}
}

// TestVectorVersions appends to and sets random earlier versions, then
// checks every version against the slice it must equal.
func TestVectorVersions(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	steps := 3000
	if testing.Short() {
		steps = 600
	}
	type version struct {
		v    Vector[int]
		want []int
	}
	versions := []version{{}}
	for s := range steps {
		base := versions[rng.IntN(len(versions))]
		if rng.IntN(3) != 0 {
			base = versions[len(versions)-1]
		}
		next := version{v: base.v, want: slices.Clone(base.want)}
		switch {
		case len(next.want) > 0 && rng.IntN(3) == 0:
			i := rng.IntN(len(next.want))
			next.v = next.v.Set(i, -s)
			next.want[i] = -s
		default:
			for range 1 + rng.IntN(40) {
				next.v = next.v.Append(s)
				next.want = append(next.want, s)
			}
		}
		versions = append(versions, next)
	}
	for i, v := range versions {
		if i%5 == 0 || i == len(versions)-1 {
			checkVector(t, v.v, v.want)
		}
	}
}

// TestVectorSharedTail: two versions appending at the same position must
// not see each other's element.
func TestVectorSharedTail(t *testing.T) {
	var base Vector[string]
	for _, s := range []string{"a", "b", "c"} {
		base = base.Append(s)
	}
	x := base.Append("x")
	y := base.Append("y")
	x2 := x.Append("x2")
	checkVector(t, base, []string{"a", "b", "c"})
	checkVector(t, x, []string{"a", "b", "c", "x"})
	checkVector(t, y, []string{"a", "b", "c", "y"})
	checkVector(t, x2, []string{"a", "b", "c", "x", "x2"})
	// Set in a shared tail copies it.
	s := x.Set(0, "A")
	checkVector(t, x, []string{"a", "b", "c", "x"})
	checkVector(t, s, []string{"A", "b", "c", "x"})
	checkVector(t, s.Append("s"), []string{"A", "b", "c", "x", "s"})
}

// TestVectorConcurrentAppend: goroutines append to the same version at the
// same time (run with -race): each must get its own element.
func TestVectorConcurrentAppend(t *testing.T) {
	var base Vector[int]
	for i := range 40 {
		base = base.Append(i)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			v := base
			want := make([]int, 40, 200)
			for i := range want {
				want[i] = i
			}
			for i := range 100 {
				v = v.Append(g*1000 + i)
				want = append(want, g*1000+i)
			}
			checkVector(t, v, want)
		})
	}
	wg.Wait()
	if base.Len() != 40 {
		t.Fatal("base changed")
	}
}

func TestVectorPanics(t *testing.T) {
	var v Vector[int]
	v = v.Append(1)
	for name, f := range map[string]func(){
		"Set(1)":  func() { v.Set(1, 0) },
		"Set(-1)": func() { v.Set(-1, 0) },
		"At(5)":   func() { v.At(5) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
	if v.At(0) != 1 {
		t.Fatal("At(0)")
	}
}

func TestVectorValuesStop(t *testing.T) {
	var v Vector[int]
	for i := range 100 {
		v = v.Append(i)
	}
	sum := 0
	for x := range v.Values() {
		if x == 50 {
			break
		}
		sum += x
	}
	if sum != 49*50/2 {
		t.Fatalf("sum = %d", sum)
	}
	for i := range v.All() {
		if i == 40 {
			break
		}
	}
}

func FuzzVector(f *testing.F) {
	f.Add([]byte{1, 2, 3, 200, 4})
	f.Add(make([]byte, 70))
	f.Add([]byte{7, 7, 7, 7, 7, 191, 191, 230, 100, 250, 170})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var v Vector[int]
		var want []int
		for i, op := range ops {
			old, oldWant := v, slices.Clone(want)
			switch {
			case op >= 224 && len(want) > 0: // slice off some of both ends
				lo := int(op) % (len(want)/2 + 1)
				hi := len(want) - int(op)%(len(want)-lo+1)
				v, want = v.Slice(lo, hi), slices.Clone(want[lo:hi])
			case op >= 192 && len(want) > 0:
				j := int(op) % len(want)
				v = v.Set(j, -i)
				want[j] = -i
			case op >= 160:
				for k := range int(op%64) + 1 {
					v = v.Prepend(-i*100 - k)
					want = slices.Insert(want, 0, -i*100-k)
				}
			default:
				for range int(op%8) + 1 {
					v = v.Append(i)
					want = append(want, i)
				}
			}
			checkVector(t, old, oldWant)
		}
		checkVector(t, v, want)
		checkBackward(t, v, want)
	})
}

// checkBackward checks Backward against want reversed, and that it stops.
func checkBackward[T comparable](t *testing.T, v Vector[T], want []T) {
	t.Helper()
	i := len(want) - 1
	for j, x := range v.Backward() {
		if j != i || x != want[i] {
			t.Fatalf("Backward yields (%d, %v), want (%d, %v)", j, x, i, want[i])
		}
		i--
	}
	if i != -1 {
		t.Fatalf("Backward stopped with %d elements left", i+1)
	}
	for j := range v.Backward() {
		if j < len(want)-3 {
			break // early stop must be honoured
		}
	}
}

// TestVectorPrependSlice applies Append, Prepend, Set and Slice to random
// earlier versions and checks every version, forwards and backwards,
// against the slice it must equal. Slices cut across leaves, trie levels
// and the tail; prepends grow the trie to the left.
func TestVectorPrependSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	steps := 4000
	if testing.Short() {
		steps = 800
	}
	type version struct {
		v    Vector[int]
		want []int
	}
	versions := []version{{}}
	for s := range steps {
		base := versions[rng.IntN(len(versions))]
		if rng.IntN(3) != 0 {
			base = versions[len(versions)-1]
		}
		next := version{v: base.v, want: slices.Clone(base.want)}
		switch op := rng.IntN(10); {
		case op < 3:
			for range 1 + rng.IntN(80) {
				next.v = next.v.Append(s)
				next.want = append(next.want, s)
			}
		case op < 6:
			for k := range 1 + rng.IntN(80) {
				next.v = next.v.Prepend(-s*100 - k)
				next.want = slices.Insert(next.want, 0, -s*100-k)
			}
		case op < 8 && len(next.want) > 0:
			i := rng.IntN(len(next.want))
			next.v = next.v.Set(i, s)
			next.want[i] = s
		default:
			i := rng.IntN(len(next.want) + 1)
			j := i + rng.IntN(len(next.want)-i+1)
			next.v = next.v.Slice(i, j)
			next.want = slices.Clone(next.want[i:j])
		}
		versions = append(versions, next)
	}
	for i, v := range versions {
		if i%5 == 0 || i == len(versions)-1 {
			checkVector(t, v.v, v.want)
			checkBackward(t, v.v, v.want)
		}
	}
}

func TestVectorPrepend(t *testing.T) {
	var v Vector[int]
	var want []int
	versions := map[int]Vector[int]{}
	for i := range 3000 {
		v = v.Prepend(i)
		want = slices.Insert(want, 0, i)
		if i%97 == 0 {
			versions[i+1] = v
		}
	}
	checkVector(t, v, want)
	for n, old := range versions {
		checkVector(t, old, want[len(want)-n:])
	}
	// Appends after prepends, and a prepend onto a vector that is all tail.
	w := Vector[string]{}.Append("b").Prepend("a").Append("c")
	checkVector(t, w, []string{"a", "b", "c"})
	checkVector(t, Vector[string]{}.Prepend("x"), []string{"x"})
}

// leaves counts the leaves a vector's trie references.
func leaves[T any](n *vnode[T], shift uint) int {
	if n == nil {
		return 0
	}
	if shift == 0 {
		return 1
	}
	total := 0
	for _, k := range n.kids {
		total += leaves(k, shift-bitsPerLevel)
	}
	return total
}

// TestVectorSliceReleases: a slice keeps only the leaves it needs (plus
// none on the boundaries but its own), and the trie's height shrinks to
// what the slice needs.
func TestVectorSliceReleases(t *testing.T) {
	var v Vector[int]
	for i := range 40000 {
		v = v.Append(i)
	}
	s := v.Slice(10000, 10100)
	if got := leaves(s.root, s.shift); got > 100/32+2 {
		t.Fatalf("a 100-element slice keeps %d leaves of the original", got)
	}
	if s.shift != bitsPerLevel {
		t.Fatalf("slice of 4 chunks has height %d, want one level of branches", s.shift/bitsPerLevel)
	}
	want := make([]int, 100)
	for i := range want {
		want[i] = 10000 + i
	}
	checkVector(t, s, want)
	// Growing the slice either way does not disturb v.
	s2 := s.Append(-1).Prepend(-2)
	checkVector(t, s2, append(append([]int{-2}, want...), -1))
	if x, _ := v.Get(10100); x != 10100 {
		t.Fatal("appending to a slice changed the original")
	}
	one := v.Slice(5, 6)
	if one.root != nil || one.Len() != 1 || one.At(0) != 5 {
		t.Fatalf("a slice inside one leaf: root %v, %v", one.root, slices.Collect(one.Values()))
	}
	checkVector(t, v.Slice(3, 3), nil)
	checkVector(t, v.Slice(0, 0).Append(1), []int{1})
}

func TestVectorSlicePanics(t *testing.T) {
	v := Vector[int]{}.Append(1).Append(2)
	for _, b := range [][2]int{{-1, 1}, {1, 0}, {0, 3}, {3, 3}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Slice(%d, %d) did not panic", b[0], b[1])
				}
			}()
			v.Slice(b[0], b[1])
		}()
	}
}
