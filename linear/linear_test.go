package linear_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type regOp = linear.Operation[models.RegisterInput[int], models.RegisterOutput[int]]

func write(c int, v int, call, ret int64) regOp {
	return regOp{Client: c, Input: models.RegisterInput[int]{Op: models.Write, Value: v}, Call: call, Return: ret}
}

func read(c int, v int, call, ret int64) regOp {
	return regOp{Client: c, Input: models.RegisterInput[int]{Op: models.Read}, Output: models.RegisterOutput[int]{Value: v}, Call: call, Return: ret}
}

func TestCheckSmall(t *testing.T) {
	m := models.Register(0)
	cases := []struct {
		name string
		h    []regOp
		want linear.Verdict
	}{
		{"empty", nil, linear.Linearizable},
		{"sequential", []regOp{write(0, 1, 0, 1), read(0, 1, 2, 3)}, linear.Linearizable},
		{"stale read", []regOp{write(0, 1, 0, 1), read(1, 0, 2, 3)}, linear.NotLinearizable},
		{"concurrent read may see either", []regOp{write(0, 1, 0, 10), read(1, 0, 2, 3), read(2, 1, 4, 5)}, linear.Linearizable},
		{"no going back", []regOp{write(0, 1, 0, 10), read(1, 1, 2, 3), read(2, 0, 4, 5)}, linear.NotLinearizable},
		{"touching intervals are concurrent", []regOp{write(0, 1, 0, 5), read(1, 0, 5, 6)}, linear.Linearizable},
		{"pending write may take effect", []regOp{write(0, 1, 0, linear.Pending), read(1, 1, 2, 3)}, linear.Linearizable},
		{"pending write may not take effect", []regOp{write(0, 1, 0, linear.Pending), read(1, 0, 2, 3)}, linear.Linearizable},
		{"pending write takes effect once", []regOp{write(0, 1, 0, linear.Pending), read(1, 1, 2, 3), read(1, 0, 4, 5)}, linear.NotLinearizable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := linear.Check(m, c.h)
			if res.Verdict != c.want {
				t.Fatalf("got %v, want %v", res, c.want)
			}
			if c.want == linear.Linearizable {
				checkOrder(t, m, c.h, res.Parts[0].Linearization)
			}
		})
	}
}

// checkOrder verifies a claimed linearization: real-time order respected,
// every completed operation present, every step legal.
func checkOrder[S, I, O any](t *testing.T, m linear.Model[S, I, O], h []linear.Operation[I, O], order []int) {
	t.Helper()
	pos := map[int]int{}
	for i, o := range order {
		pos[o] = i
	}
	for i, op := range h {
		if _, ok := pos[i]; !ok && !op.IsPending() {
			t.Fatalf("operation %d missing from %v", i, order)
		}
	}
	for i, a := range h {
		for j, b := range h {
			pi, oki := pos[i]
			pj, okj := pos[j]
			if oki && okj && a.Return < b.Call && pi > pj {
				t.Fatalf("operation %d returned before %d was called but comes after it", i, j)
			}
		}
	}
	s := m.Init()
	for _, o := range order {
		ok, next := m.Step(s, h[o].Input, h[o].Output)
		if !ok {
			t.Fatalf("step %d illegal in %v", o, order)
		}
		s = next
	}
}

func TestFailureInfo(t *testing.T) {
	h := []regOp{write(0, 1, 0, 1), read(1, 1, 2, 3), read(2, 2, 4, 5), read(1, 1, 6, 7)}
	res := linear.Check(models.Register(0), h)
	if res.Verdict != linear.NotLinearizable {
		t.Fatalf("got %v", res)
	}
	p := res.Parts[0]
	if !slices.Equal(p.Linearization, []int{0, 1}) {
		t.Errorf("longest prefix %v, want [0 1]", p.Linearization)
	}
	if len(p.Unplaced) == 0 || p.Unplaced[0] != 2 {
		t.Errorf("unplaced %v, want 2 first", p.Unplaced)
	}
	if !strings.Contains(res.String(), "not linearizable") {
		t.Errorf("String() = %q", res.String())
	}
}

