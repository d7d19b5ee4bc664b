package csp

import (
	"context"

	"github.com/labludus/ludus/panics"
)

// Item is what flows through a pipeline: a value or, when Err is not nil,
// the error that took the place of a value. Stages pass error items along
// unchanged, in the position of the item that failed.
type Item[T any] struct {
	Value T
	Err   error
}

// PanicError is the Err of an item whose stage function panicked: the
// panic ends that item, not the process. It is panics.Error, the one type
// every ludus package reports panics with: the value, the stack of the
// worker that panicked (in its Stack field, printed by %+v), and an Error
// method that names the value and the line that panicked on one line.
type PanicError = panics.Error

// Option configures a stage.
type Option func(*options)

type options struct {
	buffer int
	window int
}

// Buffer sets the capacity of the stage's output channel (default 0:
// unbuffered, so a stage runs at most one item ahead of its consumer).
// A buffer smooths bursts between stages of uneven speed. n < 0 means 0.
func Buffer(n int) Option { return func(o *options) { o.buffer = max(n, 0) } }

// Window bounds how far OrderedMap's workers may run ahead of the oldest
// item not yet emitted: at most n items are read but not yet emitted at any
// time, which bounds the stage's memory and the work wasted behind one slow
// item. A larger window absorbs more variation in item cost. n <= 0
// selects the default, 16 × workers; values below the worker count are
// raised to it. Other stages ignore it.
func Window(n int) Option { return func(o *options) { o.window = n } }

func configure(opts []Option) options {
	var o options
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// output is a stage's output channel. Once the stage's context ends, a
// goroutine drains the channel until the stage closes it, so the stage can
// use a plain send, half the cost of a select on the channel and ctx.Done:
// a send that nobody would ever receive is taken by the drain instead.
type output[T any] struct {
	ch       chan T
	done     <-chan struct{}
	stopWait func() bool
	// stages is the Run this output belongs to, or nil. The output holds
	// one count in it until close or the drain, whichever is last, is over.
	stages *stageGroup
}

func newOutput[T any](ctx context.Context, buffer int) *output[T] {
	o := &output[T]{ch: make(chan T, buffer), done: ctx.Done(), stages: stagesOf(ctx)}
	if o.stages != nil {
		o.stages.wg.Add(1)
	}
	o.stopWait = context.AfterFunc(ctx, func() {
		for range o.ch {
		}
		o.release()
	})
	return o
}

// release gives back the output's count in its Run, if any.
func (o *output[T]) release() {
	if o.stages != nil {
		o.stages.wg.Done()
	}
}

// send delivers v unless ctx has ended; it reports whether the stage
// should go on.
func (o *output[T]) send(v T) bool {
	if isDone(o.done) {
		return false
	}
	o.ch <- v
	return true
}

// close closes the channel, which also ends the drain if it runs; if the
// drain never started it never will, and close gives the count back.
func (o *output[T]) close() {
	stopped := o.stopWait()
	close(o.ch)
	if stopped {
		o.release()
	}
}

// recv takes the next value of ch; ok is false when ch is closed or done
// closes first.
func recv[T any](done <-chan struct{}, ch <-chan T) (v T, ok bool) {
	select {
	case <-done:
		return v, false
	default:
	}
	select {
	case v, ok = <-ch:
		return v, ok
	default:
	}
	select {
	case v, ok = <-ch:
		return v, ok
	case <-done:
		return v, false
	}
}

// isDone reports, without blocking, whether done is closed.
func isDone(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// apply calls fn on v, turning a panic into a *PanicError.
func apply[In, Out any](ctx context.Context, fn func(context.Context, In) (Out, error), v In) (out Out, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panics.New(r)
		}
	}()
	return fn(ctx, v)
}
