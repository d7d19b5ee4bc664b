// Package linear checks linearizability: whether the results a concurrent
// object gave its clients could have come from some sequential execution,
// one operation at a time, that respects real time (an operation that
// returned before another was called comes first).
//
// A test records a history: each Operation's client, input, output, and the
// times of its call and return (a Recorder does this safely from many
// goroutines). A Model says what the object should do sequentially: an
// initial state and a Step function. Check searches for a sequential order
// that explains every output:
//
//	res := linear.Check(models.Queue[int](), history, linear.Timeout(time.Second))
//	if res.Verdict == linear.NotLinearizable { ... res.Parts[i].Unplaced ... }
//
// The search is the Wing-Gong-Lowe algorithm with memoisation (the one of
// porcupine and of Lowe's "Testing for linearizability"), plus: states are
// hash-consed to integers and every (state, operation) transition is
// computed once; the set of linearized operations is hashed incrementally
// (Zobrist) and stored in an arena; at each step the operation whose
// return comes first is tried first (Lowe's just-in-time choice) and
// pending operations last; of two interchangeable operations (equal input
// and output, one called and returned no later than the other) only one
// order is searched; and a model that partitions its operations
// (P-compositionality: keys of a map are independent) has its parts
// checked separately and in parallel. Checking is NP-complete in general,
// so Check takes a Timeout or a Context and answers Unknown, with its
// partial progress, when it runs out. A failure names the longest
// linearizable prefix of each failing part and the operations that could
// not follow it; Explain prints that for a person.
//
// Stress turns this into a Lincheck-style test for a Go type: it generates
// small concurrent scenarios, runs each many times on real goroutines while
// recording, checks every history, and shrinks a failing scenario to the
// fewest operations before printing it as a table, one column per
// goroutine. WriteHTML draws a history and its verdict as a self-contained
// page.
//
// Ready-made models live in linear/models; parsers for recorded histories
// (Jepsen etcd, porcupine key-value) in linear/formats.
package linear
