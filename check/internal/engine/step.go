package engine

import (
	"fmt"
	"runtime"
)

// Step is called by the running goroutine g once g.Pending describes its
// next visible operation. It returns when g has been chosen to perform it,
// or when a partner completed it (Pending().Done).
func (e *Engine) Step(g *G) {
	g.hasPend = true
	if r := g.returnTo; r != nil {
		g.returnTo = nil
		e.setCur(r)
		r.wake <- struct{}{}
		e.park(g)
		return
	}
	e.schedule(g)
}

// schedule lets the running goroutine g, which has either posted its next
// operation or finished, hand the turn to whoever the strategy picks.
func (e *Engine) schedule(g *G) {
	next := e.decide()
	if e.resumedSelf {
		e.resumedSelf = false
		return
	}
	if next == nil {
		if !e.aborting.Load() {
			e.endExecution()
		}
		if !g.done {
			runtime.Goexit()
		}
		return
	}
	if e.beginEvent(next) {
		return
	}
	if next == g {
		return
	}
	e.setCur(next)
	next.wake <- struct{}{}
	if g.done {
		return
	}
	e.park(g)
}

// Complete finishes the pending operation of partner, which a rendezvous by
// the running goroutine g has just performed, and lets partner run up to its
// next visible operation before g continues.
func (e *Engine) Complete(g, partner *G) {
	partner.pend.Done = true
	partner.hasPend = false
	// The operation may be a timer's firing that the deciding goroutine
	// performs: the partner synchronizes with the timer, not with it.
	src := g
	if e.acting != nil {
		src = e.acting
	}
	if partner == g {
		// A timer fired for the goroutine that is deciding who runs next:
		// it just goes on (see schedule).
		partner.vc.join(src.vc)
		e.resumedSelf = true
		return
	}
	if e.por != nil {
		e.por.joinInto(g, partner)
	}
	partner.vc.join(src.vc)
	src.vc.join(partner.vc)
	partner.returnTo = g
	e.setCur(partner)
	partner.wake <- struct{}{}
	e.park(g)
	e.setCur(g)
}

// decide returns the goroutine to run next, performing the events of
// pseudo-goroutines (timers, the clock) itself and advancing virtual time
// when nobody can run, or nil when the execution is over.
func (e *Engine) decide() *G {
	e.closeEvent()
	e.watchScope()
	for !e.aborting.Load() {
		if e.leakDue() {
			e.fail = &Fail{KindLeak, e.leakMessage(e.liveReal())}
			return nil
		}
		en, yielders := e.enabled()
		if en.empty() || e.onlyYielding(en) {
			// Nothing can run: the clock jumps to the next deadline. Only
			// goroutines that yield can run: the clock jumps once they
			// have spun maxSpins times with nothing written meanwhile (a
			// spin that waits for time to pass gets it), not before: a
			// bounded spin before parking (a pool's worker looking for
			// work) ends first, as in the microseconds it takes on a
			// machine, and a guard timer does not fire in between.
			if (en.empty() && yielders.empty()) || e.spins >= maxSpins {
				if e.advanceTime() {
					e.spins = 0
					continue
				}
			}
			if en.empty() {
				// Only spinning goroutines can run: let them.
				if en = yielders; en.empty() {
					return nil
				}
			}
			e.spins++
		}
		id := e.pick(en, yielders)
		if id < 0 {
			return nil
		}
		next := e.gs[id]
		if !next.pseudo {
			e.quiet = 0
			return next
		}
		if e.runPseudo(next) {
			return nil
		}
		if e.resumedSelf {
			return nil
		}
	}
	return nil
}

// enabled returns who can run. A goroutine that yielded (Gosched,
// Sleep(0)) can run, as on a real machine, but the natural schedule runs
// the others first (see natural). A spin-wait round (KSpin) runs again
// only when nothing else can (yielders): the exploration need not try
// every point at which a spinner could come back.
func (e *Engine) enabled() (m, yielders gset) {
	for _, g := range e.live {
		if !g.hasPend {
			continue
		}
		if g.pend.Kind == KSpin {
			yielders.add(g.ID)
			continue
		}
		if g.pend.enabled(e, g) {
			m.add(g.ID)
		}
	}
	return m, yielders
}

// decision is what a strategy knows about the point it decides at.
type decision struct {
	last        int  // the real goroutine that ran last, -1 at the start
	lastEnabled bool // it can run again: switching away is a preemption
	free        bool // its time slice is over: switching away is free
	// yielders are goroutines that yielded and wait for the others to
	// step: a strategy that must not run what en offers (sleep sets) runs
	// one of them, since a yield is fairness, not a real block.
	yielders gset
}

