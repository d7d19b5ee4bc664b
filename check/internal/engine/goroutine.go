package engine

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"sync/atomic"
)

// G is a managed goroutine: a real goroutine that runs only while it holds
// the turn, or a pseudo-goroutine (a timer, the clock) whose events the
// engine performs itself.
type G struct {
	e    *Engine // the engine that runs it
	ID   int     // index in Engine.gs; a bit in goroutine sets; an entry in vector clocks
	Name string  // label in traces: given by T.Go, numbered per name ("worker#2")
	fn   func()  // what the goroutine runs (real goroutines)

	wake    chan struct{}  // the turn is handed over by a send here
	gp      atomic.Uintptr // the runtime g running it (set when it starts)
	pend    Pending        // the next visible operation, once posted
	hasPend bool           // pend is posted and not performed yet
	done    bool           // finished (returned, Goexit, or ended by teardown)
	pseudo  bool           // a timer or the clock: no real goroutine behind it
	daemon  bool           // started by a drop-in for the program (GoDaemon): may outlive the body

	// returnTo is the goroutine to hand the turn back to when this one
	// posts its next operation: set when a partner completed this one's
	// operation (a rendezvous) and lets it run up to its next step.
	returnTo *G
	parent   int // ID of the goroutine that started it, -1 for main

	dc  VC    // DPOR clock after the goroutine's last event
	vc  VC    // happens-before clock (Go memory model), for data races
	nev int32 // events executed, its entry in its own DPOR clock

	prio    int64    // PCT priority
	waitSeq uint64   // channel waits so far: tells a live queue entry from a stale one
	loc     Location // source location of the pending operation (recording only)
	site    string   // the expression the source uses for its object there (recording only)
	ran     bool     // fn returned normally (not Goexit)

	// Local is data that the runtime above the engine attaches to a
	// goroutine and that goroutines it starts inherit (the test scope of
	// package check/rt).
	Local any

	timer *timer // for a timer's pseudo-goroutine: the timer it fires
	// pendingWrite is a trace line of this goroutine's last memory write,
	// completed with the value once the assignment happened (recording).
	pendingWrite pendingWrite
	liveIdx      int // index in Engine.live while not done
}

// Engine returns the engine g belongs to.
func (g *G) Engine() *Engine { return g.e }

// Location is a source position of an operation.
type Location struct {
	File string
	Line int
}

// newG allocates the goroutine with the next ID. G values are reused
// across the executions of an exploration (every goroutine of the previous
// execution has exited by now), keeping their wake channel and clocks'
// storage.
func (e *Engine) newG(name string, parent *G) *G {
	id := len(e.gs)
	var g *G
	if id < len(e.spare) {
		g = e.spare[id]
		select { // a teardown wake-up nobody consumed
		case <-g.wake:
		default:
		}
		dc, vc, seq, wake := g.dc[:0], g.vc[:0], g.waitSeq, g.wake
		g.gp.Store(0)
		*g = G{e: e, ID: id, Name: name, wake: wake, parent: -1, dc: dc, vc: vc, waitSeq: seq}
	} else {
		g = &G{e: e, ID: id, Name: name, wake: make(chan struct{}, 1), parent: -1}
		e.spare = append(e.spare, g)
	}
	if parent != nil {
		g.parent = parent.ID
		g.Local = parent.Local
		g.dc.copyFrom(e.clockOf(parent))
		g.vc.copyFrom(parent.vc)
		parent.vc.tick(parent.ID)
	}
	g.vc.tick(g.ID)
	e.gs = append(e.gs, g)
	g.liveIdx = len(e.live)
	e.live = append(e.live, g)
	if !g.pseudo {
		e.nreal++
	}
	e.sched.spawned(e, g)
	return g
}

// newPseudo allocates a pseudo-goroutine with pending operation kind.
func (e *Engine) newPseudo(name string, parent *G, kind Kind) *G {
	g := e.newG(name, parent)
	g.pseudo = true
	e.nreal--
	g.pend = Pending{Kind: kind}
	g.hasPend = true
	return g
}

// numbered returns name, or name#k for the k-th goroutine started under
// it in this execution.
func (e *Engine) numbered(name string, always bool) string {
	if name == "" {
		return fmt.Sprintf("g%d", len(e.gs))
	}
	k := e.gnames[name] + 1
	e.gnames[name] = k
	if k == 1 {
		e.gfirst[name] = len(e.gs)
		if !always {
			return name
		}
	}
	if k == 2 && !always {
		// A second goroutine of the same name: number the first too
		// (traces print names at the end, so earlier lines follow).
		e.gs[e.gfirst[name]].Name = name + "#1"
	}
	return name + "#" + strconv.Itoa(k)
}

// startG is the only place managed goroutines start, so their bottom
// frames are always the same functions. A worker that finished a goroutine
// of this exploration takes g if one is idle; otherwise a new one starts.
// Reusing workers saves the start of a goroutine and, above all, the
// growth of its stack, at every spawn of every execution.
//
//go:noinline
func startG(e *Engine, g *G) {
	e.running.Add(1)
	e.wmu.Lock()
	if n := len(e.idleW); n > 0 {
		w := e.idleW[n-1]
		e.idleW[n-1] = nil
		e.idleW = e.idleW[:n-1]
		e.wmu.Unlock()
		w.job <- g
		return
	}
	e.wmu.Unlock()
	e.workers.Add(1)
	e.nworkers.Add(1)
	e.started.Add(1)
	go trampoline(e, g)
}

