package evloop

import (
	"context"

	"github.com/labludus/ludus/async"
	"github.com/labludus/ludus/panics"
	"github.com/labludus/ludus/pool"
)

// Await runs then on l with f's value and error once f settles: the
// event loop's "await". The loop does not wait: it goes on serving, and
// then is one more callback. A goroutine waits for f meanwhile (it ends when
// f settles or the loop stops). If the loop has stopped by the time f
// settles, then does not run and Stats.ResultsDropped counts it. Safe from
// any goroutine; a nil f gives async.ErrNilFuture.
func Await[T any](l *Loop, f *async.Future[T], then func(T, error)) {
	await(l, f, then, nil)
}

// await is Await with a function to call, off the loop, when then is
// dropped.
func await[T any](l *Loop, f *async.Future[T], then func(T, error), dropped func()) {
	deliver := func() {
		v, err := f.Await(context.Background())
		if l.Post(func() { then(v, err) }) != nil {
			l.stats.resultsDropped.Add(1)
			if dropped != nil {
				dropped()
			}
		}
	}
	select {
	case <-f.Done():
		deliver()
		return
	default:
	}
	go func() {
		select {
		case <-f.Done():
			deliver()
		case <-l.done:
			l.stats.resultsDropped.Add(1)
			if dropped != nil {
				dropped()
			}
		}
	}()
}

// Then chains fn after f on the loop and returns the future of fn's
// result, so loop callbacks compose with async's futures (async.All,
// Await on another goroutine, a further Then). fn runs on l; a panic in it
// settles the returned future with a *panics.Error. Cancelling the returned
// future cancels f. If the loop stops before fn could run, the future
// settles with ErrClosed.
func Then[T, U any](l *Loop, f *async.Future[T], fn func(T, error) (U, error)) *async.Future[U] {
	out, pr := async.NewPromise[U](f.Cancel)
	await(l, f, func(v T, err error) {
		_ = pr.Run(context.Background(), func(context.Context) (U, error) { return fn(v, err) })
	}, func() { pr.Reject(ErrClosed) })
	return out
}

// Offload runs fn on a worker of p and then, back on the loop, then with
// its result: libuv's work queue, for CPU-heavy work that would otherwise
// stall every other callback. A panic in fn reaches then as a
// *panics.Error. If p refuses the task (closed, or full when made
// WithNonBlocking) then gets that error, on the loop, after the current
// callback. Offload waits for room in a full pool as pool.Go does: give the
// loop a pool with a queue large enough, or WithNonBlocking, so that it
// never waits. Call it on the loop.
func Offload[T any](l *Loop, p *pool.Pool, fn func() (T, error), then func(T, error)) {
	err := p.Go(func() {
		var v T
		var err error
		if pe := panics.Try(func() { v, err = fn() }); pe != nil {
			err = pe
		}
		if l.Post(func() { then(v, err) }) != nil {
			l.stats.resultsDropped.Add(1)
		}
	})
	if err != nil {
		var zero T
		l.deferLater(func() { l.call(func() { then(zero, err) }) })
	}
}