func TestPartitionedResults(t *testing.T) {
	type kvOp = linear.Operation[models.KVInput, models.KVOutput]
	h := []kvOp{
		{Client: 0, Input: models.KVInput{Op: models.KVPut, Key: "a", Value: "1"}, Call: 0, Return: 1},
		{Client: 1, Input: models.KVInput{Op: models.KVPut, Key: "b", Value: "2"}, Call: 0, Return: 1},
		{Client: 0, Input: models.KVInput{Op: models.KVGet, Key: "a"}, Output: models.KVOutput{Value: "1"}, Call: 2, Return: 3},
		{Client: 1, Input: models.KVInput{Op: models.KVGet, Key: "b"}, Output: models.KVOutput{Value: "x"}, Call: 2, Return: 3},
	}
	res := linear.Check(models.KV(), h, linear.Parallelism(1))
	if res.Verdict != linear.NotLinearizable || len(res.Parts) != 2 {
		t.Fatalf("got %v with %d parts", res, len(res.Parts))
	}
	if !slices.Equal(res.Parts[0].Ops, []int{0, 2}) || !slices.Equal(res.Parts[1].Ops, []int{1, 3}) {
		t.Fatalf("parts %v %v", res.Parts[0].Ops, res.Parts[1].Ops)
	}
	if res.Parts[0].Verdict != linear.Linearizable || res.Parts[1].Verdict != linear.NotLinearizable {
		t.Fatalf("part verdicts %v %v", res.Parts[0].Verdict, res.Parts[1].Verdict)
	}
	// The whole-map model must agree.
	if got := linear.Check(models.KVMap(), h); got.Verdict != linear.NotLinearizable {
		t.Fatalf("KVMap: %v", got)
	}
	h[3].Output.Value = "2"
	for _, m := range []linear.Verdict{linear.Check(models.KV(), h).Verdict, linear.Check(models.KVMap(), h).Verdict} {
		if m != linear.Linearizable {
			t.Fatalf("fixed history: %v", m)
		}
	}
}

// hardHistory is a register history with many concurrent writes and no
// reads until the end: a large search space.
func hardHistory(n int) []regOp {
	var h []regOp
	for i := range n {
		h = append(h, write(i, i, 0, 100))
	}
	return append(h, read(n, -1, 200, 201))
}

func TestTimeoutUnknown(t *testing.T) {
	var steps atomic.Int64
	m := models.Register(0)
	step := m.Step
	m.Step = func(s int, in models.RegisterInput[int], out models.RegisterOutput[int]) (bool, int) {
		steps.Add(1)
		time.Sleep(time.Millisecond)
		return step(s, in, out)
	}
	start := time.Now()
	res := linear.Check(m, hardHistory(20), linear.Timeout(30*time.Millisecond))
	if res.Verdict != linear.Unknown || !errors.Is(res.Err, context.DeadlineExceeded) {
		t.Fatalf("got %v", res)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("took %v", el)
	}
	if len(res.Parts[0].Linearization) == 0 || res.Explored == 0 {
		t.Fatalf("no partial progress reported: %+v", res.Parts[0])
	}
}

func TestContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := linear.Check(models.Register(0), hardHistory(30), linear.Context(ctx))
	if res.Verdict != linear.Unknown || !errors.Is(res.Err, context.Canceled) {
		t.Fatalf("got %v", res)
	}
}

func TestInvalid(t *testing.T) {
	if res := linear.Check(linear.Model[int, int, int]{}, nil); !errors.Is(res.Err, linear.ErrInvalidModel) {
		t.Fatalf("empty model: %v", res)
	}
	bad := []regOp{write(0, 1, 5, 1)}
	if res := linear.Check(models.Register(0), bad); !errors.Is(res.Err, linear.ErrInvalidHistory) {
		t.Fatalf("bad history: %v", res)
	}
	type slice []int
	m := linear.Model[slice, int, int]{Init: func() slice { return nil }, Step: func(s slice, _, _ int) (bool, slice) { return true, s }}
	if res := linear.Check(m, []linear.Operation[int, int]{{Call: 0, Return: 1}}); !errors.Is(res.Err, linear.ErrInvalidModel) {
		t.Fatalf("incomparable state without Equal: %v", res)
	}
	panicky := models.Register(0)
	panicky.Step = func(int, models.RegisterInput[int], models.RegisterOutput[int]) (bool, int) { panic("boom") }
	if res := linear.Check(panicky, []regOp{write(0, 1, 0, 1)}); !errors.Is(res.Err, linear.ErrInvalidModel) {
		t.Fatalf("panicking model: %v", res)
	}
}

