package csp

import (
	"context"
	"iter"
	"slices"

	"github.com/labludus/ludus/panics"
)

// Generate starts a source: fn runs in a goroutine of its own and calls
// emit for every value; emit returns false once ctx has ended, and fn
// should then return. An error returned by fn (other than after ctx ended)
// becomes the stream's last item, as does a panic in fn (a *PanicError).
// The output closes when fn returns.
func Generate[T any](ctx context.Context, fn func(ctx context.Context, emit func(T) bool) error, opts ...Option) <-chan Item[T] {
	out := newOutput[Item[T]](ctx, configure(opts).buffer)
	spawn(ctx, func() {
		defer out.close()
		emit := func(v T) bool { return out.send(Item[T]{Value: v}) }
		if err := generate(ctx, fn, emit); err != nil {
			out.send(Item[T]{Err: err})
		}
	})
	return out.ch
}

func generate[T any](ctx context.Context, fn func(context.Context, func(T) bool) error, emit func(T) bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panics.New(r)
		}
	}()
	return fn(ctx, emit)
}

// FromSlice emits the elements of s in order, then closes its output.
func FromSlice[T any](ctx context.Context, s []T, opts ...Option) <-chan Item[T] {
	return FromSeq(ctx, slices.Values(s), opts...)
}

// FromSeq emits the values of seq in order, then closes its output. It
// stops iterating seq when ctx ends.
func FromSeq[T any](ctx context.Context, seq iter.Seq[T], opts ...Option) <-chan Item[T] {
	return Generate(ctx, func(ctx context.Context, emit func(T) bool) error {
		for v := range seq {
			if !emit(v) {
				break
			}
		}
		return nil
	}, opts...)
}

// FromSeq2 emits each pair of seq as an item: the value, or the error when
// it is not nil. It is the inverse of ToSeq.
func FromSeq2[T any](ctx context.Context, seq iter.Seq2[T, error], opts ...Option) <-chan Item[T] {
	out := newOutput[Item[T]](ctx, configure(opts).buffer)
	spawn(ctx, func() {
		defer out.close()
		err := generate(ctx, func(ctx context.Context, _ func(T) bool) error {
			for v, err := range seq {
				if !out.send(Item[T]{Value: v, Err: err}) {
					break
				}
			}
			return nil
		}, nil)
		if err != nil {
			out.send(Item[T]{Err: err})
		}
	})
	return out.ch
}
