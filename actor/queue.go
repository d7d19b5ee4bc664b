package actor

// qnode is one link of an mpsc queue.
type qnode[T any] struct {
	next atomicPointer[qnode[T]]
	v    T
}

// mpsc is Dmitry Vyukov's intrusive multi-producer single-consumer queue:
// producers swap the head with one atomic exchange and then link the previous
// head to the new node; the single consumer walks from the tail. A push never
// waits for another push or for the consumer. Between a producer's exchange
// and its link the queue looks empty to the consumer; the scheduling protocol
// in cell.run is what makes that window harmless (the producer schedules the
// actor after linking).
//
// The stub node is embedded so that an actor that never receives a message
// costs no allocation for its queue.
type mpsc[T any] struct {
	head atomicPointer[qnode[T]] // producers
	tail *qnode[T]               // consumer only
	stub qnode[T]
}

func (q *mpsc[T]) init() {
	q.head.Store(&q.stub)
	q.tail = &q.stub
}

// push appends v; safe from any number of goroutines.
func (q *mpsc[T]) push(v T) {
	n := &qnode[T]{v: v}
	prev := q.head.Swap(n)
	prev.next.Store(n)
}

// pop removes the oldest value; only the consumer may call it.
func (q *mpsc[T]) pop() (T, bool) {
	next := q.tail.next.Load()
	if next == nil {
		var zero T
		return zero, false
	}
	q.tail = next
	v := next.v
	var zero T
	next.v = zero // the node stays as the new stub: drop its reference for the GC
	return v, true
}
