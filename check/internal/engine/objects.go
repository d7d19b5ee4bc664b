package engine

import (
	"fmt"
	"sync/atomic"
	"unsafe"
)

// VC is a vector clock indexed by goroutine ID.
type VC []uint32

func (v VC) get(i int) uint32 {
	if i < len(v) {
		return v[i]
	}
	return 0
}

func (v *VC) grow(n int) {
	if l := len(*v); l < n {
		if cap(*v) >= n {
			*v = (*v)[:n]
			clear((*v)[l:])
			return
		}
		nv := make(VC, n, max(n, 8))
		copy(nv, *v)
		*v = nv
	}
}

func (v *VC) tick(i int) {
	v.grow(i + 1)
	(*v)[i]++
}

func (v *VC) set(i int, x uint32) {
	v.grow(i + 1)
	(*v)[i] = x
}

func (v *VC) join(o VC) {
	v.grow(len(o))
	for i, x := range o {
		if x > (*v)[i] {
			(*v)[i] = x
		}
	}
}

func (v *VC) copyFrom(o VC) { *v = append((*v)[:0], o...) }

// Kind is the kind of a visible operation.
type Kind uint8

// Operation kinds.
const (
	KNone Kind = iota
	KVarLoad
	KVarStore
	KLock
	KUnlock
	KTryLock
	KRLock
	KRUnlock
	KTryRLock
	KWAnnounce
	KWAcquire
	KSend
	KRecv
	KClose
	KSelect
	KWGAdd
	KWGWait
	KOnce
	KOnceEnd
	KCondAdd
	KCondWait
	KSignal
	KBroadcast
	KAtomicLoad
	KAtomicWrite
	KSleep
	KJoin
	KYield
	KChanWait // queued on a channel (Arg: 1 send, 2 receive, 3 select)
	KTimer    // stops or resets a timer (an access to its channel)
)

// Object is the part of every checked object the engine keeps: its
// identity in the current execution, its last accesses (for DPOR) and its
// synchronization clock (for data races). Zero values are ready to use: an
// object is reset the first time an execution touches it.
type Object struct {
	explo atomic.Uint64 // exploration that last touched it
	epoch uint64        // execution that last touched it
	ID    int32
	Name  string
	Key   uintptr // address of the user's object, for check.Name
	kind  string  // "mutex", "chan", ... for default names

	lastW   int32   // event index of the last write, -1 if none
	reads   []int32 // event indices of reads since lastW
	lastRel int32   // event index of the last release, -1 if none
	tries   []int32 // non-blocking attempts since the last release
	relVC   VC      // DPOR clocks of the releases
	rrelVC  VC      // DPOR clocks of the readers' releases
	vc      VC

	// data-race state (variables only)
	wG    int32
	wC    uint32
	wStep int32
	rC    []uint32
	rStep []int32
}

// Label returns the object's name for messages.
func (o *Object) Label() string {
	if o == nil {
		return "nil"
	}
	if o.Name != "" {
		return o.Name
	}
	return fmt.Sprintf("%s#%d", o.kind, o.ID)
}

// touch binds o to the current execution, resetting it when it comes from an
// earlier one; it reports whether it did so.
func (e *Engine) touch(o *Object, kind string) bool {
	if o.epoch == e.epoch {
		return false
	}
	o.epoch = e.epoch
	o.explo.Store(e.explo)
	o.ID = e.nobj
	e.nobj++
	o.kind = kind
	o.lastW, o.lastRel = -1, -1
	o.reads = o.reads[:0]
	o.tries = o.tries[:0]
	o.relVC = o.relVC[:0]
	o.rrelVC = o.rrelVC[:0]
	o.vc = o.vc[:0]
	o.wG = -1
	o.rC = o.rC[:0]
	o.rStep = o.rStep[:0]
	if e.names != nil {
		key := o.Key
		if key == 0 {
			key = uintptr(unsafe.Pointer(o))
		}
		if n, ok := e.names[key]; ok {
			o.Name = n
		}
	}
	return true
}

