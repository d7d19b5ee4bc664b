package linear_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

type kvOp = linear.Operation[models.KVInput, models.KVOutput]

// hopelessKey is a key whose history is not linearizable but takes the
// search a very long time to refute: n appends of distinct values, all
// concurrent, then a get that sees a value no order of them makes, so
// every subset and order of the appends is tried first.
func hopelessKey(key string, n int) []kvOp {
	var h []kvOp
	for i := range n {
		h = append(h, kvOp{Client: i, Input: models.KVInput{Op: models.KVAppend, Key: key, Value: fmt.Sprint(i, ",")}, Call: 0, Return: 100})
	}
	return append(h, kvOp{Client: n, Input: models.KVInput{Op: models.KVGet, Key: key}, Output: models.KVOutput{Value: "never"}, Call: 200, Return: 201})
}

// staleKey is a key whose history fails at once: a get that misses a put
// that returned before it was called.
func staleKey(key string) []kvOp {
	return []kvOp{
		{Client: 100, Input: models.KVInput{Op: models.KVPut, Key: key, Value: "x"}, Call: 0, Return: 1},
		{Client: 101, Input: models.KVInput{Op: models.KVGet, Key: key}, Output: models.KVOutput{Value: ""}, Call: 2, Return: 3},
	}
}

// TestFirstFailingPartStopsTheCheck: a part that fails at once is found
// even behind a part whose search would take hours, on one goroutine (the
// parts take turns), and the check stops there.
func TestFirstFailingPartStopsTheCheck(t *testing.T) {
	h := append(hopelessKey("slow", 40), staleKey("fast")...)
	res := linear.Check(models.KV(), h, linear.Parallelism(1), linear.Timeout(time.Minute))
	if res.Verdict != linear.NotLinearizable {
		t.Fatalf("got %v", res)
	}
	slow, fast := res.Parts[0], res.Parts[1]
	if fast.Verdict != linear.NotLinearizable || slow.Verdict != linear.Unknown || !errors.Is(slow.Err, linear.ErrStopped) {
		t.Fatalf("slow part %v (%v), fast part %v", slow.Verdict, slow.Err, fast.Verdict)
	}
	if fast.Order == 0 || slow.Order != 0 {
		t.Fatalf("orders: slow %v, fast %v", slow.Order, fast.Order)
	}
}

// TestAllParts: with AllParts every failing part is reported.
func TestAllParts(t *testing.T) {
	h := append(staleKey("a"), staleKey("b")...)
	h = append(h, kvOp{Client: 7, Input: models.KVInput{Op: models.KVPut, Key: "c", Value: "v"}, Call: 0, Return: 1})
	res := linear.Check(models.KV(), h, linear.AllParts(), linear.Parallelism(1))
	for i, want := range []linear.Verdict{linear.NotLinearizable, linear.NotLinearizable, linear.Linearizable} {
		if res.Parts[i].Verdict != want {
			t.Errorf("part %d: %v, want %v", i, res.Parts[i].Verdict, want)
		}
	}
	// Without it, the check stops at the first: the others are stopped
	// or were decided before.
	res = linear.Check(models.KV(), h, linear.Parallelism(1))
	failed := 0
	for _, p := range res.Parts {
		switch {
		case p.Verdict == linear.NotLinearizable:
			failed++
		case p.Verdict == linear.Unknown && !errors.Is(p.Err, linear.ErrStopped):
			t.Errorf("undecided part without ErrStopped: %v", p.Err)
		}
	}
	if res.Verdict != linear.NotLinearizable || failed == 0 {
		t.Fatalf("got %v", res)
	}
}

// TestSearchOrders: each order alone reaches the verdicts, and names
// itself in the parts it decided.
func TestSearchOrders(t *testing.T) {
	h := []regOp{write(0, 1, 0, 10), read(1, 1, 2, 3), read(2, 0, 4, 5)}
	for _, o := range []linear.Order{linear.ReturnsFirst, linear.CallOrder} {
		res := linear.Check(models.Register(0), h, linear.SearchOrders(o))
		if res.Verdict != linear.NotLinearizable || res.Parts[0].Order != o {
			t.Errorf("%v: %v decided by %v", o, res.Verdict, res.Parts[0].Order)
		}
	}
	res := linear.Check(models.Register(0), h[:2], linear.SearchOrders(linear.Order(9), linear.Order(9)))
	if !res.Linearizable() || res.Parts[0].Order != linear.ReturnsFirst {
		t.Errorf("unknown orders are ignored: %v by %v", res.Verdict, res.Parts[0].Order)
	}
	for o, want := range map[linear.Order]string{linear.ReturnsFirst: "returns-first", linear.CallOrder: "call-order", 0: "none", 7: "Order(7)"} {
		if o.String() != want {
			t.Errorf("%d: %q", o, o.String())
		}
	}
}

// TestPortfolioRaces: on two goroutines both orders search a long part,
// and the verdict is the one each gives alone.
func TestPortfolioRaces(t *testing.T) {
	h := hopelessKey("k", 7)
	for _, opts := range [][]linear.Option{
		{linear.Parallelism(2)},
		{linear.Parallelism(1)},
		{linear.SearchOrders(linear.CallOrder)},
	} {
		res := linear.Check(models.KV(), h, opts...)
		if res.Verdict != linear.NotLinearizable || res.Parts[0].Order == 0 {
			t.Fatalf("%d options: %v by %v", len(opts), res.Verdict, res.Parts[0].Order)
		}
	}
}
