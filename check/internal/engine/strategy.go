package engine

// strategy decides who runs next. The engine calls it at every decision
// with the set of goroutines that can run; it also numbers alternatives
// (select cases). DFS (with or without DPOR), random sampling, PCT, replay
// of a token and a walk along a given path are the strategies.
type strategy interface {
	// begin is called when an execution starts, end when it has ended.
	begin(e *Engine)
	end(e *Engine)
	// pick returns the goroutine to run among en, or -1 to stop the
	// execution without a verdict (pruned, or a replay that diverged).
	pick(e *Engine, en gset, d decision) int
	// choose returns which of n alternatives to take, or -1 to stop.
	choose(e *Engine, n int) int
	// spawned is told of every new goroutine (PCT gives it a priority).
	spawned(e *Engine, g *G)
}

// natural returns the goroutine a run without preemptions would pick among
// cands: a due timer fires first; then the last goroutine goes on, unless
// its time slice is over or it yielded; then the next goroutine after it
// in ID order (a round-robin hand-over); then a goroutine that yielded;
// the clock's jump comes last.
func natural(e *Engine, cands gset, d decision) int {
	tick := -1
	for id := cands.lowest(); id >= 0; id = cands.next(id) {
		g := e.gs[id]
		if g.pseudo {
			if g.pend.Kind == KFire {
				return id
			}
			tick = id
		}
	}
	yielded := func(id int) bool { return e.gs[id].pend.Kind == KYield }
	if d.last >= 0 && cands.has(d.last) && !d.free && !yielded(d.last) {
		return d.last
	}
	first, after, yielder := -1, -1, -1
	for id := cands.lowest(); id >= 0; id = cands.next(id) {
		if e.gs[id].pseudo {
			continue
		}
		if yielded(id) {
			// a goroutine that yielded comes after the others: Gosched
			// gives them the processor
			if yielder < 0 || id > d.last && yielder < d.last {
				yielder = id
			}
			continue
		}
		if first < 0 {
			first = id
		}
		if after < 0 && id > d.last {
			after = id
		}
	}
	switch {
	case d.free && after >= 0:
		return after
	case first >= 0:
		return first
	case yielder >= 0:
		return yielder
	}
	return tick
}

// costsPreemption reports whether running q at a decision described by
// prev/prevEnabled/free is a preemption: switching away from a goroutine
// that could go on, to a real goroutine, before its slice is over.
func costsPreemption(e *Engine, prev int, prevEnabled, free bool, q int) bool {
	return prevEnabled && !free && prev != q && !e.gs[q].pseudo
}
