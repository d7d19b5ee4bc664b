// Package panics turns a recovered panic into an ordinary error.
//
// The guide's advice for concurrent code is that a failure in one task must
// not take the whole program down, and must not vanish either. In Go a
// panic in a goroutine kills the process unless that goroutine recovers it,
// and a recovered value on its own says nothing about where it came from:
// by the time another goroutine sees it, the panicking stack is gone.
//
// An [*Error] keeps both: the value given to panic and the stack of the
// goroutine that panicked, captured while it was still panicking. Its
// Error method prints the value and the first frame outside the runtime
// (the line that panicked), so that a log line stays one line; the full
// stack is in [Error.Stack] and is printed by the %+v verb.
//
// Every ludus package that runs user code on other goroutines (async,
// pool, par, csp, actor) reports panics as *panics.Error, so one
// errors.As works whichever package the error came through:
//
//	var pe *panics.Error
//	if errors.As(err, &pe) {
//		log.Printf("task crashed: %v\n%s", pe, pe.Stack)
//	}
//
// Recover with [New], called directly in the deferred function that
// called recover, or run a function under [Try].
package panics
