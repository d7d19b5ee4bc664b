package csp

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func double(_ context.Context, v int) (int, error) { return 2 * v, nil }

func TestFromSliceCollectKeepsOrder(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{0, 1, 100} {
		got, err := Collect(ctx, FromSlice(ctx, seq(n)))
		if err != nil || !slices.Equal(got, seq(n)[:len(got)]) || len(got) != n {
			t.Fatalf("n=%d: %v %v", n, got, err)
		}
	}
}

func TestMapAllValues(t *testing.T) {
	ctx := context.Background()
	for _, w := range []int{-1, 1, 3, 16} {
		got, err := Collect(ctx, Map(ctx, FromSlice(ctx, seq(1000)), w, double))
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		for i, v := range got {
			if v != 2*i {
				t.Fatalf("w=%d: got[%d]=%d", w, i, v)
			}
		}
		if len(got) != 1000 {
			t.Fatalf("w=%d: %d values", w, len(got))
		}
	}
}

// barrierFn blocks each call until k calls are running at once, which only
// happens if the stage really runs k workers.
func barrierFn(k int) func(context.Context, int) (int, error) {
	var started sync.WaitGroup
	started.Add(k)
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	var n atomic.Int32
	return func(_ context.Context, v int) (int, error) {
		if n.Add(1) <= int32(k) {
			started.Done()
			select {
			case <-all:
			case <-time.After(20 * time.Second):
				return 0, errors.New("workers did not run concurrently")
			}
		}
		return v, nil
	}
}

func TestWorkersRunConcurrently(t *testing.T) {
	ctx := context.Background()
	if _, err := Collect(ctx, Map(ctx, FromSlice(ctx, seq(8)), 4, barrierFn(4))); err != nil {
		t.Fatal(err)
	}
	if _, err := Collect(ctx, OrderedMap(ctx, FromSlice(ctx, seq(8)), 4, barrierFn(4))); err != nil {
		t.Fatal(err)
	}
}

func TestOrderedMapOrderUnderUnevenWork(t *testing.T) {
	ctx := context.Background()
	for _, w := range []int{1, 2, 7} {
		for _, win := range []int{0, 1, 3, 100} {
			got, err := Collect(ctx, OrderedMap(ctx, FromSlice(ctx, seq(2000)), w,
				func(_ context.Context, v int) (int, error) {
					if rand.IntN(50) == 0 {
						time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond)
					}
					return 2 * v, nil
				}, Window(win)))
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range got {
				if v != 2*i {
					t.Fatalf("w=%d win=%d: got[%d]=%d", w, win, i, v)
				}
			}
			if len(got) != 2000 {
				t.Fatalf("len %d", len(got))
			}
		}
	}
}

// TestOrderedMapWindowBoundsMemory holds item 0 back and checks that the
// source is never more than a window ahead of the consumer.
func TestOrderedMapWindowBoundsMemory(t *testing.T) {
	ctx := context.Background()
	const window = 8
	release := make(chan struct{})
	var sent, received atomic.Int64
	var peak atomic.Int64
	src := Generate(ctx, func(ctx context.Context, emit func(int) bool) error {
		for i := range 500 {
			if d := sent.Load() - received.Load(); d > peak.Load() {
				peak.Store(d)
			}
			if !emit(i) {
				return nil
			}
			sent.Add(1)
		}
		return nil
	})
	out := OrderedMap(ctx, src, 4, func(_ context.Context, v int) (int, error) {
		if v == 0 {
			<-release
		}
		return v, nil
	}, Window(window))
	time.AfterFunc(50*time.Millisecond, func() { close(release) })
	i := 0
	for it := range out {
		received.Add(1)
		if it.Value != i {
			t.Fatalf("got %d want %d", it.Value, i)
		}
		i++
	}
	// At most window items are read and not yet emitted; the consumer's
	// counter may lag the emitter by one.
	if p := peak.Load(); p > window+1 {
		t.Fatalf("source ran %d items ahead with a window of %d", p, window)
	}
	if i != 500 {
		t.Fatalf("%d items", i)
	}
}

var errOdd = errors.New("odd")

func failOdd(_ context.Context, v int) (int, error) {
	if v%2 == 1 {
		return 0, fmt.Errorf("item %d: %w", v, errOdd)
	}
	return v, nil
}