// trampoline is the bottom frame of every worker: the OS goroutine that
// runs managed goroutines, one after another, until the exploration ends
// (or one of them exits with runtime.Goexit, which ends the worker too).
//
//go:noinline
func trampoline(e *Engine, g *G) {
	w := &worker{gp: getg(), job: make(chan *G, 1)}
	e.byGp.Store(w.gp, w)
	defer func() {
		e.byGp.Delete(w.gp)
		e.nworkers.Add(-1)
		e.workers.Done()
	}()
	for g != nil {
		e.runG(w, g)
		g = e.idle(w)
	}
}

// worker is what the engine knows of a worker goroutine: the managed
// goroutine it runs, for Current when that one does not hold the turn.
type worker struct {
	gp  uintptr // its runtime g (getg)
	cur gPtr    // the managed goroutine it runs, nil while idle
	job chan *G // the next goroutine to run, handed over by startG
}

// idle waits for the next goroutine to run, or returns nil when the
// exploration ends.
func (e *Engine) idle(w *worker) *G {
	e.wmu.Lock()
	e.retired = append(e.retired, w)
	e.wmu.Unlock()
	select {
	case g := <-w.job:
		return g
	case <-e.quit:
		return nil
	}
}

// stopWorkers ends the idle workers at the end of an exploration and waits
// for them, unless a goroutine is stuck outside the checker (it ends when
// it ends).
func (e *Engine) stopWorkers() {
	close(e.quit)
	if !e.stalled {
		e.workers.Wait()
	}
}

// Go starts a managed goroutine running fn. Spawning is a scheduling
// point: the child's first step (KStart) is an operation like any other,
// so either the parent or the child may run next. With number, the name
// is always numbered per execution (worker#1, worker#2, ... for the
// goroutines of one go statement); otherwise only repeats are.
func (e *Engine) Go(parent *G, name string, number bool, fn func()) {
	e.spawn(parent, e.numbered(name, number), false, fn)
}

// Others returns the number of live goroutines other than g that must end
// with the body (daemons and timers aside).
func (e *Engine) Others(g *G) int {
	n := e.outliving()
	if !g.done && !g.pseudo && !g.daemon {
		n--
	}
	return n
}

// FailLeak ends the execution with a leak of the goroutines other than g
// still alive, found by what (a goleak.VerifyNone in the test).
func (e *Engine) FailLeak(g *G, what string) {
	var others []*G
	for _, o := range e.live {
		if o != g && !o.pseudo && !o.daemon {
			others = append(others, o)
		}
	}
	sort.Slice(others, func(i, j int) bool { return others[i].ID < others[j].ID })
	msg := fmt.Sprintf("%s: %s still alive", what, plural(len(others), "goroutine"))
	e.failNow(g, KindLeak, msg+e.blockedList(others), true)
}

// GoDaemon starts a managed goroutine that a drop-in runs on the program's
// behalf, as the standard library would (a goroutine following a custom
// parent context's cancellation): it may stay blocked after the body
// returns without being a leak, as its standard counterpart would.
func (e *Engine) GoDaemon(parent *G, name string, fn func()) {
	e.spawn(parent, e.numbered(name, false), true, fn)
}

func (e *Engine) spawn(parent *G, name string, daemon bool, fn func()) {
	if e.nreal >= e.cfg.MaxGoroutines {
		e.hitLimit(parent, LimitGoroutines, fmt.Sprintf("more than %d live goroutines in one execution", e.cfg.MaxGoroutines))
		return
	}
	g := e.newG(name, parent)
	g.daemon = daemon
	if daemon {
		e.ndaemon++
	}
	g.fn = fn
	g.pend = Pending{Kind: KStart}
	g.hasPend = true
	if e.rec != nil {
		parent.loc = callerLocation() // the go statement's site
		g.loc = parent.loc
		e.rec.step(parent, "go "+g.Name)
	}
	startG(e, g)
}

// runG runs managed goroutine g on the calling worker: it waits for g's
// first turn, runs it, and turns its end into a verdict (a panic) or a
// hand-off (return, Goexit).
//
//go:noinline
func (e *Engine) runG(w *worker, g *G) {
	g.gp.Store(w.gp)
	w.cur.Store(g)
	normal := false
	defer func() {
		w.cur.Store(nil)
		if e.aborting.Load() {
			recover() // a panic raised while tearing down is not news
			e.running.Done()
			return
		}
		if !normal {
			if r := recover(); r != nil {
				e.failNow(g, KindPanic, fmt.Sprintf("%v\n\ngoroutine %s:\n%s", r, g.Name, trimStack(debug.Stack())), false)
				e.running.Done()
				return
			}
			// runtime.Goexit without a verdict: the goroutine just ends.
		}
		e.finishG(g)
		e.running.Done()
	}()
	e.park(g)
	g.fn()
	g.ran = true
	normal = true
}

// park blocks g until it is handed the turn again.
func (e *Engine) park(g *G) {
	<-g.wake
	if e.aborting.Load() {
		runtime.Goexit()
	}
}

// finishG ends g: it leaves the live set and hands the turn on.
func (e *Engine) finishG(g *G) {
	e.flushWrite(g)
	g.done = true
	g.hasPend = false
	e.dropLive(g)
	if g.ID == 0 {
		e.mainDone = e.now
	}
	e.closeEvent()
	if r := g.returnTo; r != nil {
		g.returnTo = nil
		e.setCur(r)
		r.wake <- struct{}{}
		return
	}
	e.schedule(g)
}

// dropLive removes a finished goroutine from the live set.
func (e *Engine) dropLive(g *G) {
	i, last := g.liveIdx, len(e.live)-1
	if i <= last && e.live[i] == g {
		e.live[i] = e.live[last]
		e.live[i].liveIdx = i
		e.live[last] = nil
		e.live = e.live[:last]
	}
	if !g.pseudo {
		e.nreal--
	}
	if g.daemon {
		e.ndaemon--
	}
}
