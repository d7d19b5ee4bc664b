package engine

import "fmt"

// dfs explores the tree of decisions depth-first: each execution replays
// the path to the deepest node that still has an untried alternative, takes
// it, and goes on with natural choices. With DPOR (dfs.por) only the
// alternatives that reverse a race are tried (source-DPOR with sleep sets);
// without, every enabled goroutine is. A preemption bound (bound >= 0) cuts
// alternatives that would exceed it.
type dfs struct {
	nodes  []node // the current path, root first
	depth  int    // decisions taken so far in this execution
	bound  int    // preemption bound, -1 for none
	pruned bool   // the bound cut an alternative somewhere: the level is not complete
	// blocked: this execution ended in a sleep-set-blocked state (every
	// candidate was asleep): it is redundant and not counted.
	blocked bool
	por     *por // DPOR's dependency tracking, nil without reduction
}

// node is one decision of the DFS tree: who runs (or, for a choice node,
// which alternative of a select or a rendezvous).
type node struct {
	choice      bool   // a choice among alternatives, not goroutines
	nalt        int32  // the alternatives of a choice node
	chosen      int32  // the goroutine (or alternative) taken on the current path
	enabled     gset   // who could run here
	backtrack   gset   // who must be tried here (DPOR adds to it as it finds races)
	sleep       gset   // the sleep set: tried siblings whose futures are covered
	prev        int32  // the real goroutine that ran before, -1 at the start
	prevEnabled bool   // it could have gone on, so switching is a preemption
	free        bool   // its time slice was over, so switching was free
	preempt     int32  // preemptions before this decision
	sig         uint32 // a digest of everyone's pending operation, to notice nondeterminism
	// timed: goroutines that could not run here only because their time had
	// not come (sleeping, a timer not due). A race that only such a
	// goroutine could reverse here needs time to run differently, which
	// the same number of steps cannot give: DPOR does not fall back to
	// trying everything for it.
	timed gset
}

func (s *dfs) begin(e *Engine) {
	s.depth = 0
	s.blocked = false
	if s.por != nil {
		s.por.begin(e)
	}
}

func (s *dfs) end(e *Engine) {}

func (s *dfs) spawned(e *Engine, g *G) {}

// allowed reports whether the preemption bound lets q run at n.
func (s *dfs) allowed(e *Engine, n *node, q int) bool {
	return s.bound < 0 || !costsPreemption(e, int(n.prev), n.prevEnabled, n.free, q) || int(n.preempt)+1 <= s.bound
}

func (s *dfs) pick(e *Engine, en gset, d decision) int {
	if s.depth < len(s.nodes) {
		return s.replayNode(e, en, d.yielders)
	}
	n := node{enabled: en.clone(), prev: int32(d.last), prevEnabled: d.lastEnabled, free: d.free, preempt: int32(e.preempt), timed: e.timedOut()}
	if s.por != nil {
		n.sleep = s.por.sleep.clone()
	}
	sig := signature(e, en)
	cands := en.andNot(n.sleep)
	if cands.empty() && !d.yielders.andNot(n.sleep).empty() && !en.intersects(d.yielders) {
		// Everything runnable is asleep, but goroutines that yielded only
		// wait for fairness's sake: they can run, so the state is not
		// covered elsewhere.
		en = en.or(d.yielders)
		n.enabled = en.clone()
		cands = en.andNot(n.sleep)
	}
	if cands.empty() {
		s.blocked = true
		e.pruned = true
		return -1
	}
	chosen := natural(e, cands, d)
	if !s.allowed(e, &n, chosen) {
		// Only preempting moves remain within the bound: stop here.
		s.pruned = true
		e.pruned = true
		return -1
	}
	n.chosen = int32(chosen)
	n.backtrack = single(chosen)
	if c := e.clockG; c != nil && cands.has(c.ID) && chosen != c.ID {
		// The clock's jump past an external call never happens in the
		// natural schedule, so no race would ever bring it in: try it at
		// every point where it could happen.
		n.backtrack.add(c.ID)
	}
	if s.por == nil {
		for q := cands.lowest(); q >= 0; q = cands.next(q) {
			if s.allowed(e, &n, q) {
				n.backtrack.add(q)
			} else {
				s.pruned = true
			}
		}
	}
	n.sig = sig
	s.nodes = append(s.nodes, n)
	s.depth++
	return chosen
}

// replayNode follows the current path at an existing node, checking that
// the program is where it was.
func (s *dfs) replayNode(e *Engine, en, yielders gset) int {
	n := &s.nodes[s.depth]
	runs := en.has(int(n.chosen)) || yielders.has(int(n.chosen)) && n.enabled.has(int(n.chosen))
	if n.choice || !runs || n.sig != signature(e, en) {
		nondet(e, fmt.Sprintf("step %d: the schedule being replayed expects %s", e.execSteps+1, expectation(n)))
		return -1
	}
	if s.por != nil {
		s.por.sleep = n.sleep.clone()
	}
	s.depth++
	return int(n.chosen)
}

func (s *dfs) choose(e *Engine, n int) int {
	if s.depth < len(s.nodes) {
		nd := &s.nodes[s.depth]
		if !nd.choice || int(nd.nalt) != n {
			nondet(e, fmt.Sprintf("step %d: the schedule being replayed expects %s", e.execSteps, expectation(nd)))
			return -1
		}
		s.depth++
		return int(nd.chosen)
	}
	s.nodes = append(s.nodes, node{choice: true, nalt: int32(n)})
	s.depth++
	return 0
}

// next prepares the next execution: the deepest node with an untried
// alternative takes it, everything below it is dropped. It reports false
// when the tree is exhausted.
func (s *dfs) next() bool {
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
		n.sleep.add(int(n.chosen))
		if c := n.backtrack.and(n.enabled).andNot(n.sleep); !c.empty() {
			n.chosen = int32(c.lowest())
			return true
		}
		s.nodes = s.nodes[:len(s.nodes)-1]
	}
	return false
}

// restart begins a new tree (the next preemption bound).
func (s *dfs) restart(bound int) {
	s.bound, s.pruned, s.nodes = bound, false, s.nodes[:0]
}

// signature summarizes the state at a decision: who can run and what every
// goroutine is about to do. Replaying a prefix must meet the same
// signatures, or the program is nondeterministic.
func signature(e *Engine, en gset) uint32 {
	h := uint32(2166136261) ^ uint32(en.lo) ^ uint32(en.lo>>32)
	for _, w := range en.hi {
		h = (h ^ uint32(w) ^ uint32(w>>32)) * 16777619
	}
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

func expectation(n *node) string {
	if n.choice {
		return "a choice between ready cases"
	}
	return "the goroutines to be about to run other operations"
}

// nondet records that a replayed schedule diverged: the execution ends
// without a verdict (it is not the schedule the search meant to run), and
// the search goes on, no longer complete (see explorer.one).
func nondet(e *Engine, msg string) {
	if e.diverged == "" {
		e.diverged = "the program behaved differently when the same schedule was replayed (" + msg + "): it depends on something the checker does not control, such as map iteration order over pointer keys, real time, randomness it does not seed, or goroutines not started through the checker"
	}
}
