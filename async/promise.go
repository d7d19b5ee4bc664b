package async

import (
	"context"

	"github.com/labludus/ludus/panics"
)

// Promise settles the future it was made with. It is a small value: copy it
// freely. Its zero value settles nothing and reports false.
type Promise[T any] struct {
	f *Future[T]
}

// NewPromise returns a pending future and the promise that settles it. cancel,
// if not nil, is what the future's Cancel calls, and is called once the
// future has settled; pass the cancel function of the context the
// computation runs under so that Cancel reaches it.
func NewPromise[T any](cancel context.CancelFunc) (*Future[T], Promise[T]) {
	f := &Future[T]{}
	if cancel != nil {
		f.c.extra = &sideRecord{cancel: cancel}
	}
	return f, Promise[T]{f}
}

// Resolve settles the future with v and a nil error. It reports whether
// this call settled it (false if it was already settled).
func (p Promise[T]) Resolve(v T) bool { return p.f.settle(v, nil) }

// Reject settles the future with err and the zero value. It reports whether
// this call settled it.
func (p Promise[T]) Reject(err error) bool {
	var zero T
	return p.f.settle(zero, err)
}

// Settle settles the future with v and err. It reports whether this call
// settled it.
func (p Promise[T]) Settle(v T, err error) bool { return p.f.settle(v, err) }

// run is the goroutine of a future started by Go.
func (p Promise[T]) run(fn func(context.Context) (T, error)) { p.Run(&p.f.c, fn) }

// Run calls fn(ctx) in the calling goroutine and settles the future with
// its result. A panic in fn settles the future with a *PanicError instead
// of unwinding further, and a runtime.Goexit in fn settles it with
// ErrGoexit before the goroutine exits. Run returns the error the future
// settled with (nil on success).
func (p Promise[T]) Run(ctx context.Context, fn func(context.Context) (T, error)) (err error) {
	if fn == nil {
		p.Reject(ErrNilFunc)
		return ErrNilFunc
	}
	returned := false
	defer func() {
		if returned {
			return
		}
		if r := recover(); r != nil {
			err = panics.New(r)
		} else {
			err = ErrGoexit
		}
		p.Reject(err)
	}()
	v, err := fn(ctx)
	returned = true
	p.Settle(v, err)
	return err
}
