package pool

import (
	"context"
	"fmt"
	"runtime"
)

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
	p.closeLocked()
	if p.finished {
		p.mu.Unlock()
		p.stopWatching()
		return nil
	}
	w := waiters.Get().(*waiter)
	w.next, p.finishWaiters = p.finishWaiters, w
	p.mu.Unlock()
	select {
	case <-w.ch:
		waiters.Put(w)
		p.stopWatching()
		return nil
	case <-ctx.Done():
	}
	p.mu.Lock()
	if !p.dropFinishWaiterLocked(w) {
		// finished just now: the wake-up was sent under p.mu, take it
		// before the waiter is reused.
		<-w.ch
		p.mu.Unlock()
		waiters.Put(w)
		p.stopWatching()
		return nil
	}
	unfinished := p.q.size + p.running
	p.mu.Unlock()
	waiters.Put(w)
	return &ShutdownError{Unfinished: unfinished, Err: ctx.Err()}
}

// closeLocked stops accepting tasks: blocked submitters wake and return
// ErrClosed, idle workers wake, find the queue empty and exit; busy ones
// do the same once the queue is drained.
func (p *Pool) closeLocked() {
	if p.closed {
		return
	}
	p.closed = true
	for _, w := range p.waiters {
		w.ch <- struct{}{}
	}
	clear(p.waiters)
	p.waiters = p.waiters[:0]
	for len(p.idle) > 0 {
		w := p.idle[len(p.idle)-1]
		p.removeIdleLocked(w)
		w.wake <- struct{}{}
	}
	p.finishLocked()
}

// finishLocked marks the pool finished once it is closed and no worker is
// left, and wakes the Shutdown calls waiting for that.
func (p *Pool) finishLocked() {
	if !p.closed || p.workers > 0 || p.finished {
		return
	}
	p.finished = true
	if p.spare != nil {
		waiters.Put(p.spare)
		p.spare = nil
	}
	for w := p.finishWaiters; w != nil; {
		next := w.next
		w.next = nil
		w.ch <- struct{}{}
		w = next
	}
	p.finishWaiters = nil
}

// dropFinishWaiterLocked removes w from the Shutdown calls waiting for
// finished, and reports whether it was there (false: it has been woken).
func (p *Pool) dropFinishWaiterLocked(w *waiter) bool {
	for at := &p.finishWaiters; *at != nil; at = &(*at).next {
		if *at == w {
			*at, w.next = w.next, nil
			return true
		}
	}
	return false
}

// closeForContext runs when the pool's context ends.
func (p *Pool) closeForContext() {
	p.mu.Lock()
	p.closeLocked()
	p.mu.Unlock()
}

// stopWatching releases the pool's hold on its context once every worker
// has left.
func (p *Pool) stopWatching() {
	if p.unwatch != nil {
		p.unwatch()
	}
}

// Resize sets the worker count to n (n <= 0 means runtime.GOMAXPROCS(0)).
// Growing starts workers at once if tasks are queued and lets blocked
// submitters in. Shrinking lets running tasks finish; surplus workers
// leave as they come back for work, and no task starts while more tasks
// run than the new count. The room for new tasks follows the new count at
// once: it is the queue capacity plus the workers that are free.
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
	p.wakeWaitersLocked()
}
