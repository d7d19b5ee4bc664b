package engine

import (
	"fmt"
	"unsafe"
)

// Chan models a Go channel the way the runtime implements one: a ring
// buffer and two FIFO queues of waiting goroutines. Every channel
// operation is one event that is always enabled: it either completes
// (taking a waiting partner off the opposite queue, or using the buffer)
// or queues the goroutine, which then waits until a partner completes its
// operation. Queuing is an event, so the order in which goroutines arrive
// at a channel is part of the schedule, and DPOR sees the dependency
// between an arrival and the operations it enables. Values travel boxed;
// a nil *Chan is a nil channel.
type Chan struct {
	Object
	Cap    int      // capacity: 0 is a rendezvous
	buf    []any    // the ring buffer of values
	bvc    []VC     // synchronization clock of each buffered value
	head   int      // index of the oldest buffered value
	n      int      // buffered values
	closed bool     // closed
	cvc    VC       // clock of the close
	rvc    VC       // receives (the k-th receive happens before the k+Cap-th send completes)
	sendq  []waiter // senders waiting for room or a receiver, oldest first
	recvq  []waiter // receivers waiting for a value, oldest first
	// outside reads the real channel's state for a channel made outside
	// any exploration (a package variable closed in init, a semaphore
	// filled in TestMain): every execution starts from it. Nil for one
	// made in an execution.
	outside func() (vals []any, closed bool)
}

// waiter is a goroutine queued on a channel, for a plain operation (cas
// -1) or a select case; seq tells a live entry from one a select left
// behind when another of its cases completed.
type waiter struct {
	g   *G     // the waiting goroutine
	cas int    // its select case, -1 for a plain send or receive
	seq uint64 // g's wait sequence number when it queued (G.waitSeq)
}

func (c *Chan) base() *Object { return &c.Object }

// enabled: channel operations never block as events; the waits that follow
// them are disabled (KChanWait) until a partner completes them.
func (c *Chan) enabled(e *Engine, g *G, p *Pending) bool { return p.Kind != KChanWait }

// BindChan binds a channel created inside the body.
func (e *Engine) BindChan(c *Chan, name string, capacity int) {
	e.Bind(&c.Object, "chan", name)
	c.Cap = capacity
	c.reset()
}

func (c *Chan) reset() {
	c.state = func() string {
		s := fmt.Sprintf("%d of %d buffered", c.n, c.Cap)
		if c.Cap == 0 {
			s = "unbuffered"
		}
		if c.closed {
			s += ", closed"
		}
		return s
	}
	c.buf = c.buf[:0]
	c.bvc = c.bvc[:0]
	for i := 0; i < c.Cap && i < 64; i++ {
		c.buf = append(c.buf, nil)
		c.bvc = append(c.bvc, nil)
	}
	c.head, c.n, c.closed = 0, 0, false
	c.cvc, c.rvc = c.cvc[:0], c.rvc[:0]
	c.sendq, c.recvq = c.sendq[:0], c.recvq[:0]
	if c.outside != nil {
		vals, closed := c.outside()
		for _, v := range vals {
			if c.n < c.Cap {
				c.push(v, nil) // made before the exploration: ordered before all of it
			}
		}
		c.closed = closed
	}
}

func (e *Engine) ch(c *Chan) {
	if c != nil && e.touch(&c.Object, "chan") {
		c.reset()
	}
}

