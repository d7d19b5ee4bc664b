// Package async runs functions concurrently and hands back typed futures:
// the Go counterpart of async/await and Promise.all.
//
// The guide's example awaits two I/O calls one after the other (3 seconds)
// and then both at once with Promise.all (1 second). In Go:
//
//	user := async.Go(ctx, getUser)
//	orders := async.Go(ctx, getOrders)
//	u, err := user.Await(ctx)
//	o, err := orders.Await(ctx)
//
// or, for futures of one type, async.All(ctx, f1, f2, f3).
//
// A Future starts running as soon as Go returns it, in its own goroutine,
// with a context derived from the caller's: Cancel cancels that context and
// the future settles with whatever the function then returns. A future
// settles exactly once; any number of goroutines may Await it, and every
// one sees the same value and error.
//
// Waiting and working are separate: the context given to Await, All, Any,
// Race and AllSettled bounds how long the caller waits, never the work.
// When it ends first they return ctx.Err() and leave the futures running.
// The combinators cancel futures only when the outcome no longer needs them:
// All cancels the rest after the first failure, Any after the first success,
// Race after the first settlement.
//
// A panic inside a future's function never crashes the process: the future
// settles with a *PanicError (the shared [panics.Error]) that carries the
// panic value and the stack of the goroutine that panicked; its message is
// one line, naming the value and the line that panicked.
//
// Promise is the writing side of a future, for code that computes the value
// elsewhere (package pool settles the futures of tasks its workers run).
package async
