package sync

import (
	stdsync "sync"
	"sync/atomic"

	"github.com/labludus/ludus/check/internal/engine"
)

// Cond is a condition variable, as sync.Cond. L is held while observing or
// changing the condition.
type Cond struct {
	m    engine.Cond
	L    Locker
	real atomic.Pointer[stdsync.Cond]
}

// NewCond returns a new Cond with Locker l.
func NewCond(l Locker) *Cond { return &Cond{L: l} }

func (c *Cond) std() *stdsync.Cond {
	if r := c.real.Load(); r != nil {
		return r
	}
	c.real.CompareAndSwap(nil, stdsync.NewCond(c.L))
	return c.real.Load()
}

// Wait atomically unlocks c.L and suspends the goroutine; after a Signal
// or Broadcast wakes it, it locks c.L again before returning. As with
// sync.Cond, call it in a loop that rechecks the condition.
func (c *Cond) Wait() {
	if engine.Active() {
		if g := engine.Enter(&c.m.Object, "Cond.Wait"); g != nil {
			e := g.Engine()
			t := e.CondAdd(g, &c.m)
			c.L.Unlock()
			e.CondWait(g, &c.m, t)
			c.L.Lock()
			return
		}
	}
	c.std().Wait()
}

// Signal wakes one goroutine waiting on c, if there is any.
func (c *Cond) Signal() {
	if engine.Active() {
		if g := engine.Enter(&c.m.Object, "Cond.Signal"); g != nil {
			g.Engine().CondSignal(g, &c.m, false)
			return
		}
	}
	c.std().Signal()
}

// Broadcast wakes all goroutines waiting on c.
func (c *Cond) Broadcast() {
	if engine.Active() {
		if g := engine.Enter(&c.m.Object, "Cond.Broadcast"); g != nil {
			g.Engine().CondSignal(g, &c.m, true)
			return
		}
	}
	c.std().Broadcast()
}
