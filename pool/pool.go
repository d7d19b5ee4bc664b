package pool

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

var (
	// ErrClosed is returned for tasks submitted after Close or Shutdown
	// began or the pool's context ended, or to a nil *Pool.
	ErrClosed = errors.New("pool: closed")
	// ErrFull is returned by a pool made WithNonBlocking (and by TryGo)
	// when it cannot take a task at once.
	ErrFull = errors.New("pool: full")
	// ErrNilTask is returned for a nil task function.
	ErrNilTask = errors.New("pool: nil task")
)

// DefaultQueue is the queue capacity of a pool made without WithQueue:
// enough for a submitter to hand over dozens of tasks per wake-up (a
// blocked submitter is woken once half the queue is free), small enough
// that a pool costs about 2 KiB in all. Raise it with WithQueue to absorb
// longer bursts without blocking. (It was 1024 until the pool benchmark's
// memory goal; see bench/RESULTS.md.)
const DefaultQueue = 128

// Pool runs submitted functions on at most a fixed number of worker
// goroutines. Its zero value is a pool of runtime.GOMAXPROCS(0) workers
// with the default queue; New configures one. A Pool must not be copied
// after first use.
type Pool struct {
	mu sync.Mutex
	// The flags sit together, beside the mutex, so that a Pool takes one
	// word for all six (every byte of a pool counts in the memory goal of
	// bench/RESULTS.md).
	inited      bool // New or the first use of a zero Pool has filled in the defaults
	queueSet    bool // WithQueue was given; otherwise queueCap is DefaultQueue
	nonBlocking bool // refuse with ErrFull instead of waiting for room
	waking      bool // a worker is on its way to the queue (woken, started or spinning)
	closed      bool // Close, Shutdown or the end of ctx: no task is accepted any more
	finished    bool // closed, and every worker has left: Shutdown may return

	// Configuration, fixed by New except max, which Resize changes.
	max          int             // at most this many tasks run at once
	queueCap     int             // how many accepted tasks may wait for a busy worker (WithQueue)
	idleTimeout  time.Duration   // a parked worker leaves after this long; 0: never
	panicHandler func(any)       // receives panics of Go tasks; nil: log them
	ctx          context.Context // the pool's context (WithContext); never nil after init
	// done is ctx.Done(), which workers look at before each plain task;
	// nil when ctx can never end.
	done <-chan struct{}
	// unwatch stops the context.AfterFunc that closes the pool when ctx
	// ends; nil when ctx can never end.
	unwatch func() bool

	q queue // accepted tasks not yet started; see queue.go

	workers int       // live worker goroutines
	running int       // tasks running, counted from the moment a worker takes one
	idle    []*worker // parked workers; the most recent last (LIFO keeps a hot set)

	waiters []*waiter // submitters blocked on a full pool, oldest first
	spare   *waiter   // a waiter kept for the next submitter that blocks; nil once finished
	// finishWaiters lists (through waiter.next) the Shutdown calls waiting
	// for finished. Waiters come from the same recycled set as submitters':
	// a pool allocates no channel of its own for Close.
	finishWaiters *waiter

	// Counters. submitted is written under mu; the outcomes are atomics
	// because a Submit or Group task records its own, from its worker,
	// outside the lock. Every accepted task ends in exactly one outcome.
	submitted      uint64
	plainSucceeded uint64        // plain tasks that returned, counted by their worker under mu
	succeeded      atomic.Uint64 // Submit and Group tasks that returned a nil error
	failed         atomic.Uint64
	panicked       atomic.Uint64
	cancelled      atomic.Uint64
	dropped        atomic.Uint64
}

// Option configures a Pool made by New.
type Option func(*Pool)

// WithQueue sets the queue capacity: how many accepted tasks may wait for a
// busy worker. A pool therefore holds at most workers + n tasks: up to
// workers running and n waiting. 0 means no queue: Go waits (or fails,
// WithNonBlocking) until a worker is free for the task. A negative n
// means 0. Without WithQueue the capacity is DefaultQueue.
func WithQueue(n int) Option {
	return func(p *Pool) {
		p.queueCap = max(n, 0)
		p.queueSet = true
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
// itself is dropped. The default logs the value, the panicking line and the
// stack with the log package. Panics in Submit and Group tasks go to their
// future or group instead.
func WithPanicHandler(h func(any)) Option { return func(p *Pool) { p.panicHandler = h } }

// WithContext gives the pool a context. When ctx ends the pool closes
// itself: it accepts no more tasks (ErrClosed), cancels the contexts of its
// running Submit and Group tasks, and skips the tasks still queued, which
// Stats counts as Cancelled (their futures and groups get the context's
// cause). Close still waits for the workers to finish. Tasks given to Go
// can watch the context through Pool.Context. A nil ctx means none.
func WithContext(ctx context.Context) Option { return func(p *Pool) { p.ctx = ctx } }

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
	if !p.queueSet {
		p.queueCap = DefaultQueue
	}
	p.q.init(p.queueCap, p.max)
	if p.ctx == nil {
		p.ctx = context.Background()
	}
	if p.done = p.ctx.Done(); p.done != nil {
		p.unwatch = context.AfterFunc(p.ctx, p.closeForContext)
	}
}

// Context returns the pool's context (context.Background() for a pool
// made without WithContext). Tasks given to Go, which receive no context,
// can watch it to stop early when the pool is cancelled.
func (p *Pool) Context() context.Context {
	if p == nil {
		return context.Background()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.initLocked(0)
	return p.ctx
}

// Go runs fn on a worker. If the pool is full it waits for room, without
// limit: use GoCtx to bound the wait, or WithNonBlocking to fail with
// ErrFull instead. (Go called from inside a task of the same full pool can
// therefore wait forever; prefer GoCtx there, or a Group made from the
// task's context, which runs its tasks in place when the pool is full.)
// It returns ErrClosed after Close and ErrNilTask for a nil fn. A nil error
// means the task was accepted and will run: Close waits for it.
func (p *Pool) Go(fn func()) error {
	return p.submit(context.Background(), fn, plainTask, waitForRoom)
}

// GoCtx is Go with a bound on the wait for room: when ctx ends first it
// returns ctx.Err() and the task is not accepted. ctx does not reach fn.
func (p *Pool) GoCtx(ctx context.Context, fn func()) error {
	return p.submit(ctx, fn, plainTask, waitForRoom)
}
