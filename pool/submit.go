package pool

import (
	"context"

	"github.com/labludus/ludus/async"
	"github.com/labludus/ludus/panics"
)

// Submit runs fn on a worker of p and returns its future. fn receives a
// context derived from ctx that the future's Cancel cancels, as does the
// end of the pool's context (WithContext). If that context ends while the
// task is still queued, the task is skipped and the future settles with
// its error. A panic in fn settles the future with a *panics.Error (the
// type async.PanicError names). When the pool cannot accept the task the
// future is rejected at once: ErrClosed, ErrFull (WithNonBlocking),
// ErrNilTask, or ctx.Err() if ctx ended while waiting for room.
//
// fn's context also tells the pool that fn runs in one of its workers, so
// a Group made from it inside fn runs its tasks in place rather than wait
// for a full pool (see Pool.Group).
func Submit[T any](ctx context.Context, p *Pool, fn func(context.Context) (T, error)) *async.Future[T] {
	if fn == nil {
		return async.Rejected[T](ErrNilTask)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	tctx, cancel := context.WithCancel(p.markWorker(ctx))
	f, pr := async.NewPromise[T](cancel)
	unlink := p.follow(cancel)
	err := p.submit(ctx, func() {
		defer unlink()
		if err := firstErr(tctx.Err(), p.contextErr()); err != nil {
			p.cancelled.Add(1)
			pr.Reject(err)
			return
		}
		returned := false
		defer func() {
			if !returned { // runtime.Goexit, as in t.FailNow
				p.failed.Add(1)
				pr.Reject(async.ErrGoexit)
			}
		}()
		v, err := protect(tctx, fn)
		returned = true
		// Counted before the future settles, so that whoever awaits it
		// finds the task in Stats.
		p.record(err)
		pr.Settle(v, err)
	}, selfCountingTask, waitForRoom)
	if err != nil {
		unlink()
		pr.Reject(err)
	}
	return f
}

// protect calls fn, turning a panic into a *panics.Error.
func protect[T any](ctx context.Context, fn func(context.Context) (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panics.New(r)
		}
	}()
	return fn(ctx)
}

// record counts how a Submit or Group task that ran ended.
func (p *Pool) record(err error) {
	if err == nil {
		p.succeeded.Add(1)
		return
	}
	if _, ok := err.(*panics.Error); ok {
		p.panicked.Add(1)
		return
	}
	p.failed.Add(1)
}

// contextErr returns the pool's context's error once it has ended. Tasks
// look at it themselves because the contexts that follow it (see follow)
// are cancelled by a goroutine of their own, a moment later.
func (p *Pool) contextErr() error {
	if p.done == nil {
		return nil
	}
	select {
	case <-p.done:
		return p.ctx.Err()
	default:
		return nil
	}
}

// firstErr returns the first of errs that is not nil.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// workerKey marks the context a task receives with the pool whose worker
// runs it.
type workerKey struct{}

// markWorker returns ctx marked as the context of a task of p (ctx itself
// if it is already marked so).
func (p *Pool) markWorker(ctx context.Context) context.Context {
	if p == nil || p.runsTask(ctx) {
		return ctx
	}
	return context.WithValue(ctx, workerKey{}, p)
}

// runsTask reports whether ctx is the context of a task of p, that is,
// whether the goroutine that has it is one of p's workers.
func (p *Pool) runsTask(ctx context.Context) bool {
	return p != nil && ctx != nil && ctx.Value(workerKey{}) == p
}

// follow makes the end of the pool's context call stop, and returns the
// function that undoes this. Without WithContext it costs nothing.
func (p *Pool) follow(stop func()) (unlink func() bool) {
	ctx := p.Context()
	if ctx.Done() == nil {
		return noUnlink
	}
	return context.AfterFunc(ctx, stop)
}

func noUnlink() bool { return false }