// TestAgainstBruteForce compares Check with an exhaustive search over all
// permutations on small random register histories.
func TestAgainstBruteForce(t *testing.T) {
	orders := [][]linear.Option{
		{linear.SearchOrders(linear.ReturnsFirst)},
		{linear.SearchOrders(linear.CallOrder)},
		nil, // the portfolio
		{linear.SearchOrders(linear.CallOrder, linear.ReturnsFirst)},
	}
	// The two orders of the portfolio from the start, alternating every
	// 1, 2, 3 or 7 steps, so that they share the memo on small histories.
	for _, turn := range []int{1, 2, 3, 7} {
		restore := linear.SetPortfolio(0, turn)
		registerAgainstBruteForce(t, nil)
		queueAgainstBruteForce(t, nil)
		registerAgainstBruteForce(t, orders[3])
		restore()
	}
	for _, after := range []int64{1, 1 << 40} {
		restore := linear.SetTwinsAfter(after) // with twins from the start, and never
		for _, trial := range []int{1, 1 << 30} {
			// Fresh state ids from the second state on, and states
			// interned throughout.
			restoreTrial := linear.SetInternTrial(trial)
			for _, opts := range orders {
				registerAgainstBruteForce(t, opts)
				queueAgainstBruteForce(t, opts)
			}
			restoreTrial()
		}
		restore()
	}
}

func registerAgainstBruteForce(t *testing.T, opts []linear.Option) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := models.CASRegister(0)
	for iter := range 400 {
		n := 1 + rng.IntN(6)
		h := make([]regOp, n)
		for i := range h {
			call := int64(rng.IntN(10))
			ret := call + int64(rng.IntN(5))
			if rng.IntN(8) == 0 {
				ret = linear.Pending
			}
			var in models.RegisterInput[int]
			var out models.RegisterOutput[int]
			switch rng.IntN(3) {
			case 0:
				in.Op, out.Value = models.Read, rng.IntN(3)
			case 1:
				in.Op, in.Value = models.Write, rng.IntN(3)
			case 2:
				in.Op, in.Value, in.New, out.OK = models.CompareAndSet, rng.IntN(3), rng.IntN(3), rng.IntN(2) == 0
			}
			if ret == linear.Pending {
				out.Unknown = true
			}
			h[i] = regOp{Client: i, Input: in, Output: out, Call: call, Return: ret}
		}
		want := bruteForce(m, h)
		got := linear.Check(m, h, opts...)
		if got.Linearizable() != want {
			t.Fatalf("iteration %d: %v, brute force says %v for %+v", iter, got, want, h)
		}
		if want {
			checkOrder(t, m, h, got.Parts[0].Linearization)
		}
	}
}

// bruteForce tries every subset of pending operations and every order.
func bruteForce[S, I, O any](m linear.Model[S, I, O], h []linear.Operation[I, O]) bool {
	n := len(h)
	used := make([]bool, n)
	var rec func(s S, placed int, last []int) bool
	rec = func(s S, placed int, order []int) bool {
		complete := true
		for i, op := range h {
			if !used[i] && !op.IsPending() {
				complete = false
			}
		}
		if complete {
			return true
		}
		for i, op := range h {
			if used[i] {
				continue
			}
			// i may go next only if no unplaced operation returned before i's call.
			ok := true
			for j, o := range h {
				if !used[j] && j != i && o.Return < op.Call {
					ok = false
				}
			}
			if !ok {
				continue
			}
			legal, next := m.Step(s, op.Input, op.Output)
			if !legal {
				continue
			}
			used[i] = true
			if rec(next, placed+1, append(order, i)) {
				used[i] = false
				return true
			}
			used[i] = false
		}
		return false
	}
	return rec(m.Init(), 0, nil)
}

