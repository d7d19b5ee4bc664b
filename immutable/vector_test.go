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
	f.Fuzz(func(t *testing.T, ops []byte) {
		var v Vector[int]
		var want []int
		for i, op := range ops {
			if op >= 192 && len(want) > 0 {
				j := int(op) % len(want)
				old, oldWant := v, slices.Clone(want)
				v = v.Set(j, -i)
				want[j] = -i
				checkVector(t, old, oldWant)
				continue
			}
			for range int(op%8) + 1 {
				v = v.Append(i)
				want = append(want, i)
			}
		}
		checkVector(t, v, want)
	})
}