// Bind makes o part of the running execution (used when a checked object is
// created inside the body).
func (e *Engine) Bind(o *Object, kind, name string) {
	e.touch(o, kind)
	if name != "" {
		o.Name = name
	}
}

type model interface {
	base() *Object
	enabled(e *Engine, g *G, p *Pending) bool
}

// Pending describes the next visible operation of a goroutine.
type Pending struct {
	Kind    Kind
	obj     model
	Write   bool
	Cases   []Case
	Default bool
	Until   int64
	Val     any
	Arg     int64

	// Filled in when a partner performed the operation (rendezvous).
	Done  bool
	RVal  any
	ROK   bool
	RCase int
	Panic string // a closed channel woke a waiting sender
}

func (p *Pending) enabled(e *Engine, g *G) bool {
	switch p.Kind {
	case KSleep:
		return e.now >= p.Until
	case KJoin:
		for _, h := range e.gs {
			if h != g && !h.done {
				return false
			}
		}
		return true
	case KYield:
		return true
	case KSelect:
		return true
	}
	if p.obj == nil {
		return false // nil channel
	}
	return p.obj.enabled(e, g, p)
}

// begin sets up g's pending operation on m; in recording mode it also
// captures the caller's source location.
func (e *Engine) begin(g *G, m model, kind Kind, write bool) *Pending {
	p := &g.pend
	p.Kind, p.obj, p.Write, p.Done = kind, m, write, false
	p.Cases, p.Default, p.Val, p.RVal, p.ROK, p.RCase, p.Panic = nil, false, nil, nil, false, 0, ""
	if e.rec != nil {
		e.rec.locate(g, m)
	}
	return p
}

// access tells DPOR that the current event accessed o.
func (e *Engine) access(o *Object, write bool) {
	mode := AccRead
	if write {
		mode = AccWrite
	}
	e.sched.access(e, o, mode)
}

func (e *Engine) accessMode(o *Object, mode int) { e.sched.access(e, o, mode) }

// ---- plain variables ----

// Var is the engine's view of a checked variable.
type Var struct{ Object }

func (v *Var) base() *Object                            { return &v.Object }
func (v *Var) enabled(e *Engine, g *G, p *Pending) bool { return true }

// BindVar binds a variable created inside the body.
func (e *Engine) BindVar(v *Var, name string) { e.Bind(&v.Object, "var", name) }

// VarAccess schedules a load (write=false) or store of v by g. The caller
// performs the access right after, then calls VarDone.
func (e *Engine) VarAccess(g *G, v *Var, write bool) {
	e.touch(&v.Object, "var")
	k := KVarLoad
	if write {
		k = KVarStore
	}
	e.begin(g, v, k, write)
	e.Step(g)
	e.access(&v.Object, write)
}

// VarDone records the access (text is built only when recording) and
// reports a data race it completes.
func (e *Engine) VarDone(g *G, v *Var, write bool, text func() string) {
	if e.rec != nil {
		e.rec.step(g, text())
	}
	if !e.cfg.DataRaces {
		return
	}
	o := &v.Object
	step := int32(e.execSteps)
	other, otherStep := int32(-1), int32(-1)
	if o.wG >= 0 && o.wG != int32(g.ID) && g.vc.get(int(o.wG)) < o.wC {
		other, otherStep = o.wG, o.wStep
	}
	if write {
		for h, c := range o.rC {
			if other < 0 && h != g.ID && c > 0 && g.vc.get(h) < c {
				other, otherStep = int32(h), o.rStep[h]
			}
		}
		o.wG, o.wC, o.wStep = int32(g.ID), g.vc.get(g.ID), step
		clear(o.rC)
	} else {
		for len(o.rC) <= g.ID {
			o.rC = append(o.rC, 0)
			o.rStep = append(o.rStep, 0)
		}
		o.rC[g.ID], o.rStep[g.ID] = g.vc.get(g.ID), step
	}
	if other >= 0 {
		e.failNow(g, KindDataRace, e.raceMessage(o, int(other), otherStep, g, step), true)
	}
}

// ---- mutexes ----