func (c *Chan) push(v any, vc VC) {
	if len(c.buf) < c.Cap && c.n == len(c.buf) {
		// capacity above the preallocated 64: grow the ring in order
		nb := make([]any, 0, min(c.Cap, 2*len(c.buf)+1))
		nv := make([]VC, 0, cap(nb))
		for i := 0; i < c.n; i++ {
			j := (c.head + i) % len(c.buf)
			nb = append(nb, c.buf[j])
			nv = append(nv, c.bvc[j])
		}
		for len(nb) < cap(nb) {
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

// live reports whether a queue entry still stands for a waiting goroutine.
func live(w waiter) bool {
	return !w.g.done && w.g.hasPend && w.g.pend.Kind == KChanWait && w.g.waitSeq == w.seq
}

// first returns the first live waiter of q, dropping stale entries.
func first(q *[]waiter) (waiter, bool) {
	for len(*q) > 0 {
		w := (*q)[0]
		if live(w) {
			return w, true
		}
		*q = (*q)[1:]
	}
	return waiter{}, false
}

func dequeue(q *[]waiter) waiter {
	w := (*q)[0]
	*q = (*q)[1:]
	return w
}

// sendValue is the value a queued sender offers.
func (w waiter) sendValue() any {
	if w.cas >= 0 {
		return w.g.pend.Cases[w.cas].Val
	}
	return w.g.pend.Val
}

// canSend and canRecv report whether an operation would complete now.
func (c *Chan) canSend() bool {
	if c.closed || (c.Cap > 0 && c.n < c.Cap) {
		return true
	}
	_, ok := first(&c.recvq)
	return ok
}

func (c *Chan) canRecv() bool {
	if c.n > 0 || c.closed {
		return true
	}
	_, ok := first(&c.sendq)
	return ok
}

// block makes g wait (the caller has queued it) until a partner completes
// its operation.
func (e *Engine) block(g *G, c *Chan, why waitKind) {
	p := &g.pend
	p.Kind, p.obj, p.wait = KChanWait, nilModel(c), why
	// Step, not schedule: a goroutine still running up to its first
	// operation (a nil channel) must hand back to its parent first. Only a
	// partner's Complete wakes a waiting goroutine.
	e.Step(g)
}

// Send sends v on c for g.
func (e *Engine) Send(g *G, c *Chan, v any) {
	e.ch(c)
	p := e.begin(g, nilModel(c), KSend, true)
	p.Val = v
	if c == nil {
		e.block(g, nil, waitSend) // blocks forever
		return
	}
	e.Step(g)
	e.access(&c.Object, true)
	if c.closed {
		e.recordf(g, "%s <- %v", e.label(g, &c.Object), v)
		panic("send on closed channel")
	}
	if r, ok := first(&c.recvq); ok {
		dequeue(&c.recvq)
		e.recordf(g, "%s <- %v (to %s)", e.label(g, &c.Object), v, r.g.Name)
		e.deliver(g, r, v, true)
		return
	}
	if c.Cap > 0 && c.n < c.Cap {
		e.recordf(g, "%s <- %v", e.label(g, &c.Object), v)
		e.sendNow(g, c, v)
		return
	}
	e.recordf(g, "%s <- %v (blocks)", e.label(g, &c.Object), v)
	g.waitSeq++
	c.sendq = append(c.sendq, waiter{g, -1, g.waitSeq})
	e.block(g, c, waitSend)
	if p.Panic != "" {
		panic(p.Panic)
	}
}

func (e *Engine) sendNow(g *G, c *Chan, v any) {
	g.vc.join(c.rvc)
	c.push(v, g.vc)
	g.vc.tick(g.ID)
}

// deliver completes the receive (or select receive case) of waiter r with
// v, then lets r run.
func (e *Engine) deliver(g *G, r waiter, v any, ok bool) {
	p := &r.g.pend
	p.RVal, p.ROK = v, ok
	if r.cas >= 0 {
		p.RCase = r.cas
	}
	e.Complete(g, r.g)
}

// Recv receives from c for g.
func (e *Engine) Recv(g *G, c *Chan) (any, bool) {
	e.ch(c)
	p := e.begin(g, nilModel(c), KRecv, true)
	if c == nil {
		e.block(g, nil, waitRecv)
		return nil, false
	}
	e.Step(g)
	e.access(&c.Object, true)
	if v, ok, done := e.recvNow(g, c, ""); done {
		return v, ok
	}
	e.recordf(g, "<-%s (blocks)", e.label(g, &c.Object))
	g.waitSeq++
	c.recvq = append(c.recvq, waiter{g, -1, g.waitSeq})
	e.block(g, c, waitRecv)
	return p.RVal, p.ROK
}

// recvNow performs a receive that can complete now (buffer, queued
// sender, closed); done is false when it would block.
func (e *Engine) recvNow(g *G, c *Chan, prefix string) (v any, ok, done bool) {
	var from *G
	switch s, waiting := first(&c.sendq); {
	case c.n > 0:
		v, ok = c.pop(g), true
		c.rvc.join(g.vc)
		if waiting {
			// a sender waited for room: its value enters the buffer
			dequeue(&c.sendq)
			c.push(s.sendValue(), s.g.vc)
			from = s.g
		}
	case waiting:
		dequeue(&c.sendq)
		v, ok, from = s.sendValue(), true, s.g
		if s.cas >= 0 {
			s.g.pend.RCase = s.cas
		}
	case c.closed:
		g.vc.join(c.cvc)
	default:
		return nil, false, false
	}
	if e.rec != nil {
		switch {
		case from != nil && c.Cap == 0:
			e.rec.step(g, fmt.Sprintf("%s<-%s -> %v (from %s)", prefix, e.label(g, &c.Object), v, from.Name))
		case !ok:
			e.rec.step(g, fmt.Sprintf("%s<-%s -> closed", prefix, e.label(g, &c.Object)))
		default:
			e.rec.step(g, fmt.Sprintf("%s<-%s -> %v", prefix, e.label(g, &c.Object), v))
		}
	}
	if from != nil {
		e.Complete(g, from)
	}
	return v, ok, true
}

// Close closes c: waiting receivers get the zero value, waiting senders
// panic.
func (e *Engine) Close(g *G, c *Chan) {
	e.ch(c)
	e.begin(g, nilModel(c), KClose, true)
	if c == nil {
		panic("close of nil channel")
	}
	e.Step(g)
	e.access(&c.Object, true)
	e.recordf(g, "close(%s)", e.label(g, &c.Object))
	if c.closed {
		panic("close of closed channel")
	}
	e.closeNow(g, c)
}

// closeNow closes c inside an operation that already holds the turn (a
// close, a context's cancel, a timer's action): waiting receivers get the
// zero value, waiting senders panic.
func (e *Engine) closeNow(g *G, c *Chan) {
	c.closed = true
	c.cvc.copyFrom(g.vc)
	g.vc.tick(g.ID)
	for {
		r, ok := first(&c.recvq)
		if !ok {
			break
		}
		dequeue(&c.recvq)
		e.deliver(g, r, nil, false)
	}
	for {
		s, ok := first(&c.sendq)
		if !ok {
			break
		}
		dequeue(&c.sendq)
		if s.cas >= 0 {
			s.g.pend.RCase = s.cas
		}
		s.g.pend.Panic = "send on closed channel"
		e.Complete(g, s.g)
	}
}

// Case is one case of a select.
type Case struct {
	Chan *Chan // nil: a nil channel, never ready
	Send bool  // a send case (else a receive)
	Val  any   // the value a send case offers
	Num  int   // the case's number in the source (1-based; 0: its position)
}

// num is the number a trace gives case k.
func caseNum(cases []Case, k int) int {
	if n := cases[k].Num; n > 0 {
		return n
	}
	return k + 1
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
	for i := range cases {
		if cases[i].Chan != nil {
			e.access(&cases[i].Chan.Object, true)
		}
	}
	var ready []int
	for i := range cases {
		c := cases[i].Chan
		if c != nil && ((cases[i].Send && c.canSend()) || (!cases[i].Send && c.canRecv())) {
			ready = append(ready, i)
		}
	}
	if len(ready) == 0 {
		if hasDefault {
			e.recordf(g, "select -> default")
			return -1, nil, false
		}
		e.recordf(g, "select (blocks)")
		g.waitSeq++
		for i := range cases {
			if c := cases[i].Chan; c != nil {
				w := waiter{g, i, g.waitSeq}
				if cases[i].Send {
					c.sendq = append(c.sendq, w)
				} else {
					c.recvq = append(c.recvq, w)
				}
			}
		}
		e.block(g, nil, waitSelect)
		if p.Panic != "" {
			panic(p.Panic)
		}
		return p.RCase, p.RVal, p.ROK
	}
	k := ready[0]
	if len(ready) > 1 {
		k = ready[e.choose(g, len(ready))]
	}
	c := cases[k].Chan
	if !cases[k].Send {
		v, ok, _ := e.recvNow(g, c, fmt.Sprintf("select -> case %d: ", caseNum(cases, k)))
		return k, v, ok
	}
	v := cases[k].Val
	if c.closed {
		e.recordf(g, "select -> case %d: %s <- %v", caseNum(cases, k), e.label(g, &c.Object), v)
		panic("send on closed channel")
	}
	if r, ok := first(&c.recvq); ok {
		dequeue(&c.recvq)
		e.recordf(g, "select -> case %d: %s <- %v (to %s)", caseNum(cases, k), e.label(g, &c.Object), v, r.g.Name)
		e.deliver(g, r, v, true)
		return k, nil, false
	}
	e.recordf(g, "select -> case %d: %s <- %v", caseNum(cases, k), e.label(g, &c.Object), v)
	e.sendNow(g, c, v)
	return k, nil, false
}

// nilModel keeps a nil *Chan a nil interface, so a nil channel is never
// enabled.
func nilModel(c *Chan) model {
	if c == nil {
		return nil
	}
	return c
}

// MakeChan registers the runtime channel at ptr (a channel made by
// rewritten code during the execution) and returns its model.
func (e *Engine) MakeChan(ptr unsafe.Pointer, capacity int) *Chan {
	return e.makeChan(ptr, capacity, nil)
}

// MakeOutsideChan returns the model of a channel made outside any
// exploration: each execution starts it in the state outside reads from
// the real channel (its buffered values, whether it is closed).
func (e *Engine) MakeOutsideChan(ptr unsafe.Pointer, capacity int, outside func() ([]any, bool)) *Chan {
	return e.makeChan(ptr, capacity, outside)
}

func (e *Engine) makeChan(ptr unsafe.Pointer, capacity int, outside func() ([]any, bool)) *Chan {
	if e.chans == nil {
		e.chans = map[unsafe.Pointer]*Chan{}
	}
	c := e.chans[ptr]
	if c == nil {
		c = &Chan{}
		e.chans[ptr] = c
	}
	c.Cap = capacity
	c.outside = outside
	e.touch(&c.Object, "chan")
	c.reset()
	return c
}

// ChanAt returns the model of the runtime channel at ptr, if the execution
// has one.
func (e *Engine) ChanAt(ptr unsafe.Pointer) *Chan { return e.chans[ptr] }

// CloseNow closes c on behalf of g inside an operation that already holds
// the turn (AtomicOp): a context's cancel.
func (e *Engine) CloseNow(g *G, c *Chan) {
	e.ch(c)
	if !c.closed {
		e.access(&c.Object, true)
		e.closeNow(g, c)
	}
}

// ChanLen returns the number of values buffered in c now.
func (e *Engine) ChanLen(c *Chan) int {
	if c == nil {
		return 0
	}
	e.ch(c)
	return c.n
}
