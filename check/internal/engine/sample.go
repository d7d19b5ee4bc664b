package engine

import (
	"fmt"
	"math/rand/v2"
)

// random picks uniformly among the goroutines that can run, except that a
// due timer fires first (as the runtime's timers do).
type random struct {
	rng *rand.Rand // the seeded source of every choice
}

func (s *random) begin(e *Engine)             {}
func (s *random) end(e *Engine)               {}
func (s *random) spawned(e *Engine, g *G)     {}
func (s *random) choose(e *Engine, n int) int { return s.rng.IntN(n) }

func (s *random) pick(e *Engine, en gset, d decision) int {
	if id := dueTimer(e, en); id >= 0 {
		return id
	}
	return en.nth(s.rng.IntN(en.count()))
}

// dueTimer returns a timer in en that is due, or -1.
func dueTimer(e *Engine, en gset) int {
	for id := en.lowest(); id >= 0; id = en.next(id) {
		if g := e.gs[id]; g.pseudo && g.pend.Kind == KFire {
			return id
		}
	}
	return -1
}

// pct is probabilistic concurrency testing (Burckhardt et al., ASPLOS
// 2010): every goroutine gets a random priority, the highest-priority
// runnable one runs, and at depth-1 random steps the running goroutine's
// priority drops below all others. A goroutine whose time slice is over
// also drops, so a high-priority spinner cannot starve the one it waits for.
type pct struct {
	rng    *rand.Rand // the seeded source of priorities and change points
	depth  int        // bug depth d: d-1 priority change points
	k      int        // estimated steps per execution (the change points' range)
	change []int      // the steps at which priorities change, this execution
	low    int64      // next priority below every other (decreasing)
}

func (s *pct) begin(e *Engine) {
	s.change = s.change[:0]
	for i := 1; i < s.depth; i++ {
		s.change = append(s.change, 1+s.rng.IntN(max(s.k, 1)))
	}
	s.low = 0
}

func (s *pct) end(e *Engine) { s.k = max(s.k, e.execSteps) }

func (s *pct) spawned(e *Engine, g *G) {
	g.prio = int64(s.depth) + 1 + s.rng.Int64N(1<<40)
}

func (s *pct) choose(e *Engine, n int) int { return s.rng.IntN(n) }

func (s *pct) pick(e *Engine, en gset, d decision) int {
	if id := dueTimer(e, en); id >= 0 {
		return id
	}
	step := e.execSteps + 1
	for _, c := range s.change {
		if c == step && d.last >= 0 {
			s.lower(e.gs[d.last])
		}
	}
	if d.free && d.last >= 0 {
		s.lower(e.gs[d.last])
	}
	chosen, best := -1, int64(-1<<62)
	for q := en.lowest(); q >= 0; q = en.next(q) {
		if p := e.gs[q].prio; p > best {
			best, chosen = p, q
		}
	}
	return chosen
}

func (s *pct) lower(g *G) {
	s.low--
	g.prio = s.low
}

// replay follows a decoded token's decisions.
type replay struct {
	trail []int32 // the decisions: 0 "the goroutine picked last", k>0 goroutine k-1; alternatives as is
	pos   int     // the next decision
}

func (s *replay) begin(e *Engine)         { s.pos = 0 }
func (s *replay) end(e *Engine)           {}
func (s *replay) spawned(e *Engine, g *G) {}

func (s *replay) pick(e *Engine, en gset, d decision) int {
	if s.pos >= len(s.trail) {
		nondet(e, fmt.Sprintf("step %d: the replayed schedule ended but the program went on", e.execSteps+1))
		return -1
	}
	t := int(s.trail[s.pos])
	s.pos++
	chosen := t - 1
	if t == 0 {
		chosen = e.lastPick
	}
	if chosen < 0 || !en.has(chosen) {
		nondet(e, fmt.Sprintf("step %d: the replayed schedule runs goroutine #%d, which cannot run now", e.execSteps+1, chosen))
		return -1
	}
	return chosen
}

func (s *replay) choose(e *Engine, n int) int {
	k := 0
	if s.pos < len(s.trail) {
		k = int(s.trail[s.pos])
		s.pos++
	}
	if k >= n {
		nondet(e, fmt.Sprintf("step %d: the replayed schedule takes alternative %d of %d", e.execSteps, k, n))
		return -1
	}
	return k
}
