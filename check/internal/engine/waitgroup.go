package engine

import "fmt"

// WaitGroup models sync.WaitGroup.
type WaitGroup struct {
	Object
	n       int64   // the counter
	period  []wgAdd // the Adds since the counter was last zero (DPOR)
	waiting int     // Waits blocked now
	// sh races the first Add of a period (a read, as the Go race detector
	// models it: several can start a period together) with a Wait that
	// blocks first (a write): "calls with a positive delta that occur
	// when the counter is zero must happen before a Wait".
	sh shadow
}

// wgAdd is an Add of the current period: its event and its delta.
type wgAdd struct {
	k     int32 // the Add's event (DPOR)
	delta int64 // what it added
}

func (w *WaitGroup) base() *Object { return &w.Object }
func (w *WaitGroup) enabled(e *Engine, g *G, p *Pending) bool {
	return p.Kind != KWGWait || w.n == 0
}

func (e *Engine) wg(w *WaitGroup) {
	if e.touch(&w.Object, "waitgroup") {
		w.n, w.waiting = 0, 0
		w.period = w.period[:0]
		w.sh.reset(e.epoch)
		w.state = func() string { return fmt.Sprintf("counter %d", w.n) }
	}
}

// WGAdd adds delta to the counter.
//
// For DPOR, Adds commute with each other (the counter's value does not
// depend on their order), and a Done commutes with an Add unless, without
// that Add, the Done would have driven the counter negative (a panic). A
// Wait races with every Add of the period, since it could have run before
// any; that race, not the Done's, explores a Wait that passes while Adds
// are still to come. Without this, n goroutines started under one
// WaitGroup would be n! schedules.
func (e *Engine) WGAdd(g *G, w *WaitGroup, delta int) {
	e.wg(w)
	p := e.begin(g, w, KWGAdd, true)
	p.Commute = delta > 0
	e.Step(g)
	first := delta > 0 && w.n == 0
	if delta > 0 {
		e.accessMode(&w.Object, accCommute)
		if w.n == 0 {
			w.period = w.period[:0]
		}
		if e.por != nil {
			if k := e.por.current(); k >= 0 {
				w.period = append(w.period, wgAdd{k, int64(delta)})
			}
		}
	} else {
		e.accessMode(&w.Object, accRelease)
		if e.por != nil {
			after := w.n + int64(delta)
			for _, a := range w.period {
				if after-a.delta < 0 {
					e.por.depEvent(e, a.k)
				}
			}
		}
	}
	w.n += int64(delta)
	if delta == -1 {
		e.recordf(g, "%s.Done()", e.label(g, &w.Object))
	} else {
		e.recordf(g, "%s.Add(%d)", e.label(g, &w.Object), delta)
	}
	w.vc.join(g.vc)
	if first {
		e.syncRace(g, &w.sh, false, &w.Object, "Add (from zero)")
	}
	g.vc.tick(g.ID)
	if w.n < 0 {
		panic("sync: negative WaitGroup counter")
	}
}

// syncRace checks an access of a synchronization object's internal state
// (sh) that the Go memory model requires to be ordered, and reports the
// race; the current step's trace line describes it.
func (e *Engine) syncRace(g *G, sh *shadow, write bool, o *Object, what string) {
	if !e.cfg.DataRaces {
		return
	}
	mark := e.nextMark()
	if e.rec != nil && len(e.rec.steps) > 0 {
		if e.rec.marks == nil {
			e.rec.marks = map[int32]int{}
		}
		e.rec.marks[mark] = len(e.rec.steps) - 1
	}
	if other, om := sh.check(g, write, mark); other >= 0 {
		e.failNow(g, KindDataRace, e.raceMessage(e.label(g, o), int(other), om, g, mark)+
			" (sync.WaitGroup: an Add that starts from zero must happen before Wait)", true)
	}
}

// WGWait waits for the counter to reach zero.
func (e *Engine) WGWait(g *G, w *WaitGroup) {
	e.wg(w)
	e.begin(g, w, KWGWait, false)
	blocks := w.n != 0
	if blocks {
		// Recorded where it starts to wait, like a blocking receive: the
		// Dones it waits for come after it in the trace.
		e.recordf(g, "%s.Wait() blocks (counter %d)", e.label(g, &w.Object), w.n)
		if w.waiting == 0 {
			// The first waiter, with the clock it began to block with,
			// before it acquires the Dones', as the race detector sees it.
			e.syncRace(g, &w.sh, true, &w.Object, "Wait")
		}
		w.waiting++
	}
	e.Step(g)
	if blocks {
		w.waiting--
	}
	e.access(&w.Object, false)
	if e.por != nil {
		for _, a := range w.period {
			e.por.depEvent(e, a.k)
		}
	}
	if !blocks {
		e.recordf(g, "%s.Wait()", e.label(g, &w.Object))
	}
	g.vc.join(w.vc)
}
