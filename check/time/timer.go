package time

import (
	stdtime "time"

	"github.com/labludus/ludus/check/internal/engine"
)

// Timer is time.Timer: a single event, a value on C (or, for AfterFunc,
// a call of f in its own goroutine) when it expires.
type Timer struct {
	C <-chan Time

	std *stdtime.Timer // outside an exploration: the real timer
	h   any            // inside: the engine's timer
	e   *engine.Engine // the engine h belongs to
	doc string         // how traces name it
}

// NewTimer returns a timer that sends the current time on C after d.
func NewTimer(d Duration) *Timer {
	if g := current(); g != nil {
		return newTimer(g, d, 0, "time.NewTimer("+d.String()+")")
	}
	st := stdtime.NewTimer(d)
	return &Timer{C: st.C, std: st}
}

// newTimer makes a timer (a ticker when period > 0) on the engine's clock,
// sending on a buffered channel the engine controls.
func newTimer(g *engine.G, d, period Duration, doc string) *Timer {
	e := g.Engine()
	c := make(chan Time, 1)
	m := e.MakeChan(engine.ChanPtr(c), 1)
	t := &Timer{C: c, e: e, doc: doc}
	t.h = e.AddTimer(g, int64(d), engine.TimerOpts{Name: doc, Chan: m, Period: int64(period),
		Value: func(now int64) any { return engine.Epoch.Add(Duration(now)) }})
	return t
}

// After waits for the duration to elapse and then sends the current time
// on the returned channel.
func After(d Duration) <-chan Time {
	if g := current(); g != nil {
		return newTimer(g, d, 0, "time.After("+d.String()+")").C
	}
	return stdtime.After(d)
}

// AfterFunc waits for the duration to elapse and then calls f in its own
// goroutine (a managed one in an exploration).
func AfterFunc(d Duration, f func()) *Timer {
	if g := current(); g != nil {
		e := g.Engine()
		doc := "time.AfterFunc(" + d.String() + ")"
		t := &Timer{e: e, doc: doc}
		t.h = e.AddTimer(g, int64(d), engine.TimerOpts{Name: doc, Spawn: f})
		return t
	}
	return &Timer{std: stdtime.AfterFunc(d, f)}
}

// Stop prevents the timer from firing; it reports whether the call stopped
// it (false if it had already expired or been stopped). As in Go 1.23, no
// stale value is received from C after Stop.
func (t *Timer) Stop() bool {
	if t.std != nil {
		return t.std.Stop()
	}
	if g := current(); g != nil && g.Engine() == t.e {
		return t.e.StopTimer(g, t.h, t.doc+".Stop()")
	}
	return false
}

// Reset changes the timer to expire after d; it reports whether the timer
// had been active. No stale value is received from C after Reset.
func (t *Timer) Reset(d Duration) bool {
	if t.std != nil {
		return t.std.Reset(d)
	}
	if g := current(); g != nil && g.Engine() == t.e {
		return t.e.ResetTimer(g, t.h, int64(d), t.doc+".Reset("+d.String()+")")
	}
	return false
}

// Ticker is time.Ticker: a value on C every period (ticks a slow reader
// misses are dropped).
type Ticker struct {
	C <-chan Time
	t *Timer
	s *stdtime.Ticker
}

// NewTicker returns a ticker sending the time on C every d; d must be
// positive.
func NewTicker(d Duration) *Ticker {
	if d <= 0 {
		panic("non-positive interval for NewTicker")
	}
	if g := current(); g != nil {
		t := newTimer(g, d, d, "time.NewTicker("+d.String()+")")
		return &Ticker{C: t.C, t: t}
	}
	s := stdtime.NewTicker(d)
	return &Ticker{C: s.C, s: s}
}

// Tick is NewTicker(d).C, or nil for d <= 0.
func Tick(d Duration) <-chan Time {
	if d <= 0 {
		return nil
	}
	return NewTicker(d).C
}

// Stop turns the ticker off.
func (k *Ticker) Stop() {
	if k.s != nil {
		k.s.Stop()
		return
	}
	k.t.Stop()
}

// Reset stops the ticker and resets its period to d; d must be positive.
func (k *Ticker) Reset(d Duration) {
	if d <= 0 {
		panic("non-positive interval for Ticker.Reset")
	}
	if k.s != nil {
		k.s.Reset(d)
		return
	}
	if g := current(); g != nil && g.Engine() == k.t.e {
		k.t.e.ResetTicker(g, k.t.h, int64(d), k.t.doc+".Reset("+d.String()+")")
	}
}