// Mutex models sync.Mutex.
type Mutex struct {
	Object
	held   bool
	holder int
}

func (m *Mutex) base() *Object { return &m.Object }
func (m *Mutex) enabled(e *Engine, g *G, p *Pending) bool {
	return p.Kind != KLock || !m.held
}

func (e *Engine) mutex(m *Mutex) {
	if e.touch(&m.Object, "mutex") {
		m.held, m.holder = false, -1
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
	e.recordf(g, "%s.Lock()", m.Label())
}

// TryLock acquires m for g if it is free.
func (e *Engine) TryLock(g *G, m *Mutex) bool {
	e.mutex(m)
	e.begin(g, m, KTryLock, true)
	e.Step(g)
	e.accessMode(&m.Object, AccTry)
	ok := !m.held
	if ok {
		m.held, m.holder = true, g.ID
		g.vc.join(m.vc)
	}
	e.recordf(g, "%s.TryLock() -> %v", m.Label(), ok)
	return ok
}

// Unlock releases m.
func (e *Engine) Unlock(g *G, m *Mutex) {
	e.mutex(m)
	e.begin(g, m, KUnlock, true)
	e.Step(g)
	e.accessMode(&m.Object, AccRelease)
	e.recordf(g, "%s.Unlock()", m.Label())
	if !m.held {
		panic("sync: unlock of unlocked mutex")
	}
	m.held, m.holder = false, -1
	m.vc.copyFrom(g.vc)
	g.vc.tick(g.ID)
}

// RWMutex models sync.RWMutex, with Go's writer preference: once a writer
// has announced itself, new readers wait.
type RWMutex struct {
	Object
	writer    int // holder of the write lock, -1
	announced int // writer waiting for readers to leave, -1
	readers   uint64
	nreaders  int
	rvc       VC
}

func (m *RWMutex) base() *Object { return &m.Object }
func (m *RWMutex) enabled(e *Engine, g *G, p *Pending) bool {
	switch p.Kind {
	case KRLock:
		return m.writer < 0 && m.announced < 0
	case KWAnnounce:
		return m.writer < 0 && m.announced < 0
	case KWAcquire:
		return m.nreaders == 0
	}
	return true
}

func (e *Engine) rw(m *RWMutex) {
	if e.touch(&m.Object, "rwmutex") {
		m.writer, m.announced, m.readers, m.nreaders = -1, -1, 0, 0
		m.rvc = m.rvc[:0]
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
		e.recordf(g, "%s.Lock() (waits for readers)", m.Label())
		e.begin(g, m, KWAcquire, true)
		e.Step(g)
		e.accessMode(&m.Object, AccDrain)
	}
	m.announced, m.writer = -1, g.ID
	g.vc.join(m.vc)
	g.vc.join(m.rvc)
	e.recordf(g, "%s.Lock()", m.Label())
}

// RWTryLock tries to acquire m for writing.
func (e *Engine) RWTryLock(g *G, m *RWMutex) bool {
	e.rw(m)
	e.begin(g, m, KTryLock, true)
	e.Step(g)
	e.accessMode(&m.Object, AccTry)
	ok := m.writer < 0 && m.announced < 0 && m.nreaders == 0
	if ok {
		m.writer = g.ID
		g.vc.join(m.vc)
		g.vc.join(m.rvc)
	}
	e.recordf(g, "%s.TryLock() -> %v", m.Label(), ok)
	return ok
}

// RWUnlock releases the write lock.
func (e *Engine) RWUnlock(g *G, m *RWMutex) {
	e.rw(m)
	e.begin(g, m, KUnlock, true)
	e.Step(g)
	e.accessMode(&m.Object, AccRelease)
	e.recordf(g, "%s.Unlock()", m.Label())
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
	m.readers |= 1 << uint(g.ID)
	g.vc.join(m.vc)
	e.recordf(g, "%s.RLock()", m.Label())
}

// TryRLock tries to acquire m for reading.
func (e *Engine) TryRLock(g *G, m *RWMutex) bool {
	e.rw(m)
	e.begin(g, m, KTryRLock, true)
	e.Step(g)
	e.accessMode(&m.Object, AccTry)
	ok := m.writer < 0 && m.announced < 0
	if ok {
		m.nreaders++
		m.readers |= 1 << uint(g.ID)
		g.vc.join(m.vc)
	}
	e.recordf(g, "%s.TryRLock() -> %v", m.Label(), ok)
	return ok
}

// RUnlock releases a read lock.
func (e *Engine) RUnlock(g *G, m *RWMutex) {
	e.rw(m)
	e.begin(g, m, KRUnlock, true)
	e.Step(g)
	e.accessMode(&m.Object, AccRRelease)
	e.recordf(g, "%s.RUnlock()", m.Label())
	if m.nreaders == 0 {
		panic("sync: RUnlock of unlocked RWMutex")
	}
	m.nreaders--
	m.readers &^= 1 << uint(g.ID)
	m.rvc.join(g.vc)
	g.vc.tick(g.ID)
}

// ---- wait groups ----

// WaitGroup models sync.WaitGroup.
type WaitGroup struct {
	Object
	n      int64
	period []int32 // events of the Adds since the counter was last zero
}

func (w *WaitGroup) base() *Object { return &w.Object }
func (w *WaitGroup) enabled(e *Engine, g *G, p *Pending) bool {
	return p.Kind != KWGWait || w.n == 0
}

func (e *Engine) wg(w *WaitGroup) {
	if e.touch(&w.Object, "waitgroup") {
		w.n = 0
		w.period = w.period[:0]
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
		if k := e.sched.current(); k >= 0 {
			w.period = append(w.period, k)
			w.tries = append(w.tries, k)
		}
	} else {
		e.accessMode(&w.Object, AccRelease)
	}
	w.n += int64(delta)
	if delta == -1 {
		e.recordf(g, "%s.Done()", w.Label())
	} else {
		e.recordf(g, "%s.Add(%d)", w.Label(), delta)
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
	for _, k := range w.period {
		e.sched.depEvent(e, k)
	}
	g.vc.join(w.vc)
	e.recordf(g, "%s.Wait()", w.Label())
}

// ---- once ----

// Once models sync.Once.
type Once struct {
	Object
	done    bool
	running int
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
		e.recordf(g, "%s.Do() (already done)", o.Label())
		return
	}
	e.recordf(g, "%s.Do() runs f", o.Label())
	o.running = g.ID
	defer func() {
		if e.aborting.Load() {
			return
		}
		e.begin(g, o, KOnceEnd, true)
		e.Step(g)
		e.accessMode(&o.Object, AccRelease) // ends the wait of the others: races with no Do
		o.running, o.done = -1, true
		o.vc.join(g.vc)
		g.vc.tick(g.ID)
		e.recordf(g, "%s.Do() returns", o.Label())
	}()
	f()
}

// ---- condition variables ----

// Cond models sync.Cond's notify list: a waiter takes a ticket before it
// unlocks, so a Signal between the unlock and the wait is not lost.
type Cond struct {
	Object
	next     int64 // next ticket
	notified map[int64]bool
	waiting  []int64
}

func (c *Cond) base() *Object { return &c.Object }
func (c *Cond) enabled(e *Engine, g *G, p *Pending) bool {
	return p.Kind != KCondWait || c.notified[p.Arg]
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
	e.recordf(g, "%s.Wait() (unlocks)", c.Label())
	return t
}

// CondWait blocks g until its ticket is notified.
func (e *Engine) CondWait(g *G, c *Cond, ticket int64) {
	e.cond(c)
	p := e.begin(g, c, KCondWait, true)
	p.Arg = ticket
	e.Step(g)
	e.access(&c.Object, true)
	delete(c.notified, ticket)
	g.vc.join(c.vc)
	e.recordf(g, "%s.Wait() wakes (relocks)", c.Label())
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
	e.recordf(g, "%s.%s() wakes %d", c.Label(), name, n)
}

// ---- atomics ----

// Atomic is the engine's view of an atomic variable; the value itself lives
// in a real sync/atomic variable the primitive operates on.
type Atomic struct{ Object }

func (a *Atomic) base() *Object                            { return &a.Object }
func (a *Atomic) enabled(e *Engine, g *G, p *Pending) bool { return true }

// AtomicAt returns the engine object for the atomic variable at addr (for
// the sync/atomic functions, which have no object of their own).
func (e *Engine) AtomicAt(addr unsafe.Pointer) *Atomic {
	if e.addr == nil {
		e.addr = map[uintptr]*Atomic{}
	}
	a := e.addr[uintptr(addr)]
	if a == nil {
		a = &Atomic{}
		if n, ok := e.names[uintptr(addr)]; ok {
			a.Name = n
		}
		e.addr[uintptr(addr)] = a
	}
	return a
}

// AtomicOp schedules an atomic operation by g; the caller performs it on
// the real variable right after, then calls AtomicDone. Atomics are
// sequentially consistent: every operation synchronizes with the previous
// ones on the same variable.
func (e *Engine) AtomicOp(g *G, a *Atomic, write bool) {
	e.touch(&a.Object, "atomic")
	k := KAtomicLoad
	if write {
		k = KAtomicWrite
	}
	e.begin(g, a, k, write)
	e.Step(g)
	e.access(&a.Object, write)
	g.vc.join(a.vc)
	if write {
		a.vc.join(g.vc)
		g.vc.tick(g.ID)
	}
}

// AtomicDone records the operation's text in recording mode.
func (e *Engine) AtomicDone(g *G, a *Atomic, text func(name string) string) {
	if e.rec != nil {
		e.rec.step(g, text(a.Label()))
	}
}

// ---- time and joins ----

// Sleep blocks g until the virtual clock reaches now+d; d <= 0 yields.
func (e *Engine) Sleep(g *G, d int64, text string) {
	p := e.begin(g, nil, KSleep, false)
	p.Until = e.now + d
	if d <= 0 {
		p.Kind, p.Until = KYield, int64(e.execSteps)
	}
	e.Step(g)
	if e.rec != nil {
		e.rec.step(g, text)
	}
}

// Join blocks g until every other managed goroutine has finished.
func (e *Engine) Join(g *G) {
	e.begin(g, nil, KJoin, false)
	e.Step(g)
	for _, h := range e.gs {
		if h != g {
			g.vc.join(h.vc)
			e.sched.joinClock(e, g, h)
		}
	}
	e.recordf(g, "Wait() for all goroutines")
}

type timer struct {
	when int64
	seq  int64
	ch   *Chan
	fn   func(now int64) any
	dead bool
}

// AddTimer arranges for fn's value to be sent on ch (capacity >= 1) when the
// virtual clock reaches now+d. It returns a handle for StopTimer.
func (e *Engine) AddTimer(d int64, ch *Chan, fn func(now int64) any) any {
	e.ch(ch)
	e.timerSeq++
	t := &timer{when: e.now + d, seq: e.timerSeq, ch: ch, fn: fn}
	e.timers = append(e.timers, t)
	return t
}

// StopTimer cancels a timer for g and, as Go 1.23's timers do, drops a
// value it already sent that nobody received; it reports whether the timer
// was still pending. It is a scheduling point on the timer's channel.
func (e *Engine) StopTimer(g *G, h any, text string) bool {
	t, ok := h.(*timer)
	if !ok {
		return false
	}
	if t.ch != nil {
		e.ch(t.ch)
		e.begin(g, t.ch, KTimer, true)
		e.Step(g)
		e.access(&t.ch.Object, true)
		for t.ch.n > 0 {
			t.ch.pop(g)
		}
	}
	if e.rec != nil {
		e.rec.step(g, text)
	}
	if t.dead {
		return false
	}
	for i, x := range e.timers {
		if x == t {
			e.timers = append(e.timers[:i], e.timers[i+1:]...)
			t.dead = true
			return true
		}
	}
	return false
}

// ResetTimer stops a timer and arms it again for d from now.
func (e *Engine) ResetTimer(g *G, h any, d int64, text string) bool {
	t, ok := h.(*timer)
	if !ok {
		return false
	}
	active := e.StopTimer(g, h, text)
	t.dead = false
	e.timerSeq++
	t.when, t.seq = e.now+d, e.timerSeq
	e.timers = append(e.timers, t)
	return active
}

// advanceTime moves the virtual clock to the next deadline when nobody can
// run, fires the timers due then (in creation order) and reports whether
// anything happened. The advance is a barrier: every event before it
// happens before every event after it, since it can only occur once all
// goroutines are blocked.
func (e *Engine) advanceTime() bool {
	next := int64(-1)
	for _, g := range e.gs {
		if !g.done && g.hasPend && g.pend.Kind == KSleep && g.pend.Until > e.now && (next < 0 || g.pend.Until < next) {
			next = g.pend.Until
		}
	}
	for _, t := range e.timers {
		if next < 0 || t.when < next {
			next = t.when
		}
	}
	if next < 0 {
		return false
	}
	if next > e.now {
		e.now = next
	}
	var due []*timer
	rest := e.timers[:0]
	for _, t := range e.timers {
		if t.when <= e.now {
			due = append(due, t)
		} else {
			rest = append(rest, t)
		}
	}
	e.timers = rest
	// creation order
	for i := 1; i < len(due); i++ {
		for j := i; j > 0 && due[j].seq < due[j-1].seq; j-- {
			due[j], due[j-1] = due[j-1], due[j]
		}
	}
	e.sched.barrier(e)
	for _, t := range due {
		t.dead = true
		v := t.fn(e.now)
		c := t.ch
		if c == nil || c.closed {
			continue
		}
		if r, ok := first(&c.recvq); ok {
			// a goroutine waits on the timer's channel: hand the value over
			dequeue(&c.recvq)
			e.deliver(e.cur, r, v, true)
		} else if c.n < c.Cap {
			c.push(v, nil)
		}
	}
	return true
}

func (e *Engine) recordf(g *G, format string, args ...any) {
	if e.rec != nil {
		e.rec.step(g, fmt.Sprintf(format, args...))
	}
}

// Record adds the current operation's description to the trace (recording
// mode only; callers check Recording first to avoid building text).
func (e *Engine) Record(g *G, text string) {
	if e.rec != nil {
		e.rec.step(g, text)
	}
}

// SetName names the object at addr for the rest of the execution (or, if
// called outside, for the whole exploration).
func (e *Engine) SetName(addr uintptr, name string) {
	if e.names == nil {
		e.names = map[uintptr]string{}
	}
	e.names[addr] = name
	if a := e.addr[addr]; a != nil {
		a.Name = name
	}
}

// Lazy holds a model allocated on first use in an exploration, so that a
// primitive costs one pointer outside explorations.
type Lazy[M any] struct{ p atomic.Pointer[M] }

// Peek returns the model if it exists.
func (l *Lazy[M]) Peek() *M { return l.p.Load() }

// Get returns the model, creating it; key is the user's object address.
func (l *Lazy[M]) Get() *M {
	if m := l.p.Load(); m != nil {
		return m
	}
	l.p.CompareAndSwap(nil, new(M))
	return l.p.Load()
}

// Base returns m's object, or nil for a nil model.
func (m *Mutex) Base() *Object {
	if m == nil {
		return nil
	}
	return &m.Object
}

// Base returns m's object, or nil for a nil model.
func (m *RWMutex) Base() *Object {
	if m == nil {
		return nil
	}
	return &m.Object
}

// Base returns m's object, or nil for a nil model.
func (m *WaitGroup) Base() *Object {
	if m == nil {
		return nil
	}
	return &m.Object
}

// Base returns m's object, or nil for a nil model.
func (m *Once) Base() *Object {
	if m == nil {
		return nil
	}
	return &m.Object
}

// Base returns m's object, or nil for a nil model.
func (m *Cond) Base() *Object {
	if m == nil {
		return nil
	}
	return &m.Object
}

// Base returns m's object, or nil for a nil model.
func (m *Atomic) Base() *Object {
	if m == nil {
		return nil
	}
	return &m.Object
}
