package lockfree

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"unsafe"

	"github.com/labludus/ludus/lockfree/internal/atomics"
)

// ErrCapacity is returned (wrapped) by NewRing for a capacity it cannot
// honour, and by Push and Pop on a zero Ring.
var ErrCapacity = errors.New("lockfree: invalid ring capacity")

// ErrClosed is returned by Push on a closed ring, and by Pop on a closed
// ring that has no values left.
var ErrClosed = errors.New("lockfree: ring closed")

// maxRingCapacity keeps sequence arithmetic far from overflow and the cell
// array addressable, whatever the memory: NewRing's real bound is the memory
// the cells need (see memoryBound).
const maxRingCapacity = 1 << 40

// Ring is a bounded multi-producer, multi-consumer FIFO queue after Dmitry
// Vyukov's array queue: an array of cells, each with a sequence number that
// says whose turn it is (a producer of lap n, or a consumer of lap n), and two
// counters, claimed by producers and consumers with one CAS each.
//
// Operations:
//   - TryPush and TryPop never wait for space or values: they report a full
//     or empty ring with false.
//   - Push and Pop wait until they succeed or their context ends. They spin
//     briefly, then park the goroutine (no CPU is used while parked) until an
//     operation on the other side may have made room or a value.
//
// Progress: Ring uses no locks, but it is not lock-free in the strict sense,
// and no array queue with one CAS per operation is. A producer claims a cell
// with its CAS and then writes the value and publishes it; if it is
// preempted in between, the consumer that next needs that very cell waits
// until it is resumed (every other goroutine continues). The same holds for a
// consumer between claiming a cell and releasing it. In exchange each
// operation costs one CAS on a shared counter plus two accesses to its own
// cell. The waits are short in practice (a few instructions) and use
// runtime.Gosched, not a lock.
//
// Semantics: TryPop reports empty only if the ring was empty at some instant
// during the call, and TryPush reports full only if it was full: while a
// value is claimed but not yet published they wait rather than give a
// spurious answer, so the ring is linearizable as a bounded FIFO queue.
//
// ABA: the positions and the cells' turn numbers are 64-bit counters that
// only grow, so a cell's turn can never repeat in the lifetime of a program.
//
// Closing: Close works like closing a channel that is still drained. After
// Close no value is added (TryPush reports false, Push returns ErrClosed),
// values already in the ring can still be popped, and once they are gone Pop
// returns ErrClosed instead of waiting. Close wakes every parked Push and
// Pop, so a closed ring never leaves a goroutine asleep. A Push that
// overlaps Close either added its value before the ring closed or returns
// ErrClosed: no value is added after Close returns.
//
// Use NewRing; the zero value is a ring of capacity zero, on which TryPush
// and TryPop always fail and Push and Pop return an error wrapping
// ErrCapacity at once (rather than wait forever). A Ring must not be copied
// after first use.
type Ring[T any] struct {
	_     noCopy
	mask  uint64 // len(cells) - 1
	shift uint   // log2(len(cells)): pos >> shift is pos's lap
	cells []ringCell[T]
	_     [cacheLine - 40]byte
	// enq is the count of claimed pushes (the next cell a producer takes),
	// with closedBit set once the ring is closed. Keeping the closed flag in
	// the word producers CAS is what makes Close exact: a producer's CAS
	// from a count read before Close fails after it, so no value gets in
	// once Close has returned.
	enq atomics.Uint64
	_   [cacheLine - 8]byte
	// deq is the count of claimed pops (the next cell a consumer takes).
	deq atomics.Uint64
	_   [cacheLine - 8]byte

	notEmpty parking // consumers sleep here
	notFull  parking // producers sleep here
}

// ringCell pads each cell to a cache line: neighbouring cells are used by
// different goroutines at the same time, and sharing a line between them
// would serialise their writes.
type ringCell[T any] struct {
	// seq is 2*lap when the cell is free for the producer of position pos
	// (lap = pos >> shift), and 2*lap+1 when it holds the value pushed at
	// pos, ready for its consumer, who sets it to 2*(lap+1). Keeping the two
	// states of one lap distinct (rather than Vyukov's pos and pos+1) makes
	// a capacity of one work. waitBit, when set, says that a goroutine
	// sleeps until the cell's next change (see markEmpty and markFull).
	seq   atomics.Uint64
	value T
	_     [cacheLine - 8]byte
}

