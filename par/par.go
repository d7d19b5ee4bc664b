package par

import (
	"context"
	"slices"
	"sync"

	"github.com/labludus/ludus/errmode"
)

// For calls fn(i) for every i in [0, n), on up to Workers goroutines, and
// returns when every call has returned. Calls run in no particular order,
// so fn must be safe to call concurrently (writing only to index i of a
// shared slice is). n <= 0 does nothing.
//
// If fn panics, For stops the other workers and panics in the caller with
// a *PanicError carrying the worker's stack.
func For(n int, fn func(i int), opts ...Option) {
	if n <= 0 {
		return
	}
	r := newRunner(n, configure(opts))
	r.body = func(lo, hi int) int {
		for i := lo; i < hi; i++ {
			if r.stop.Load() {
				return i - lo
			}
			fn(i)
		}
		return hi - lo
	}
	r.run()
}

// Map returns fn applied to every element of in, in the order of in,
// computed on up to Workers goroutines. It panics like For when fn panics.
func Map[In, Out any](in []In, fn func(In) Out, opts ...Option) []Out {
	out := make([]Out, len(in))
	if len(in) == 0 {
		return out
	}
	// Its own loop rather than For over a closure: one indirect call per
	// item instead of two matters when fn costs tens of nanoseconds.
	r := newRunner(len(in), configure(opts))
	r.body = func(lo, hi int) int {
		in, out := in[lo:hi], out[lo:hi]
		for i := range in {
			if r.stop.Load() {
				return i
			}
			out[i] = fn(in[i])
		}
		return hi - lo
	}
	r.run()
	return out
}

// Reduce folds in into one value in parallel. Each worker folds the ranges
// it takes, starting each from zero; the partial results are then combined
// in the order of in. The result equals a sequential fold when zero is an
// identity of combine (combine(zero, a) == a), combine is associative, and
// folding a range after a value is the same as combining that value with
// the range's fold: for sums, products, min, max, and concatenation alike.
// combine need not be commutative.
//
// zero is copied for every range, so if A is a map, slice or pointer, fold
// must return a new value rather than mutate its accumulator in place.
// An empty input returns zero. Reduce panics like For when fold or combine
// panics.
func Reduce[T, A any](in []T, zero A, fold func(A, T) A, combine func(A, A) A, opts ...Option) A {
	if len(in) == 0 {
		return zero
	}
	type partial struct {
		lo  int
		acc A
	}
	var (
		mu       sync.Mutex
		partials []partial
	)
	r := newRunner(len(in), configure(opts))
	r.body = func(lo, hi int) int {
		acc := zero
		for i := lo; i < hi; i++ {
			if r.stop.Load() {
				return i - lo
			}
			acc = fold(acc, in[i])
		}
		mu.Lock()
		partials = append(partials, partial{lo, acc})
		mu.Unlock()
		return hi - lo
	}
	r.run()
	slices.SortFunc(partials, func(a, b partial) int { return a.lo - b.lo })
	acc := partials[0].acc
	r.guard(func() {
		for _, p := range partials[1:] {
			acc = combine(acc, p.acc)
		}
	})
	if r.panic != nil {
		panic(r.panic)
	}
	return acc
}

// ForCtx calls fn(ctx, i) for every i in [0, n) like For, and stops early:
// the context passed to fn is cancelled, and no new call starts, as soon as
// a call returns an error (that error becomes the context's cause) or ctx
// ends. It returns the first error fn returned; otherwise ctx's error if
// cancellation left some indexes unprocessed; otherwise nil, which means
// fn ran on every index and returned nil.
//
// With Errors(AllErrors) an error stops nothing: fn runs on every index
// (unless ctx ends), and ForCtx returns every error fn returned, joined
// with errors.Join in index order, followed by ctx's error if cancellation
// left some indexes unprocessed.
func ForCtx(ctx context.Context, n int, fn func(ctx context.Context, i int) error, opts ...Option) error {
	if n <= 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c := configure(opts)
	r := newRunner(n, c)
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopWatch := context.AfterFunc(cctx, func() { r.stop.Store(true) })
	defer stopWatch()
	var all errmode.Collector // AllErrors: every error, with its index
	r.body = func(lo, hi int) int {
		for i := lo; i < hi; i++ {
			if r.stop.Load() {
				return i - lo
			}
			if err := fn(cctx, i); err != nil {
				if c.errors == AllErrors {
					all.Add(i, err)
					continue
				}
				r.fail(err)
				cancel(err)
				return i - lo + 1
			}
		}
		return hi - lo
	}
	r.run()
	var ctxErr error
	if r.done.Load() < r.n {
		ctxErr = ctx.Err()
	}
	if c.errors == AllErrors {
		return all.Join(ctxErr)
	}
	if r.err != nil {
		return r.err
	}
	return ctxErr
}

// MapCtx returns fn applied to every element of in, in the order of in,
// computed like ForCtx: it stops at the first error or when ctx ends, and
// then returns a nil slice and the error.
//
// With Errors(AllErrors) it runs fn on every element and returns the
// results together with the joined errors: the zero value stands at each
// index whose call failed.
func MapCtx[In, Out any](ctx context.Context, in []In, fn func(context.Context, In) (Out, error), opts ...Option) ([]Out, error) {
	out := make([]Out, len(in))
	err := ForCtx(ctx, len(in), func(ctx context.Context, i int) error {
		v, err := fn(ctx, in[i])
		if err == nil {
			out[i] = v
		}
		return err
	}, opts...)
	if err != nil && configure(opts).errors != AllErrors {
		return nil, err
	}
	return out, err
}
