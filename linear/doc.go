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
// porcupine and of Lowe's "Testing for linearizability"), made cheaper per
// step and smaller in memory:
//
//   - states are hash-consed to integers and Step results cached per
//     operation, so a transition the search comes back to costs a lookup;
//   - the memo of explored configurations (set of linearized operations,
//     state) takes a few words per configuration, whatever the history's
//     length: each entry is its parent plus one operation, found by an
//     incremental (Zobrist) hash and confirmed exactly by a short walk (or,
//     between the two orders of the portfolio, by a second 64-bit hash), in
//     tables split by the set's size. Memory grows with the configurations
//     explored, not with their square;
//   - an operation the model declares read-only (Model.ReadOnly: a read, a
//     get, a failed compare-and-set) is placed as soon as it is legal,
//     without trying other orders, since it commutes with everything;
//   - of two interchangeable operations (equal input and output, one
//     within the other's interval) only one order is searched;
//   - a model that partitions its operations (P-compositionality: the keys
//     of a map are independent) has its parts checked separately, and the
//     check stops at the first part that fails (AllParts checks all).
//
// No single order of trying candidates is best on every history (on one
// key of porcupine's 50-client kv log one order needs 185,000
// configurations and the other 60,000; on another key, the reverse), so a
// part that takes more than 5 ms is searched in two orders as a portfolio:
// ReturnsFirst (the operation that must be linearized first, then the
// others in call order, pending ones last) and CallOrder (porcupine's). The
// two walk by turns and share one memo: a configuration one has searched
// to a dead end the other skips, so a part that fails, which every order
// must search to the end, costs about one search, and a part that is
// linearizable is decided by whichever finds a linearization first.
// Searches are resumable and take turns on GOMAXPROCS goroutines, so that
// a part that fails quickly is never stuck behind a long one.
//
// Checking is NP-complete in general, so Check takes a Timeout or a Context
// and a MaxMemory cap (by default a quarter of the machine's memory), and
// answers Unknown, naming the limit reached, with its partial progress. A
// failure names the longest linearizable prefix of each failing part and
// the operations that could not follow it; Explain prints that for a
// person, WriteHTML draws it.
//
// Stress turns this into a Lincheck-style test for a Go type: it generates
// small concurrent scenarios, runs each many times on real goroutines while
// recording, checks every history, and shrinks a failing scenario to the
// fewest operations before printing it as a table, one column per
// goroutine.
//
// Ready-made models live in linear/models; parsers and writers for recorded
// histories (Jepsen etcd, porcupine key-value) in linear/formats.
package linear
