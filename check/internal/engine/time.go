package engine

import (
	"fmt"
	"time"
)

// Virtual time. Every step costs Config.StepCost, so spinning and long
// computations move the clock; a sleeping goroutine becomes runnable when
// the clock reaches its deadline; a timer is a pseudo-goroutine whose one
// event (KFire) becomes runnable at its deadline and is run before any
// other goroutine (timers fire as soon as they are due, as the runtime's
// do). When nothing can run, the clock jumps to the next deadline. While
// some goroutine is about to make a call the checker does not control
// (KExternal), the call's duration is unknown, so the clock's own
// pseudo-goroutine (KTick) may jump to the next deadline first: exploring
// both orders finds the timeout that beats the call.

// Sleep blocks g until the virtual clock reaches now+d; d <= 0 yields.
func (e *Engine) Sleep(g *G, d int64, text string) {
	if d > 0 && e.cfg.MaxDelay > 0 {
		e.ensureClock()
	}
	p := e.begin(g, nil, KSleep, false)
	p.Until = e.now + d
	if d <= 0 {
		p.Kind, p.Until = KYield, int64(e.execSteps)
	}
	if e.rec != nil {
		// Recorded where the goroutine starts to wait, like a blocking
		// channel operation: what others do meanwhile comes after.
		e.rec.step(g, text)
	}
	e.Step(g)
}

// timer is a one-shot or periodic timer. Its pending firing is the event of
// a pseudo-goroutine (g), created when it is armed.
type timer struct {
	Object
	TimerOpts
	g *G // the pseudo-goroutine of the pending firing, nil when stopped
}

func (t *timer) base() *Object                            { return &t.Object }
func (t *timer) enabled(e *Engine, g *G, p *Pending) bool { return true }

// TimerOpts configure AddTimer: what a timer does when it fires.
type TimerOpts struct {
	Name   string              // label in traces ("time.After(1s)", "ctx deadline")
	Chan   *Chan               // a buffered channel to send Value's value on
	Value  func(now int64) any // the value sent on Chan
	Action func(g *G)          // an action run inside the firing, g holding the turn (a context's cancel)
	Spawn  func()              // a function run in a new goroutine (AfterFunc)
	Period int64               // re-arm every Period after each firing (a ticker)
}

// AddTimer arms a timer that fires d from now on g's behalf and returns a
// handle for StopTimer and ResetTimer.
func (e *Engine) AddTimer(g *G, d int64, o TimerOpts) any {
	t := &timer{TimerOpts: o}
	if t.Chan != nil {
		e.ch(t.Chan)
	}
	e.touch(&t.Object, "timer")
	t.Object.Name = o.Name
	e.arm(g, t, d)
	return t
}

// arm creates the pseudo-goroutine whose event fires t at now+d.
func (e *Engine) arm(g *G, t *timer, d int64) {
	if e.cfg.MaxDelay > 0 {
		e.ensureClock()
	}
	name := t.TimerOpts.Name
	if name == "" {
		name = "timer"
	}
	p := e.timerG(name, g) // timers are not numbered: their slots are reused
	p.pend.Until = e.now + max(d, 0)
	p.pend.obj = t
	p.pend.Write = true
	p.timer = t
	t.g = p
}

// timerG returns a pseudo-goroutine for a timer's firing, reusing the slot
// of a timer that fired or was stopped: a loop that arms a timer each
// round would otherwise grow every vector clock by one entry a round. The
// slot's event count goes on from its last occupant's, and its clocks
// say so, so the occupants are ordered one after the other.
func (e *Engine) timerG(name string, parent *G) *G {
	if len(e.freeTimers) == 0 {
		return e.newPseudo(name, parent, KFire)
	}
	id := e.freeTimers[len(e.freeTimers)-1]
	e.freeTimers = e.freeTimers[:len(e.freeTimers)-1]
	p := e.gs[id]
	nev, own := p.nev, p.vc.get(id)
	dc, vc := p.dc[:0], p.vc[:0]
	p.gp.Store(0)
	*p = G{e: e, ID: id, Name: name, wake: p.wake, parent: parent.ID, dc: dc, vc: vc, waitSeq: p.waitSeq, pseudo: true, nev: nev}
	p.dc.copyFrom(e.clockOf(parent))
	p.dc.set(id, max(p.dc.get(id), uint32(nev)))
	p.vc.copyFrom(parent.vc)
	parent.vc.tick(parent.ID)
	p.vc.set(id, max(p.vc.get(id), own)+1)
	p.pend = Pending{Kind: KFire}
	p.hasPend = true
	p.liveIdx = len(e.live)
	e.live = append(e.live, p)
	e.sched.spawned(e, p)
	return p
}

