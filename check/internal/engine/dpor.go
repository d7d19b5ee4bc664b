package engine

// por is source-DPOR's bookkeeping (Abdulla et al., POPL 2014): every
// executed event with its DPOR clock, the objects each event accessed, and
// the sleep set. When an event completes a race with an earlier one (they
// conflict and are not ordered by the dependencies in between), a
// goroutine that can reverse the race is added to the backtrack set of the
// node before the earlier event.
type por struct {
	tree *dfs // the DFS tree whose nodes get backtrack points

	events []event  // the events of the current execution, in order
	clocks []uint32 // every event's DPOR clock, concatenated (event.clk, event.n)

	// The event in progress (between beginEvent and closeEvent).
	evc    VC    // its DPOR clock
	evG    int   // its goroutine
	evOpen bool  // an event is in progress
	evAcc  []acc // the objects it accessed
	evWoke gset  // goroutines it woke (they leave the sleep set)

	sleep gset     // the sleep set after the last event
	cnt   []uint32 // scratch for race: events per goroutine before the racing one

	// Spin loops. A goroutine whose consecutive events only read the same
	// object (a spin on a flag) makes a stutter: reversing a write with
	// one of those reads gives a schedule that differs only in how many
	// times the loop went round. So only the first read of such a streak
	// races with a later write, and a read right after the write that
	// ended the streak does not race with it; without this, every
	// iteration of a spin would be a schedule of its own.
	lastEv []int32     // per goroutine: the index of its last event that accessed an object
	prevEv int32       // the current goroutine's event before the current one, -1 if none
	spin   []spinState // per goroutine: the streak of reads its last events made
}

// spinState is a goroutine's streak of consecutive reads of one object.
type spinState struct {
	o  *Object // the object read, nil if the last event was not such a read
	ev int32   // the streak's latest read
}

// event is one executed visible operation.
type event struct {
	g    int32  // its goroutine
	pidx uint32 // 1-based index among the goroutine's events
	node int32  // the decision that chose it (index in dfs.nodes)
	clk  int32  // offset of its clock in por.clocks
	n    int32  // length of its clock
}

// acc is one access of an event: the object, and how.
type acc struct {
	o    *Object
	mode accessMode
}

// accessMode says how an event touched an object. Races are only looked for
// between operations that can be enabled at the same time (Flanagan and
// Godefroid's co-enabledness): a Lock races with the previous Lock of the
// mutex, not with the Unlock that enabled it, since it can never run before
// that Unlock.
type accessMode uint8

const (
	accRead     accessMode = iota // reads the object
	accWrite                      // updates it (and acquires locks)
	accRelease                    // releases it: ordered before later acquires, races only with attempts
	accRRelease                   // a reader's release (RUnlock): ordered before writers only
	accTry                        // a non-blocking attempt: races with releases too
	accDrain                      // a writer waiting for readers to leave: after every RUnlock
	// accCommute: an update that commutes with other such updates (an
	// atomic Add whose result is not used): it races with reads and
	// writes, not with another accCommute, so n goroutines adding to one
	// counter are one schedule, not n! of them.
	accCommute
)

func (p *por) begin(e *Engine) {
	for i := range p.lastEv {
		p.lastEv[i], p.spin[i] = -1, spinState{}
	}
	p.events = p.events[:0]
	p.clocks = p.clocks[:0]
	p.evOpen = false
	p.sleep = gset{}
}

func (p *por) beginEvent(e *Engine, g *G) {
	g.nev++
	for len(p.lastEv) <= g.ID {
		p.lastEv = append(p.lastEv, -1)
		p.spin = append(p.spin, spinState{})
	}
	p.prevEv = p.lastEv[g.ID]
	p.events = append(p.events, event{g: int32(g.ID), pidx: uint32(g.nev), node: int32(p.tree.depth - 1)})
	p.evc = append(p.evc[:0], g.dc...)
	p.evc.set(g.ID, uint32(g.nev))
	p.evAcc = p.evAcc[:0]
	p.evWoke = gset{}
	p.evG = g.ID
	p.evOpen = true
}