// pick asks the strategy who runs next among en, and keeps the books:
// preemptions, the time slice, and the trail that a replay token encodes.
func (e *Engine) pick(en, yielders gset) int {
	d := decision{last: e.lastG, lastEnabled: e.lastG >= 0 && en.has(e.lastG), free: e.sliceOver(), yielders: yielders}
	id := e.sched.pick(e, en, d)
	if id < 0 {
		return -1
	}
	if !e.gs[id].pseudo {
		if d.lastEnabled && costsPreemption(e, e.lastG, true, d.free, id) {
			e.preempt++
		}
		if id != e.lastG {
			e.sliceStart = e.now
		}
		e.lastG = id
	}
	t := int32(id + 1)
	if id == e.lastPick {
		t = 0
	}
	e.trail = append(e.trail, t)
	e.lastPick = id
	return id
}

// sliceOver reports whether the last goroutine has run for a whole time
// slice: like the Go runtime's preemption of a goroutine that runs too
// long, switching away from it then costs no preemption, so a goroutine
// that spins waiting for another cannot starve it under a preemption bound.
func (e *Engine) sliceOver() bool {
	return e.cfg.TimeSlice > 0 && e.lastG >= 0 && e.now-e.sliceStart >= e.cfg.TimeSlice
}

// choose picks one of n alternatives (select cases, rendezvous partners)
// and records it in the trail.
func (e *Engine) choose(g *G, n int) int {
	k := e.sched.choose(e, n)
	if k < 0 || k >= n {
		nondet(e, fmt.Sprintf("step %d: no alternative %d of %d", e.execSteps, k, n))
		e.stop(true)
	}
	e.trail = append(e.trail, int32(k))
	return k
}

// beginEvent starts g's pending operation as the next event: the step
// counts, the virtual clock moves by the step cost. It reports whether the
// execution ended instead (the step limit).
func (e *Engine) beginEvent(g *G) bool {
	if g.pend.Write {
		e.spins = 0 // a spinning goroutine may now see something new
	}
	e.steps++
	e.execSteps++
	e.progress.Add(1)
	e.now += e.cfg.StepCost
	g.hasPend = false
	if e.por != nil {
		e.por.beginEvent(e, g)
	}
	if e.execSteps > e.cfg.MaxSteps {
		e.hitLimit(e.cur, LimitSteps, fmt.Sprintf("more than %d steps in one execution", e.cfg.MaxSteps))
		return true
	}
	return false
}

func (e *Engine) closeEvent() {
	if e.por != nil {
		e.por.closeEvent(e)
	}
}

// clockOf returns g's DPOR clock including an event it is in the middle of.
func (e *Engine) clockOf(g *G) VC {
	if e.por != nil {
		return e.por.clockOf(g)
	}
	return g.dc
}

// liveReal returns the live real goroutines, by ID.
func (e *Engine) liveReal() []*G {
	var gs []*G
	for _, g := range e.gs {
		if !g.done && !g.pseudo && !g.daemon {
			gs = append(gs, g)
		}
	}
	return gs
}

// leakDue reports whether the body returned and goroutines have outlived it
// by more than the grace period (still running, or waiting on timers).
func (e *Engine) leakDue() bool {
	return e.mainDone >= 0 && e.outliving() > 0 && e.now-e.mainDone > e.cfg.LeakGrace
}

// outliving is the number of live goroutines that must end with the body:
// the real ones but daemons.
func (e *Engine) outliving() int { return e.nreal - e.ndaemon }

// timedOut returns the goroutines waiting only for the clock: sleeping, or
// timers not yet due.
func (e *Engine) timedOut() gset {
	var s gset
	for _, g := range e.live {
		if g.hasPend && (g.pend.Kind == KSleep || g.pend.Kind == KFire) && g.pend.Until > e.now {
			s.add(g.ID)
		}
	}
	return s
}

// Choose returns one of n alternatives (0 <= k < n) for g, a choice the
// exploration tries each of (a small random number: rand.Intn(2)).
func (e *Engine) Choose(g *G, n int) int {
	if n <= 1 {
		return 0
	}
	return e.choose(g, n)
}

// maxSpins is how many yields goroutines that only yield take before the
// clock jumps to the next deadline (see decide).
const maxSpins = 256

// onlyYielding reports whether every goroutine in en is yielding (Gosched,
// Sleep(0)).
func (e *Engine) onlyYielding(en gset) bool {
	for id := en.lowest(); id >= 0; id = en.next(id) {
		if g := e.gs[id]; g.pseudo || g.pend.Kind != KYield {
			return false
		}
	}
	return true
}
