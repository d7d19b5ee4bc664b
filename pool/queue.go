package pool

import (
	"context"
	"sync"
	"sync/atomic"
)

// taskKind says who records a queued task's outcome in the pool's counters.
type taskKind uint8

const (
	// plainTask is a function given to Go or GoCtx: its worker records
	// whether it returned, panicked or called runtime.Goexit.
	plainTask taskKind = iota
	// selfCountingTask is the wrapper of a Submit or Group task: it knows
	// the task's error and records the outcome itself.
	selfCountingTask
)

func (k taskKind) String() string {
	switch k {
	case plainTask:
		return "plain"
	case selfCountingTask:
		return "self-counting"
	}
	return "taskKind(?)"
}

// admission says what submit does when the pool has no room.
type admission uint8

const (
	waitForRoom admission = iota // block until there is room (or ctx ends)
	failIfFull                   // return ErrFull at once
)

func (a admission) String() string {
	switch a {
	case waitForRoom:
		return "wait for room"
	case failIfFull:
		return "fail if full"
	}
	return "admission(?)"
}

// spareSlots is how many slots beyond the queue capacity a new ring has for
// tasks that free workers are about to take; the ring grows past it, up to
// one slot per worker, only when that many workers are free at once.
const spareSlots = 64

// queue is a ring buffer of the tasks a pool accepted and no worker has
// taken yet. Its owner's mutex guards everything but queued.
//
// Room is counted in Pool.roomLocked, not here: the ring may hold more than
// the queue capacity, because a task that a free worker is about to take
// must not occupy the slot of one that waits for a busy worker.
type queue struct {
	ring []func()
	// selfCounting has bit i set when ring[i] is a selfCountingTask: a bit
	// beside each slot instead of a wider slot keeps the ring at one word
	// per task.
	selfCounting []uint64
	head, size   int
	// queued mirrors size for workers that spin without the lock.
	queued atomic.Int64
}

func (q *queue) init(queueCap, workers int) {
	q.resize(queueCap + min(workers, spareSlots))
}

// resize moves the tasks into a ring of n slots, oldest first.
func (q *queue) resize(n int) {
	ring := make([]func(), n)
	bits := make([]uint64, (n+63)/64)
	for i := range q.size {
		j := (q.head + i) % len(q.ring)
		ring[i] = q.ring[j]
		if q.selfCounting[j/64]&(1<<(j%64)) != 0 {
			bits[i/64] |= 1 << (i % 64)
		}
	}
	q.ring, q.selfCounting, q.head = ring, bits, 0
}

// push appends fn. limit is the most tasks the ring may have to hold (the
// queue capacity plus the worker count); the pool pushes only when it has
// room, so a full ring always has limit > size to grow to.
func (q *queue) push(fn func(), kind taskKind, limit int) {
	if q.size == len(q.ring) {
		q.resize(min(limit, max(2*len(q.ring), 8)))
	}
	i := (q.head + q.size) % len(q.ring)
	q.ring[i] = fn
	if kind == selfCountingTask {
		q.selfCounting[i/64] |= 1 << (i % 64)
	}
	q.size++
	q.queued.Store(int64(q.size))
}

func (q *queue) pop() (func(), taskKind) {
	i := q.head
	fn := q.ring[i]
	q.ring[i] = nil
	kind := plainTask
	if bit := uint64(1) << (i % 64); q.selfCounting[i/64]&bit != 0 {
		q.selfCounting[i/64] &^= bit
		kind = selfCountingTask
	}
	q.head = (i + 1) % len(q.ring)
	q.size--
	q.queued.Store(int64(q.size))
	return fn, kind
}

// waiter is a submitter blocked on a full pool.
type waiter struct {
	ch   chan struct{} // capacity 1
	next *waiter       // the next Shutdown call in Pool.finishWaiters
}

// waiters recycles the waiters of blocked submitters: a fast submitter on a
// small pool blocks once per freed slot, and a waiter each time would be
// most of the pool's garbage.
var waiters = sync.Pool{New: func() any { return &waiter{ch: make(chan struct{}, 1)} }}

// roomLocked is how many more tasks the pool can accept now: a slot for
// each of queueCap tasks waiting for a busy worker, plus one for each free
// worker (running nothing) that no queued task has claimed yet.
func (p *Pool) roomLocked() int {
	return p.queueCap + max(0, p.max-p.running) - p.q.size
}

