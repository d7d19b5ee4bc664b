package engine

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
)

// Strategy modes.
const (
	ModeDFS = iota
	ModeRandom
	ModePCT
	ModeReplay
)

// node is one decision of the DFS tree: who runs (or, for a choice node,
// which alternative of a select or a rendezvous partner).
type node struct {
	choice      bool
	nalt        int32
	chosen      int32
	enabled     uint64
	backtrack   uint64
	sleep       uint64 // sleep set, grown with the explored siblings
	prev        int32  // goroutine of the previous event, -1 at the start
	prevEnabled bool
	preempt     int32 // preemptions before this decision
	sig         uint32
}

// event is one executed visible operation.
type event struct {
	g    int32
	pidx uint32 // 1-based index among the goroutine's events
	node int32
	clk  int32 // offset of its clock in scheduler.clocks
	n    int32
}

type acc struct {
	o     *Object
	write bool
}

type scheduler struct {
	mode  int
	dpor  bool // keep events and clocks: DFS with reduction
	bound int  // preemption bound, -1 for none

	nodes  []node
	depth  int
	events []event
	clocks []uint32
	evc    VC
	evG    int
	evOpen bool
	evAcc  []acc
	evWoke uint64
	sleep  uint64
	cnt    []uint32

	lastG   int
	preempt int
	pruned  bool // the current level cut something because of the bound
	blocked bool // the current execution ended sleep-set blocked

	trail  []int32
	replay []int32
	rpos   int

	rng       *rand.Rand
	pctDepth  int
	pctK      int
	pctChange []int
}

func (s *scheduler) beginExecution(e *Engine) {
	s.depth = 0
	s.events = s.events[:0]
	s.clocks = s.clocks[:0]
	s.evOpen = false
	s.sleep = 0
	s.lastG = -1
	s.preempt = 0
	s.blocked = false
	s.trail = s.trail[:0]
	s.rpos = 0
	if s.mode == ModePCT {
		s.pctChange = s.pctChange[:0]
		for i := 1; i < s.pctDepth; i++ {
			s.pctChange = append(s.pctChange, 1+s.rng.IntN(max(s.pctK, 1)))
		}
	}
}

func (s *scheduler) endExecution(e *Engine) {
	if s.mode == ModePCT && e.execSteps > s.pctK {
		s.pctK = e.execSteps
	}
}

func (s *scheduler) spawned(e *Engine, g *G) {
	if s.mode == ModePCT {
		g.prio = int64(s.pctDepth) + 1 + s.rng.Int64N(1<<40)
	}
}

func bit(i int) uint64 { return 1 << uint(i) }

func lowest(m uint64) int { return bits.TrailingZeros64(m) }

func (s *scheduler) allowed(n *node, q int) bool {
	return s.bound < 0 || !n.prevEnabled || int(n.prev) == q || int(n.preempt)+1 <= s.bound
}

// sig summarizes the state at a decision: who runs and what every
// goroutine is about to do. Replaying a prefix must meet the same
// signatures, or the program is nondeterministic.
func (s *scheduler) sig(e *Engine, en uint64) uint32 {
	h := uint32(2166136261) ^ uint32(en) ^ uint32(en>>32)
	for _, g := range e.gs {
		var id int32 = -1
		if g.hasPend && g.pend.obj != nil {
			id = g.pend.obj.base().ID
		}
		k := uint32(g.pend.Kind)
		if !g.hasPend || g.done {
			k = 255
		}
		h = (h ^ k<<24 ^ uint32(id)) * 16777619
	}
	return h
}