func TestErrorsTravelWithTheirItem(t *testing.T) {
	ctx := context.Background()
	out := OrderedMap(ctx, FromSlice(ctx, seq(100)), 4, failOdd)
	out = Filter(ctx, out, func(v int) bool { return v%4 == 0 }) // drops 2, 6, ...; keeps errors
	out = OrderedMap(ctx, out, 3, double)
	i := 0
	for v, err := range ToSeq(ctx, out) {
		want := i
		if err != nil {
			if !errors.Is(err, errOdd) || err.Error() != fmt.Sprintf("item %d: odd", want) {
				t.Fatalf("item %d: err %v", want, err)
			}
		} else if v != 2*want {
			t.Fatalf("item %d: %d", want, v)
		}
		i++
		for i%4 == 2 {
			i++
		}
	}
	if i != 100 {
		t.Fatalf("stopped at %d", i)
	}
	// Collect stops at the first error and leaves the rest of the stream:
	// the context's cancel stops the stages behind it.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	got, err := Collect(cctx, Map(cctx, FromSlice(cctx, seq(100)), 4, failOdd))
	if !errors.Is(err, errOdd) || len(got) > 99 {
		t.Fatalf("Collect: %d values, %v", len(got), err)
	}
}

func TestPanicBecomesErrorItem(t *testing.T) {
	ctx := context.Background()
	boom := func(_ context.Context, v int) (int, error) {
		if v == 3 {
			panic("boom")
		}
		return v, nil
	}
	for name, out := range map[string]<-chan Item[int]{
		"Map":        Map(ctx, FromSlice(ctx, seq(10)), 2, boom),
		"OrderedMap": OrderedMap(ctx, FromSlice(ctx, seq(10)), 2, boom),
		"Filter":     Filter(ctx, FromSlice(ctx, seq(10)), func(v int) bool { _, _ = boom(ctx, v); return true }),
		"Generate": Generate(ctx, func(ctx context.Context, emit func(int) bool) error {
			emit(1)
			panic("boom")
		}),
	} {
		var pe *PanicError
		n := 0
		for _, err := range ToSeq(ctx, out) {
			n++
			if err != nil && !errors.As(err, &pe) {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if pe == nil || pe.Value != "boom" || len(pe.Stack) == 0 {
			t.Fatalf("%s: no panic error (%d items)", name, n)
		}
		// One line naming the value and the panicking line, no stack.
		if msg := pe.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "panic: boom [at ") {
			t.Fatalf("%s: Error() = %q", name, msg)
		}
	}
}

func TestGenerateErrorIsLastItem(t *testing.T) {
	ctx := context.Background()
	errEnd := errors.New("end")
	got, err := Collect(ctx, Generate(ctx, func(ctx context.Context, emit func(string) bool) error {
		emit("a")
		emit("b")
		return errEnd
	}))
	if !errors.Is(err, errEnd) || !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("%v %v", got, err)
	}
}

func TestSeqRoundTrip(t *testing.T) {
	ctx := context.Background()
	errX := errors.New("x")
	src := func(yield func(int, error) bool) {
		for i := range 5 {
			var err error
			if i == 2 {
				err = errX
			}
			if !yield(i, err) {
				return
			}
		}
	}
	var vals []int
	var errs []error
	for v, err := range ToSeq(ctx, FromSeq2(ctx, iter.Seq2[int, error](src))) {
		vals = append(vals, v)
		errs = append(errs, err)
	}
	if !slices.Equal(vals, []int{0, 1, 2, 3, 4}) || errs[2] != errX || errs[1] != nil {
		t.Fatalf("%v %v", vals, errs)
	}
	got, err := Collect(ctx, FromSeq(ctx, slices.Values([]int{3, 1, 2})))
	if err != nil || !slices.Equal(got, []int{3, 1, 2}) {
		t.Fatalf("%v %v", got, err)
	}
}

func TestFilter(t *testing.T) {
	ctx := context.Background()
	got, _ := Collect(ctx, Filter(ctx, FromSlice(ctx, seq(20)), func(v int) bool { return v%3 == 0 }))
	if !slices.Equal(got, []int{0, 3, 6, 9, 12, 15, 18}) {
		t.Fatal(got)
	}
}

func TestBatchBySize(t *testing.T) {
	ctx := context.Background()
	got, err := Collect(ctx, Batch(ctx, FromSlice(ctx, seq(10)), 4, 0))
	if err != nil || fmt.Sprint(got) != "[[0 1 2 3] [4 5 6 7] [8 9]]" {
		t.Fatalf("%v %v", got, err)
	}
	got, _ = Collect(ctx, Batch(ctx, FromSlice(ctx, seq(3)), 0, time.Hour))
	if fmt.Sprint(got) != "[[0] [1] [2]]" {
		t.Fatal(got)
	}
}