// disarm kills t's pending firing; it reports whether one was pending.
func (e *Engine) disarm(t *timer) bool {
	p := t.g
	if p == nil || p.done {
		return false
	}
	t.g = nil
	p.done, p.hasPend = true, false
	e.dropLive(p)
	e.freeTimers = append(e.freeTimers, p.ID)
	return true
}

// StopTimer cancels a timer for g and, as Go 1.23's timers do, drops a
// value it already sent that nobody received; it reports whether the timer
// was still pending. It is a scheduling point on the timer.
func (e *Engine) StopTimer(g *G, h any, text string) bool {
	t, ok := h.(*timer)
	if !ok || t.epoch != e.epoch {
		return false // a timer of another execution
	}
	e.timerStep(g, t)
	if e.rec != nil {
		e.rec.step(g, text)
	}
	return e.disarm(t)
}

// timerStep is the scheduling point of Stop and Reset: an access to the
// timer and its channel, whose stale value it drops.
func (e *Engine) timerStep(g *G, t *timer) {
	e.touch(&t.Object, "timer")
	e.begin(g, t, KTimer, true)
	e.Step(g)
	e.access(&t.Object, true)
	if c := t.Chan; c != nil {
		e.ch(c)
		e.access(&c.Object, true)
		for c.n > 0 {
			c.pop(g)
		}
	}
}

// ResetTimer stops a timer and arms it again for d from now.
func (e *Engine) ResetTimer(g *G, h any, d int64, text string) bool {
	t, ok := h.(*timer)
	if !ok || t.epoch != e.epoch {
		return false
	}
	e.timerStep(g, t)
	if e.rec != nil {
		e.rec.step(g, text)
	}
	active := e.disarm(t)
	e.arm(g, t, d)
	return active
}

// runPseudo performs the event of a timer or of the clock, in the
// deciding goroutine. It reports whether the execution ended.
func (e *Engine) runPseudo(p *G) bool {
	if e.beginEvent(p) {
		return true
	}
	e.quiet++
	if e.quiet > 100000 {
		// Only timers fire, forever (tickers nobody reads): no goroutine
		// can make progress.
		e.fail = &Fail{KindDeadlock, "only timers fire: no goroutine can run" + e.blockedList(e.liveReal())}
		return true
	}
	e.acting = p
	switch p.pend.Kind {
	case KFire:
		e.fire(p)
	case KTick:
		e.tick1(p)
	}
	e.acting = nil
	e.closeEvent()
	return e.aborting.Load()
}

// fire performs a timer's firing: a value on its channel (dropped when the
// buffer is full, as a ticker drops ticks), or its action.
func (e *Engine) fire(p *G) {
	t := p.timer
	e.access(&t.Object, true)
	if t.Period > 0 {
		p.pend.Until += t.Period
		p.hasPend = true
	} else {
		t.g = nil
		p.done = true
		e.dropLive(p)
		e.freeTimers = append(e.freeTimers, p.ID)
	}
	if e.rec != nil {
		e.rec.step(p, fmt.Sprintf("fires at %v", fmtDur(e.now)))
	}
	if t.Action != nil {
		t.Action(e.cur)
	}
	if t.Spawn != nil {
		e.Go(p, t.TimerOpts.Name, true, t.Spawn)
	}
	c := t.Chan
	if c == nil || c.closed || t.Value == nil {
		return
	}
	v := t.Value(e.now)
	e.access(&c.Object, true)
	if r, ok := first(&c.recvq); ok {
		dequeue(&c.recvq)
		e.deliver(e.cur, r, v, true)
	} else if c.n < c.Cap {
		c.push(v, p.vc)
	}
}

// advanceTime moves the virtual clock to the next deadline when nobody can
// run and reports whether it did. The advance is a barrier: every event
// before it happens before every event after it, since it can only occur
// once every goroutine is blocked.
func (e *Engine) advanceTime() bool {
	next, ok := e.nextDeadline()
	if !ok {
		return false
	}
	if e.mainDone >= 0 && e.outliving() > 0 && next > e.mainDone+e.cfg.LeakGrace {
		// The body returned; goroutines wait on time beyond the grace
		// period: a leak, reported at the end of the grace period.
		e.now = max(e.now, e.mainDone+e.cfg.LeakGrace+1)
		return true
	}
	e.now = max(e.now, next)
	if e.por != nil {
		e.por.barrier(e)
	}
	return true
}