// NewRing returns an empty ring that holds up to capacity values. The
// capacity is rounded up to a power of two (Cap reports the result). It
// returns an error wrapping ErrCapacity if capacity < 1 or above 2^40, or if
// the cells (one cache line or more each, allocated up front) would need
// more memory than the process can have: the machine's physical memory, a
// smaller cgroup limit, or a smaller Go memory limit (GOMEMLIMIT or
// debug.SetMemoryLimit), whichever is least. Asking for more would not fail
// with an error later: the Go runtime ends the process when it runs out of
// memory.
func NewRing[T any](capacity int) (*Ring[T], error) {
	if capacity < 1 || uint64(capacity) > maxRingCapacity {
		return nil, fmt.Errorf("%w: %d (want 1 to 2^40)", ErrCapacity, capacity)
	}
	shift := uint(bits.Len64(uint64(capacity - 1)))
	n := uint64(1) << shift
	var cell *ringCell[T] // not dereferenced: Sizeof does not evaluate it
	size := uint64(unsafe.Sizeof(*cell))
	hi, need := bits.Mul64(n, size)
	if limit, source := memoryBound(); hi != 0 || need > limit {
		return nil, fmt.Errorf("%w: %d (%d cells of %d bytes need %s; the %s is %s)",
			ErrCapacity, capacity, n, size, formatBytes(hi, need), source, formatBytes(0, limit))
	}
	return &Ring[T]{mask: n - 1, shift: shift, cells: make([]ringCell[T], n)}, nil
}

// Cap returns the number of values the ring can hold.
func (r *Ring[T]) Cap() int { return len(r.cells) }

// Len returns the number of values in the ring at some instant during the
// call, counting those being pushed or popped right now; under concurrent use
// it is a hint.
func (r *Ring[T]) Len() int {
	for {
		deq := r.deq.Load()
		enq := r.enq.Load() &^ closedBit
		if deq == r.deq.Load() {
			return int(enq - deq)
		}
	}
}

// TryPush adds v at the back of the ring if there is room and the ring is
// not closed, and reports whether it did.
func (r *Ring[T]) TryPush(v T) bool {
	if len(r.cells) == 0 {
		return false
	}
	spins := 0
	for {
		pos := r.enq.Load()
		if pos&closedBit != 0 {
			return false
		}
		c := &r.cells[pos&r.mask]
		turn := 2 * (pos >> r.shift)
		seq := c.seq.Load() &^ waitBit
		switch {
		case seq == turn:
			if r.enq.CompareAndSwap(pos, pos+1) {
				c.value = v
				// The publishing swap also tells whether a consumer
				// marked the cell before going to sleep: waking costs
				// nothing when nobody sleeps.
				if c.seq.Swap(turn+1)&waitBit != 0 {
					r.notEmpty.wake()
				}
				return true
			}
		case seq < turn:
			// The cell still holds (or is being emptied of) the value of the
			// previous lap. The ring is full only if that value has not been
			// claimed by a consumer: deq, read after enq, then lags enq by
			// exactly the capacity.
			if r.deq.Load()+uint64(len(r.cells)) <= pos {
				return false
			}
			// Either a consumer is still copying out of the cell or pos is
			// stale; both resolve in a few instructions of another goroutine,
			// so re-read a few times before giving up the processor.
			spins = backoff(spins)
		}
		// seq > turn: another producer took pos; reload.
	}
}

// TryPop removes and returns the value at the front of the ring. ok is false
// if the ring was empty.
func (r *Ring[T]) TryPop() (v T, ok bool) {
	if len(r.cells) == 0 {
		return v, false
	}
	spins := 0
	for {
		pos := r.deq.Load()
		c := &r.cells[pos&r.mask]
		turn := 2*(pos>>r.shift) + 1
		seq := c.seq.Load() &^ waitBit
		switch {
		case seq == turn:
			if r.deq.CompareAndSwap(pos, pos+1) {
				v = c.value
				var zero T
				c.value = zero // drop the reference for the garbage collector
				if c.seq.Swap(turn+1)&waitBit != 0 {
					r.notFull.wake()
				}
				return v, true
			}
		case seq < turn:
			// The value for pos has not been published. If no producer
			// claimed pos either, the ring is empty (enq, read after deq,
			// equals pos); otherwise the producer is between its CAS and
			// its publish, or pos is stale.
			if r.enq.Load()&^closedBit <= pos {
				return v, false
			}
			spins = backoff(spins)
		}
	}
}

