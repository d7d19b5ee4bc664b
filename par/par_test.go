package par

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sizes covers empty, tiny, around the chunking boundaries, and large.
var sizes = []int{-3, 0, 1, 2, 3, 7, 64, 1000, 100_003}

func TestForEveryIndexOnce(t *testing.T) {
	for _, n := range sizes {
		for _, opts := range [][]Option{nil, {Workers(1)}, {Workers(3)}, {Workers(16)}, {Grain(10)}, {Workers(-5), Grain(-2)}, {Workers(4), Grain(1000)}} {
			hits := make([]atomic.Int32, max(n, 0))
			For(n, func(i int) { hits[i].Add(1) }, opts...)
			for i := range hits {
				if h := hits[i].Load(); h != 1 {
					t.Fatalf("n=%d: index %d ran %d times", n, i, h)
				}
			}
		}
	}
}

// busy burns a little CPU so that loops run long enough for the helpers to
// join.
func busy(i int) int {
	x := uint64(i)
	for range 200 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	runtime.KeepAlive(x) // the work must not be optimised away
	return int(x & 0xff)
}

func TestMapOrder(t *testing.T) {
	for _, n := range sizes {
		in := make([]int, max(n, 0))
		for i := range in {
			in[i] = i
		}
		out := Map(in, func(v int) string { busy(v); return strconv.Itoa(v) }, Workers(4))
		if len(out) != len(in) {
			t.Fatalf("n=%d: len %d", n, len(out))
		}
		for i, s := range out {
			if s != strconv.Itoa(i) {
				t.Fatalf("n=%d: out[%d] = %q", n, i, s)
			}
		}
	}
}

func TestReduce(t *testing.T) {
	for _, n := range sizes {
		in := make([]int, max(n, 0))
		want := 0
		for i := range in {
			in[i] = busy(i)
			want += in[i]
		}
		got := Reduce(in, 0, func(a, v int) int { return a + v }, func(a, b int) int { return a + b }, Workers(3))
		if got != want {
			t.Fatalf("n=%d: sum %d, want %d", n, got, want)
		}
	}
}

func TestReduceKeepsOrderForNonCommutativeCombine(t *testing.T) {
	in := make([]string, 20_000)
	var want strings.Builder
	for i := range in {
		in[i] = strconv.Itoa(i % 10)
		want.WriteString(in[i])
	}
	got := Reduce(in, "", func(a, s string) string { busy(len(a)); return a + s },
		func(a, b string) string { return a + b }, Workers(4))
	if got != want.String() {
		t.Fatalf("concatenation out of order")
	}
}

func TestReduceEmptyReturnsZero(t *testing.T) {
	if got := Reduce([]int(nil), 42, func(a, v int) int { return a + v }, func(a, b int) int { return a + b }); got != 42 {
		t.Fatalf("got %d", got)
	}
}

// TestWorkersRunConcurrently proves that Workers(n) really runs n calls at
// the same time: every call waits until all four have started, which can
// only happen if four goroutines are inside fn at once. The caller is stuck
// in its first item, so the helpers must come from the timer.
func TestWorkersRunConcurrently(t *testing.T) {
	const k = 4
	var started sync.WaitGroup
	started.Add(k)
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	For(k, func(i int) {
		started.Done()
		select {
		case <-all:
		case <-time.After(20 * time.Second):
			panic("workers did not run concurrently")
		}
	}, Workers(k))
}

func TestWorkersNeverExceeded(t *testing.T) {
	for _, w := range []int{1, 2, 3, 8} {
		var cur, peak atomic.Int32
		For(20_000, func(i int) {
			c := cur.Add(1)
			for {
				p := peak.Load()
				if c <= p || peak.CompareAndSwap(p, c) {
					break
				}
			}
			if i%100 == 0 {
				runtime.Gosched()
			}
			busy(i)
			cur.Add(-1)
		}, Workers(w))
		if p := peak.Load(); p > int32(w) {
			t.Fatalf("workers=%d: %d calls ran at once", w, p)
		}
	}
}

