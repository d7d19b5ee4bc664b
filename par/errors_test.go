package par

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

// With Errors(AllErrors) an error stops nothing: every index runs, and the
// errors come back joined in index order whichever worker met them first.
func TestForCtxAllErrors(t *testing.T) {
	for _, w := range []int{1, 2, 4} {
		const n = 10_000
		var calls atomic.Int64
		err := ForCtx(context.Background(), n, func(ctx context.Context, i int) error {
			calls.Add(1)
			busy(i)
			if ctx.Err() != nil {
				return fmt.Errorf("index %d saw a cancelled context", i)
			}
			if i%1000 == 999 {
				return fmt.Errorf("e%d", i)
			}
			return nil
		}, Workers(w), Errors(AllErrors))
		if calls.Load() != n {
			t.Fatalf("w=%d: %d calls, want %d", w, calls.Load(), n)
		}
		want := "e999\ne1999\ne2999\ne3999\ne4999\ne5999\ne6999\ne7999\ne8999\ne9999"
		if err == nil || err.Error() != want {
			t.Fatalf("w=%d: err = %q, want %q", w, err, want)
		}
	}
	if err := ForCtx(context.Background(), 100, func(context.Context, int) error { return nil }, Errors(AllErrors)); err != nil {
		t.Fatalf("no errors: %v", err)
	}
}

// Cancellation still stops an AllErrors loop, and its error comes last.
func TestForCtxAllErrorsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errBad := errors.New("bad")
	err := ForCtx(ctx, 1_000_000, func(ctx context.Context, i int) error {
		if i == 10 {
			cancel()
			return errBad
		}
		return nil
	}, Workers(2), Errors(AllErrors))
	if !errors.Is(err, errBad) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want bad and context.Canceled", err)
	}
}

func TestMapCtxAllErrors(t *testing.T) {
	in := []int{1, 2, 3, 4, 5, 6}
	out, err := MapCtx(context.Background(), in, func(_ context.Context, v int) (int, error) {
		if v%3 == 0 {
			return -1, fmt.Errorf("%d is a multiple of 3", v)
		}
		return v * 10, nil
	}, Errors(AllErrors))
	if fmt.Sprint(out) != "[10 20 0 40 50 0]" {
		t.Fatalf("out = %v, want the results with zeros where fn failed", out)
	}
	if err == nil || err.Error() != "3 is a multiple of 3\n6 is a multiple of 3" {
		t.Fatalf("err = %q", err)
	}
	if FirstError.String() != "first error" || AllErrors.String() != "all errors" || ErrorMode(9).String() != "errmode.Mode(?)" {
		t.Fatal("ErrorMode.String")
	}
}
