// Package unmodified is ordinary Go code with ordinary tests, written
// without any knowledge of ludus: the guide's lost update, its
// opposite-order deadlock, a goroutine leak, a double close, a log line
// written through a test's T after the test returned, and code that
// is correct (a worker pool stopped by a context, an atomic counter, a wait
// of one hour against a timeout of a day).
//
// "ludus check" explores every interleaving of these tests and gives each
// its verdict in seconds; "go test -race" finds only some of the bugs, and
// only when the scheduler happens to interleave the goroutines badly (see
// the README).
package unmodified