// TestChunksNotItems checks the point of chunking: a large loop makes far
// fewer claims than it has items, and the ranges cover [0, n) exactly.
func TestChunksNotItems(t *testing.T) {
	for _, tc := range []struct{ n, workers, grain int }{{1_000_000, 2, 1}, {1_000_000, 8, 1}, {100_000, 4, 500}, {10, 4, 1}} {
		r := newRunner(tc.n, configure([]Option{Workers(tc.workers), Grain(tc.grain)}))
		var mu sync.Mutex
		var ranges [][2]int
		r.body = func(lo, hi int) int {
			mu.Lock()
			ranges = append(ranges, [2]int{lo, hi})
			mu.Unlock()
			for i := lo; i < hi; i++ {
				busy(i)
			}
			return hi - lo
		}
		r.run()
		covered := make([]bool, tc.n)
		for _, rg := range ranges {
			if rg[1]-rg[0] < tc.grain && rg[1] != tc.n {
				t.Errorf("%+v: range %v smaller than grain", tc, rg)
			}
			for i := rg[0]; i < rg[1]; i++ {
				if covered[i] {
					t.Fatalf("%+v: index %d claimed twice", tc, i)
				}
				covered[i] = true
			}
		}
		for i, c := range covered {
			if !c {
				t.Fatalf("%+v: index %d never claimed", tc, i)
			}
		}
		// Guided self-scheduling needs about 2w·ln(n/2w) claims, plus the
		// caller's doubling ranges before the helpers come.
		if tc.n >= 100_000 && len(ranges) > 400 {
			t.Errorf("%+v: %d claims for %d items", tc, len(ranges), tc.n)
		}
		if r.done.Load() != int64(tc.n) {
			t.Errorf("%+v: done=%d", tc, r.done.Load())
		}
	}
}

func goid() string {
	b := make([]byte, 64)
	b = b[:runtime.Stack(b, false)]
	return string(bytes.Fields(b)[1])
}

func TestTinyInputRunsInCaller(t *testing.T) {
	me := goid()
	var other atomic.Int32
	For(50, func(i int) {
		if goid() != me {
			other.Add(1)
		}
	}, Grain(64), Workers(8))
	Map([]int{1}, func(v int) int {
		if goid() != me {
			other.Add(1)
		}
		return v
	}, Workers(8))
	if other.Load() != 0 {
		t.Fatalf("%d calls ran off the calling goroutine", other.Load())
	}
}

func recoverPanic(f func()) (pe *PanicError) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		var ok bool
		if pe, ok = v.(*PanicError); !ok {
			panic(fmt.Sprintf("recovered %T, want *PanicError", v))
		}
	}()
	f()
	return nil
}

func panicAt(k int) { panic(fmt.Sprintf("boom at %d", k)) }

func TestPanicReachesCaller(t *testing.T) {
	const n = 200_000
	for _, at := range []int{0, n / 2, n - 1} {
		for _, w := range []int{1, 2, 4} {
			var calls atomic.Int64
			pe := recoverPanic(func() {
				For(n, func(i int) {
					calls.Add(1)
					busy(i)
					if i == at {
						panicAt(i)
					}
				}, Workers(w))
			})
			if pe == nil {
				t.Fatalf("at=%d w=%d: no panic", at, w)
			}
			if pe.Value != fmt.Sprintf("boom at %d", at) {
				t.Fatalf("value %v", pe.Value)
			}
			if !bytes.Contains(pe.Stack, []byte("par.panicAt")) {
				t.Fatalf("stack does not show the panicking function:\n%s", pe.Stack)
			}
			// One line: the value and the line that panicked, no stack.
			if msg := pe.Error(); !strings.Contains(msg, "boom at") ||
				!strings.Contains(msg, "par.panicAt") || strings.Contains(msg, "\n") {
				t.Fatalf("Error() = %q, want one line naming the value and panicAt", msg)
			}
			if at == 0 && calls.Load() > n/2 {
				t.Fatalf("w=%d: %d calls after a panic on the first item: workers did not stop", w, calls.Load())
			}
		}
	}
}

// TestPanicInHelper makes only a helper goroutine panic, so the panic must
// travel from another goroutine to the caller.
func TestPanicInHelper(t *testing.T) {
	me := goid()
	pe := recoverPanic(func() {
		For(1000, func(i int) {
			if goid() != me {
				panicAt(i)
			}
			time.Sleep(100 * time.Microsecond)
		}, Workers(2))
	})
	if pe == nil || !bytes.Contains(pe.Stack, []byte("par.panicAt")) {
		t.Fatalf("got %v", pe)
	}
}

func TestPanicErrorUnwrapAndNesting(t *testing.T) {
	sentinel := errors.New("sentinel")
	pe := recoverPanic(func() {
		For(100, func(i int) {
			For(100, func(j int) {
				if i == 50 && j == 50 {
					panic(sentinel)
				}
			}, Workers(2))
		}, Workers(2))
	})
	if pe == nil || !errors.Is(pe, sentinel) {
		t.Fatalf("errors.Is failed: %v", pe)
	}
	if _, nested := pe.Value.(*PanicError); nested {
		t.Fatal("PanicError wrapped twice")
	}
}

func TestPanicInReduceCombine(t *testing.T) {
	pe := recoverPanic(func() {
		Reduce(make([]int, 100_000), 0, func(a, v int) int { busy(v); return a + v },
			func(a, b int) int { panic("combine") }, Workers(2))
	})
	if pe == nil || pe.Value != "combine" {
		t.Fatalf("got %v", pe)
	}
}

