// Package csp builds pipelines of goroutines connected by channels, the
// guide's "CSP: goroutines + channels", with the three things hand-written
// pipelines usually get wrong done once: errors, cancellation and order.
//
// A pipeline is a chain of stages. Each stage takes a context and an input
// channel and returns its output channel; it runs in goroutines of its own
// and closes its output when it is done:
//
//	src := csp.FromSlice(ctx, paths)                       // source
//	pages := csp.OrderedMap(ctx, src, 8, fetch)            // 8 workers, input order
//	big := csp.Filter(ctx, pages, func(p Page) bool { ... }) // stage
//	all, err := csp.Collect(ctx, big)                      // sink
//
// # Errors travel with the items
//
// Channels carry [Item] values: a Value, or the Err that replaced it. A
// stage function that returns an error (or panics: the panic becomes a
// [*PanicError]) turns its item into an error item, which every later stage
// passes along in its place, without calling its own function on it. The
// stream goes on, so the sink decides: [Collect] stops at the first error,
// while a range over [ToSeq] sees every error next to the values and may
// carry on.
//
// # Cancellation
//
// Every stage watches its context in every receive and before every send,
// and once the context ends, whatever a stage still sends is drained from
// its output so that no send blocks for good. Cancelling the context thus
// stops every stage, and each closes its output.
//
// The easy way to get this right is [Run]: it gives the stages a context
// of its own and cancels it when the loop over its iterator ends, however
// it ends, and the loop is over only once every stage goroutine has
// exited. Breaking out of the loop is then always safe:
//
//	for n, err := range csp.Run(ctx, func(ctx context.Context) <-chan csp.Item[int] {
//		return csp.OrderedMap(ctx, csp.FromSlice(ctx, lines), 8, parse)
//	}) {
//		...
//	}
//
// Built by hand, a pipeline needs a context that is cancelled when its
// consumer stops; breaking out of a [ToSeq] loop, or [Collect] stopping at
// an error, stops only the reading, and the stages upstream run on until
// that context ends:
//
//	ctx, cancel := context.WithCancel(ctx)
//	defer cancel()
//
// Sinks report the context's error when it ended before the stream did.
//
// # Order and memory
//
// [Map] runs n workers and emits results as they finish. [OrderedMap] runs
// n workers and emits results in input order; it lets workers run ahead of
// the oldest unfinished item by at most a window of items (see [Window]),
// so one slow item holds memory and work at a fixed bound instead of
// letting results pile up behind it. [Batch] groups items by count and by
// time; [Merge] joins streams and [Tee] and [Broadcast] copy one stream to
// several consumers.
package csp
