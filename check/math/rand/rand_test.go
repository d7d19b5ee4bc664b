package rand_test

import (
	stdrand "math/rand"
	"testing"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/math/rand"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Outside an exploration the functions are the standard ones' (ranges,
// a seeded Rand's sequence).
func TestOutside(t *testing.T) {
	for range 100 {
		if n := rand.Intn(7); n < 0 || n >= 7 {
			t.Fatalf("Intn(7) = %d", n)
		}
	}
	a, b := rand.New(rand.NewSource(42)), stdrand.New(stdrand.NewSource(42))
	for range 10 {
		if x, y := a.Int63(), b.Int63(); x != y {
			t.Fatalf("seeded sequences differ: %d %d", x, y)
		}
	}
	if p := rand.Perm(5); len(p) != 5 {
		t.Fatalf("Perm(5) = %v", p)
	}
}

// In an exploration a small range is a choice the search tries every value
// of, and larger draws repeat with the seed.
func TestInside(t *testing.T) {
	seen := map[int]bool{}
	r := check.Run(func(ct *check.T) { seen[rand.Intn(3)] = true }, check.Exhaustive())
	if len(seen) != 3 || r.Executions != 3 {
		t.Fatalf("Intn(3) gave %v over %d executions", seen, r.Executions)
	}
	draw := func(seed int64) (got []int64) {
		check.Run(func(ct *check.T) { got = append(got, rand.Int63(), rand.Int63()) }, check.Seed(seed))
		return got
	}
	if a, b, c := draw(1), draw(1), draw(2); a[0] != b[0] || a[1] != b[1] || a[0] == c[0] {
		t.Fatalf("seed 1: %v and %v; seed 2: %v", a, b, c)
	}
}
