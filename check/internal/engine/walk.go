package engine

import (
	"fmt"
	"strings"
)

// Walk runs one execution along a path of decisions and stops at the
// next decision: a front end's step-by-step view of the scheduler. The
// path names the goroutine chosen at each decision; timers fire on their
// own when due.

// Choice is a goroutine that can run at a decision, and what it would do.
type Choice struct {
	Goroutine, Op, Location string
}

// ObjectState is a checked object and its state in words.
type ObjectState struct {
	Name, Kind, State string
}

// WalkResult is where a walk stopped.
type WalkResult struct {
	Trace   []TraceStep   // what ran, one line per operation
	Choices []Choice      // who can run next; empty when the execution ended
	Done    bool          // the execution ended
	Failure *Failure      // how it ended, if in a failure
	Objects []ObjectState // the objects touched so far
}

// walk is the strategy of a walk.
type walk struct {
	path    []string // the goroutine names to run, one per decision
	pos     int      // the next decision's index in path
	err     error    // the path named a goroutine that cannot run
	choices []Choice // who could run where the walk stopped
	stopped bool     // the walk reached the end of its path
}

func (w *walk) begin(e *Engine)         {}
func (w *walk) end(e *Engine)           {}
func (w *walk) spawned(e *Engine, g *G) {}
func (w *walk) choose(e *Engine, n int) int {
	return 0
}

func (w *walk) pick(e *Engine, en gset, d decision) int {
	if id := natural(e, en, d); id >= 0 && e.gs[id].pseudo && e.gs[id].pend.Kind == KFire {
		return id
	}
	var names []string
	for id := en.lowest(); id >= 0; id = en.next(id) {
		if g := e.gs[id]; !g.pseudo {
			names = append(names, g.Name)
		}
	}
	if w.pos < len(w.path) {
		want := w.path[w.pos]
		w.pos++
		for id := en.lowest(); id >= 0; id = en.next(id) {
			if g := e.gs[id]; !g.pseudo && g.Name == want {
				return id
			}
		}
		w.err = fmt.Errorf("check: step %d of the path: %s cannot run now (can: %s)", w.pos, want, strings.Join(names, ", "))
		e.pruned = true
		return -1
	}
	if len(names) == 0 {
		return natural(e, en, d) // only the clock can move
	}
	for id := en.lowest(); id >= 0; id = en.next(id) {
		if g := e.gs[id]; !g.pseudo {
			w.choices = append(w.choices, Choice{g.Name, e.describe(g), fmtLoc(g.loc)})
		}
	}
	w.stopped = true
	e.pruned = true
	return -1
}

// Walk runs body along path.
func Walk(o Options, body func(*G), path []string) (WalkResult, error) {
	if Active() && Current() != nil {
		return WalkResult{}, fmt.Errorf("check: Walk called inside an exploration's body")
	}
	exploreMu.Lock()
	defer exploreMu.Unlock()
	cfg := o.config()
	cfg.NameHash = 0
	e := newEngine(cfg)
	running.Store(e)
	active.Store(true)
	defer func() {
		active.Store(false)
		running.Store(nil)
		if e.tick != nil {
			e.tick.Stop()
		}
		e.stopWorkers()
	}()
	w := &walk{path: path}
	e.sched = w
	e.rec = &recorder{}
	e.runOne(body)
	if w.err != nil {
		return WalkResult{}, w.err
	}
	x := &explorer{e: e, o: o}
	r := WalkResult{Trace: e.rec.names(e), Choices: w.choices, Done: !w.stopped}
	if f := x.outcome(); f != nil && r.Done {
		r.Failure = &Failure{Kind: f.Kind, Message: f.Message, Trace: r.Trace}
	}
	for _, ob := range e.objects {
		st := ""
		if ob.state != nil {
			st = ob.state()
		}
		r.Objects = append(r.Objects, ObjectState{ob.Label(), ob.kind, st})
	}
	return r, nil
}