// Push adds v at the back of the ring, waiting for room until ctx ends or
// the ring is closed. It returns nil if v was added, ErrClosed if the ring
// is closed, and ctx's error if ctx ended first; v is never added after Push
// returns an error.
func (r *Ring[T]) Push(ctx context.Context, v T) error {
	if r.TryPush(v) {
		return nil
	}
	if len(r.cells) == 0 {
		return fmt.Errorf("%w: Push on a zero Ring", ErrCapacity)
	}
	return await(ctx, &r.notFull, func() outcome {
		if r.TryPush(v) {
			return succeeded
		}
		if r.enq.Load()&closedBit != 0 {
			return closed
		}
		return notYet
	}, r.markFull)
}

// Pop removes and returns the value at the front of the ring, waiting for
// one until ctx ends or the ring is closed and drained. It returns ErrClosed
// once the ring is closed and empty, and ctx's error if ctx ended first
// (with the zero value); no value is lost then.
func (r *Ring[T]) Pop(ctx context.Context) (T, error) {
	if v, ok := r.TryPop(); ok {
		return v, nil
	}
	var v T
	if len(r.cells) == 0 {
		return v, fmt.Errorf("%w: Pop on a zero Ring", ErrCapacity)
	}
	err := await(ctx, &r.notEmpty, func() outcome {
		var ok bool
		if v, ok = r.TryPop(); ok {
			return succeeded
		}
		if r.drained() {
			return closed
		}
		return notYet
	}, r.markEmpty)
	return v, err
}

// Close closes the ring: no value is added from now on, and every Push and
// Pop parked on it wakes up (Push with ErrClosed, Pop with the next value
// or, once the ring is empty, ErrClosed). Values already in the ring stay
// there for Pop and TryPop. Closing a closed ring does nothing.
func (r *Ring[T]) Close() {
	if r.enq.Or(closedBit)&closedBit != 0 {
		return
	}
	// A waiter that registered before these wakes is woken by them; one
	// that registers after them sees closedBit in its next attempt, since
	// the Or happened before the wake's lock and its register's lock
	// follows. Either way nobody sleeps on a closed ring.
	r.notFull.wake()
	r.notEmpty.wake()
}

// drained reports whether the ring is closed and every value pushed before
// it closed has been claimed by a consumer: then no Pop can ever succeed.
// Once closedBit is set the push count is frozen, so one load of enq and a
// later load of deq decide it.
func (r *Ring[T]) drained() bool {
	enq := r.enq.Load()
	return enq&closedBit != 0 && enq&^closedBit <= r.deq.Load()
}

// backoff is the wait of an operation that found a cell held by another
// goroutine between its two steps: a few busy re-reads first (the holder is
// usually running, a few instructions from done), then a yield, in case it
// was preempted. Under the checker every wait yields.
func backoff(spins int) int {
	if spins < busySpins && !atomics.Checked {
		return spins + 1
	}
	atomics.Yield()
	return spins
}

// busySpins bounds the busy re-reads of backoff.
const busySpins = 64

// waitBit marks a cell on which a goroutine sleeps: the operation that next
// changes the cell's turn finds it in the old value of its Swap and wakes
// the sleepers. Turn numbers never reach it (2^62 laps).
const waitBit = 1 << 63

// closedBit, set in enq, says the ring is closed. Push counts never reach it
// (2^63 pushes).
const closedBit = 1 << 63

// markEmpty marks the cell a consumer waits for (the one at deq, empty,
// awaiting its producer). It reports false if the cell is not in that state
// any more: the ring changed, so the caller retries instead of sleeping.
func (r *Ring[T]) markEmpty() bool {
	pos := r.deq.Load()
	turn := 2 * (pos >> r.shift)
	return r.mark(&r.cells[pos&r.mask], turn)
}

// markFull marks the cell a producer waits for (the one at enq, still
// holding the previous lap's value). On a closed ring it reports false: the
// producer's next attempt sees the ring closed.
func (r *Ring[T]) markFull() bool {
	pos := r.enq.Load()
	if pos&closedBit != 0 {
		return false
	}
	turn := 2*(pos>>r.shift) - 1
	return r.mark(&r.cells[pos&r.mask], turn)
}

func (r *Ring[T]) mark(c *ringCell[T], turn uint64) bool {
	seq := c.seq.Load()
	return seq == turn|waitBit || (seq == turn && c.seq.CompareAndSwap(turn, turn|waitBit))
}
