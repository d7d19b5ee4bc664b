package engine

// Mutex models sync.Mutex.
type Mutex struct {
	Object
	held   bool   // locked
	holder int    // the goroutine holding it, -1 when free
	heldAs string // the expression the holder locked it through (recording only)
}

func (m *Mutex) base() *Object { return &m.Object }
func (m *Mutex) enabled(e *Engine, g *G, p *Pending) bool {
	return p.Kind != KLock || !m.held
}

func (e *Engine) mutex(m *Mutex) {
	if e.touch(&m.Object, "mutex") {
		m.held, m.holder = false, -1
		m.state = func() string {
			if !m.held {
				return "unlocked"
			}
			return "locked by " + e.gs[m.holder].Name
		}
	}
}

// Lock acquires m for g.
func (e *Engine) Lock(g *G, m *Mutex) {
	e.mutex(m)
	e.begin(g, m, KLock, true)
	e.Step(g)
	e.access(&m.Object, true)
	m.held, m.holder = true, g.ID
	g.vc.join(m.vc)
	if e.rec != nil {
		m.heldAs = e.label(g, &m.Object)
		e.rec.step(g, m.heldAs+".Lock()")
	}
}

// TryLock acquires m for g if it is free.
func (e *Engine) TryLock(g *G, m *Mutex) bool {
	e.mutex(m)
	e.begin(g, m, KTryLock, true)
	e.Step(g)
	e.accessMode(&m.Object, accTry)
	ok := !m.held
	if ok {
		m.held, m.holder = true, g.ID
		g.vc.join(m.vc)
		if e.rec != nil {
			m.heldAs = e.label(g, &m.Object)
		}
	}
	e.recordf(g, "%s.TryLock() -> %v", e.label(g, &m.Object), ok)
	return ok
}

// Unlock releases m.
func (e *Engine) Unlock(g *G, m *Mutex) {
	e.mutex(m)
	e.begin(g, m, KUnlock, true)
	e.Step(g)
	e.accessMode(&m.Object, accRelease)
	e.recordf(g, "%s.Unlock()", e.label(g, &m.Object))
	if !m.held {
		panic("sync: unlock of unlocked mutex")
	}
	m.held, m.holder = false, -1
	m.vc.copyFrom(g.vc)
	g.vc.tick(g.ID)
}