func TestBatchByTime(t *testing.T) {
	ctx := context.Background()
	in := make(chan Item[int])
	out := Batch(ctx, in, 100, time.Millisecond)
	// One value per round: only maxWait can flush a batch of 100, and the
	// stage is free to read the next value once it has flushed.
	for round := range 3 {
		in <- Item[int]{Value: round}
		select {
		case b := <-out:
			if !slices.Equal(b.Value, []int{round}) {
				t.Fatalf("round %d: %v", round, b.Value)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("maxWait did not flush the batch")
		}
	}
	close(in)
	if _, ok := <-out; ok {
		t.Fatal("output not closed")
	}
}

func TestBatchErrorFlushes(t *testing.T) {
	ctx := context.Background()
	errX := errors.New("x")
	in := FromSeq2(ctx, func(yield func(int, error) bool) {
		_ = yield(1, nil) && yield(2, nil) && yield(0, errX) && yield(3, nil)
	})
	var got []string
	for b, err := range ToSeq(ctx, Batch(ctx, in, 10, 0)) {
		got = append(got, fmt.Sprint(b, err))
	}
	if fmt.Sprint(got) != "[[1 2] <nil> [] x [3] <nil>]" {
		t.Fatal(got)
	}
}

func TestMerge(t *testing.T) {
	ctx := context.Background()
	got, err := Collect(ctx, Merge(ctx, FromSlice(ctx, seq(100)), FromSlice(ctx, seq(50)), FromSlice(ctx, []int(nil))))
	if err != nil || len(got) != 150 {
		t.Fatalf("%d %v", len(got), err)
	}
	slices.Sort(got)
	if got[0] != 0 || got[1] != 0 || got[149] != 99 {
		t.Fatal(got)
	}
	if _, ok := <-Merge[int](ctx); ok {
		t.Fatal("merge of nothing not closed")
	}
}

func TestBroadcastAndTee(t *testing.T) {
	ctx := context.Background()
	outs := Broadcast(ctx, FromSlice(ctx, seq(200)), 3, Buffer(4))
	results := make([][]int, len(outs))
	var wg sync.WaitGroup
	for i, o := range outs {
		wg.Go(func() { results[i], _ = Collect(ctx, o) })
	}
	wg.Wait()
	for i, r := range results {
		if !slices.Equal(r, seq(200)) {
			t.Fatalf("output %d: %v", i, r)
		}
	}
	a, b := Tee(ctx, FromSlice(ctx, []string{"x", "y"}))
	var ga, gb []string
	wg.Go(func() { ga, _ = Collect(ctx, a) })
	gb, _ = Collect(ctx, b)
	wg.Wait()
	if !slices.Equal(ga, gb) || len(ga) != 2 {
		t.Fatal(ga, gb)
	}
}

func drainAll(t *testing.T, chans ...<-chan Item[int]) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for _, c := range chans {
		for open := true; open; {
			select {
			case _, open = <-c:
			case <-deadline:
				t.Fatal("an output did not close after cancellation")
			}
		}
	}
}

// TestCancelMidPipeline runs an endless pipeline through every stage,
// reads a little, stops reading, cancels, and then checks that every
// output closes and no goroutine is left behind.
func TestCancelMidPipeline(t *testing.T) {
	for round := range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		src := Generate(ctx, func(ctx context.Context, emit func(int) bool) error {
			for i := 0; ; i++ {
				if !emit(i) {
					return ctx.Err()
				}
			}
		})
		a, b := Tee(ctx, src)
		m := Map(ctx, a, 3, double)
		om := OrderedMap(ctx, b, 3, failOdd, Window(5))
		f := Filter(ctx, om, func(int) bool { return true })
		merged := Merge(ctx, m, f)
		batches := Batch(ctx, merged, 7, time.Millisecond)
		nums := Map(ctx, batches, 2, func(_ context.Context, b []int) (int, error) { return len(b), nil })
		for range round % 5 {
			<-nums
		}
		cancel()
		drainAll(t, nums)
		goleak.VerifyNone(t)
	}
}

// TestCancelWithAbandonedOutputs cancels while consumers have stopped
// reading in the middle of the stream, without draining anything after.
func TestCancelWithAbandonedOutputs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	outs := Broadcast(ctx, FromSeq(ctx, func(yield func(int) bool) {
		for i := 0; yield(i); i++ {
		}
	}), 3)
	om := OrderedMap(ctx, outs[0], 4, double)
	<-om
	<-outs[1]
	for range ToSeq(ctx, outs[2]) {
		break
	}
	cancel()
	goleak.VerifyNone(t)
}

func TestSinksReportCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	in := make(chan Item[int]) // never closed
	time.AfterFunc(time.Millisecond, cancel)
	if _, err := Collect(ctx, in); !errors.Is(err, context.Canceled) {
		t.Fatalf("err=%v", err)
	}
	out := OrderedMap(ctx, FromSlice(ctx, seq(10)), 2, double)
	drainAll(t, out)
}

func TestStressOrderedMapUnderRace(t *testing.T) {
	n := 20_000
	if testing.Short() {
		n = 2_000
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			got, err := Collect(ctx, OrderedMap(ctx, Map(ctx, FromSlice(ctx, seq(n)), 1, double), g+1,
				func(_ context.Context, v int) (int, error) { return v / 2, nil }, Window(g*3)))
			if err != nil || !slices.Equal(got, seq(n)) {
				t.Errorf("pipeline %d: err=%v len=%d", g, err, len(got))
			}
		})
	}
	wg.Wait()
}