// submit accepts fn or says why not. ctx, if not nil, bounds the wait for
// room. This is the only way a task enters the queue.
func (p *Pool) submit(ctx context.Context, fn func(), kind taskKind, how admission) error {
	if p == nil {
		return ErrClosed
	}
	if fn == nil {
		return ErrNilTask
	}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			p.dropped.Add(1)
			return err
		}
	}
	p.mu.Lock()
	p.initLocked(0)
	for {
		if p.closed {
			p.mu.Unlock()
			p.dropped.Add(1)
			return ErrClosed
		}
		if p.roomLocked() > 0 {
			p.q.push(fn, kind, p.queueCap+p.max)
			p.submitted++
			p.kickLocked()
			if len(p.waiters) > 0 && p.roomLocked() > 0 {
				p.wakeWaiterLocked() // room is left: pass it on
			}
			p.mu.Unlock()
			return nil
		}
		if p.nonBlocking || how == failIfFull {
			p.mu.Unlock()
			p.dropped.Add(1)
			return ErrFull
		}
		if err := p.waitForRoomLocked(ctx); err != nil {
			p.mu.Unlock()
			p.dropped.Add(1)
			return err
		}
	}
}

// waitForRoomLocked sleeps until a worker or Close wakes the caller, or ctx
// ends. It is called and returns with p.mu held.
func (p *Pool) waitForRoomLocked(ctx context.Context) error {
	w := p.getWaiterLocked()
	p.waiters = append(p.waiters, w)
	p.mu.Unlock()
	var stop <-chan struct{}
	if ctx != nil {
		stop = ctx.Done()
	}
	select {
	case <-w.ch:
		p.mu.Lock()
		p.putWaiterLocked(w)
		return nil
	case <-stop:
	}
	p.mu.Lock()
	if !p.dropWaiterLocked(w) {
		// We were woken for room we will not use: pass it on, or another
		// submitter could sleep next to a free slot.
		p.wakeWaiterLocked()
		// Wakers send under p.mu, so the token is there: take it before
		// the waiter is reused.
		<-w.ch
	}
	p.putWaiterLocked(w)
	return ctx.Err()
}

// getWaiterLocked returns the pool's spare waiter, or one from the shared
// set. A submitter that outruns the workers blocks once per half queue:
// with a spare of its own the pool makes no channel for it after the first.
func (p *Pool) getWaiterLocked() *waiter {
	if w := p.spare; w != nil {
		p.spare = nil
		return w
	}
	return waiters.Get().(*waiter)
}

// putWaiterLocked keeps w as the spare, or gives it back to the shared set.
func (p *Pool) putWaiterLocked(w *waiter) {
	if p.spare == nil && !p.closed {
		p.spare = w
		return
	}
	waiters.Put(w)
}

// acceptInline counts a task that a helping group runs in the calling
// worker because the pool had no room for it; see Group.Go.
func (p *Pool) acceptInline() {
	p.mu.Lock()
	p.submitted++
	p.mu.Unlock()
}

// kickLocked makes sure some worker is on its way to the queue: it wakes one
// idle worker or starts a new one, unless one is already on its way or
// every worker is busy (they come back to the queue by themselves). It
// also runs after the pool closed: a worker that left through
// runtime.Goexit is replaced while tasks remain.
func (p *Pool) kickLocked() {
	if p.waking || p.q.size == 0 {
		return
	}
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.removeIdleLocked(w)
		p.waking, w.waking = true, true
		w.wake <- struct{}{}
		return
	}
	if p.workers < p.max {
		p.waking = true
		p.spawnLocked().waking = true
	}
}

// wakeWaiterLocked wakes the oldest blocked submitter, if any, to retry.
func (p *Pool) wakeWaiterLocked() {
	if len(p.waiters) == 0 {
		return
	}
	w := p.waiters[0]
	copy(p.waiters, p.waiters[1:])
	p.waiters[len(p.waiters)-1] = nil
	p.waiters = p.waiters[:len(p.waiters)-1]
	w.ch <- struct{}{}
}

// wakeWaitersLocked wakes as many blocked submitters as there is room for.
func (p *Pool) wakeWaitersLocked() {
	for k := p.roomLocked(); k > 0 && len(p.waiters) > 0; k-- {
		p.wakeWaiterLocked()
	}
}

// dropWaiterLocked removes w from the waiters and reports whether it was
// still there (false: it has been woken).
func (p *Pool) dropWaiterLocked(w *waiter) bool {
	for i, x := range p.waiters {
		if x == w {
			copy(p.waiters[i:], p.waiters[i+1:])
			p.waiters[len(p.waiters)-1] = nil
			p.waiters = p.waiters[:len(p.waiters)-1]
			return true
		}
	}
	return false
}
