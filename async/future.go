package async

import (
	"context"
	"errors"
	"math"
)

var (
	// ErrNilFuture is the error of a nil *Future given to Await or to a
	// combinator.
	ErrNilFuture = errors.New("async: nil future")
	// ErrNilFunc is the error of a future started with a nil function.
	ErrNilFunc = errors.New("async: nil function")
	// ErrNoFutures is returned by Any and Race when they are given no
	// futures: nothing could ever settle them.
	ErrNoFutures = errors.New("async: no futures")
	// ErrGoexit is the error of a future whose function called
	// runtime.Goexit (for example through testing.T.FailNow) instead of
	// returning.
	ErrGoexit = errors.New("async: function called runtime.Goexit")
)

// closed is the Done channel of every settled future that nobody asked for a
// channel before it settled: one shared, already-closed channel.
var closed = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Future is the result of a computation that may not have finished yet. It
// settles exactly once, with a value and an error, and is safe for use by
// many goroutines.
//
// Its layout is kept small (80 bytes for a word-sized T): a program that
// starts ten thousand futures touches ten thousand of them, and every byte
// is cache and garbage-collector work. What most futures never need (a
// Done channel, second subscribers, a Promise's cancel function, derived
// contexts) lives in a side record made on demand.
type Future[T any] struct {
	// c holds the lock, the settled flag and the side record, and is the
	// context of a function started by Go.
	c taskCtx
	// sub0 is the first combinator waiting on this future (c.sub0i is the
	// future's index among that combinator's futures); others go in the
	// side record. A pointer, not an interface: every combinator of
	// Future[T]s is a *waiter[T].
	sub0 *waiter[T]
	val  T
	err  error
}

// subscriber is a combinator waiting on several futures; i identifies the
// future among them.
type subscriber interface{ notify(i int) }

type subscription struct {
	s subscriber
	i int
}

// Go starts fn in a new goroutine and returns its future. fn receives a
// context derived from ctx, cancelled by Future.Cancel, by ctx itself, and
// once fn has returned. A nil ctx means context.Background(); a nil fn
// gives a future rejected with ErrNilFunc.
func Go[T any](ctx context.Context, fn func(context.Context) (T, error)) *Future[T] {
	if fn == nil {
		return Rejected[T](ErrNilFunc)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	f := &Future[T]{}
	f.c.parent = ctx
	go Promise[T]{f}.run(fn)
	return f
}

// Resolved returns a future already settled with v and a nil error.
func Resolved[T any](v T) *Future[T] {
	f := &Future[T]{val: v}
	f.c.markSettled()
	return f
}

// Rejected returns a future already settled with err (and the zero value).
// A nil err is allowed and makes the same future as Resolved of the zero
// value.
func Rejected[T any](err error) *Future[T] {
	f := &Future[T]{err: err}
	f.c.markSettled()
	return f
}

// Await waits until f settles and returns its value and error. If ctx ends
// first, Await returns the zero value and ctx.Err(); f keeps running (call
// Cancel to stop it). A nil ctx waits without limit; a nil f returns
// ErrNilFuture.
func (f *Future[T]) Await(ctx context.Context) (T, error) {
	var zero T
	if f == nil {
		return zero, ErrNilFuture
	}
	if f.c.settled() {
		return f.val, f.err
	}
	var stop <-chan struct{}
	if ctx != nil {
		stop = ctx.Done()
	}
	select {
	case <-f.Done():
		return f.val, f.err
	case <-stop:
		// Both may be ready: a settled future wins, so the answer does not
		// depend on select's coin toss.
		if f.c.settled() {
			return f.val, f.err
		}
		return zero, ctx.Err()
	}
}

// Done returns a channel closed when f has settled. A nil f returns a
// closed channel (its Await returns ErrNilFuture at once).
func (f *Future[T]) Done() <-chan struct{} {
	if f == nil || f.c.settled() {
		return closed
	}
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	if f.c.settled() {
		return closed
	}
	x := f.c.extraLocked()
	if x.settled == nil {
		x.settled = make(chan struct{})
	}
	return x.settled
}

// Cancel cancels the context of f's function. It does not settle f: the
// future settles when the function returns, usually with ctx.Err(), so no
// goroutine outlives the future's result. Cancel on a settled future, on a
// future that cannot be cancelled (Resolved, Rejected, a Promise made
// without a cancel function) or on nil does nothing.
func (f *Future[T]) Cancel() {
	if f != nil {
		f.release()
	}
}

// release cancels the context of the future's computation.
func (f *Future[T]) release() {
	if f.c.parent != nil {
		f.c.cancel(ctxCancelled)
		return
	}
	f.c.mu.Lock()
	x := f.c.extra
	f.c.mu.Unlock()
	if x != nil && x.cancel != nil {
		x.cancel()
	}
}

// settle records the outcome once and wakes everyone waiting. It reports
// whether this call settled f.
func (f *Future[T]) settle(v T, err error) bool {
	if f == nil {
		return false
	}
	f.c.mu.Lock()
	if f.c.settled() {
		f.c.mu.Unlock()
		return false
	}
	f.val, f.err = v, err
	f.c.markSettled()
	s0, i0 := f.sub0, int(f.c.sub0i)
	f.sub0 = nil
	var done chan struct{}
	var more []subscription
	var cancel context.CancelFunc
	if x := f.c.extra; x != nil {
		done, more, cancel = x.settled, x.more, x.cancel
		x.more = nil
	}
	// The function has returned (or never will run): release its context,
	// in the same critical section.
	var after cancelled
	if f.c.parent != nil {
		after = f.c.cancelLocked(ctxCancelled)
	}
	f.c.mu.Unlock()
	after.run()
	if cancel != nil {
		cancel()
	}

	if done != nil {
		close(done)
	}
	if s0 != nil {
		s0.notify(i0)
	}
	for _, s := range more {
		s.s.notify(s.i)
	}
	return true
}

// subscribe asks f to call s.notify(i) when it settles. It returns false,
// without subscribing, when f has already settled.
func (f *Future[T]) subscribe(s *waiter[T], i int) bool {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	if f.c.settled() {
		return false
	}
	if f.sub0 == nil && i <= math.MaxInt32 {
		f.sub0, f.c.sub0i = s, int32(i)
	} else {
		x := f.c.extraLocked()
		x.more = append(x.more, subscription{s, i})
	}
	return true
}
