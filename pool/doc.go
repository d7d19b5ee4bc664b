// Package pool runs tasks on a bounded set of reusable worker goroutines:
// the guide's "use thread pools, don't create a new thread per task".
//
// A goroutine is cheap, but not free: a million goroutines started at once
// hold a million stacks. A Pool caps how many tasks run at the same time
// (never more than its worker count), queues the rest in a bounded queue,
// and pushes back on submitters when the queue is full, so memory stays
// bounded however fast tasks arrive.
//
//	p := pool.New(8)
//	defer p.Close()
//	p.Go(func() { handle(req) })                           // fire and forget
//	f := pool.Submit(p, ctx, fetch)                        // typed result: *async.Future[T]
//	g := p.Group(ctx); g.Go(step1); g.Go(step2); g.Wait()  // fail-fast group
//
// Workers start on demand, up to the worker count, and may leave after an
// idle period (WithIdleTimeout); Resize changes the count while the pool
// runs. A panicking task does not take its worker down: the panic goes to
// the panic handler (Go), the future (Submit) or the group's error (Group).
//
// Every accepted task runs or is accounted for: Close waits for all of
// them, even those still queued, and Shutdown does the same until its
// context ends and then says how many had not finished. A task submitted
// with a context that ends before a worker reaches it is skipped, and its
// future or group still hears about it, so nobody waits forever for it. A
// submitter blocked on a full queue returns when its context ends.
//
// The queue is a ring buffer under one mutex, and idle workers sleep on
// their own channel: a task costs no allocation and no channel operation
// while workers are busy, and at most one worker is being woken at a time,
// each woken worker waking the next only if work remains.
package pool
