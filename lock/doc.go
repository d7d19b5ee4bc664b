// Package lock provides mutexes that find deadlocks before they happen.
//
// The guide's advice on deadlocks is "lock ordering, timeouts, deadlock
// detection". Mutex and RWMutex have the API of their sync counterparts,
// plus LockContext and TryLockFor for timeouts; All takes several mutexes in
// one global order; and every acquisition feeds a lock-order graph in the
// style of the Linux kernel's lockdep, which reports a potential deadlock
// the first time one becomes possible, in a run that did not deadlock.
//
// # The lock-order graph
//
// Locks are grouped into classes: a class is the name given to NewMutex or
// NewRWMutex, or for a zero value the place in the code that first locked
// it (NewMutex("") uses the place that created it). When a goroutine takes
// a lock of class B while holding one of class A, the graph gets the edge
// A -> B, with the stack where it was first seen. An edge that closes a
// cycle A -> B -> ... -> A means that goroutines taking these locks in the
// orders seen so far can wait for each other forever, whether or not they
// ever did: A->B, B->C and C->A taken by three goroutines at three different
// times is reported. Asking for a lock the goroutine already holds is
// reported too, since Go's locks are not reentrant: a Mutex Lock once it
// has waited 50 ms (it never stops waiting), an RLock at once.
//
// When two locks of one class are held together (accounts locked two at a
// time, say), the class cannot order them, so the graph orders those
// instances individually; All gives them the order that makes this safe.
//
// Acquisitions that cannot wait forever add no edges: TryLock, and
// TryLockFor, whose timeout is the guide's other cure. LockContext can wait
// forever with a context that is never done, so it counts like Lock.
//
// # Reports
//
// By default each cycle, and each class locked recursively, is printed once
// to standard error and the program carries on. OnPotentialDeadlock
// replaces that with a function of yours (fail a test, count, log);
// SetDetection(false) stops tracking at run time; building with the tag
// ludus_nolockdep compiles detection out, leaving plain locks with timeouts.
//
// # Cost, and how it is kept low
//
// Detection needs to know which locks the running goroutine holds. Go gives
// a goroutine no cheap identity: its id is printed by runtime.Stack (about a
// microsecond), and reading the runtime's private g struct, as
// github.com/petermattis/goid does in assembly, breaks whenever its layout
// changes. This package uses instead the address of a local variable: a
// 2 KiB block of stack memory belongs to at most one goroutine at a time, so
// a table maps blocks to the state of the goroutine last seen there, and
// only a miss pays for runtime.Stack. As in lockdep, the list of locks held
// plus the one being taken (a chain) is hashed, and a chain whose edges are
// already in the graph costs one lookup in a lock-free cache: the graph
// itself is only touched the first time a chain is seen, which is also when
// the goroutine's id is re-checked. A Mutex's Unlock does no bookkeeping at
// all: the holder's record names the value of the lock word, which the
// Unlock changes.
//
// # Checking the package itself
//
// Built with the ludus_check tag, a Mutex's lock word and waiter count are
// check/atomic values and its waiters park on a check/sync.Cond, so the
// ludus checker (package check) explores the interleavings of the lock
// protocol: go test -tags ludus_check -run Check ./lock/ proves mutual
// exclusion over every schedule of a small program, that the graph reports
// an opposite order in every schedule of a run that cannot deadlock, and
// finds the schedule where that order does deadlock.
//
// # Limits
//
//   - A potential deadlock is found only along orders that some run took:
//     detection is as good as the tests' coverage.
//   - Read locks are ordered like write locks (Go's RWMutex makes a reader
//     wait behind a waiting writer, so read-read cycles can deadlock too).
//     An RUnlock in another goroutine than its RLock is only forgotten once
//     no tracked reader remains.
//   - The stack-memory hint can go stale when a goroutine ends or its stack
//     moves (it grew, or the garbage collector shrank it) and the memory
//     goes to another goroutine. Every new chain re-checks the goroutine id
//     and hands a state whose goroutine is not the caller to the caller, so
//     most stale hints are harmless, but not all, in both directions. A new
//     goroutine whose first lock lands in a dead goroutine's state and whose
//     next lock is taken 2 KiB or more deeper in its stack, or after its
//     stack grew, has its two locks in two states, and that order is not
//     recorded (locks taken in one function, the usual case, are not
//     affected). And if a live goroutine's stack moves, a new goroutine
//     locking through its old memory before it locks again puts locks in
//     its state: the first goroutine may then be told of an order that was
//     another goroutine's. (A recursive Mutex Lock is reported only once it
//     has waited 50 ms, which a false one does not: the lock is not its
//     own; a recursive RLock, which does not wait, is reported at once.)
//     Both need a stack move and a reuse of the memory inside a short
//     window, but a program whose goroutines grow their stacks while
//     holding locks meets it: a stress test (16 goroutines growing their
//     stacks inside critical sections, 20 rounds of 50 iterations) saw 1
//     to 10 false cycles per run. SetExactGoroutines(true) asks the runtime
//     for the goroutine id on every acquisition instead (microseconds,
//     more than go-deadlock, which reads the id from the runtime's private
//     structures) and makes no such mistakes: use it where a report fails
//     a build, or where goroutines die holding locks.
//   - A lock still held when its goroutine ended (its Unlock left to
//     another goroutine) may count as held by the next goroutine on that
//     memory until it is unlocked.
//   - At most 8 chains compete for a slot of the chain cache (16384
//     slots); past that a chain is checked against the graph every time,
//     which is slower but still right. The graph keeps every class, and
//     every instance of a class whose locks are held two at a time.
//   - Mutex waiters park on channels rather than the runtime's semaphore,
//     and there is no starvation mode.
package lock
