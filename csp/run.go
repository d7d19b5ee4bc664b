package csp

import (
	"context"
	"errors"
	"iter"
	"sync"
)

// ErrNilStream is what Run yields when build returns a nil channel.
var ErrNilStream = errors.New("csp: Run: build returned a nil channel")

// Run builds a pipeline and iterates over its output, owning everything in
// between: build receives a context of Run's own and returns the last
// stage's output; when the loop over the returned iterator ends (the
// stream ends, the loop breaks or returns, or its body panics), Run
// cancels that context and returns only once every goroutine of every
// stage build made has exited. A pipeline run this way cannot outlive its
// loop, whatever the loop does.
//
//	for n, err := range csp.Run(ctx, func(ctx context.Context) <-chan csp.Item[int] {
//		return csp.Map(ctx, csp.FromSlice(ctx, lines), 8, parse)
//	}) {
//		if err != nil {
//			break // every stage has stopped when the loop is over
//		}
//		use(n)
//	}
//
// Items and errors arrive as with ToSeq: if ctx ends first, the iterator
// yields ctx's error once and stops. The iterator may be ranged over more
// than once; each loop builds and runs the pipeline anew. Goroutines that
// build starts itself, outside the stages of this package, are its own to
// stop.
func Run[T any](ctx context.Context, build func(ctx context.Context) <-chan Item[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		stages := &stageGroup{}
		pctx, cancel := context.WithCancel(context.WithValue(ctx, stageGroupKey{}, stages))
		defer stages.wg.Wait()
		defer cancel()
		out := build(pctx)
		if out == nil {
			var zero T
			yield(zero, ErrNilStream)
			return
		}
		for v, err := range ToSeq(pctx, out) {
			if !yield(v, err) {
				return
			}
		}
	}
}

// stageGroup counts the goroutines of the stages built under one Run: each
// stage goroutine, and each output's drain (see output), is one count.
type stageGroup struct{ wg sync.WaitGroup }

type stageGroupKey struct{}

// stagesOf returns the stage group ctx belongs to, or nil outside Run.
func stagesOf(ctx context.Context) *stageGroup {
	g, _ := ctx.Value(stageGroupKey{}).(*stageGroup)
	return g
}

// spawn runs f in a new goroutine, counted in ctx's stage group if any.
// Every goroutine of this package's stages starts here.
func spawn(ctx context.Context, f func()) {
	g := stagesOf(ctx)
	if g == nil {
		go f()
		return
	}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		f()
	}()
}
