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
	out := newOutput[Item[Out]](ctx, configure(opts).buffer)
	done := ctx.Done()
	var running atomic.Int32
	running.Store(int32(workers))
	for range workers {
		spawn(ctx, func() {
			defer func() {
				if running.Add(-1) == 0 {
					out.close()
				}
			}()
			for {
				it, ok := recv(done, in)
				if !ok || !out.send(mapItem(ctx, fn, it)) {
					return
				}
			}
		})
	}
	return out.ch
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
		ctx:    ctx,
		done:   ctx.Done(),
		in:     in,
		fn:     fn,
		window: int64(window),
		ring:   make([]Item[Out], window),
		ready:  make([]bool, window),
		room:   make(chan struct{}, 1),
		out:    newOutput[Item[Out]](ctx, o.buffer),
	}
	s.running.Store(int32(workers))
	for range workers {
		spawn(ctx, s.work)
	}
	return s.out.ch
}

// ordered is OrderedMap's state. There is no dispatcher and no collector
// goroutine, only the workers: each takes the next item and its sequence
// number together under takeMu, computes, and leaves the result in a ring
// of window slots; the worker that completes the oldest missing result
// emits every result that is now in order. A worker takes item seq only
// once seq < emitted + window, so slot seq%window is always free for it.
// Per item that is one receive and one send on the stage's own channels,
// against four hops for a dispatcher/pool/collector design.
type ordered[In, Out any] struct {
	ctx     context.Context
	done    <-chan struct{}
	in      <-chan Item[In]
	fn      func(context.Context, In) (Out, error)
	window  int64
	out     *output[Item[Out]]
	running atomic.Int32

	takeMu  sync.Mutex
	nextSeq int64 // guarded by takeMu

	mu       sync.Mutex
	ring     []Item[Out]
	ready    []bool
	next     int64 // first sequence number not yet emitted
	emitting bool  // a worker is sending ring items on out

	// emitted mirrors next for the taker. When the window is full the
	// taker sets waiting and sleeps on room; the emitter pokes room after
	// it moves emitted while waiting is set. Both sides write, then read
	// the other's variable, so one of them always sees the other.
	emitted atomic.Int64
	waiting atomic.Bool
	room    chan struct{}
}

func (s *ordered[In, Out]) work() {
	defer func() {
		if s.running.Add(-1) == 0 {
			s.out.close()
		}
	}()
	for {
		seq, it, ok := s.take()
		if !ok {
			return
		}
		if !s.put(seq, mapItem(s.ctx, s.fn, it)) {
			return
		}
	}
}

// take receives the next item and numbers it, once the window has room.
func (s *ordered[In, Out]) take() (int64, Item[In], bool) {
	s.takeMu.Lock()
	defer s.takeMu.Unlock()
	seq := s.nextSeq
	for seq-s.emitted.Load() >= s.window {
		s.waiting.Store(true)
		if seq-s.emitted.Load() >= s.window {
			select {
			case <-s.room:
			case <-s.done:
				return 0, Item[In]{}, false
			}
		}
		s.waiting.Store(false)
	}
	it, ok := recv(s.done, s.in)
	if !ok {
		return 0, it, false
	}
	s.nextSeq++
	return seq, it, true
}

// put stores result seq and, unless another worker is already at it,
// emits every result that is now in order. It returns false when ctx has
// ended.
func (s *ordered[In, Out]) put(seq int64, it Item[Out]) bool {
	s.mu.Lock()
	slot := seq % s.window
	s.ring[slot], s.ready[slot] = it, true
	if s.emitting {
		s.mu.Unlock()
		return true
	}
	s.emitting = true
	for {
		slot = s.next % s.window
		if !s.ready[slot] {
			break
		}
		v := s.ring[slot]
		s.ring[slot], s.ready[slot] = Item[Out]{}, false
		s.mu.Unlock()
		// Sent outside the lock: the other workers keep storing results
		// while the consumer is slow.
		if !s.out.send(v) {
			return false // emitting stays set: nothing is emitted after ctx ends
		}
		s.mu.Lock()
		s.next++
		s.emitted.Store(s.next)
		if s.waiting.Load() {
			select {
			case s.room <- struct{}{}:
			default:
			}
		}
	}
	s.emitting = false
	s.mu.Unlock()
	return true
}

// Filter emits the values of in for which keep returns true, in order.
// Error items pass through; a panic in keep becomes an error item.
func Filter[T any](ctx context.Context, in <-chan Item[T], keep func(T) bool, opts ...Option) <-chan Item[T] {
	out := newOutput[Item[T]](ctx, configure(opts).buffer)
	done := ctx.Done()
	test := func(_ context.Context, v T) (bool, error) { return keep(v), nil }
	spawn(ctx, func() {
		defer out.close()
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
			if !out.send(it) {
				return
			}
		}
	})
	return out.ch
}

// Batch groups the values of in into slices of up to n values (n < 1
// means 1), in order. A batch is emitted when it is full, when maxWait has
// passed since its first value arrived (maxWait <= 0: no time limit), and
// when in closes. An error item first flushes the batch before it, then
// passes through on its own. Each emitted slice is new: consumers may keep
// it.
func Batch[T any](ctx context.Context, in <-chan Item[T], n int, maxWait time.Duration, opts ...Option) <-chan Item[[]T] {
	n = max(n, 1)
	out := newOutput[Item[[]T]](ctx, configure(opts).buffer)
	done := ctx.Done()
	spawn(ctx, func() {
		defer out.close()
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
			return out.send(Item[[]T]{Value: b})
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
					if !flush() || !out.send(Item[[]T]{Err: it.Err}) {
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
	})
	return out.ch
}

// Merge emits the items of every input as they arrive (fan-in); the output
// closes when every input has closed, or when ctx ends.
func Merge[T any](ctx context.Context, ins ...<-chan Item[T]) <-chan Item[T] {
	out := newOutput[Item[T]](ctx, 0)
	done := ctx.Done()
	var running atomic.Int32
	running.Store(int32(len(ins)))
	if len(ins) == 0 {
		out.close()
	}
	for _, in := range ins {
		spawn(ctx, func() {
			defer func() {
				if running.Add(-1) == 0 {
					out.close()
				}
			}()
			for {
				it, ok := recv(done, in)
				if !ok || !out.send(it) {
					return
				}
			}
		})
	}
	return out.ch
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
	outs := make([]*output[Item[T]], n)
	ro := make([]<-chan Item[T], n)
	for i := range outs {
		outs[i] = newOutput[Item[T]](ctx, o.buffer)
		ro[i] = outs[i].ch
	}
	done := ctx.Done()
	spawn(ctx, func() {
		defer func() {
			for _, c := range outs {
				c.close()
			}
		}()
		for {
			it, ok := recv(done, in)
			if !ok {
				return
			}
			for _, c := range outs {
				if !c.send(it) {
					return
				}
			}
		}
	})
	return ro
}

// Tee copies every item of in to two outputs, as Broadcast(ctx, in, 2).
func Tee[T any](ctx context.Context, in <-chan Item[T], opts ...Option) (<-chan Item[T], <-chan Item[T]) {
	outs := Broadcast(ctx, in, 2, opts...)
	return outs[0], outs[1]
}
