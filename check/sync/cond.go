package sync

import (
	stdsync "sync"
	"sync/atomic"
	"unsafe"

	"github.com/labludus/ludus/check/internal/engine"
)

// Cond is a condition variable, as sync.Cond. L is held while observing or
// changing the condition.
type Cond struct {
	st   engine.Lazy[engine.Cond]
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
		if g := engine.Enter(engine.BaseOf(c.st.Peek()), "Cond.Wait"); g != nil {
			e := g.Engine()
			t := e.CondAdd(g, c.model())
			c.L.Unlock()
			e.CondWait(g, c.model(), t)
			c.L.Lock()
			return
		}
	}
	c.std().Wait()
}

// Signal wakes one goroutine waiting on c, if there is any.
func (c *Cond) Signal() {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(c.st.Peek()), "Cond.Signal"); g != nil {
			g.Engine().CondSignal(g, c.model(), false)
			return
		}
	}
	c.std().Signal()
}

// Broadcast wakes all goroutines waiting on c.
func (c *Cond) Broadcast() {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(c.st.Peek()), "Cond.Broadcast"); g != nil {
			g.Engine().CondSignal(g, c.model(), true)
			return
		}
	}
	c.std().Broadcast()
}

func (c *Cond) model() *engine.Cond {
	p := c.st.Get()
	if p.Key == 0 {
		p.Key = uintptr(unsafe.Pointer(c))
	}
	return p
}