// nextDeadline returns the earliest future deadline of a sleeping
// goroutine or a timer.
func (e *Engine) nextDeadline() (int64, bool) {
	next, ok := int64(0), false
	for _, g := range e.live {
		if !g.hasPend || (g.pend.Kind != KSleep && g.pend.Kind != KFire) || g.pend.Until <= e.now {
			continue
		}
		if !ok || g.pend.Until < next {
			next, ok = g.pend.Until, true
		}
	}
	return next, ok
}

// Spin makes g's next step a round of a spin-wait loop: g runs again
// only when no other goroutine can run.
func (e *Engine) Spin(g *G) {
	e.begin(g, nil, KSpin, false)
	if e.rec != nil {
		e.rec.step(g, "spin")
	}
	e.Step(g)
}

// External makes g's next step a call into code the checker does not
// control (what names it). When g is chosen, the caller runs the call while
// holding the turn; until then, other goroutines may run and the clock may
// jump to the next deadline, since the call's duration is unknown.
func (e *Engine) External(g *G, what string) {
	e.ensureClock()
	p := e.begin(g, &e.clockObj, KExternal, true)
	p.Text = what
	e.Step(g)
	e.access(&e.clockObj.Object, true)
	if e.rec != nil {
		e.rec.step(g, what)
	}
}

// ensureClock creates the clock's pseudo-goroutine, whose event (KTick)
// jumps to the next deadline while goroutines could still run.
func (e *Engine) ensureClock() {
	if e.clockG != nil {
		return
	}
	e.touch(&e.clockObj.Object, "clock")
	e.clockObj.Name = "clock"
	e.clockG = e.newPseudo("clock", nil, KTick)
	e.clockG.pend.obj = &e.clockObj
	e.clockG.pend.Write = true
}

// tickEnabled: the clock may jump while a goroutine is about to make an
// external call and something waits for time at most ExternalTime ahead
// (a guard around the whole test does not fire during a file read); or,
// with a delay bound, once
// per execution while some goroutine could run, to a deadline at most
// MaxDelay ahead.
func (e *Engine) tickEnabled() bool {
	next, ok := e.nextDeadline()
	if !ok {
		return false
	}
	if e.externalPending() && next-e.now <= e.cfg.ExternalTime {
		return true
	}
	return e.cfg.MaxDelay > 0 && e.delayed == 0 && next-e.now <= e.cfg.MaxDelay && e.realRunnable()
}

// externalPending reports whether a goroutine is about to make an
// external call.
func (e *Engine) externalPending() bool {
	for _, g := range e.live {
		if g.hasPend && g.pend.Kind == KExternal {
			return true
		}
	}
	return false
}

// realRunnable reports whether a real goroutine can run now.
func (e *Engine) realRunnable() bool {
	for _, g := range e.live {
		if !g.pseudo && g.hasPend && g.pend.Kind != KSpin && g.pend.enabled(e, g) {
			return true
		}
	}
	return false
}

// tick1 performs the clock's event: the jump to the next deadline.
func (e *Engine) tick1(p *G) {
	next, ok := e.nextDeadline()
	p.hasPend = true // the clock never finishes
	e.access(&e.clockObj.Object, true)
	if !ok {
		return
	}
	why := "during an external call"
	if !e.externalPending() {
		e.delayed = max(next-e.now, 1)
		why = fmt.Sprintf("runnable goroutines descheduled for %v", time.Duration(e.delayed))
	}
	e.now = max(e.now, next)
	if e.rec != nil {
		e.rec.step(p, fmt.Sprintf("time passes to %v (%s)", fmtDur(e.now), why))
	}
}

// fmtDur prints virtual time since the epoch.
func fmtDur(ns int64) string { return time.Duration(ns).String() }

// ResetTicker stops a ticker and arms it again with period d.
func (e *Engine) ResetTicker(g *G, h any, d int64, text string) {
	if t, ok := h.(*timer); ok && t.epoch == e.epoch {
		t.Period = d
		e.ResetTimer(g, h, d, text)
	}
}

// CancelTimer disarms a timer inside an operation that already holds the
// turn (a context's cancel stops its deadline); it reports whether the
// timer was pending.
func (e *Engine) CancelTimer(h any) bool {
	if t, ok := h.(*timer); ok && t.epoch == e.epoch {
		return e.disarm(t)
	}
	return false
}
