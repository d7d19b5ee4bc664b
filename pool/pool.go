package pool

import (
	"context"
	"errors"
	"fmt"
	"log"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labludus/ludus/panics"
)

var (
	// ErrClosed is returned for tasks submitted after Close or Shutdown
	// began, or to a nil *Pool.
	ErrClosed = errors.New("pool: closed")
	// ErrFull is returned by a pool made WithNonBlocking when it cannot
	// take a task at once.
	ErrFull = errors.New("pool: full")
	// ErrNilTask is returned for a nil task function.
	ErrNilTask = errors.New("pool: nil task")
)

// DefaultQueue is the queue capacity of a pool made without WithQueue.
const DefaultQueue = 1024

// Pool runs submitted functions on at most a fixed number of worker
// goroutines. Its zero value is a pool of runtime.GOMAXPROCS(0) workers
// with the default queue; New configures one. A Pool must not be copied
// after first use.
type Pool struct {
	mu     sync.Mutex
	inited bool

	// configuration (Resize changes max)
	max          int
	handOff      bool // WithQueue(0): no queue, tasks go straight to workers
	nonBlocking  bool
	idleTimeout  time.Duration
	panicHandler func(any)

	// the queue: a ring buffer of len(ring) slots
	ring       []func()
	head, size int
	queued     atomic.Int64 // mirror of size, read without the lock by spinning workers

	workers int       // live worker goroutines
	running int       // workers executing a task
	idle    []*worker // parked workers; the most recent last (LIFO keeps a hot set)
	waking  bool      // a worker was woken or spawned for the queue and has not yet taken a task

	waiters []*waiter // submitters blocked on a full pool, oldest first

	closed    bool
	allDone   chan struct{} // closed when closed and no worker is left
	submitted uint64
	completed uint64
	failed    atomic.Uint64
	panicked  atomic.Uint64
}

type worker struct {
	p    *Pool
	wake chan struct{} // capacity 1: one pending wake-up at most
	task func()        // a task handed over directly (hand-off mode)
	idx  int           // position in p.idle, -1 when not parked
	// waking is set by whoever woke or started this worker to serve the
	// queue (it then owns p.waking); read and cleared under p.mu.
	waking bool
	timer  *time.Timer // idle timeout, made on first park when configured
}

type waiter struct {
	ch chan struct{} // capacity 1
}

// waiters recycles the waiters of blocked submitters: a fast submitter on a
// small pool blocks once per freed slot, and a waiter each time would be
// most of the pool's garbage.
var waiters = sync.Pool{New: func() any { return &waiter{ch: make(chan struct{}, 1)} }}

// Option configures a Pool made by New.
type Option func(*Pool)

// WithQueue sets the queue capacity: how many accepted tasks may wait for a
// worker. 0 means no queue: a task is handed straight to a free worker and
// Go waits (or fails, WithNonBlocking) until one is free. A negative n
// means 0.
func WithQueue(n int) Option {
	return func(p *Pool) {
		n = max(n, 0)
		p.handOff = n == 0
		p.ring = make([]func(), n)
	}
}

// WithNonBlocking makes Go, GoCtx, Submit and Group.Go fail at once with
// ErrFull instead of waiting when the pool cannot take a task.
func WithNonBlocking() Option { return func(p *Pool) { p.nonBlocking = true } }

// WithIdleTimeout makes a worker that found no task for d exit; the pool
// starts workers again when tasks arrive. d <= 0 keeps workers forever
// (the default).
func WithIdleTimeout(d time.Duration) Option {
	return func(p *Pool) { p.idleTimeout = max(d, 0) }
}

// WithPanicHandler sets what happens to a panic in a task given to Go or
// GoCtx. h runs in the worker's goroutine inside the deferred recovery, so
// runtime/debug.Stack() in h shows the panicking task's stack. A panic in h
// itself is dropped. The default logs the value and stack with the log
// package. Panics in Submit and Group tasks go to their future or group
// instead.
func WithPanicHandler(h func(any)) Option { return func(p *Pool) { p.panicHandler = h } }

// New returns a pool that runs at most workers tasks at once; workers <= 0
// means runtime.GOMAXPROCS(0). Workers start on demand.
func New(workers int, opts ...Option) *Pool {
	p := &Pool{}
	for _, o := range opts {
		if o != nil {
			o(p)
		}
	}
	p.mu.Lock()
	p.initLocked(workers)
	p.mu.Unlock()
	return p
}

