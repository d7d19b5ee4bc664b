package engine

// Cond models sync.Cond's notify list: a waiter takes a ticket before it
// unlocks, so a Signal between the unlock and the wait is not lost.
type Cond struct {
	Object
	next     int64          // the next ticket
	notified map[int64]bool // tickets signalled and not yet woken
	waiting  []int64        // tickets waiting, oldest first
}

func (c *Cond) base() *Object { return &c.Object }
func (c *Cond) enabled(e *Engine, g *G, p *Pending) bool {
	return p.Kind != KCondWait || c.notified[p.Ticket]
}

func (e *Engine) cond(c *Cond) {
	if e.touch(&c.Object, "cond") {
		c.next = 0
		c.notified = map[int64]bool{}
		c.waiting = c.waiting[:0]
	}
}

// CondAdd takes a ticket for g (the first half of Wait).
func (e *Engine) CondAdd(g *G, c *Cond) int64 {
	e.cond(c)
	e.begin(g, c, KCondAdd, true)
	e.Step(g)
	e.access(&c.Object, true)
	t := c.next
	c.next++
	c.waiting = append(c.waiting, t)
	e.recordf(g, "%s.Wait() (unlocks)", e.label(g, &c.Object))
	return t
}

// CondWait blocks g until its ticket is notified.
func (e *Engine) CondWait(g *G, c *Cond, ticket int64) {
	e.cond(c)
	p := e.begin(g, c, KCondWait, true)
	p.Ticket = ticket
	e.Step(g)
	e.access(&c.Object, true)
	delete(c.notified, ticket)
	g.vc.join(c.vc)
	e.recordf(g, "%s.Wait() wakes (relocks)", e.label(g, &c.Object))
}

// CondSignal wakes one waiter (all with broadcast).
func (e *Engine) CondSignal(g *G, c *Cond, broadcast bool) {
	e.cond(c)
	k, name := KSignal, "Signal"
	if broadcast {
		k, name = KBroadcast, "Broadcast"
	}
	e.begin(g, c, k, true)
	e.Step(g)
	e.access(&c.Object, true)
	n := len(c.waiting)
	if !broadcast && n > 1 {
		n = 1
	}
	for _, t := range c.waiting[:n] {
		c.notified[t] = true
	}
	c.waiting = append(c.waiting[:0], c.waiting[n:]...)
	c.vc.join(g.vc)
	g.vc.tick(g.ID)
	e.recordf(g, "%s.%s() wakes %d", e.label(g, &c.Object), name, n)
}