// pick returns the goroutine to run among en, or -1 to stop the execution.
func (s *scheduler) pick(e *Engine, en uint64) int {
	chosen := -1
	switch s.mode {
	case ModeDFS:
		if s.depth < len(s.nodes) {
			n := &s.nodes[s.depth]
			if n.choice || en&bit(int(n.chosen)) == 0 || n.sig != s.sig(e, en) {
				s.nondet(e, fmt.Sprintf("step %d: the schedule being replayed expects %s", e.execSteps+1, s.expect(e, n)))
				return -1
			}
			chosen = int(n.chosen)
			if s.dpor {
				s.sleep = n.sleep
			}
		} else {
			n := node{enabled: en, prev: int32(s.lastG), preempt: int32(s.preempt)}
			if s.dpor {
				n.sleep = s.sleep
			}
			n.prevEnabled = s.lastG >= 0 && en&bit(s.lastG) != 0
			cands := en &^ n.sleep
			if cands == 0 {
				s.blocked = true
				e.pruned = true
				return -1
			}
			switch {
			case n.prevEnabled && cands&bit(s.lastG) != 0:
				chosen = s.lastG
			case n.prevEnabled && s.bound >= 0 && s.preempt+1 > s.bound:
				s.pruned = true
				e.pruned = true
				return -1
			default:
				chosen = lowest(cands)
			}
			n.chosen = int32(chosen)
			n.backtrack = bit(chosen)
			if !s.dpor {
				for m := cands; m != 0; m &= m - 1 {
					q := lowest(m)
					if s.allowed(&n, q) {
						n.backtrack |= bit(q)
					} else {
						s.pruned = true
					}
				}
			}
			n.sig = s.sig(e, en)
			s.nodes = append(s.nodes, n)
		}
		s.depth++
	case ModeRandom:
		k := s.rng.IntN(bits.OnesCount64(en))
		m := en
		for ; k > 0; k-- {
			m &= m - 1
		}
		chosen = lowest(m)
	case ModePCT:
		step := e.execSteps + 1
		for i, c := range s.pctChange {
			if c == step && s.lastG >= 0 {
				e.gs[s.lastG].prio = int64(s.pctDepth - 1 - i)
			}
		}
		best := int64(-1 << 62)
		for m := en; m != 0; m &= m - 1 {
			q := lowest(m)
			if p := e.gs[q].prio; p > best {
				best, chosen = p, q
			}
		}
	case ModeReplay:
		if s.rpos >= len(s.replay) {
			s.nondet(e, fmt.Sprintf("step %d: the replayed schedule ended but the program went on", e.execSteps+1))
			return -1
		}
		t := int(s.replay[s.rpos])
		s.rpos++
		chosen = t - 1
		if t == 0 {
			chosen = s.lastG
		}
		if chosen < 0 || chosen >= len(e.gs) || en&bit(chosen) == 0 {
			s.nondet(e, fmt.Sprintf("step %d: the replayed schedule runs goroutine #%d, which cannot run now", e.execSteps+1, chosen))
			return -1
		}
	}
	if s.lastG >= 0 && chosen != s.lastG && en&bit(s.lastG) != 0 {
		s.preempt++
	}
	t := int32(chosen + 1)
	if chosen == s.lastG {
		t = 0
	}
	s.trail = append(s.trail, t)
	s.lastG = chosen
	return chosen
}

func (s *scheduler) expect(e *Engine, n *node) string {
	if n.choice {
		return "a choice between ready cases"
	}
	return "the goroutines to be about to run other operations"
}

func (s *scheduler) nondet(e *Engine, msg string) {
	if e.fail == nil {
		e.fail = &Fail{KindNondeterminism, "the program behaved differently when the same schedule was replayed (" + msg + "): it depends on something the checker does not control, such as map iteration order, real time, randomness or goroutines not started with T.Go"}
	}
}

// choose returns which of n alternatives to take (select cases, rendezvous
// partners).
func (s *scheduler) choose(e *Engine, n int) int {
	k := 0
	switch s.mode {
	case ModeDFS:
		if s.depth < len(s.nodes) {
			nd := &s.nodes[s.depth]
			if !nd.choice || int(nd.nalt) != n {
				s.nondet(e, fmt.Sprintf("step %d: the schedule being replayed expects %s", e.execSteps, s.expect(e, nd)))
				e.failNow(e.cur, KindNondeterminism, "", true)
			}
			k = int(nd.chosen)
		} else {
			s.nodes = append(s.nodes, node{choice: true, nalt: int32(n)})
		}
		s.depth++
	case ModeRandom, ModePCT:
		k = s.rng.IntN(n)
	case ModeReplay:
		if s.rpos < len(s.replay) {
			k = int(s.replay[s.rpos])
			s.rpos++
		}
		if k >= n {
			s.nondet(e, fmt.Sprintf("step %d: the replayed schedule takes alternative %d of %d", e.execSteps, k, n))
			e.failNow(e.cur, KindNondeterminism, "", true)
		}
	}
	s.trail = append(s.trail, int32(k))
	return k
}

// next prepares the next DFS execution; false when the tree is exhausted.
func (s *scheduler) next() bool {
	for len(s.nodes) > 0 {
		n := &s.nodes[len(s.nodes)-1]
		if n.choice {
			if n.chosen+1 < n.nalt {
				n.chosen++
				return true
			}
			s.nodes = s.nodes[:len(s.nodes)-1]
			continue
		}
		n.sleep |= bit(int(n.chosen))
		c := n.backtrack & n.enabled &^ n.sleep
		if c != 0 {
			n.chosen = int32(lowest(c))
			return true
		}
		s.nodes = s.nodes[:len(s.nodes)-1]
	}
	return false
}

