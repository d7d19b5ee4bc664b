package pool

import (
	"context"
	"sync"

	"github.com/labludus/ludus/async"
	"github.com/labludus/ludus/panics"
)

// Submit runs fn on a worker of p and returns its future. fn receives a
// context derived from ctx that the future's Cancel cancels. If ctx ends
// while the task is still queued, the task is skipped and the future
// settles with ctx.Err(). A panic in fn settles the future with an
// *panics.Error (async.PanicError). When the pool cannot accept the task the future is
// rejected at once: ErrClosed, ErrFull (WithNonBlocking), ErrNilTask, or
// ctx.Err() if ctx ended while waiting for room.
func Submit[T any](p *Pool, ctx context.Context, fn func(context.Context) (T, error)) *async.Future[T] {
	if fn == nil {
		return async.Rejected[T](ErrNilTask)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	tctx, cancel := context.WithCancel(ctx)
	f, pr := async.NewPromise[T](cancel)
	err := p.submit(ctx, func() {
		if err := tctx.Err(); err != nil {
			p.failed.Add(1)
			pr.Reject(err)
			return
		}
		p.count(pr.Run(tctx, fn))
	})
	if err != nil {
		pr.Reject(err)
	}
	return f
}

// count records how a Submit or Group task ended.
func (p *Pool) count(err error) {
	if err == nil {
		return
	}
	if _, ok := err.(*panics.Error); ok {
		p.panicked.Add(1)
		return
	}
	p.failed.Add(1)
}

// Group is a set of tasks run on a pool that fail together, like errgroup:
// the first error (or panic) cancels the group's context, so tasks not yet
// started are skipped and running ones are asked to stop, and Wait returns
// that error. Make one with Pool.Group; a Group is not reusable after Wait.
type Group struct {
	p      *Pool
	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

// Group returns a new group running its tasks on p, under a context
// derived from ctx.
func (p *Pool) Group(ctx context.Context) *Group {
	if ctx == nil {
		ctx = context.Background()
	}
	gctx, cancel := context.WithCancelCause(ctx)
	return &Group{p: p, ctx: gctx, cancel: cancel}
}

// Go submits fn to the group's pool, waiting for room as long as the
// group's context lasts. fn receives the group's context. If the task
// cannot be accepted (pool closed or full, context ended) that error
// becomes the group's error, if it is the first.
func (g *Group) Go(fn func(ctx context.Context) error) {
	if fn == nil {
		g.fail(ErrNilTask)
		return
	}
	g.wg.Add(1)
	err := g.p.submit(g.ctx, func() {
		returned := false
		defer func() {
			if !returned {
				// runtime.Goexit (as in t.FailNow): the task is over.
				g.fail(async.ErrGoexit)
			}
			g.wg.Done()
		}()
		if g.ctx.Err() != nil {
			// Skipped: the group has failed or its parent was cancelled.
			g.p.failed.Add(1)
			g.fail(context.Cause(g.ctx))
			returned = true
			return
		}
		err := g.call(fn)
		returned = true
		if err != nil {
			g.p.count(err)
			g.fail(err)
		}
	})
	if err != nil {
		g.fail(err)
		g.wg.Done()
	}
}

// call runs fn, turning a panic into a *panics.Error.
func (g *Group) call(fn func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panics.New(r)
		}
	}()
	return fn(g.ctx)
}

func (g *Group) fail(err error) {
	g.once.Do(func() {
		g.err = err
		g.cancel(err)
	})
}

// Wait waits for every task the group accepted and returns the first error
// (nil if none). It then cancels the group's context.
func (g *Group) Wait() error {
	g.wg.Wait()
	g.cancel(nil)
	return g.err
}
