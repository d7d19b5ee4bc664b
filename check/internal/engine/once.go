package engine

// Once models sync.Once.
type Once struct {
	Object
	done    bool // f has returned
	running int  // the goroutine running f, -1
}

func (o *Once) base() *Object { return &o.Object }
func (o *Once) enabled(e *Engine, g *G, p *Pending) bool {
	return p.Kind != KOnce || o.running < 0
}

// OnceDo runs f once per execution, like sync.Once.Do.
func (e *Engine) OnceDo(g *G, o *Once, f func()) {
	if e.touch(&o.Object, "once") {
		o.done, o.running = false, -1
	}
	e.begin(g, o, KOnce, true)
	e.Step(g)
	e.access(&o.Object, true)
	if o.done {
		g.vc.join(o.vc)
		e.recordf(g, "%s.Do() (already done)", e.label(g, &o.Object))
		return
	}
	e.recordf(g, "%s.Do() runs f", e.label(g, &o.Object))
	o.running = g.ID
	defer func() {
		if e.aborting.Load() {
			return
		}
		e.begin(g, o, KOnceEnd, true)
		e.Step(g)
		e.accessMode(&o.Object, accRelease) // ends the wait of the others: races with no Do
		o.running, o.done = -1, true
		o.vc.join(g.vc)
		g.vc.tick(g.ID)
		e.recordf(g, "%s.Do() returns", e.label(g, &o.Object))
	}()
	f()
}