func (p *Pool) initLocked(workers int) {
	if p.inited {
		return
	}
	p.inited = true
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p.max = workers
	if p.ring == nil && !p.handOff {
		p.ring = make([]func(), DefaultQueue)
	}
	p.allDone = make(chan struct{})
}

// Go runs fn on a worker. If the pool is full it waits for room, without
// limit: use GoCtx to bound the wait, or WithNonBlocking to fail with
// ErrFull instead. (Go called from inside a task of the same full pool can
// therefore wait forever; prefer GoCtx there.) It returns ErrClosed after
// Close and ErrNilTask for a nil fn. A nil error means the task was
// accepted and will run: Close waits for it.
func (p *Pool) Go(fn func()) error { return p.submit(context.Background(), fn) }

// GoCtx is Go with a bound on the wait for room: when ctx ends first it
// returns ctx.Err() and the task is not accepted. ctx does not reach fn.
func (p *Pool) GoCtx(ctx context.Context, fn func()) error {
	if ctx == nil {
		ctx = context.Background()
	}
	return p.submit(ctx, fn)
}

// submit accepts fn or says why not. ctx, if not nil, bounds the wait for
// room. This is the only way a task enters the pool.
func (p *Pool) submit(ctx context.Context, fn func()) error {
	if p == nil {
		return ErrClosed
	}
	if fn == nil {
		return ErrNilTask
	}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	p.mu.Lock()
	p.initLocked(0)
	for {
		if p.closed {
			p.mu.Unlock()
			return ErrClosed
		}
		if p.tryAcceptLocked(fn) {
			p.submitted++
			p.mu.Unlock()
			return nil
		}
		if p.nonBlocking {
			p.mu.Unlock()
			return ErrFull
		}
		w := waiters.Get().(*waiter)
		p.waiters = append(p.waiters, w)
		p.mu.Unlock()

		var stop <-chan struct{}
		if ctx != nil {
			stop = ctx.Done()
		}
		select {
		case <-w.ch:
			waiters.Put(w)
			p.mu.Lock()
		case <-stop:
			p.mu.Lock()
			if !p.dropWaiterLocked(w) {
				// We were woken for room we will not use: pass it on, or
				// another submitter could sleep next to a free slot.
				p.wakeWaiterLocked()
				// Wakers send under p.mu, so the token is there: take it
				// before the waiter is reused.
				<-w.ch
			}
			p.mu.Unlock()
			waiters.Put(w)
			return ctx.Err()
		}
	}
}

// tryAcceptLocked places fn in the queue or hands it to a worker, and
// reports whether it could.
func (p *Pool) tryAcceptLocked(fn func()) bool {
	if p.handOff {
		if n := len(p.idle); n > 0 && p.workers <= p.max {
			w := p.idle[n-1]
			p.removeIdleLocked(w)
			w.task = fn
			p.running++
			w.wake <- struct{}{}
			return true
		}
		if p.workers < p.max {
			p.running++
			p.spawnLocked(fn)
			return true
		}
		return false
	}
	if p.size == len(p.ring) {
		return false
	}
	p.ring[(p.head+p.size)%len(p.ring)] = fn
	p.size++
	p.queued.Store(int64(p.size))
	p.kickLocked()
	return true
}

// kickLocked makes sure some worker is on its way to the queue: it wakes one
// idle worker or starts a new one, unless one is already on its way or
// every worker is busy (they come back to the queue by themselves).
func (p *Pool) kickLocked() {
	if p.waking || p.size == 0 || p.closed && p.workers == 0 {
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
		p.spawnLocked(nil).waking = true
	}
}

func (p *Pool) spawnLocked(first func()) *worker {
	p.workers++
	w := &worker{p: p, wake: make(chan struct{}, 1), idx: -1}
	go w.loop(first)
	return w
}

