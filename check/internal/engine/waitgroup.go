package engine

import "fmt"

// WaitGroup models sync.WaitGroup.
type WaitGroup struct {
	Object
	n      int64   // the counter
	period []int32 // events of the Adds since the counter was last zero (DPOR)
}

func (w *WaitGroup) base() *Object { return &w.Object }
func (w *WaitGroup) enabled(e *Engine, g *G, p *Pending) bool {
	return p.Kind != KWGWait || w.n == 0
}

func (e *Engine) wg(w *WaitGroup) {
	if e.touch(&w.Object, "waitgroup") {
		w.n = 0
		w.period = w.period[:0]
		w.state = func() string { return fmt.Sprintf("counter %d", w.n) }
	}
}

// WGAdd adds delta to the counter.
func (e *Engine) WGAdd(g *G, w *WaitGroup, delta int) {
	e.wg(w)
	e.begin(g, w, KWGAdd, true)
	e.Step(g)
	// An Add races with the Waits it can make block and (as an attempt)
	// with later Dones, which would otherwise drive the counter negative;
	// a Done only orders the Waits after it. Wait races with every Add of
	// the current non-zero period, since it could have run before any.
	if delta > 0 {
		e.access(&w.Object, true)
		if w.n == 0 {
			w.period = w.period[:0]
		}
		if e.por != nil {
			if k := e.por.current(); k >= 0 {
				w.period = append(w.period, k)
				w.tries = append(w.tries, k)
			}
		}
	} else {
		e.accessMode(&w.Object, accRelease)
	}
	w.n += int64(delta)
	if delta == -1 {
		e.recordf(g, "%s.Done()", e.label(g, &w.Object))
	} else {
		e.recordf(g, "%s.Add(%d)", e.label(g, &w.Object), delta)
	}
	w.vc.join(g.vc)
	g.vc.tick(g.ID)
	if w.n < 0 {
		panic("sync: negative WaitGroup counter")
	}
}

// WGWait waits for the counter to reach zero.
func (e *Engine) WGWait(g *G, w *WaitGroup) {
	e.wg(w)
	e.begin(g, w, KWGWait, false)
	e.Step(g)
	e.access(&w.Object, false)
	if e.por != nil {
		for _, k := range w.period {
			e.por.depEvent(e, k)
		}
	}
	g.vc.join(w.vc)
	e.recordf(g, "%s.Wait()", e.label(g, &w.Object))
}
