package engine

import "fmt"

// Chan models a Go channel. Values travel boxed; a nil *Chan is a nil
// channel. An unbuffered send is always performed by the receiver's side
// (the receiver is enabled when a sender waits), so a rendezvous is one
// event.
type Chan struct {
	Object
	Cap    int
	buf    []any
	bvc    []VC // synchronization clock of each buffered value
	head   int
	n      int
	closed bool
	cvc    VC // clock of the close
	rvc    VC // receives (the k-th receive happens before the k+Cap-th send completes)
}

func (c *Chan) base() *Object { return &c.Object }

func (c *Chan) enabled(e *Engine, g *G, p *Pending) bool {
	switch p.Kind {
	case KSend:
		return c.closed || (c.Cap > 0 && c.n < c.Cap)
	case KRecv:
		return c.recvReady(e, g)
	}
	return true
}

func (c *Chan) recvReady(e *Engine, g *G) bool {
	if c.n > 0 || c.closed {
		return true
	}
	return c.Cap == 0 && c.partner(e, g, true, nil) != nil
}

func (c *Chan) sendReady(e *Engine, g *G) bool {
	if c.closed || (c.Cap > 0 && c.n < c.Cap) {
		return true
	}
	return c.Cap == 0 && c.partner(e, g, false, nil) != nil
}

// partner returns a goroutine other than g blocked on the opposite side of
// an unbuffered c (a sender when wantSender), collecting all of them into
// all when it is not nil.
func (c *Chan) partner(e *Engine, g *G, wantSender bool, all *[]*G) *G {
	var first *G
	for _, h := range e.gs {
		if h == g || h.done || !h.hasPend {
			continue
		}
		p := &h.pend
		ok := false
		switch p.Kind {
		case KSend:
			ok = wantSender && p.obj == c
		case KRecv:
			ok = !wantSender && p.obj == c
		case KSelect:
			for i := range p.Cases {
				if p.Cases[i].Chan == c && p.Cases[i].Send == wantSender {
					ok = true
					break
				}
			}
		}
		if ok {
			if first == nil {
				first = h
			}
			if all == nil {
				return first
			}
			*all = append(*all, h)
		}
	}
	return first
}

// BindChan binds a channel created inside the body.
func (e *Engine) BindChan(c *Chan, name string, capacity int) {
	e.Bind(&c.Object, "chan", name)
	c.Cap = capacity
	c.reset()
}

func (c *Chan) reset() {
	c.buf = c.buf[:0]
	c.bvc = c.bvc[:0]
	for i := 0; i < c.Cap && i < 64; i++ {
		c.buf = append(c.buf, nil)
		c.bvc = append(c.bvc, nil)
	}
	c.head, c.n, c.closed = 0, 0, false
	c.cvc, c.rvc = c.cvc[:0], c.rvc[:0]
}

func (e *Engine) ch(c *Chan) {
	if c != nil && e.touch(&c.Object, "chan") {
		c.reset()
	}
}

func (c *Chan) push(v any, vc VC) {
	if len(c.buf) < c.Cap {
		// capacity above the preallocated 64: grow the ring in order
		nb := make([]any, 0, c.Cap)
		nv := make([]VC, 0, c.Cap)
		for i := 0; i < c.n; i++ {
			j := (c.head + i) % len(c.buf)
			nb = append(nb, c.buf[j])
			nv = append(nv, c.bvc[j])
		}
		for len(nb) < min(c.Cap, 2*len(c.buf)+1) {
			nb = append(nb, nil)
			nv = append(nv, nil)
		}
		c.buf, c.bvc, c.head = nb, nv, 0
	}
	j := (c.head + c.n) % len(c.buf)
	c.buf[j] = v
	c.bvc[j] = append(c.bvc[j][:0], vc...)
	c.n++
}

func (c *Chan) pop(g *G) any {
	v := c.buf[c.head]
	g.vc.join(c.bvc[c.head])
	c.buf[c.head] = nil
	c.head = (c.head + 1) % len(c.buf)
	c.n--
	return v
}

// Len returns the number of buffered values.
func (c *Chan) Len() int {
	if c == nil {
		return 0
	}
	return c.n
}

// Send sends v on c for g.
func (e *Engine) Send(g *G, c *Chan, v any) {
	e.ch(c)
	p := e.begin(g, nilModel(c), KSend, true)
	p.Val = v
	e.Step(g)
	if p.Done {
		return // a receiver took it
	}
	e.access(&c.Object, true)
	e.recordf(g, "%s <- %v", c.Label(), v)
	e.sendNow(g, c, v)
}

func (e *Engine) sendNow(g *G, c *Chan, v any) {
	if c.closed {
		panic("send on closed channel")
	}
	g.vc.join(c.rvc)
	c.push(v, g.vc)
	g.vc.tick(g.ID)
}

// Recv receives from c for g.
func (e *Engine) Recv(g *G, c *Chan) (any, bool) {
	e.ch(c)
	p := e.begin(g, nilModel(c), KRecv, true)
	e.Step(g)
	if p.Done {
		return p.RVal, p.ROK
	}
	e.access(&c.Object, true)
	v, ok, from := e.recvNow(g, c)
	if e.rec != nil {
		e.rec.step(g, recvText(c, v, ok, from))
	}
	if from != nil {
		from.pend.Done = true
		e.Complete(g, from)
	}
	return v, ok
}