func (p *por) closeEvent(e *Engine) {
	if !p.evOpen {
		return
	}
	p.evOpen = false
	ev := &p.events[len(p.events)-1]
	ev.clk, ev.n = int32(len(p.clocks)), int32(len(p.evc))
	if len(p.evAcc) > 0 {
		// events that access nothing (a yield, a sleep, a start) do not
		// break a spin's streak of loads
		p.lastEv[p.evG] = int32(len(p.events) - 1)
	}
	p.clocks = append(p.clocks, p.evc...)
	e.gs[p.evG].dc.copyFrom(p.evc)
	if ev.node < 0 || p.tree.bound >= 0 {
		// Sleep sets assume a sibling explored everything below it; under a
		// preemption bound it may not have (the bound cut it), so bounded
		// levels do without them.
		p.sleep = gset{}
		return
	}
	sl := p.tree.nodes[ev.node].sleep.clone()
	sl.remove(p.evG)
	sl = sl.andNot(p.evWoke)
	for q := sl.lowest(); q >= 0; q = sl.next(q) {
		if p.dependent(e.gs[q]) {
			sl.remove(q)
		}
	}
	p.sleep = sl
}

// dependent reports whether the current event conflicts with h's pending
// operation.
func (p *por) dependent(h *G) bool {
	if h.done || !h.hasPend {
		return true
	}
	pd := &h.pend
	conflict := func(o *Object, w bool, commute bool) bool {
		for _, a := range p.evAcc {
			if a.o != o {
				continue
			}
			if commute && a.mode == accCommute {
				continue
			}
			if a.mode != accRead || w {
				return true
			}
		}
		return false
	}
	if pd.Kind == KSelect {
		for i := range pd.Cases {
			if c := pd.Cases[i].Chan; c != nil && conflict(&c.Object, true, false) {
				return true
			}
		}
		return false
	}
	if pd.obj == nil {
		return false
	}
	if pd.Kind == KFire && h.timer != nil && h.timer.Chan != nil && conflict(&h.timer.Chan.Object, true, false) {
		return true // a firing writes its channel too
	}
	return conflict(pd.obj.base(), pd.Write, pd.Commute)
}

func (p *por) clock(k int32) VC {
	ev := &p.events[k]
	return VC(p.clocks[ev.clk : ev.clk+ev.n])
}

// eventClock returns the clock of the event in progress, or nil.
func (p *por) eventClock() VC {
	if p.evOpen {
		return p.evc
	}
	return nil
}

// clockOf returns g's DPOR clock including an event it is in the middle of.
func (p *por) clockOf(g *G) VC {
	if p.evOpen && p.evG == g.ID {
		return p.evc
	}
	return g.dc
}

// joinInto makes the partner of a rendezvous by g depend on the current
// event, and the event on the partner's past.
func (p *por) joinInto(g, partner *G) {
	if p.evOpen {
		p.evc.join(partner.dc)
	}
	p.evWoke.add(partner.ID)
	partner.dc.join(p.eventClock())
}

// barrier makes everything so far happen before everything after (virtual
// time advances only when nobody can run).
func (p *por) barrier(e *Engine) {
	var b VC
	for _, g := range e.gs {
		b.join(g.dc)
	}
	for _, g := range e.gs {
		g.dc.copyFrom(b)
	}
}

// current returns the index of the event in progress, or -1.
func (p *por) current() int32 {
	if !p.evOpen {
		return -1
	}
	return int32(len(p.events) - 1)
}