func TestRecorderConcurrent(t *testing.T) {
	var rec linear.Recorder[int, int]
	var wg sync.WaitGroup
	const clients, each = 8, 200
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				id := rec.Call(c, i)
				rec.Return(id, i*2)
			}
		})
	}
	wg.Wait()
	h := rec.History()
	if len(h) != clients*each {
		t.Fatalf("%d operations recorded, want %d", len(h), clients*each)
	}
	last := map[int]int64{}
	for _, op := range h {
		if op.Return < op.Call || op.Output != op.Input*2 {
			t.Fatalf("bad operation %+v", op)
		}
		if op.Call < last[op.Client] {
			t.Fatalf("client %d's timestamps go back", op.Client)
		}
		last[op.Client] = op.Return
	}
	rec.Reset()
	if len(rec.History()) != 0 {
		t.Fatal("Reset kept operations")
	}
}

// queueAgainstBruteForce does the same for queue histories with pending
// operations and unknown results, and for the partitioned and whole
// key-value models, which must agree with each other.
func queueAgainstBruteForce(t *testing.T, opts []linear.Option) {
	rng := rand.New(rand.NewPCG(3, 4))
	type qi = models.SeqInput[int]
	type qo = models.SeqOutput[int]
	m := models.Queue[int]()
	for iter := range 400 {
		n := 1 + rng.IntN(7)
		h := make([]linear.Operation[qi, qo], n)
		for i := range h {
			call := int64(rng.IntN(12))
			ret := call + int64(rng.IntN(6))
			op := linear.Operation[qi, qo]{Client: i, Call: call, Return: ret}
			if rng.IntN(2) == 0 {
				op.Input = qi{Op: models.Put, Value: rng.IntN(3)}
			} else {
				op.Input = qi{Op: models.Take}
				op.Output = qo{Value: rng.IntN(3), OK: rng.IntN(4) != 0}
			}
			if rng.IntN(6) == 0 {
				op.Return, op.Output.Unknown = linear.Pending, true
			}
			h[i] = op
		}
		want := bruteForce(m, h)
		got := linear.Check(m, h, opts...)
		if got.Linearizable() != want {
			t.Fatalf("iteration %d: %v, brute force says %v for %+v", iter, got, want, h)
		}
		if want {
			checkOrder(t, m, h, got.Parts[0].Linearization)
		}
	}
	for iter := range 300 {
		n := 1 + rng.IntN(8)
		h := make([]linear.Operation[models.KVInput, models.KVOutput], n)
		for i := range h {
			call := int64(rng.IntN(12))
			in := models.KVInput{Op: models.KVOp(rng.IntN(3)), Key: string(rune('a' + rng.IntN(2))), Value: string(rune('x' + rng.IntN(2)))}
			var out models.KVOutput
			if in.Op == models.KVGet {
				out.Value = []string{"", "x", "y", "xy"}[rng.IntN(4)]
			}
			h[i] = linear.Operation[models.KVInput, models.KVOutput]{Client: i, Input: in, Output: out, Call: call, Return: call + int64(rng.IntN(6))}
		}
		a, b, want := linear.Check(models.KV(), h, opts...), linear.Check(models.KVMap(), h, opts...), bruteForce(models.KVMap(), h)
		if a.Linearizable() != want || b.Linearizable() != want {
			t.Fatalf("iteration %d: partitioned %v, whole %v, brute force %v for %+v", iter, a, b, want, h)
		}
	}
}

// TestNoPanicsAcrossTheAPI feeds panicking Describe, DescribeState and Gen
// functions to the reporting functions: they answer with errors.
func TestNoPanicsAcrossTheAPI(t *testing.T) {
	m := models.Register(0)
	m.Describe = func(models.RegisterInput[int], models.RegisterOutput[int]) string { panic("describe") }
	h := []regOp{write(0, 1, 0, 1), read(1, 0, 2, 3)}
	res := linear.Check(m, h)
	if err := linear.WriteHTML(new(strings.Builder), m, h, res); err == nil {
		t.Error("WriteHTML hid a panic")
	}
	if text := linear.Explain(m, h, res); !strings.Contains(text, "panicked") {
		t.Errorf("Explain: %q", text)
	}
	ops := models.CounterOps(func(*struct{}, int64) {}, func(*struct{}) int64 { return 0 }, func(*rand.Rand) int64 { panic("gen") })
	rep := linear.RunStress(context.Background(), models.Counter(), func() *struct{} { return new(struct{}) }, ops, linear.StressConfig{Scenarios: 2, Runs: 1})
	if rep.Err == nil || !strings.Contains(rep.Err.Error(), "panicked") {
		t.Errorf("RunStress: %+v", rep.Err)
	}
}
