package csp

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Map applies fn to every value of in on workers goroutines (workers < 1
// means 1) and emits the results as they finish, in no particular order.
// An error returned by fn, or a panic in it, becomes an error item; error
// items from in pass through without calling fn. The output closes after
// in closes and every worker is done, or when ctx ends.
func Map[In, Out any](ctx context.Context, in <-chan Item[In], workers int, fn func(context.Context, In) (Out, error), opts ...Option) <-chan Item[Out] {
	workers = max(workers, 1)
	out := make(chan Item[Out], configure(opts).buffer)
	done := ctx.Done()
	var running atomic.Int32
	running.Store(int32(workers))
	for range workers {
		go func() {
			defer func() {
				if running.Add(-1) == 0 {
					close(out)
				}
			}()
			for {
				it, ok := recv(done, in)
				if !ok {
					return
				}
				if !send(done, out, mapItem(ctx, fn, it)) {
					return
				}
			}
		}()
	}
	return out
}

func mapItem[In, Out any](ctx context.Context, fn func(context.Context, In) (Out, error), it Item[In]) Item[Out] {
	if it.Err != nil {
		return Item[Out]{Err: it.Err}
	}
	v, err := apply(ctx, fn, it.Value)
	return Item[Out]{Value: v, Err: err}
}

// OrderedMap applies fn to every value of in on workers goroutines
// (workers < 1 means 1) and emits the results in the order of in. Workers
// run ahead of the oldest unfinished item by at most a window of items
// (see Window), so memory stays bounded however uneven the items are.
// Errors and panics become error items in their item's position, as in Map.
// The output closes after in closes and every result is emitted, or when
// ctx ends.
func OrderedMap[In, Out any](ctx context.Context, in <-chan Item[In], workers int, fn func(context.Context, In) (Out, error), opts ...Option) <-chan Item[Out] {
	workers = max(workers, 1)
	o := configure(opts)
	window := o.window
	if window <= 0 {
		window = 16 * workers
	}
	window = max(window, workers)
	s := &ordered[In, Out]{
		ctx:     ctx,
		done:    ctx.Done(),
		fn:      fn,
		window:  int64(window),
		jobs:    make(chan seqItem[In], workers),
		results: make(chan seqItem[Out], workers),
		room:    make(chan struct{}, 1),
		out:     make(chan Item[Out], o.buffer),
	}
	s.running.Store(int32(workers))
	go s.dispatch(in)
	for range workers {
		go s.work()
	}
	go s.emit()
	return s.out
}

type seqItem[T any] struct {
	seq int64
	it  Item[T]
}

// ordered is OrderedMap's state. A dispatcher numbers the items and hands
// them to the workers, which send numbered results to an emitter that puts
// them back in order in a ring of window slots. The dispatcher never gets
// more than window items ahead of the emitter, so slot seq%window is free
// when result seq arrives.
type ordered[In, Out any] struct {
	ctx     context.Context
	done    <-chan struct{}
	fn      func(context.Context, In) (Out, error)
	window  int64
	jobs    chan seqItem[In]
	results chan seqItem[Out]
	out     chan Item[Out]
	running atomic.Int32

	// emitted counts items sent on out. When the window is full the
	// dispatcher sets waiting and sleeps on room; the emitter pokes room
	// after it moves emitted while waiting is set. Both sides write, then
	// read the other's variable, so one of them always sees the other.
	emitted atomic.Int64
	waiting atomic.Bool
	room    chan struct{}
}

func (s *ordered[In, Out]) dispatch(in <-chan Item[In]) {
	defer close(s.jobs)
	for seq := int64(0); ; seq++ {
		// Wait for room before reading, so that the stage holds at most
		// window items it has taken from in.
		for seq-s.emitted.Load() >= s.window {
			s.waiting.Store(true)
			if seq-s.emitted.Load() >= s.window {
				select {
				case <-s.room:
				case <-s.done:
					return
				}
			}
			s.waiting.Store(false)
		}
		it, ok := recv(s.done, in)
		if !ok {
			return
		}
		if !send(s.done, s.jobs, seqItem[In]{seq, it}) {
			return
		}
	}
}

func (s *ordered[In, Out]) work() {
	defer func() {
		if s.running.Add(-1) == 0 {
			close(s.results)
		}
	}()
	for j := range s.jobs {
		if isDone(s.done) {
			return
		}
		if !send(s.done, s.results, seqItem[Out]{j.seq, mapItem(s.ctx, s.fn, j.it)}) {
			return
		}
	}
}

func (s *ordered[In, Out]) emit() {
	defer close(s.out)
	ring := make([]Item[Out], s.window)
	ready := make([]bool, s.window)
	next := int64(0)
	for r := range s.results {
		slot := r.seq % s.window
		ring[slot], ready[slot] = r.it, true
		for slot = next % s.window; ready[slot]; slot = next % s.window {
			if !send(s.done, s.out, ring[slot]) {
				return
			}
			ring[slot], ready[slot] = Item[Out]{}, false
			next++
			s.emitted.Store(next)
			if s.waiting.Load() {
				select {
				case s.room <- struct{}{}:
				default:
				}
			}
		}
	}
}

// Filter emits the values of in for which keep returns true, in order.
// Error items pass through; a panic in keep becomes an error item.
func Filter[T any](ctx context.Context, in <-chan Item[T], keep func(T) bool, opts ...Option) <-chan Item[T] {
	out := make(chan Item[T], configure(opts).buffer)
	done := ctx.Done()
	test := func(_ context.Context, v T) (bool, error) { return keep(v), nil }
	go func() {
		defer close(out)
		for {
			it, ok := recv(done, in)
			if !ok {
				return
			}
			if it.Err == nil {
				k, err := apply(ctx, test, it.Value)
				if err != nil {
					it = Item[T]{Err: err}
				} else if !k {
					continue
				}
			}
			if !send(done, out, it) {
				return
			}
		}
	}()
	return out
}

// Batch groups the values of in into slices of up to n values (n < 1
// means 1), in order. A batch is emitted when it is full, when maxWait has
// passed since its first value arrived (maxWait <= 0: no time limit), and
// when in closes. An error item first flushes the batch before it, then
// passes through on its own. Each emitted slice is new: consumers may keep
// it.
func Batch[T any](ctx context.Context, in <-chan Item[T], n int, maxWait time.Duration, opts ...Option) <-chan Item[[]T] {
	n = max(n, 1)
	out := make(chan Item[[]T], configure(opts).buffer)
	done := ctx.Done()
	go func() {
		defer close(out)
		var (
			batch   []T
			timer   *time.Timer
			timeout <-chan time.Time // nil while the batch is empty
		)
		if maxWait > 0 {
			timer = time.NewTimer(maxWait)
			timer.Stop()
			defer timer.Stop()
		}
		flush := func() bool {
			timeout = nil
			if len(batch) == 0 {
				return true
			}
			b := batch
			batch = nil
			return send(done, out, Item[[]T]{Value: b})
		}
		for {
			select {
			case <-done:
				return
			case <-timeout:
				if !flush() {
					return
				}
			case it, ok := <-in:
				switch {
				case !ok:
					flush()
					return
				case it.Err != nil:
					if !flush() || !send(done, out, Item[[]T]{Err: it.Err}) {
						return
					}
				default:
					if batch == nil {
						batch = make([]T, 0, n)
						if timer != nil {
							timer.Reset(maxWait) // Go 1.23 timers: no stale tick to drain
							timeout = timer.C
						}
					}
					batch = append(batch, it.Value)
					if len(batch) == n && !flush() {
						return
					}
				}
			}
		}
	}()
	return out
}

// Merge emits the items of every input as they arrive (fan-in); the output
// closes when every input has closed, or when ctx ends.
func Merge[T any](ctx context.Context, ins ...<-chan Item[T]) <-chan Item[T] {
	out := make(chan Item[T])
	done := ctx.Done()
	var wg sync.WaitGroup
	for _, in := range ins {
		wg.Go(func() {
			for {
				it, ok := recv(done, in)
				if !ok || !send(done, out, it) {
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// Broadcast copies every item of in to n outputs (fan-out; n < 1 means 1).
// The outputs advance in lockstep: an item goes to every output before the
// next is read, so the slowest consumer sets the pace, and a consumer that
// stops reading stalls the others until ctx ends. Values are copied as Go
// copies them: consumers of a pointer or slice share what it points to.
// Every output closes when in closes or ctx ends.
func Broadcast[T any](ctx context.Context, in <-chan Item[T], n int, opts ...Option) []<-chan Item[T] {
	n = max(n, 1)
	o := configure(opts)
	outs := make([]chan Item[T], n)
	ro := make([]<-chan Item[T], n)
	for i := range outs {
		outs[i] = make(chan Item[T], o.buffer)
		ro[i] = outs[i]
	}
	done := ctx.Done()
	go func() {
		defer func() {
			for _, c := range outs {
				close(c)
			}
		}()
		for {
			it, ok := recv(done, in)
			if !ok {
				return
			}
			for _, c := range outs {
				if !send(done, c, it) {
					return
				}
			}
		}
	}()
	return ro
}

// Tee copies every item of in to two outputs, as Broadcast(ctx, in, 2).
func Tee[T any](ctx context.Context, in <-chan Item[T], opts ...Option) (<-chan Item[T], <-chan Item[T]) {
	outs := Broadcast(ctx, in, 2, opts...)
	return outs[0], outs[1]
}
