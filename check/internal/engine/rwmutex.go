package engine

import "fmt"

// RWMutex models sync.RWMutex, with Go's writer preference: once a writer
// has announced itself, new readers wait.
type RWMutex struct {
	Object
	writer    int    // holder of the write lock, -1
	announced int    // writer waiting for readers to leave, -1
	readers   gset   // goroutines holding a read lock
	nreaders  int    // read locks held (a goroutine may hold several)
	rvc       VC     // the readers' releases, joined: a writer acquires after them
	heldAs    string // the expression the writer locked it through (recording only)
}

func (m *RWMutex) base() *Object { return &m.Object }
func (m *RWMutex) enabled(e *Engine, g *G, p *Pending) bool {
	switch p.Kind {
	case KRLock, KWAnnounce:
		return m.writer < 0 && m.announced < 0
	case KWAcquire:
		return m.nreaders == 0
	}
	return true
}

func (e *Engine) rw(m *RWMutex) {
	if e.touch(&m.Object, "rwmutex") {
		m.writer, m.announced, m.readers, m.nreaders = -1, -1, gset{}, 0
		m.rvc = m.rvc[:0]
		m.state = func() string {
			switch {
			case m.writer >= 0:
				return "locked by " + e.gs[m.writer].Name
			case m.nreaders > 0:
				return fmt.Sprintf("read-locked by %d", m.nreaders)
			}
			return "unlocked"
		}
	}
}

// RWLock acquires m for writing: announce, then wait for readers to leave.
func (e *Engine) RWLock(g *G, m *RWMutex) {
	e.rw(m)
	e.begin(g, m, KWAnnounce, true)
	e.Step(g)
	e.access(&m.Object, true)
	m.announced = g.ID
	if m.nreaders > 0 {
		e.recordf(g, "%s.Lock() (waits for readers)", e.label(g, &m.Object))
		e.begin(g, m, KWAcquire, true)
		e.Step(g)
		e.accessMode(&m.Object, accDrain)
	}
	m.announced, m.writer = -1, g.ID
	g.vc.join(m.vc)
	g.vc.join(m.rvc)
	if e.rec != nil {
		m.heldAs = e.label(g, &m.Object)
		e.rec.step(g, m.heldAs+".Lock()")
	}
}

// RWTryLock tries to acquire m for writing.
func (e *Engine) RWTryLock(g *G, m *RWMutex) bool {
	e.rw(m)
	e.begin(g, m, KTryLock, true)
	e.Step(g)
	e.accessMode(&m.Object, accTry)
	ok := m.writer < 0 && m.announced < 0 && m.nreaders == 0
	if ok {
		m.writer = g.ID
		g.vc.join(m.vc)
		g.vc.join(m.rvc)
	}
	e.recordf(g, "%s.TryLock() -> %v", e.label(g, &m.Object), ok)
	return ok
}

// RWUnlock releases the write lock.
func (e *Engine) RWUnlock(g *G, m *RWMutex) {
	e.rw(m)
	e.begin(g, m, KUnlock, true)
	e.Step(g)
	e.accessMode(&m.Object, accRelease)
	e.recordf(g, "%s.Unlock()", e.label(g, &m.Object))
	if m.writer < 0 {
		panic("sync: Unlock of unlocked RWMutex")
	}
	m.writer = -1
	m.vc.copyFrom(g.vc)
	g.vc.tick(g.ID)
}

// RLock acquires m for reading.
func (e *Engine) RLock(g *G, m *RWMutex) {
	e.rw(m)
	e.begin(g, m, KRLock, false)
	e.Step(g)
	e.access(&m.Object, false)
	m.nreaders++
	m.readers.add(g.ID)
	g.vc.join(m.vc)
	e.recordf(g, "%s.RLock()", e.label(g, &m.Object))
}

// TryRLock tries to acquire m for reading.
func (e *Engine) TryRLock(g *G, m *RWMutex) bool {
	e.rw(m)
	e.begin(g, m, KTryRLock, true)
	e.Step(g)
	e.accessMode(&m.Object, accTry)
	ok := m.writer < 0 && m.announced < 0
	if ok {
		m.nreaders++
		m.readers.add(g.ID)
		g.vc.join(m.vc)
	}
	e.recordf(g, "%s.TryRLock() -> %v", e.label(g, &m.Object), ok)
	return ok
}

// RUnlock releases a read lock.
func (e *Engine) RUnlock(g *G, m *RWMutex) {
	e.rw(m)
	e.begin(g, m, KRUnlock, true)
	e.Step(g)
	e.accessMode(&m.Object, accRRelease)
	e.recordf(g, "%s.RUnlock()", e.label(g, &m.Object))
	if m.nreaders == 0 {
		panic("sync: RUnlock of unlocked RWMutex")
	}
	m.nreaders--
	m.readers.remove(g.ID)
	m.rvc.join(g.vc)
	g.vc.tick(g.ID)
}
