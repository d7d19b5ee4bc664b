// Package pool runs tasks on a bounded set of reusable worker goroutines:
// the guide's "use thread pools, don't create a new thread per task".
//
// A goroutine is cheap, but not free: a million goroutines started at once
// hold a million stacks. A Pool caps how many tasks run at the same time
// (never more than its worker count), queues the rest in a bounded queue,
// and pushes back on submitters when the queue is full, so memory stays
// bounded however fast tasks arrive. A pool of n workers and a queue of q
// holds at most n + q tasks: n running and q waiting.
//
//	p := pool.New(8)
//	defer p.Close()
//	p.Go(func() { handle(req) })                           // fire and forget
//	f := pool.Submit(ctx, p, fetch)                        // typed result: *async.Future[T]
//	g := p.Group(ctx); g.Go(step1); g.Go(step2); g.Wait()  // fail-fast group
//
// Workers start on demand, up to the worker count, and may leave after an
// idle period (WithIdleTimeout); Resize changes the count while the pool
// runs. A panicking task does not take its worker down: the panic goes to
// the panic handler (Go), the future (Submit) or the group's error (Group),
// as a *panics.Error. A task that calls runtime.Goexit ends its worker,
// which the pool replaces.
//
// # Nothing is lost silently
//
// Every accepted task runs or is accounted for: Close waits for all of
// them, even those still queued, and Shutdown does the same until its
// context ends and then says how many had not finished. A task whose
// context (the submitter's, its group's or the pool's, see WithContext)
// ends before a worker reaches it is skipped, and its future or group
// still hears about it, so nobody waits forever for it. Stats counts every
// outcome: succeeded, failed, panicked, cancelled, and the submissions the
// pool refused (dropped).
//
// # Groups
//
// A Group is errgroup on a shared pool: the first error cancels the rest
// (FirstError), or every error is collected and joined (AllErrors). It can
// be used again after Wait, and its zero value runs tasks on goroutines of
// their own, as errgroup's does. A task that starts a group on its own pool
// and waits for it would wait forever once every worker does the same; a
// group made from the task's context therefore helps, as fork-join pools
// do: when the pool has no room its Go runs the task in place, and its
// Wait runs the group's queued tasks itself.
//
// # How it is built
//
// The queue is a ring buffer under one mutex, and idle workers sleep on
// their own channel: a task costs no allocation and no channel operation
// while workers are busy, and at most one worker is being woken at a time,
// each woken worker waking the next only if work remains.
package pool
