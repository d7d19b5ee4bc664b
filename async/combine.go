package async

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
)

// Result is the outcome of one future, as AllSettled reports it.
type Result[T any] struct {
	Value T
	Err   error
}

// AggregateError is the error of Any when every future failed: each
// failure, in the order of the futures given. errors.Is and errors.As look
// into every one of them.
type AggregateError struct {
	Errors []error
}

// Error lists the failures, one per line after a summary.
func (e *AggregateError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "async: all %d futures failed", len(e.Errors))
	for _, err := range e.Errors {
		b.WriteString("\n\t")
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap returns every failure, for errors.Is and errors.As.
func (e *AggregateError) Unwrap() []error { return e.Errors }

// All waits for every future and returns their values in the order given.
// The first future to fail (in time, not in position) decides: All cancels
// the others at once and returns that error without waiting for them. If
// ctx ends first, All returns ctx.Err() and cancels nothing. With no
// futures it returns an empty slice.
func All[T any](ctx context.Context, fs ...*Future[T]) ([]T, error) {
	if i := firstNil(fs); i >= 0 {
		return nil, fmt.Errorf("async: All: future %d: %w", i, ErrNilFuture)
	}
	w := newWaiter(modeAll, fs)
	w.out = make([]T, len(fs))
	pick, err := w.wait(ctx)
	if err != nil {
		return nil, err
	}
	if pick >= 0 {
		cancelAllBut(fs, pick)
		return nil, fs[pick].err
	}
	return w.out, nil
}

// AllSettled waits for every future and returns each outcome in the order
// given. Futures that have not settled when ctx ends report ctx.Err(); a
// nil future reports ErrNilFuture.
func AllSettled[T any](ctx context.Context, fs ...*Future[T]) []Result[T] {
	out := make([]Result[T], len(fs))
	live := make([]*Future[T], 0, len(fs))
	for _, f := range fs {
		if f != nil {
			live = append(live, f)
		}
	}
	_, err := newWaiter(modeSettled, live).wait(ctx)
	for i, f := range fs {
		switch {
		case f == nil:
			out[i].Err = ErrNilFuture
		case f.c.settled():
			out[i] = Result[T]{f.val, f.err}
		default:
			out[i].Err = err
		}
	}
	return out
}

// Any returns the value of the first future to succeed and cancels the
// others. When every future fails it returns an *AggregateError holding
// each failure in the order given. It returns ErrNoFutures when given none,
// and ctx.Err(), cancelling nothing, when ctx ends first.
func Any[T any](ctx context.Context, fs ...*Future[T]) (T, error) {
	var zero T
	if len(fs) == 0 {
		return zero, ErrNoFutures
	}
	if i := firstNil(fs); i >= 0 {
		return zero, fmt.Errorf("async: Any: future %d: %w", i, ErrNilFuture)
	}
	pick, err := newWaiter(modeAny, fs).wait(ctx)
	if err != nil {
		return zero, err
	}
	if pick >= 0 {
		cancelAllBut(fs, pick)
		return fs[pick].val, nil
	}
	errs := make([]error, len(fs))
	for i, f := range fs {
		errs[i] = f.err
	}
	return zero, &AggregateError{Errors: errs}
}

// Race returns the outcome of the first future to settle, success or
// failure, and cancels the others. It returns ErrNoFutures when given none,
// and ctx.Err(), cancelling nothing, when ctx ends first.
func Race[T any](ctx context.Context, fs ...*Future[T]) (T, error) {
	var zero T
	if len(fs) == 0 {
		return zero, ErrNoFutures
	}
	if i := firstNil(fs); i >= 0 {
		return zero, fmt.Errorf("async: Race: future %d: %w", i, ErrNilFuture)
	}
	pick, err := newWaiter(modeRace, fs).wait(ctx)
	if err != nil {
		return zero, err
	}
	cancelAllBut(fs, pick)
	return fs[pick].val, fs[pick].err
}

func firstNil[T any](fs []*Future[T]) int {
	for i, f := range fs {
		if f == nil {
			return i
		}
	}
	return -1
}

func cancelAllBut[T any](fs []*Future[T], keep int) {
	for i, f := range fs {
		if i != keep {
			f.Cancel()
		}
	}
}

type mode uint8

const (
	modeAll     mode = iota // decided by the first failure
	modeSettled             // decided by nothing: wait for all
	modeAny                 // decided by the first success
	modeRace                // decided by the first settlement
)

// waiter subscribes to a set of futures and wakes its owner once the
// outcome is known: one future decided it, or all have settled. It costs
// one allocation per combinator call, not one channel per future.
type waiter[T any] struct {
	mode mode
	fs   []*Future[T]
	left atomic.Int64
	pick atomic.Int64 // 1 + index of the deciding future, 0 if none yet
	wake chan struct{}
	// out, for All, receives each value as its future settles, while the
	// future is still in the settling goroutine's cache: no second pass
	// over cold futures at the end.
	out []T
}

func newWaiter[T any](m mode, fs []*Future[T]) *waiter[T] {
	w := &waiter[T]{mode: m, fs: fs, wake: make(chan struct{}, 1)}
	w.left.Store(int64(len(fs)))
	return w
}

func (w *waiter[T]) notify(i int) {
	f := w.fs[i]
	failed := f.err != nil
	if w.out != nil && !failed {
		w.out[i] = f.val
	}
	decides := w.mode == modeRace ||
		(w.mode == modeAll && failed) ||
		(w.mode == modeAny && !failed)
	if decides {
		if w.pick.CompareAndSwap(0, int64(i)+1) {
			w.signal()
		}
		return
	}
	if w.left.Add(-1) == 0 {
		w.signal()
	}
}

func (w *waiter[T]) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// wait subscribes to every future and blocks until the outcome is known.
// It returns the index of the deciding future, or -1 when all settled
// without one deciding, or ctx.Err().
func (w *waiter[T]) wait(ctx context.Context) (int, error) {
	if len(w.fs) == 0 {
		return -1, nil
	}
	for i, f := range w.fs {
		if w.pick.Load() != 0 {
			break // decided already: the rest need no subscription
		}
		if !f.subscribe(w, i) {
			w.notify(i)
		}
	}
	var stop <-chan struct{}
	if ctx != nil {
		stop = ctx.Done()
	}
	if w.pick.Load() == 0 && w.left.Load() > 0 {
		select {
		case <-w.wake:
		case <-stop:
			// Prefer an outcome that is already known to the coin toss.
			select {
			case <-w.wake:
			default:
				return -1, ctx.Err()
			}
		}
	}
	if p := w.pick.Load(); p != 0 {
		return int(p - 1), nil
	}
	return -1, nil
}
