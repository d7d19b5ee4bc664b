package linear_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

// longHistory builds a linearizable register history of n operations from
// clients clients, each call overlapping the calls of the others, with one
// write in 25 left pending (it takes effect, or not). Operations take
// effect in order of a point inside their interval.
func longHistory(n, clients int, seed uint64) []regOp {
	r := rand.New(rand.NewPCG(seed, 1))
	h := make([]regOp, n)
	value := 0
	for i := range h {
		c := i % clients
		call := int64(i * 10)
		op := regOp{Client: c, Call: call, Return: call + 10*int64(clients) + int64(r.IntN(10))}
		if r.IntN(2) == 0 {
			op.Input = models.RegisterInput[int]{Op: models.Write, Value: r.IntN(4)}
			if r.IntN(25) == 0 {
				op.Return, op.Output.Unknown = linear.Pending, true
				if r.IntN(2) == 0 {
					h[i] = op
					continue // never took effect
				}
			}
			value = op.Input.Value
		} else {
			op.Input.Op = models.Read
			op.Output.Value = value
		}
		h[i] = op
	}
	return h
}

// TestLongHistoryMemory: a 50,000-operation history checks within a 64 MiB
// cap. The memo used to keep an n-bit set per configuration (about 300 MB
// here, growing with the square of n); it now keeps a few words.
func TestLongHistoryMemory(t *testing.T) {
	h := longHistory(50000, 8, 1)
	res := linear.Check(models.Register(0), h, linear.MaxMemory(64<<20))
	if res.Verdict != linear.Linearizable {
		t.Fatalf("got %v", res)
	}
	// The same history under a cap far too small ends as Unknown, naming
	// the limit, with the progress made.
	res = linear.Check(models.Register(0), h, linear.MaxMemory(256<<10))
	if res.Verdict != linear.Unknown || !errors.Is(res.Err, linear.ErrMemoryLimit) || res.Explored == 0 {
		t.Fatalf("under a 256 KiB cap: %v", res)
	}
	if len(res.Parts[0].Linearization) == 0 {
		t.Fatal("no progress reported")
	}
}

// TestMaxMemoryZeroMeansDefault: MaxMemory(0) is the default cap, a
// quarter of the machine's memory; a negative cap is none.
func TestMaxMemoryZeroMeansDefault(t *testing.T) {
	if d := linear.DefaultMaxMemory(); d < 64<<20 {
		t.Fatalf("default cap %d bytes", d)
	}
	h := longHistory(2000, 4, 2)
	for _, cap := range []int64{0, -1} {
		if res := linear.Check(models.Register(0), h, linear.MaxMemory(cap)); !res.Linearizable() {
			t.Fatalf("MaxMemory(%d): %v", cap, res)
		}
	}
}
