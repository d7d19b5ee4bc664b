package check

import (
	"fmt"
	"runtime"
	"time"

	"github.com/labludus/ludus/check/internal/engine"
)

// Epoch is the virtual time at which every execution starts.
var Epoch = engine.Epoch

// Sleep pauses the calling goroutine for d. In an exploration the clock is
// virtual: it advances only when no goroutine can run, straight to the next
// deadline, so a test that sleeps an hour runs instantly. Sleep(0) (or
// less) yields like runtime.Gosched, fairly: the goroutine runs again only
// after another goroutine took a step, or when nothing else can run (time
// advances first), so a spin loop that yields cannot starve the goroutine
// it waits for. Outside an exploration it is time.Sleep.
func Sleep(d time.Duration) {
	if engine.Active() {
		if g := engine.Current(); g != nil {
			e := g.Engine()
			text := ""
			if e.Recording() {
				text = fmt.Sprintf("Sleep(%v)", d)
			}
			e.Sleep(g, int64(d), text)
			return
		}
	}
	time.Sleep(d)
}

// Spin marks one round of a spin-wait loop (a retry that waits for
// another goroutine to act): in an exploration the goroutine runs again
// only when no other goroutine can run (or when time passes), the fairness
// a spinning goroutine gets from a real scheduler, without the
// exploration trying every point at which it could come back. Outside an
// exploration it is runtime.Gosched.
func Spin() {
	if engine.Active() {
		if g := engine.Current(); g != nil {
			g.Engine().Spin(g)
			return
		}
	}
	runtime.Gosched()
}

// Now returns the current time: virtual (Epoch plus the virtual time
// elapsed) in an exploration, time.Now outside.
func Now() time.Time {
	if engine.Active() {
		if g := engine.Current(); g != nil {
			return Epoch.Add(time.Duration(g.Engine().Now()))
		}
	}
	return time.Now()
}

// After returns a channel (capacity 1) that receives the current time once
// d has elapsed, like time.After; in an exploration on the virtual clock.
func After(d time.Duration) *Chan[time.Time] {
	return NewTimer(d).C
}

// Timer is time.Timer on the checker's clock.
type Timer struct {
	C *Chan[time.Time]
	h any
	t *time.Timer
}

// NewTimer returns a timer that sends the current time on C after d.
func NewTimer(d time.Duration) *Timer {
	c := NewChan[time.Time]("timer", 1)
	t := &Timer{C: c}
	if engine.Active() {
		if g := engine.Current(); g != nil {
			c.name = fmt.Sprintf("After(%v)", d)
			c.m.Name = c.name
			t.h = g.Engine().AddTimer(g, int64(d), engine.TimerOpts{Name: c.name, Chan: &c.m,
				Value: func(now int64) any { return Epoch.Add(time.Duration(now)) }})
			return t
		}
	}
	t.t = time.AfterFunc(d, func() {
		select {
		case c.real <- time.Now():
		default:
		}
	})
	return t
}

// Stop prevents the timer from firing; it reports whether it was pending.
// As with Go 1.23's timers, no stale value is received from C after Stop.
func (t *Timer) Stop() bool {
	if t.t != nil {
		ok := t.t.Stop()
		select { // drop a value sent before Stop, as time.Timer does
		case <-t.C.real:
		default:
		}
		return ok
	}
	if engine.Active() {
		if g := engine.Current(); g != nil {
			return g.Engine().StopTimer(g, t.h, t.C.name+".Stop()")
		}
	}
	return false
}

// Reset makes the timer fire after d from now (stopping it first, and
// dropping a value not received yet); it reports whether it was pending.
func (t *Timer) Reset(d time.Duration) bool {
	if t.t != nil {
		ok := t.Stop()
		t.t.Reset(d)
		return ok
	}
	if engine.Active() {
		if g := engine.Current(); g != nil {
			return g.Engine().ResetTimer(g, t.h, int64(d), fmt.Sprintf("%s.Reset(%v)", t.C.name, d))
		}
	}
	return false
}
