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
// only a miss pays for runtime.Stack.
//
// A goroutine's state lists the locks it took as a path of immutable nodes,
// each carrying the hash of the chain of locks up to it (as in lockdep, a
// chain whose orders are already in the graph costs one lookup in a
// lock-free cache). Who holds a lock is written by the compare-and-swap that
// takes it: the lock word carries a token naming the holder's state, and an
// Unlock, from any goroutine, clears the word's locked bit and nothing else.
// So a node stays in the path after its lock is released, and a goroutine
// that takes the same locks in the same order again, the usual case, finds
// its nodes in place: an uncontended Lock and Unlock then write nothing but
// the lock word, with the two atomic operations of a sync.Mutex and the
// lookups around them. When the locks held differ from the path, one atomic
// store publishes a new top node, usually from the state's small node cache,
// so alternating patterns allocate nothing either. Nothing in a state is
// locked: a goroutine reads its path with atomic loads.
//
// A stack hint can be wrong: when a goroutine's stack moves (it grew, or the
// collector shrank it) or the goroutine ends, another goroutine may be given
// that memory and take the first one's state for its own. So a hint is never
// trusted with an order. A token says whether its acquirer knew its
// goroutine id exactly, and orders are recorded only when a chain is new,
// after asking the runtime for the id, from the locks whose words carry that
// goroutine's own exact token; a chain is cached only once all its orders
// were recorded that way. To have such acquisitions, a lock class takes its
// first 1024 acquisitions under the exact id, and 1024 more whenever an
// order from it could not be proved. A wrong hint can thus cost a slow check
// or delay an order, never report one that did not happen.
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
//     An RUnlock that runs in another goroutine than its RLock makes the
//     lock's other tracked reads prove no order until they are taken again.
//   - A new order is reported the first time it is taken if the lock held
//     before it was taken under the goroutine's exact id: during the first
//     1024 acquisitions of its class (in tests, usually all of them), or in
//     SetExactGoroutines mode. Otherwise, when the record was made through
//     a stack hint, the order is not recorded that time, the class goes
//     back to exact acquisitions, and the order is reported the next time
//     it is taken, if that is within the class's next 1024 acquisitions
//     (later otherwise). A recursive RLock is treated the same way; a
//     recursive Lock is then not reported, since its goroutine never gets
//     to a next time (SetLongWait reports the wait that never ends).
//   - An order can also be missed: a goroutine whose stack moves between
//     two locks (it grew in the code between them, or the collector shrank
//     it) may meet, on its new memory, a hint to another goroutine's
//     state, and put its second lock there, unseen. (A goroutine whose
//     stack grows inside the package's own slow paths carries its hint
//     along.)
//   - An exact acquisition costs the runtime.Stack call (1 to 10
//     microseconds, with the depth of the stack): a class's first 1024
//     acquisitions cost about a millisecond or a few in all.
//   - A lock still held when its goroutine ended (its Unlock left to
//     another goroutine) may stay in the path of the next goroutine on
//     that memory until it is unlocked; it proves no order there, but the
//     chains of that goroutine are checked slowly meanwhile.
//   - At most 8 chains compete for a slot of the chain cache (16384
//     slots); past that a chain is checked against the graph every time,
//     which is slower but still right. The graph keeps every class, and
//     every instance of a class whose locks are held two at a time.
//   - Each goroutine's state keeps its last path and up to 16 cached
//     nodes, which keep the locks they name reachable (and so the memory
//     around them) until they are replaced, or the state, holding nothing,
//     is swept.
//   - Mutex waiters park on channels rather than the runtime's semaphore,
//     and there is no starvation mode.
package lock
