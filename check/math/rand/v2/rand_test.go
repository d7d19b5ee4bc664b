package rand_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/math/rand/v2"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOutside(t *testing.T) {
	for range 100 {
		if n := rand.IntN(7); n < 0 || n >= 7 {
			t.Fatalf("IntN(7) = %d", n)
		}
		if n := rand.N(uint8(9)); n >= 9 {
			t.Fatalf("N(9) = %d", n)
		}
	}
}

func TestInside(t *testing.T) {
	seen := map[uint16]bool{}
	r := check.Run(func(ct *check.T) { seen[rand.N(uint16(4))] = true }, check.Exhaustive())
	if len(seen) != 4 || r.Executions != 4 {
		t.Fatalf("N(4) gave %v over %d executions", seen, r.Executions)
	}
	draw := func(seed int64) (got []uint64) {
		check.Run(func(ct *check.T) { got = append(got, rand.Uint64()) }, check.Seed(seed))
		return got
	}
	if a, b, c := draw(1), draw(1), draw(2); a[0] != b[0] || a[0] == c[0] {
		t.Fatalf("seed 1: %v and %v; seed 2: %v", a, b, c)
	}
}