func (p *Pool) removeIdleLocked(w *worker) {
	last := len(p.idle) - 1
	if w.idx != last {
		moved := p.idle[last]
		p.idle[w.idx] = moved
		moved.idx = w.idx
	}
	p.idle[last] = nil
	p.idle = p.idle[:last]
	w.idx = -1
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

// loop is a worker's life: run a task, take the next, park when there is
// none, leave when the pool closes, shrinks or the idle timeout passes.
func (w *worker) loop(task func()) {
	p := w.p
	clean := false
	defer func() {
		if !clean {
			// The task called runtime.Goexit: the goroutine is going away
			// whatever we do, so settle its accounts and let the pool
			// replace it.
			p.mu.Lock()
			p.running--
			p.completed++
			p.exitLocked()
			p.mu.Unlock()
		}
	}()
	for {
		if task != nil {
			p.run(task)
		}
		task = w.next(task != nil)
		if task == nil {
			clean = true
			return
		}
	}
}

// spinRounds is how many times a worker with nothing to do looks at the
// queue again before parking, when other CPUs may be filling it: parking
// and waking cost far more than a short look.
const spinRounds = 64

// next records the end of the previous task (if any) and returns the next
// one, parking while there is none. It returns nil when the worker must exit.
//
// A worker that owns p.waking (woken or started for the queue, or spinning)
// clears it when it takes a task, and then wakes the next worker if work
// remains: wake-ups form a chain that grows only while the queue is not
// empty, instead of one wake-up per task.
func (w *worker) next(finished bool) func() {
	p := w.p
	p.mu.Lock()
	if finished {
		p.running--
		p.completed++
		if p.handOff {
			// A free worker is room for a blocked submitter.
			p.wakeWaiterLocked()
		}
	}
	for {
		wasWaking := w.waking
		w.waking = false
		if wasWaking {
			p.waking = false
		}
		if p.workers > p.max {
			p.exitLocked()
			p.mu.Unlock()
			return nil
		}
		if p.size > 0 {
			t := p.ring[p.head]
			p.ring[p.head] = nil
			p.head = (p.head + 1) % len(p.ring)
			p.size--
			p.queued.Store(int64(p.size))
			p.running++
			if wasWaking {
				p.kickLocked() // more work: wake the next worker
			}
			if p.size <= len(p.ring)/2 {
				// Wake blocked submitters only once the queue is half
				// empty: each then fills many slots per wake-up, instead
				// of a wake-up per task with the queue always full.
				p.wakeWaiterLocked()
			}
			p.mu.Unlock()
			return t
		}
		if p.closed {
			p.exitLocked()
			p.mu.Unlock()
			return nil
		}
		if !p.handOff && !p.waking && spinning() {
			// Become the one worker on its way to the queue, look at it for
			// a moment without the lock, then take what came or park.
			p.waking, w.waking = true, true
			p.mu.Unlock()
			for range spinRounds {
				if p.queued.Load() > 0 {
					break
				}
				runtime.Gosched()
			}
			p.mu.Lock()
			if p.size > 0 || p.workers > p.max || p.closed {
				continue
			}
			p.waking, w.waking = false, false
		}
		// Park.
		w.idx = len(p.idle)
		p.idle = append(p.idle, w)
		if p.handOff {
			p.wakeWaiterLocked()
		}
		p.mu.Unlock()
		if !w.park() {
			return nil // idle timeout: already accounted for
		}
		p.mu.Lock()
		if t := w.task; t != nil { // handed over directly; running counted by the giver
			w.task = nil
			p.mu.Unlock()
			return t
		}
		// Woken for the queue (w.waking set), for Close, or for a shrink.
	}
}

// spinning reports whether a worker should spin before parking: only when
// another CPU can fill the queue meanwhile.
func spinning() bool { return runtime.GOMAXPROCS(0) > 1 }

// park sleeps until woken, and reports false when the idle timeout fired
// first and the worker has left the pool.
func (w *worker) park() bool {
	p := w.p
	if p.idleTimeout <= 0 {
		<-w.wake
		return true
	}
	if w.timer == nil {
		w.timer = time.NewTimer(p.idleTimeout)
	} else {
		w.timer.Reset(p.idleTimeout)
	}
	select {
	case <-w.wake:
		w.timer.Stop()
		return true
	case <-w.timer.C:
	}
	p.mu.Lock()
	if w.idx >= 0 {
		p.removeIdleLocked(w)
		p.exitLocked()
		p.mu.Unlock()
		return false
	}
	p.mu.Unlock()
	// Someone picked us just as the timer fired: their wake-up is coming.
	<-w.wake
	return true
}

// exitLocked removes the calling worker from the count.
func (p *Pool) exitLocked() {
	p.workers--
	if p.handOff {
		p.wakeWaiterLocked() // a worker slot is free
	}
	p.kickLocked()
	if p.closed && p.workers == 0 {
		close(p.allDone)
	}
}

// run calls a task, keeping a panic inside the worker.
func (p *Pool) run(task func()) {
	defer func() {
		if r := recover(); r != nil {
			p.panicked.Add(1)
			p.handlePanic(r)
		}
	}()
	task()
}

func (p *Pool) handlePanic(r any) {
	defer func() { _ = recover() }() // a panicking handler must not kill the worker
	if p.panicHandler != nil {
		p.panicHandler(r)
		return
	}
	// One report per lost task, so the stack is worth its lines here.
	log.Printf("pool: task panicked: %+v", panics.New(r))
}

// Close stops the pool from accepting tasks and waits until every task it
// accepted has finished, those still queued included; then every worker
// has exited. Submitters blocked on a full pool return ErrClosed. Close
// may be called more than once and from several goroutines; it must not be
// called from a task of the same pool, which would wait for itself.
func (p *Pool) Close() { _ = p.Shutdown(context.Background()) }

// ShutdownError is Shutdown's error when its context ended before every
// accepted task had finished. The tasks still run: a later Close waits
// for them.
type ShutdownError struct {
	// Unfinished counts the tasks running or queued when Shutdown gave up.
	Unfinished int
	// Err is the context's error.
	Err error
}

func (e *ShutdownError) Error() string {
	return fmt.Sprintf("pool: shutdown: %d tasks unfinished: %v", e.Unfinished, e.Err)
}

// Unwrap returns the context's error.
func (e *ShutdownError) Unwrap() error { return e.Err }

// Shutdown is Close with a bound: when ctx ends before every accepted task
// has finished it returns a *ShutdownError (which wraps ctx.Err()) saying
// how many had not. No task is dropped either way: nothing new is accepted,
// and what was accepted keeps running.
func (p *Pool) Shutdown(ctx context.Context) error {
	if p == nil {
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	p.mu.Lock()
	p.initLocked(0)
	if !p.closed {
		p.closed = true
		for _, w := range p.waiters {
			w.ch <- struct{}{}
		}
		clear(p.waiters)
		p.waiters = p.waiters[:0]
		// Idle workers wake, find the queue empty and the pool closed, and
		// exit; busy ones do the same once the queue is drained.
		for len(p.idle) > 0 {
			w := p.idle[len(p.idle)-1]
			p.removeIdleLocked(w)
			w.wake <- struct{}{}
		}
		if p.workers == 0 {
			close(p.allDone)
		}
	}
	done := p.allDone
	p.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-done:
		return nil
	default:
	}
	return &ShutdownError{Unfinished: p.size + p.running, Err: ctx.Err()}
}

// Resize sets the worker count to n (n <= 0 means runtime.GOMAXPROCS(0)).
// Growing starts workers at once if tasks are queued. Shrinking lets
// running tasks finish; surplus workers leave as they come back for work,
// and no task starts while the pool is above its new count.
func (p *Pool) Resize(n int) {
	if p == nil {
		return
	}
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.initLocked(n)
	p.max = n
	// Surplus idle workers wake, see the pool above its count and leave.
	for k := p.workers - p.max; k > 0 && len(p.idle) > 0; k-- {
		w := p.idle[len(p.idle)-1]
		p.removeIdleLocked(w)
		w.wake <- struct{}{}
	}
	p.kickLocked()
	if p.handOff {
		for range p.max - p.workers {
			p.wakeWaiterLocked()
		}
	}
}

// Stats is a snapshot of a pool's state and counters.
type Stats struct {
	Capacity int // the worker count: at most this many tasks run at once
	Workers  int // live worker goroutines
	Running  int // tasks running now
	Idle     int // workers parked, waiting for a task
	Queued   int // accepted tasks waiting for a worker
	Waiting  int // submitters blocked until the pool has room

	Submitted uint64 // tasks accepted
	Completed uint64 // accepted tasks that finished, however they ended
	Failed    uint64 // Submit and Group tasks that returned an error or were skipped because their context had ended
	Panicked  uint64 // tasks that panicked
}

// Stats returns a consistent snapshot of the pool's state.
func (p *Pool) Stats() Stats {
	if p == nil {
		return Stats{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.initLocked(0)
	return Stats{
		Capacity:  p.max,
		Workers:   p.workers,
		Running:   p.running,
		Idle:      len(p.idle),
		Queued:    p.size,
		Waiting:   len(p.waiters),
		Submitted: p.submitted,
		Completed: p.completed,
		Failed:    p.failed.Load(),
		Panicked:  p.panicked.Load(),
	}
}
