package csp

import (
	"context"
	"iter"
)

// Collect reads in to the end and returns its values in arrival order. It
// stops at the first error item and returns the values before it with that
// error, or with ctx's error if ctx ended first. Collect does not drain the
// rest of the stream after an error: cancel the pipeline's context to stop
// the stages upstream, or range over Run, which does it for you.
func Collect[T any](ctx context.Context, in <-chan Item[T]) ([]T, error) {
	var out []T
	for v, err := range ToSeq(ctx, in) {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// ToSeq returns an iterator over in: each value with a nil error, each
// error item as a zero value with its error. The loop may go on after an
// error or break at any time; breaking stops reading only, so cancel the
// pipeline's context to stop the stages upstream (Run, which owns that
// context, does it when the loop ends). If ctx ends before in is
// closed, the iterator yields ctx's error once and stops.
func ToSeq[T any](ctx context.Context, in <-chan Item[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		done := ctx.Done()
		for {
			it, ok := recv(done, in)
			if !ok {
				if err := ctx.Err(); err != nil {
					var zero T
					yield(zero, err)
				}
				return
			}
			if !yield(it.Value, it.Err) {
				return
			}
		}
	}
}
