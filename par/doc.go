// Package par runs CPU-bound loops on every core: [For], [Map] and [Reduce],
// and their cancellable, error-returning forms [ForCtx] and [MapCtx].
//
// The guide's advice is "CPU-bound (math): parallelism". Parallelism pays
// only when the work handed to each core outweighs the cost of handing it
// over. par keeps that cost small in three ways.
//
//   - Chunks, not items. Workers take ranges of indexes from one shared
//     counter, one atomic operation per range. Range sizes follow guided
//     self-scheduling: each claim takes a share of what remains
//     (remaining / (2 × workers)), so early ranges are large and cheap to
//     hand out, and the last ones shrink down to the grain so that every
//     worker finishes at about the same time even when items cost
//     different amounts. A loop over a million items makes a few dozen
//     claims, where a per-item scheme makes a million.
//   - No goroutine for small work. The calling goroutine starts on the
//     loop alone, with small ranges, and calls in helper goroutines only
//     once the loop has run for about ten microseconds (a timer calls them
//     in when a single item runs long). A loop that is over before then
//     never pays for a goroutine, a wake-up or a wait.
//   - The caller works. The calling goroutine is one of the workers, so
//     Workers(n) means n goroutines in all, and a loop with one worker is
//     a plain loop.
//
// # Panics
//
// A panic in fn stops the other workers (each checks a shared flag before
// every item) and, once every worker has returned, is raised again in the
// calling goroutine as a [*PanicError] (the shared panics.Error) that holds
// the panic value and the stack of the goroutine that panicked, wherever
// that goroutine was; its message is one line naming the value and the
// line that panicked. The same happens when the loop is so small that it ran in the caller alone,
// so a recover in the caller sees one type either way. If fn calls
// [runtime.Goexit] (as testing.T.FailNow does), the other workers stop and
// the calling goroutine exits the same way.
//
// # Options
//
// [Workers] sets the number of goroutines (default: GOMAXPROCS at the
// time of the call); [Grain] sets the smallest range a worker takes and
// the input size up to which the loop runs in the caller alone (default:
// 1). Values <= 0 mean "the default", so a computed option can never make a
// loop hang or panic.
//
// # Cancellation and errors
//
// [ForCtx] and [MapCtx] give fn a context that is cancelled as soon as any
// call returns an error or the parent context ends; no new item starts
// after that. They return the first error, or the parent context's error
// if cancellation left items unprocessed. A nil error means fn ran on every
// index and returned nil every time. With [Errors]([AllErrors]) an error
// stops nothing: every index runs and every error is returned, joined in
// index order (MapCtx then also returns the results it has).
package par