func (s *scheduler) beginEvent(e *Engine, g *G) {
	if !s.dpor {
		return
	}
	g.nev++
	s.events = append(s.events, event{g: int32(g.ID), pidx: uint32(g.nev), node: int32(s.depth - 1)})
	s.evc = append(s.evc[:0], g.dc...)
	s.evc.set(g.ID, uint32(g.nev))
	s.evAcc = s.evAcc[:0]
	s.evWoke = 0
	s.evG = g.ID
	s.evOpen = true
}

func (s *scheduler) closeEvent(e *Engine) {
	if !s.evOpen {
		return
	}
	s.evOpen = false
	ev := &s.events[len(s.events)-1]
	ev.clk, ev.n = int32(len(s.clocks)), int32(len(s.evc))
	s.clocks = append(s.clocks, s.evc...)
	e.gs[s.evG].dc.copyFrom(s.evc)
	sl := s.nodes[ev.node].sleep &^ bit(s.evG) &^ s.evWoke
	for m := sl; m != 0; m &= m - 1 {
		q := lowest(m)
		if s.dependent(e.gs[q]) {
			sl &^= bit(q)
		}
	}
	s.sleep = sl
	if s.bound >= 0 {
		// Sleep sets assume a sibling explored everything below it; under a
		// preemption bound it may not have (the bound cut it), so bounded
		// levels do without them.
		s.sleep = 0
	}
}

// dependent reports whether the current event conflicts with h's pending
// operation.
func (s *scheduler) dependent(h *G) bool {
	if h.done || !h.hasPend {
		return true
	}
	p := &h.pend
	conflict := func(o *Object, w bool) bool {
		for _, a := range s.evAcc {
			if a.o == o && (a.write || w) {
				return true
			}
		}
		return false
	}
	if p.Kind == KSelect {
		for i := range p.Cases {
			if c := p.Cases[i].Chan; c != nil && conflict(&c.Object, true) {
				return true
			}
		}
		return false
	}
	if p.obj == nil {
		return false
	}
	return conflict(p.obj.base(), p.Write)
}

func (s *scheduler) clock(k int32) VC {
	ev := &s.events[k]
	return VC(s.clocks[ev.clk : ev.clk+ev.n])
}

func (s *scheduler) eventClock() VC {
	if s.evOpen {
		return s.evc
	}
	return nil
}

// clockOf returns g's DPOR clock including an event it is in the middle of.
func (s *scheduler) clockOf(g *G) VC {
	if s.evOpen && s.evG == g.ID {
		return s.evc
	}
	return g.dc
}

func (s *scheduler) joinClock(e *Engine, g, h *G) {
	if s.dpor && s.evOpen {
		s.evc.join(h.dc)
	}
}

func (s *scheduler) woke(h *G) { s.evWoke |= bit(h.ID) }

// barrier makes everything so far happen before everything after (virtual
// time advances only when nobody can run).
func (s *scheduler) barrier(e *Engine) {
	if !s.dpor {
		return
	}
	var b VC
	for _, g := range e.gs {
		b.join(g.dc)
	}
	for _, g := range e.gs {
		g.dc.copyFrom(b)
	}
}

// Access modes. Races are only looked for between operations that can be
// enabled at the same time (Flanagan and Godefroid's co-enabledness): a
// Lock races with the previous Lock of the mutex, not with the Unlock that
// enabled it, since it can never run before that Unlock.
const (
	AccRead     = iota // reads the object
	AccWrite           // updates it (and acquires locks)
	AccRelease         // releases it: ordered before later acquires, races only with attempts
	AccRRelease        // a reader's release (RUnlock): ordered before writers only
	AccTry             // a non-blocking attempt: races with releases too
	AccDrain           // a writer waiting for readers to leave: after every RUnlock
)

// access records that the current event touched o and adds backtrack
// points for the races it completes (source-DPOR).
func (s *scheduler) access(e *Engine, o *Object, mode int) {
	if !s.dpor || !s.evOpen {
		return
	}
	k := int32(len(s.events) - 1)
	s.evAcc = append(s.evAcc, acc{o, mode != AccRead})
	if mode == AccRelease || mode == AccRRelease {
		// A release races with the non-blocking attempts since the last
		// one (a TryLock before it fails, after it succeeds).
		for _, t := range o.tries {
			if t != k {
				s.dep(e, t)
			}
		}
		o.tries = o.tries[:0]
		if mode == AccRelease {
			o.relVC.join(s.evc)
		} else {
			o.rrelVC.join(s.evc)
		}
		o.lastRel = k
		return
	}
	if mode == AccDrain {
		if o.lastW >= 0 && o.lastW != k {
			s.dep(e, o.lastW)
		}
		s.evc.join(o.relVC)
		s.evc.join(o.rrelVC)
		return
	}
	if mode == AccTry {
		o.tries = append(o.tries, k)
	}
	if o.lastW >= 0 && o.lastW != k {
		s.dep(e, o.lastW)
	}
	if mode == AccTry && o.lastRel >= 0 && o.lastRel != k {
		s.dep(e, o.lastRel)
	}
	if mode != AccRead {
		for _, r := range o.reads {
			if r != k {
				s.dep(e, r)
			}
		}
		s.evc.join(o.relVC)
		if mode == AccTry {
			s.evc.join(o.rrelVC)
		}
		o.lastW = k
		o.reads = o.reads[:0]
		return
	}
	s.evc.join(o.relVC)
	for i, r := range o.reads {
		if s.events[r].g == int32(s.evG) {
			o.reads[i] = k
			return
		}
	}
	o.reads = append(o.reads, k)
}

