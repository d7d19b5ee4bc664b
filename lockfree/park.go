package lockfree

import (
	"context"

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

// parking lets goroutines sleep until a condition they cannot see in the
// lock-free state may have changed, without lost wake-ups and with
// cancellation by context.
//
// Protocol (an event count): a waiter first registers (waiters.Add), then
// captures the current generation channel, then re-checks its condition, and
// only then sleeps on the channel. A notifier first changes the state (with an
// atomic store), then loads waiters; if nobody is registered it returns at the
// cost of one load. Both sides use sequentially consistent atomics, so either
// the waiter's re-check sees the new state or the notifier sees the waiter
// and closes the channel the waiter captured (or a later one, in which case
// the mutex ordered the state change before the capture and so before the
// re-check). Closing wakes every sleeper: each re-checks and the losers sleep
// again, which is correct for any number of producers and consumers.
type parking struct {
	waiters atomics.Int32
	mu      atomics.Mutex
	ch      *atomics.Signal // nil until a waiter registers
}

// register announces a waiter and returns the channel to sleep on. The caller
// must re-check its condition after register and call unregister when done.
func (p *parking) register() *atomics.Signal {
	p.waiters.Add(1)
	p.mu.Lock()
	if p.ch == nil {
		p.ch = atomics.NewSignal()
	}
	ch := p.ch
	p.mu.Unlock()
	return ch
}

func (p *parking) unregister() { p.waiters.Add(-1) }

// notify wakes every registered waiter. It is one atomic load (inlined)
// when there are none.
func (p *parking) notify() {
	if p.waiters.Load() != 0 {
		p.wake()
	}
}

func (p *parking) wake() {
	p.mu.Lock()
	if p.ch != nil {
		p.ch.Fire()
		p.ch = nil
	}
	p.mu.Unlock()
}

// await runs try until it succeeds: first a short spin, then parked on p
// between attempts. It returns ctx's error if ctx ends first; try is never
// running when await returns, so an operation either happened (nil error) or
// did not (non-nil error).
func await(ctx context.Context, p *parking, try func() bool) error {
	for range spinTries {
		if try() {
			return nil
		}
		atomics.Yield()
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		sig := p.register()
		if try() {
			p.unregister()
			return nil
		}
		err := sig.Wait(ctx)
		p.unregister()
		if err != nil {
			return err
		}
	}
}
