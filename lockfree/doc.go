// Package lockfree provides concurrent data structures built on atomic
// compare-and-swap (CAS) instead of locks: the guide's "prefer atomic
// operations: CAS over locks" and "lock-free algorithms", made concrete.
//
//   - Stack: Treiber's stack, unbounded LIFO. Lock-free.
//   - Queue: the Michael–Scott queue, unbounded FIFO. Lock-free.
//   - Ring: Vyukov's bounded multi-producer multi-consumer array queue, with
//     non-blocking TryPush/TryPop, context-aware blocking Push/Pop that
//     park instead of spinning, and Close, which wakes them (ErrClosed) while
//     the values already in the ring can still be drained. No locks on the
//     data path; see its doc for why it is not strictly lock-free.
//   - Counter: a striped counter for write-heavy statistics. Lock-free Add,
//     wait-free Load.
//
// # The idea
//
// A lock makes other goroutines wait while its holder works, and if the
// holder is descheduled they all wait for the scheduler. A lock-free
// algorithm instead prepares a change privately and publishes it with one
// CAS ("replace X by Y if it is still X"). If the CAS fails, somebody else's
// change got in first, so the system as a whole progressed; the loser reads
// the new state and tries again. No goroutine can block the others by being
// slow.
//
// # Progress guarantees
//
// Wait-free: every operation finishes in a bounded number of its own steps
// (Counter.Load). Lock-free: some operation always finishes, though a given
// one may retry (Stack, Queue, Counter.Add). Blocking: a stalled goroutine
// can hold up others (a lock; Ring, in the narrow window described there).
// Lock-free does not mean faster: under heavy contention every retry is
// wasted work and the cache line under CAS bounces between cores; Counter
// exists because striping, not CAS, is what removes that bounce. The lab's
// cas-vs-lock experiment measures this on your machine.
//
// # ABA and the garbage collector
//
// The classic pitfall of CAS on pointers is ABA: a goroutine reads top = A,
// others pop A, pop B, push A again (its memory reused), and the first
// goroutine's CAS(A, ...) succeeds on a different stack. In Go, Stack and
// Queue allocate a new node for every push and never reuse one; the garbage
// collector cannot free a node that any goroutine still references, so the
// address A cannot reappear while somebody holds it, and ABA cannot occur.
// Ring has no pointers to compare: its 64-bit sequence numbers only grow.
//
// # Verification
//
// Besides race-detector stress tests, the package is checked with the
// project's own tools: its atomics go through an internal alias that the
// ludus_check build tag routes to check/atomic, so `go test -tags
// ludus_check` explores small scenarios under the ludus scheduler, and the
// linear package's stress runner checks recorded histories for
// linearizability. Deliberately broken variants in the tests show that both
// checkers catch a non-atomic step.
package lockfree
