package lockfree

import (
	"context"
	"fmt"

	"github.com/labludus/ludus/lockfree/internal/atomics"
)

// cacheLine is the padding unit that keeps independently written words on
// different cache lines (64 bytes on the platforms Go supports best).
const cacheLine = 64

// spinTries is how many times a blocking Ring operation retries, yielding
// the processor in between, before it parks. Most waits on a busy ring are
// shorter than a park/unpark pair, so a short spin pays off; a long one would
// burn a core that the goroutine it waits for may need.
const spinTries = 16

// parking lets goroutines sleep until a cell they wait for changes, without
// lost wake-ups and with cancellation by context.
//
// Protocol: a waiter first takes the current signal (register), then marks
// the cell it waits for (setting waitBit with a CAS, which fails if the
// cell already changed), then re-checks its condition, and only then sleeps
// on the signal. The goroutine that changes the cell does so with an atomic
// Swap, whose old value shows the mark; if set, it fires the signal (wake).
// Either the Swap came first, and the mark's CAS fails or the re-check sees
// the change, or the mark came first, and the Swap sees it and fires the
// signal taken before the mark (or a later one: firing replaces the signal
// under the mutex, and the waiter took its signal before marking). Firing
// wakes every sleeper: each re-checks and the losers sleep again, which is
// correct for any number of producers and consumers. A mark left behind by
// a waiter that gave up costs one spurious wake.
type parking struct {
	mu atomics.Mutex
	ch *atomics.Signal // nil until a waiter registers
}

// register returns the signal to sleep on. The caller must mark its cell and
// re-check its condition after register, before sleeping.
func (p *parking) register() *atomics.Signal {
	p.mu.Lock()
	if p.ch == nil {
		p.ch = atomics.NewSignal()
	}
	ch := p.ch
	p.mu.Unlock()
	return ch
}

// wake fires the current signal, waking every goroutine registered so far.
func (p *parking) wake() {
	p.mu.Lock()
	if p.ch != nil {
		p.ch.Fire()
		p.ch = nil
	}
	p.mu.Unlock()
}

// outcome is the result of one attempt of a blocking operation.
type outcome uint8

const (
	notYet    outcome = iota // the ring is full (Push) or empty (Pop): wait
	succeeded                // the operation happened
	closed                   // the ring is closed: it never will happen
)

func (o outcome) String() string {
	switch o {
	case notYet:
		return "not yet"
	case succeeded:
		return "succeeded"
	case closed:
		return "closed"
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// await runs try until it succeeds or reports the ring closed: first a
// short spin, then parked on p between attempts, after mark has flagged the
// cell it waits for. It returns nil, ErrClosed, or ctx's error if ctx ends
// first; try is never running when await returns, so an operation either
// happened (nil error) or did not (non-nil error).
func await(ctx context.Context, p *parking, try func() outcome, mark func() bool) error {
	spins := spinTries
	if atomics.Checked {
		spins = 0 // explorations should reach the parking protocol at once
	}
	for range spins {
		if o := try(); o != notYet {
			return o.err()
		}
		atomics.Yield()
	}
	for {
		if o := try(); o != notYet {
			return o.err()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		sig := p.register()
		if !mark() {
			// The cell is not in the state the waiter expects: it changed,
			// or another goroutine is between the two steps of its
			// operation on it, or the ring closed. Either way it moves on
			// soon; let it run.
			atomics.Yield()
			continue
		}
		// Re-check after marking: a change (or Close) between the first
		// attempt and the mark would otherwise go unseen.
		if o := try(); o != notYet {
			return o.err()
		}
		if err := sig.Wait(ctx); err != nil {
			return err
		}
	}
}

// err is the error await returns for a final outcome.
func (o outcome) err() error {
	if o == closed {
		return ErrClosed
	}
	return nil
}