// access records that the current event touched o and adds backtrack
// points for the races it completes.
func (p *por) access(e *Engine, o *Object, mode accessMode) {
	if !p.evOpen {
		return
	}
	k := int32(len(p.events) - 1)
	p.evAcc = append(p.evAcc, acc{o, mode})
	if mode != accRead {
		p.spin[p.evG] = spinState{}
	}
	switch mode {
	case accCommute:
		p.commute(e, o, k)
	case accRelease, accRRelease:
		p.release(e, o, k, mode)
	case accDrain:
		if o.lastW >= 0 && o.lastW != k {
			p.dep(e, o.lastW)
		}
		p.evc.join(o.relVC)
		p.evc.join(o.rrelVC)
	case accRead:
		p.read(e, o, k)
	default:
		p.write(e, o, k, mode)
	}
}

// release: a release races with the non-blocking attempts since the last
// one (a TryLock before it fails, after it succeeds).
func (p *por) release(e *Engine, o *Object, k int32, mode accessMode) {
	for _, t := range o.tries {
		if t != k {
			p.dep(e, t)
		}
	}
	o.tries = o.tries[:0]
	if mode == accRelease {
		o.relVC.join(p.evc)
	} else {
		o.rrelVC.join(p.evc)
	}
	o.lastRel = k
}

func (p *por) write(e *Engine, o *Object, k int32, mode accessMode) {
	if mode == accTry {
		o.tries = append(o.tries, k)
	}
	if o.lastW >= 0 && o.lastW != k {
		p.dep(e, o.lastW)
	}
	if mode == accTry && o.lastRel >= 0 && o.lastRel != k {
		p.dep(e, o.lastRel)
	}
	for _, r := range o.reads {
		if r != k {
			p.dep(e, r)
		}
	}
	for _, c := range o.adds {
		if c != k {
			p.dep(e, c)
		}
	}
	p.evc.join(o.relVC)
	if mode == accTry {
		p.evc.join(o.rrelVC)
	}
	o.lastW = k
	o.reads = o.reads[:0]
	o.adds = o.adds[:0]
}

// commute: an update that commutes with the others since the last write
// depends on that write and on the reads, not on the other updates.
func (p *por) commute(e *Engine, o *Object, k int32) {
	if o.lastW >= 0 && o.lastW != k {
		p.dep(e, o.lastW)
	}
	for _, r := range o.reads {
		if r != k {
			p.dep(e, r)
		}
	}
	p.evc.join(o.relVC)
	o.adds = append(o.adds, k)
}

func (p *por) read(e *Engine, o *Object, k int32) {
	st := &p.spin[p.evG]
	// Only plain loads spin: a read that can block or changes its
	// object's state (RLock) is not a stutter.
	pure := len(p.evAcc) == 1 && (e.gs[p.evG].pend.Kind == KAtomicLoad || e.gs[p.evG].pend.Kind == KVarLoad)
	stutter := pure && st.o == o && st.ev == p.prevEv
	st.o, st.ev = o, k
	if !pure {
		st.o = nil
	}
	if o.lastW >= 0 && o.lastW != k {
		if stutter && o.lastW > p.prevEv {
			// The write ended this goroutine's streak: reading before it
			// would only be one more round of the spin.
			p.evc.join(p.clock(o.lastW))
		} else {
			p.dep(e, o.lastW)
		}
	}
	for _, c := range o.adds {
		if c != k {
			p.dep(e, c)
		}
	}
	p.evc.join(o.relVC)
	for i, r := range o.reads {
		if p.events[r].g == int32(p.evG) {
			if !stutter {
				o.reads[i] = k // a stutter keeps its streak's first read
			}
			return
		}
	}
	o.reads = append(o.reads, k)
}

// depEvent makes the current event depend on event c (checking for a
// race), for dependencies the object's access history does not capture.
func (p *por) depEvent(e *Engine, c int32) {
	if p.evOpen && c >= 0 && int(c) < len(p.events)-1 {
		p.dep(e, c)
	}
}

func (p *por) dep(e *Engine, c int32) {
	ce := &p.events[c]
	if int(ce.g) != p.evG && p.evc.get(int(ce.g)) < ce.pidx {
		p.race(e, c)
	}
	p.evc.join(p.clock(c))
}