// current returns the index of the event in progress, or -1.
func (s *scheduler) current() int32 {
	if !s.dpor || !s.evOpen {
		return -1
	}
	return int32(len(s.events) - 1)
}

// depEvent makes the current event depend on event c (checking for a
// race), for dependencies the object's access history does not capture.
func (s *scheduler) depEvent(e *Engine, c int32) {
	if s.dpor && s.evOpen && c >= 0 && int(c) < len(s.events)-1 {
		s.dep(e, c)
	}
}

func (s *scheduler) dep(e *Engine, c int32) {
	ce := &s.events[c]
	if int(ce.g) != s.evG && s.evc.get(int(ce.g)) < ce.pidx {
		s.race(e, c)
	}
	s.evc.join(s.clock(c))
}

// race handles a race between event i and the current event: the
// sequence v of events after i that do not depend on i, followed by the
// current goroutine, must be explorable from the state before i; its
// initials are the goroutines whose first event in v depends on nothing
// else in v. If none of them is already in i's backtrack set, add one.
func (s *scheduler) race(e *Engine, i int32) {
	j := int32(len(s.events) - 1)
	p := s.evG
	ei := s.events[i]
	n := len(e.gs)
	s.cnt = s.cnt[:0]
	for r := 0; r < n; r++ {
		c := uint32(e.gs[r].nev)
		if r == p {
			c--
		}
		s.cnt = append(s.cnt, c)
	}
	for k := j - 1; k >= i; k-- {
		s.cnt[s.events[k].g] = s.events[k].pidx - 1
	}
	initial := func(fc VC, q int) bool {
		for r, x := range fc {
			if r != q && r < n && x > s.cnt[r] {
				return false
			}
		}
		return true
	}
	var seen, I uint64
	for k := i + 1; k < j; k++ {
		q := int(s.events[k].g)
		if seen&bit(q) != 0 {
			continue
		}
		seen |= bit(q)
		fc := s.clock(k)
		if fc.get(int(ei.g)) >= ei.pidx {
			continue
		}
		if initial(fc, q) {
			I |= bit(q)
		}
	}
	if seen&bit(p) == 0 && initial(e.gs[p].dc, p) {
		I |= bit(p)
	}
	nd := &s.nodes[ei.node]
	if I&nd.backtrack != 0 {
		return
	}
	if I&nd.enabled == 0 {
		// Not expected; stay sound by exploring everything there.
		for m := nd.enabled; m != 0; m &= m - 1 {
			s.addBacktrack(int(ei.node), lowest(m))
		}
		return
	}
	// Prefer p, then any initial the preemption bound allows here.
	q := -1
	for m := I & nd.enabled; m != 0; m &= m - 1 {
		r := lowest(m)
		if s.allowed(nd, r) && (q < 0 || r == p) {
			q = r
		}
	}
	if q < 0 {
		q = p
		if I&nd.enabled&bit(p) == 0 {
			q = lowest(I & nd.enabled)
		}
	}
	s.addBacktrack(int(ei.node), q)
}

func (s *scheduler) addBacktrack(ni, q int) {
	s.addAt(ni, q)
	if s.bound < 0 {
		return
	}
	// Bounded POR (Coons et al., OOPSLA 2013; as dejafu does it): the bound
	// makes otherwise independent steps dependent, so also try q at the
	// latest earlier point where the schedule switched goroutines.
	for m := ni - 1; m > 0; m-- {
		c := &s.nodes[m]
		if !c.choice && c.prev != c.chosen {
			s.addAt(m, q)
			return
		}
	}
}

// addAt adds q to the backtrack set of node ni if the bound allows it (all
// enabled goroutines when q cannot run there).
func (s *scheduler) addAt(ni, q int) {
	nd := &s.nodes[ni]
	cands := bit(q)
	if nd.enabled&cands == 0 {
		cands = nd.enabled
	}
	for m := cands; m != 0; m &= m - 1 {
		r := lowest(m)
		if s.allowed(nd, r) {
			nd.backtrack |= bit(r)
		} else {
			s.pruned = true
		}
	}
}
