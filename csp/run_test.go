package csp

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// naturals is an endless source: only cancellation stops it.
func naturals(ctx context.Context) <-chan Item[int] {
	return Generate(ctx, func(ctx context.Context, emit func(int) bool) error {
		for i := 0; emit(i); i++ {
		}
		return nil
	})
}

// Breaking out of Run's loop stops every stage before the loop is over:
// no stage function is still running and no goroutine is left, even with
// an endless source, a fan-out whose other branch nobody reads, and stage
// functions that ignore their context.
func TestRunBreakLeavesNothing(t *testing.T) {
	before := goleak.IgnoreCurrent()
	var inFlight, calls atomic.Int64
	slow := func(_ context.Context, v int) (int, error) {
		inFlight.Add(1)
		defer inFlight.Add(-1)
		calls.Add(1)
		time.Sleep(2 * time.Millisecond) // ignores ctx on purpose
		return v, nil
	}
	got := 0
	for v, err := range Run(context.Background(), func(ctx context.Context) <-chan Item[[]int] {
		a, b := Tee(ctx, naturals(ctx))
		_ = b // never read: Tee stalls on it until Run cancels
		m := Map(ctx, Filter(ctx, a, func(v int) bool { return v%2 == 0 }), 4, slow)
		o := OrderedMap(ctx, Merge(ctx, m, naturals(ctx)), 3, slow)
		return Batch(ctx, o, 1, time.Millisecond)
	}) {
		if err != nil {
			t.Fatal(err)
		}
		if got += len(v); got >= 3 {
			break
		}
	}
	if n := inFlight.Load(); n != 0 {
		t.Fatalf("%d stage calls still running after the loop", n)
	}
	calls0 := calls.Load()
	time.Sleep(10 * time.Millisecond)
	if calls.Load() != calls0 {
		t.Fatalf("stage calls went on after the loop: %d -> %d", calls0, calls.Load())
	}
	goleak.VerifyNone(t, before)
}

// The same guarantee when the loop body panics or returns early.
func TestRunPanicInLoopLeavesNothing(t *testing.T) {
	before := goleak.IgnoreCurrent()
	func() {
		defer func() {
			if r := recover(); r != "stop" {
				t.Fatalf("recovered %v", r)
			}
		}()
		for range Run(context.Background(), naturals) {
			panic("stop")
		}
	}()
	goleak.VerifyNone(t, before)
}

func TestRunYieldsItemsErrorsAndCancellation(t *testing.T) {
	ctx := context.Background()
	errOdd := errors.New("odd")
	var vals []int
	var errs int
	seq := Run(ctx, func(ctx context.Context) <-chan Item[int] {
		return OrderedMap(ctx, FromSlice(ctx, seq(6)), 2, func(_ context.Context, v int) (int, error) {
			if v%2 == 1 {
				return 0, errOdd
			}
			return v, nil
		})
	})
	for round := range 2 { // each loop builds and runs the pipeline anew
		vals, errs = nil, 0
		for v, err := range seq {
			if err != nil {
				errs++
				continue
			}
			vals = append(vals, v)
		}
		if len(vals) != 3 || vals[2] != 4 || errs != 3 {
			t.Fatalf("round %d: values %v, %d errors", round, vals, errs)
		}
	}

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n, last := 0, error(nil)
	for _, err := range Run(cctx, naturals) {
		if n++; n == 5 {
			cancel()
		}
		last = err
	}
	if !errors.Is(last, context.Canceled) {
		t.Fatalf("after the parent ended: last error %v", last)
	}

	for _, err := range Run(ctx, func(context.Context) <-chan Item[int] { return nil }) {
		if !errors.Is(err, ErrNilStream) {
			t.Fatalf("nil stream: %v", err)
		}
	}
}
