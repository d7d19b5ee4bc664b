package lockfree

import "github.com/labludus/ludus/lockfree/internal/atomics"

// Queue is an unbounded first-in, first-out queue after M. Michael and
// M. Scott, "Simple, Fast, and Practical Non-Blocking and Blocking Concurrent
// Queue Algorithms" (PODC 1996): a linked list with a dummy head node, whose
// head and tail pointers are swung by compare-and-swap; a goroutine that finds
// the tail lagging behind helps to advance it before doing its own work.
//
// Progress: lock-free. Enqueue and Dequeue retry only when another
// operation made progress, and nobody waits for a stalled goroutine: the
// helping step lets others finish what a preempted enqueuer started.
//
// ABA: nodes are allocated per Enqueue and never reused, so (with Go's
// garbage collector keeping any node a goroutine still references alive) the
// pointers compared by CAS cannot be recycled behind a goroutine's back.
//
// Memory: like every Michael–Scott queue, the node that becomes the new
// dummy keeps a reference to the last dequeued value until the next Dequeue
// unlinks it; values are not copied anywhere else.
//
// The zero value is an empty queue ready to use. A Queue must not be copied
// after first use.
type Queue[T any] struct {
	_    noCopy
	head atomics.Pointer[queueNode[T]]
	// head and tail are written by different sides (consumers and
	// producers): keep them on different cache lines.
	_    [cacheLine - 8]byte
	tail atomics.Pointer[queueNode[T]]
	_    [cacheLine - 8]byte
}

type queueNode[T any] struct {
	// value is written before the node is published and only read after.
	value T
	next  atomics.Pointer[queueNode[T]]
}

// init installs the dummy node of a zero Queue. It is lock-free too: racing
// initialisers agree through the CASes, and while tail is still nil nothing
// can have advanced head (a Dequeue needs an enqueued node, an Enqueue needs
// tail), so head still holds the dummy that tail must point at.
func (q *Queue[T]) init() *queueNode[T] {
	if t := q.tail.Load(); t != nil {
		return t
	}
	q.head.CompareAndSwap(nil, new(queueNode[T]))
	q.tail.CompareAndSwap(nil, q.head.Load())
	return q.tail.Load()
}

// Enqueue appends v to the back of the queue.
func (q *Queue[T]) Enqueue(v T) {
	n := &queueNode[T]{value: v}
	q.init()
	for {
		tail := q.tail.Load()
		next := tail.next.Load()
		if tail != q.tail.Load() {
			continue // tail moved while we read next: the pair is inconsistent
		}
		if next != nil {
			// The tail lags behind the last node: help the enqueuer that
			// linked next, then try again.
			q.tail.CompareAndSwap(tail, next)
			continue
		}
		if tail.next.CompareAndSwap(nil, n) {
			// Linked: that CAS is the linearisation point. Swinging the tail
			// may fail if someone helped already; either way it is done.
			q.tail.CompareAndSwap(tail, n)
			return
		}
	}
}

// Dequeue removes and returns the value at the front of the queue. ok is
// false if the queue was empty.
func (q *Queue[T]) Dequeue() (v T, ok bool) {
	q.init()
	for {
		head := q.head.Load()
		tail := q.tail.Load()
		next := head.next.Load()
		if head != q.head.Load() {
			continue
		}
		if next == nil {
			return v, false // empty: the dummy has no successor
		}
		if head == tail {
			// A node is linked but the tail still points at the dummy:
			// help, so the tail never falls behind the head.
			q.tail.CompareAndSwap(tail, next)
			continue
		}
		// Read the value before the CAS: once head moves, another dequeuer
		// may unlink next too, but never modifies it.
		v = next.value
		if q.head.CompareAndSwap(head, next) {
			return v, true
		}
	}
}

// Empty reports whether the queue held no value at the moment of the call.
func (q *Queue[T]) Empty() bool {
	q.init()
	return q.head.Load().next.Load() == nil
}