func TestGoexitInWorkerExitsCaller(t *testing.T) {
	for _, w := range []int{1, 2, 4} {
		var reached, deferred atomic.Bool
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer deferred.Store(true)
			For(10_000, func(i int) {
				busy(i)
				if i == 9_000 {
					runtime.Goexit()
				}
			}, Workers(w))
			reached.Store(true)
		}()
		<-done
		if reached.Load() || !deferred.Load() {
			t.Fatalf("w=%d: reached=%v deferred=%v", w, reached.Load(), deferred.Load())
		}
	}
}

func TestForCtxFirstErrorStopsEarly(t *testing.T) {
	errBoom := errors.New("boom")
	for _, w := range []int{1, 2, 4} {
		const n = 200_000
		var calls atomic.Int64
		err := ForCtx(context.Background(), n, func(ctx context.Context, i int) error {
			calls.Add(1)
			busy(i)
			if i == 10 {
				return fmt.Errorf("item %d: %w", i, errBoom)
			}
			return nil
		}, Workers(w))
		if !errors.Is(err, errBoom) {
			t.Fatalf("w=%d: err=%v", w, err)
		}
		if calls.Load() > n/2 {
			t.Fatalf("w=%d: %d calls after the error", w, calls.Load())
		}
	}
}

// TestForCtxErrorCancelsOthers: a call blocked on its context is released
// by another call's error, and sees that error as the cause.
func TestForCtxErrorCancelsOthers(t *testing.T) {
	errBoom := errors.New("boom")
	var cause error
	err := ForCtx(context.Background(), 2, func(ctx context.Context, i int) error {
		if i == 1 {
			return errBoom
		}
		select {
		case <-ctx.Done():
			cause = context.Cause(ctx)
		case <-time.After(20 * time.Second):
			return errors.New("not cancelled")
		}
		return nil
	}, Workers(2))
	if !errors.Is(err, errBoom) || !errors.Is(cause, errBoom) {
		t.Fatalf("err=%v cause=%v", err, cause)
	}
}

func TestForCtxCancelledMidway(t *testing.T) {
	for _, w := range []int{1, 2, 4} {
		ctx, cancel := context.WithCancel(context.Background())
		var calls atomic.Int64
		err := ForCtx(ctx, 1_000_000, func(ctx context.Context, i int) error {
			if calls.Add(1) == 1000 {
				cancel()
			}
			busy(i)
			return nil
		}, Workers(w))
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("w=%d: err=%v", w, err)
		}
		if calls.Load() >= 1_000_000 {
			t.Fatalf("w=%d: did not stop", w)
		}
	}
}

func TestForCtxCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := ForCtx(ctx, 10, func(context.Context, int) error { called = true; return nil })
	if !errors.Is(err, context.Canceled) || called {
		t.Fatalf("err=%v called=%v", err, called)
	}
	if err := ForCtx(ctx, 0, func(context.Context, int) error { return nil }); err != nil {
		t.Fatalf("empty loop: %v", err)
	}
}

func TestForCtxCompleteIsNil(t *testing.T) {
	var sum atomic.Int64
	err := ForCtx(context.Background(), 100_000, func(_ context.Context, i int) error {
		sum.Add(int64(i))
		return nil
	})
	if err != nil || sum.Load() != 100_000*99_999/2 {
		t.Fatalf("err=%v sum=%d", err, sum.Load())
	}
}

func TestMapCtx(t *testing.T) {
	in := make([]int, 50_000)
	for i := range in {
		in[i] = i
	}
	out, err := MapCtx(context.Background(), in, func(_ context.Context, v int) (int, error) { return v * 2, nil })
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out {
		if v != 2*i {
			t.Fatalf("out[%d]=%d", i, v)
		}
	}
	errOdd := errors.New("odd")
	out, err = MapCtx(context.Background(), in, func(_ context.Context, v int) (int, error) {
		if v == 777 {
			return 0, errOdd
		}
		return v, nil
	})
	if !errors.Is(err, errOdd) || out != nil {
		t.Fatalf("out=%v err=%v", out != nil, err)
	}
}

func TestConcurrentCallers(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			n := 5_000 + g*1_000
			in := make([]int, n)
			for i := range in {
				in[i] = i
			}
			got := Reduce(Map(in, func(v int) int { return v + busy(v)*0 }), 0,
				func(a, v int) int { return a + v }, func(a, b int) int { return a + b })
			if got != n*(n-1)/2 {
				t.Errorf("caller %d: %d", g, got)
			}
		})
	}
	wg.Wait()
}