func recvText(c *Chan, v any, ok bool, from *G) string {
	switch {
	case from != nil:
		return fmt.Sprintf("<-%s -> %v (from %s)", c.Label(), v, from.Name)
	case !ok:
		return fmt.Sprintf("<-%s -> closed", c.Label())
	}
	return fmt.Sprintf("<-%s -> %v", c.Label(), v)
}

// recvNow performs a ready receive; for an unbuffered rendezvous it returns
// the sender, which the caller must complete.
func (e *Engine) recvNow(g *G, c *Chan) (any, bool, *G) {
	if c.n > 0 {
		v := c.pop(g)
		c.rvc.join(g.vc)
		return v, true, nil
	}
	if c.Cap == 0 {
		var all []*G
		c.partner(e, g, true, &all)
		if len(all) > 0 {
			s := all[0]
			if len(all) > 1 {
				s = all[e.sched.choose(e, len(all))]
			}
			v := s.pend.Val
			if s.pend.Kind == KSelect {
				for i := range s.pend.Cases {
					if s.pend.Cases[i].Chan == c && s.pend.Cases[i].Send {
						s.pend.RCase = i
						v = s.pend.Cases[i].Val
						break
					}
				}
			}
			return v, true, s
		}
	}
	// closed
	g.vc.join(c.cvc)
	return nil, false, nil
}

// Close closes c.
func (e *Engine) Close(g *G, c *Chan) {
	e.ch(c)
	e.begin(g, nilModel(c), KClose, true)
	if c == nil {
		panic("close of nil channel")
	}
	e.Step(g)
	e.access(&c.Object, true)
	e.recordf(g, "close(%s)", c.Label())
	if c.closed {
		panic("close of closed channel")
	}
	c.closed = true
	c.cvc.copyFrom(g.vc)
	g.vc.tick(g.ID)
}

// Case is one case of a select.
type Case struct {
	Chan *Chan
	Send bool
	Val  any
}

func selectEnabled(e *Engine, g *G, p *Pending) bool {
	if p.Default {
		return true
	}
	for i := range p.Cases {
		c := p.Cases[i].Chan
		if c == nil {
			continue
		}
		if p.Cases[i].Send {
			if c.closed || (c.Cap > 0 && c.n < c.Cap) {
				return true
			}
		} else if c.recvReady(e, g) {
			return true
		}
	}
	return false
}

// Select performs a select for g. It returns the chosen case (-1 for the
// default), the received value and ok.
func (e *Engine) Select(g *G, cases []Case, hasDefault bool) (int, any, bool) {
	for i := range cases {
		e.ch(cases[i].Chan)
	}
	p := e.begin(g, nil, KSelect, true)
	p.Cases, p.Default = cases, hasDefault
	e.Step(g)
	if p.Done {
		c := cases[p.RCase]
		if !c.Send {
			return p.RCase, p.RVal, p.ROK
		}
		return p.RCase, nil, false
	}
	for i := range cases {
		if cases[i].Chan != nil {
			e.access(&cases[i].Chan.Object, true)
		}
	}
	var ready []int
	for i := range cases {
		c := cases[i].Chan
		if c == nil {
			continue
		}
		if (cases[i].Send && c.sendReady(e, g)) || (!cases[i].Send && c.recvReady(e, g)) {
			ready = append(ready, i)
		}
	}
	if len(ready) == 0 {
		e.recordf(g, "select -> default")
		return -1, nil, false
	}
	k := ready[0]
	if len(ready) > 1 {
		k = ready[e.sched.choose(e, len(ready))]
	}
	c := cases[k].Chan
	if cases[k].Send {
		if c.Cap == 0 && !c.closed {
			var all []*G
			c.partner(e, g, false, &all)
			r := all[0]
			if len(all) > 1 {
				r = all[e.sched.choose(e, len(all))]
			}
			r.pend.RVal, r.pend.ROK = cases[k].Val, true
			if r.pend.Kind == KSelect {
				for i := range r.pend.Cases {
					if r.pend.Cases[i].Chan == c && !r.pend.Cases[i].Send {
						r.pend.RCase = i
						break
					}
				}
			}
			e.recordf(g, "select -> case %d: %s <- %v (to %s)", k, c.Label(), cases[k].Val, r.Name)
			e.Complete(g, r)
			return k, nil, false
		}
		e.recordf(g, "select -> case %d: %s <- %v", k, c.Label(), cases[k].Val)
		e.sendNow(g, c, cases[k].Val)
		return k, nil, false
	}
	v, ok, from := e.recvNow(g, c)
	if e.rec != nil {
		e.rec.step(g, fmt.Sprintf("select -> case %d: %s", k, recvText(c, v, ok, from)))
	}
	if from != nil {
		e.Complete(g, from)
	}
	return k, v, ok
}

// nilModel keeps a nil *Chan a nil interface, so a nil channel is never
// enabled.
func nilModel(c *Chan) model {
	if c == nil {
		return nil
	}
	return c
}