// race handles a race between event i and the current event: the
// sequence v of events after i that do not depend on i, followed by the
// current goroutine, must be explorable from the state before i; its
// initials are the goroutines whose first event in v depends on nothing
// else in v. If none of them is already in i's backtrack set, add one.
func (p *por) race(e *Engine, i int32) {
	ei := p.events[i]
	if ei.node < 0 {
		return
	}
	I := p.initials(e, i)
	nd := &p.tree.nodes[ei.node]
	if I.intersects(nd.backtrack) {
		return
	}
	if !I.intersects(nd.enabled) {
		if I.andNot(nd.timed).empty() {
			return // only time could reverse it (see node.timed)
		}
		// Not expected; stay sound by exploring everything there.
		for q := nd.enabled.lowest(); q >= 0; q = nd.enabled.next(q) {
			p.addBacktrack(e, int(ei.node), q)
		}
		return
	}
	// Prefer the current goroutine, then any initial the bound allows.
	cur := p.evG
	cands := I.and(nd.enabled)
	q := -1
	for r := cands.lowest(); r >= 0; r = cands.next(r) {
		if p.tree.allowed(e, nd, r) && (q < 0 || r == cur) {
			q = r
		}
	}
	if q < 0 {
		q = cur
		if !cands.has(cur) {
			q = cands.lowest()
		}
	}
	p.addBacktrack(e, int(ei.node), q)
}

// initials computes the initials of the race-reversing sequence (see race).
func (p *por) initials(e *Engine, i int32) gset {
	j := int32(len(p.events) - 1)
	cur := p.evG
	ei := p.events[i]
	n := len(e.gs)
	p.cnt = p.cnt[:0]
	for r := 0; r < n; r++ {
		c := uint32(e.gs[r].nev)
		if r == cur {
			c--
		}
		p.cnt = append(p.cnt, c)
	}
	for k := j - 1; k >= i; k-- {
		p.cnt[p.events[k].g] = p.events[k].pidx - 1
	}
	initial := func(fc VC, q int) bool {
		for r, x := range fc {
			if r != q && r < n && x > p.cnt[r] {
				return false
			}
		}
		return true
	}
	var seen, I gset
	for k := i + 1; k < j; k++ {
		q := int(p.events[k].g)
		if seen.has(q) {
			continue
		}
		seen.add(q)
		fc := p.clock(k)
		if fc.get(int(ei.g)) >= ei.pidx {
			continue
		}
		if initial(fc, q) {
			I.add(q)
		}
	}
	if !seen.has(cur) && initial(e.gs[cur].dc, cur) {
		I.add(cur)
	}
	return I
}

func (p *por) addBacktrack(e *Engine, ni, q int) {
	p.addAt(e, ni, q)
	if p.tree.bound < 0 {
		return
	}
	// Bounded POR (Coons et al., OOPSLA 2013; as dejafu does it): the bound
	// makes otherwise independent steps dependent, so also try q at the
	// latest earlier point where the schedule switched goroutines.
	for m := ni - 1; m >= 0; m-- {
		c := &p.tree.nodes[m]
		if !c.choice && c.prev != c.chosen {
			p.addAt(e, m, q)
			return
		}
	}
}

// addAt adds q to the backtrack set of node ni if the bound allows it (all
// enabled goroutines when q cannot run there).
func (p *por) addAt(e *Engine, ni, q int) {
	nd := &p.tree.nodes[ni]
	cands := single(q)
	if !nd.enabled.has(q) {
		if nd.timed.has(q) {
			return // q was waiting for the clock there (see node.timed)
		}
		cands = nd.enabled.clone()
	}
	for r := cands.lowest(); r >= 0; r = cands.next(r) {
		if p.tree.allowed(e, nd, r) {
			nd.backtrack.add(r)
		} else {
			p.tree.pruned = true
		}
	}
}
