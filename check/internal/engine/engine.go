// Package engine is the controlled scheduler behind package check: it runs
// managed goroutines one at a time, decides at every visible operation who
// runs next (exhaustive DFS with source-DPOR and sleep sets under a preemption
// bound, seeded random, PCT, or a replayed schedule), keeps the
// happens-before clocks used both by DPOR and by the data-race detector, and
// turns the end of an execution into a verdict.
//
// Every managed goroutine is a real goroutine parked on its own wake channel;
// exactly one of them runs at a time, so the engine's state needs no locks:
// each hand-off is a channel operation, which also gives the Go race detector
// the happens-before edges it needs.
package engine

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// MaxGoroutines bounds the managed goroutines of one execution: sets of
// goroutines are 64-bit masks, which keeps a scheduling step cheap.
const MaxGoroutines = 64

var (
	active    atomic.Bool            // an exploration runs somewhere in the process
	running   atomic.Pointer[Engine] // the engine of that exploration
	exploreMu sync.Mutex             // explorations are serialized process-wide
	epochs    atomic.Uint64          // execution epochs, never reused
	goodPC    [4]atomic.Uintptr      // return PCs already known to lie in trampoline
)

// Active reports whether an exploration is running in this process. It is the
// fast path of every primitive: one atomic load.
func Active() bool { return active.Load() }

// Current returns the managed goroutine calling it, or nil when the caller
// is not managed by the running exploration (or none runs). Because only one
// managed goroutine runs at a time, the caller is managed exactly when the
// bottom frame of its stack is the engine's trampoline; checking that costs a
// stack walk (a few hundred nanoseconds on shallow stacks) and only happens
// while an exploration runs.
func Current() *G {
	e := running.Load()
	if e == nil || !managedCaller() {
		return nil
	}
	g := e.cur
	if e.aborting.Load() {
		// Teardown: the goroutine runs its deferred calls; any further
		// operation just ends it.
		runtime.Goexit()
	}
	return g
}

// Running returns the engine of the running exploration, if any.
func Running() *Engine { return running.Load() }

func managedCaller() bool {
	if pc, ok := bottomReturnPC(); ok {
		// A return address into trampoline on this stack means trampoline
		// is this goroutine's bottom frame (runFn is framed, so the walk
		// always reaches that address on managed goroutines).
		for i := range goodPC {
			if goodPC[i].Load() == pc {
				return true
			}
		}
		if f := runtime.FuncForPC(pc - 1); f != nil && isBottom(f.Name()) {
			for i := range goodPC {
				if goodPC[i].CompareAndSwap(0, pc) {
					break
				}
			}
			return true
		}
	}
	return managedCallerSlow()
}

// managedCallerSlow is the portable check: trampoline is among the
// bottom frames.
func managedCallerSlow() bool {
	var buf [64]uintptr
	pcs := buf[:]
	n := runtime.Callers(2, pcs)
	for n == len(pcs) {
		pcs = make([]uintptr, 2*len(pcs))
		n = runtime.Callers(2, pcs)
	}
	frames := runtime.CallersFrames(pcs[max(n-4, 0):n])
	for {
		f, more := frames.Next()
		if f.Function == trampName {
			return true
		}
		if !more {
			return false
		}
	}
}

const (
	trampName  = "github.com/labludus/ludus/check/internal/engine.trampoline"
	startGName = "github.com/labludus/ludus/check/internal/engine.startG"
)

// isBottom reports whether fn is one of the bottom functions of a managed
// goroutine: trampoline, or the wrapper of startG's go statement.
func isBottom(fn string) bool {
	return fn == trampName || strings.HasPrefix(fn, startGName+".")
}

// startG is the only place managed goroutines start, so their bottom
// frames are always the same functions.
//
//go:noinline
func startG(e *Engine, g *G) {
	e.live.Add(1)
	go trampoline(e, g)
}

// G is a managed goroutine.
type G struct {
	e        *Engine
	ID       int
	Name     string
	fn       func()
	wake     chan struct{}
	pend     Pending
	hasPend  bool
	done     bool
	returnTo *G
	parent   int

	dc  VC    // DPOR clock after the goroutine's last event
	vc  VC    // synchronization clock for data races
	nev int32 // events executed

	prio    int64  // PCT priority
	waitSeq uint64 // channel waits, to tell live queue entries
	ran     bool
	loc     Location
}

// Engine returns the engine g belongs to.
func (g *G) Engine() *Engine { return g.e }

// Location is a source position of an operation.
type Location struct {
	File string
	Line int
}

// Failure kinds, mirrored by check.FailureKind.
const (
	KindNone = iota
	KindAssertion
	KindPanic
	KindDeadlock
	KindLeak
	KindDataRace
	KindStepLimit
	KindNondeterminism
	KindUncontrolled
)

// Fail is a verdict found by an execution.
type Fail struct {
	Kind    int
	Message string
}

// Engine runs one exploration.
type Engine struct {
	cfg   Config
	gs    []*G
	spare []*G // every G allocated so far, by ID, reused by later executions
	cur   *G

	doneCh   chan struct{}
	aborting atomic.Bool
	progress atomic.Int64 // steps taken, for the stall watchdog
	stalled  bool
	tick     *time.Ticker

	resumedSelf bool // a timer completed the wait of the deciding goroutine
	live        sync.WaitGroup
	epoch       uint64
	explo       uint64
	nobj        int32

	fail   *Fail
	errors []string
	pruned bool // execution cut short without a verdict (sleep set, bound)
	// uncontrolled holds a failure reported by a goroutine the engine does
	// not manage; it is the only field touched without holding the turn.
	uncontrolledMu sync.Mutex
	uncontrolled   *Fail

	steps     int
	execSteps int
	now       int64 // virtual nanoseconds since the virtual epoch
	timers    []*timer
	timerSeq  int64

	sched scheduler
	rec   *recorder
	names map[uintptr]string
	addr  map[uintptr]*Atomic
}

// Config is what a front end asks of an exploration.
type Config struct {
	MaxSteps  int
	Stall     time.Duration
	DataRaces bool
	NameHash  uint32
}

func newEngine(cfg Config) *Engine {
	if cfg.MaxSteps <= 0 {
		cfg.MaxSteps = 20000
	}
	return &Engine{cfg: cfg, explo: epochs.Add(1)}
}

// runOne performs one execution of body under the engine's scheduler and
// returns once every managed goroutine has exited.
func (e *Engine) runOne(body func(*G)) {
	e.epoch = epochs.Add(1)
	e.gs = e.gs[:0]
	e.fail = nil
	e.errors = e.errors[:0]
	e.pruned = false
	e.execSteps = 0
	e.now = 0
	e.timers = e.timers[:0]
	e.timerSeq = 0
	e.nobj = 0
	clear(e.addr)
	e.aborting.Store(false)
	if e.doneCh == nil {
		e.doneCh = make(chan struct{}, 1) // one token per execution, consumed by wait
	}
	e.sched.beginExecution(e)

	g := e.newG("main", nil)
	g.fn = func() { body(g) }
	e.cur = g
	startG(e, g)
	if !e.wait() {
		return
	}
	e.aborting.Store(true)
	for _, g := range e.gs {
		// done goroutines too: one may still be parked in its exit path,
		// waiting for a partner it woke to hand back
		select {
		case g.wake <- struct{}{}:
		default:
		}
	}
	e.live.Wait()
	e.sched.endExecution(e)
}

// wait waits for the end of the execution. If no step is taken for the
// stall timeout, a managed goroutine is blocked (or spinning) outside the
// checker's control: it cannot be torn down, so wait reports the stall,
// releases the others and returns false.
func (e *Engine) wait() bool {
	stall := e.cfg.Stall
	if stall <= 0 {
		stall = 10 * time.Second
	}
	if e.tick == nil {
		e.tick = time.NewTicker(min(stall/4, time.Second))
	}
	tick := e.tick
	last, since := e.progress.Load(), time.Now()
	for {
		select {
		case <-e.doneCh:
			return true
		case now := <-tick.C:
			if p := e.progress.Load(); p != last {
				last, since = p, now
				continue
			}
			if now.Sub(since) < stall {
				continue
			}
		}
		e.uncontrolledMu.Lock()
		e.uncontrolled = &Fail{KindUncontrolled, fmt.Sprintf("no progress for %v: a managed goroutine is blocked or spinning outside the checker's control (a real channel, mutex, time.Sleep, I/O, or a loop without checked operations); it cannot be stopped and stays behind", stall)}
		e.uncontrolledMu.Unlock()
		e.stalled = true
		e.aborting.Store(true)
		stalledEngine.Store(e)
		go func() {
			e.live.Wait()
			stalledEngine.CompareAndSwap(e, nil)
		}()
		return false
	}
}

// stalledEngine is an exploration whose goroutine got stuck outside the
// checker; the next exploration waits a little for it to drain.
var stalledEngine atomic.Pointer[Engine]

func (e *Engine) newG(name string, parent *G) *G {
	// G values are reused across the executions of an exploration (every
	// goroutine of the previous execution has exited by now), keeping their
	// wake channel and clock storage.
	id := len(e.gs)
	var g *G
	if id < len(e.spare) {
		g = e.spare[id]
		select { // a teardown wake-up nobody consumed
		case <-g.wake:
		default:
		}
		*g = G{e: e, ID: id, Name: name, wake: g.wake, parent: -1, dc: g.dc[:0], vc: g.vc[:0], waitSeq: g.waitSeq}
	} else {
		g = &G{e: e, ID: id, Name: name, wake: make(chan struct{}, 1), parent: -1}
		e.spare = append(e.spare, g)
	}
	if parent != nil {
		g.parent = parent.ID
		g.dc.copyFrom(e.sched.clockOf(parent))
		g.vc.copyFrom(parent.vc)
		parent.vc.tick(parent.ID)
	}
	g.vc.tick(g.ID)
	e.gs = append(e.gs, g)
	e.sched.spawned(e, g)
	return g
}

// trampoline is the bottom frame of every managed goroutine; Current relies
// on it being exactly that.
//
//go:noinline
func trampoline(e *Engine, g *G) {
	normal := false
	defer func() {
		if e.aborting.Load() {
			recover() // a panic raised while tearing down is not news
			e.live.Done()
			return
		}
		if !normal {
			if r := recover(); r != nil {
				e.failNow(g, KindPanic, fmt.Sprintf("%v\n\ngoroutine %s:\n%s", r, g.Name, trimStack(debug.Stack())), false)
				e.live.Done()
				return
			}
			// runtime.Goexit without a verdict: the goroutine just ends.
		}
		e.finishG(g)
		e.live.Done()
	}()
	runFn(g)
	normal = true
}

// runFn calls g's function from a frame of its own, so that the frame
// pointer chain of a managed goroutine always holds a return address into
// trampoline (see managedCaller).
//
//go:noinline
func runFn(g *G) {
	h := g
	g.fn()
	h.ran = true
}

// Go starts a managed goroutine running fn; it runs at once up to its first
// visible operation, then control returns to the parent.
func (e *Engine) Go(parent *G, name string, fn func()) {
	if len(e.gs) >= MaxGoroutines {
		e.failNow(parent, KindPanic, fmt.Sprintf("check: more than %d managed goroutines in one execution", MaxGoroutines), true)
	}
	if name == "" {
		name = fmt.Sprintf("g%d", len(e.gs))
	}
	g := e.newG(name, parent)
	g.fn = fn
	g.returnTo = parent
	e.cur = g
	startG(e, g)
	e.park(parent)
}

// park blocks g until it is handed the turn again.
func (e *Engine) park(g *G) {
	<-g.wake
	if e.aborting.Load() {
		runtime.Goexit()
	}
}

// Step is called by the running goroutine g once g.Pending describes its
// next visible operation. It returns when g has been chosen to perform it,
// or when a partner completed it (Pending().Done).
func (e *Engine) Step(g *G) {
	g.hasPend = true
	if r := g.returnTo; r != nil {
		g.returnTo = nil
		e.cur = r
		r.wake <- struct{}{}
		e.park(g)
		return
	}
	e.schedule(g)
}

// schedule lets the running goroutine g, which has either posted its next
// operation or finished, hand the turn to whoever the strategy picks.
func (e *Engine) schedule(g *G) {
	next := e.decide()
	if e.resumedSelf {
		e.resumedSelf = false
		return
	}
	if next == nil {
		e.endExecution()
		if !g.done {
			runtime.Goexit()
		}
		return
	}
	if e.beginEvent(next) {
		e.failNow(g, KindStepLimit, fmt.Sprintf("more than %d steps in one execution (livelock or unbounded loop?)", e.cfg.MaxSteps), !g.done)
		return
	}
	if next == g {
		return
	}
	e.cur = next
	next.wake <- struct{}{}
	if g.done {
		return
	}
	e.park(g)
}

func (e *Engine) finishG(g *G) {
	g.done = true
	g.hasPend = false
	e.closeEvent()
	if r := g.returnTo; r != nil {
		g.returnTo = nil
		e.cur = r
		r.wake <- struct{}{}
		return
	}
	e.schedule(g)
}

// Complete finishes the pending operation of partner, which a rendezvous by
// the running goroutine g has just performed, and lets partner run up to its
// next visible operation before g continues.
func (e *Engine) Complete(g, partner *G) {
	partner.pend.Done = true
	partner.hasPend = false
	if partner == g {
		// A timer fired for the goroutine that is deciding who runs next:
		// it just goes on (see schedule).
		e.resumedSelf = true
		return
	}
	e.sched.joinClock(e, g, partner)
	e.sched.woke(partner)
	partner.dc.join(e.sched.eventClock())
	partner.vc.join(g.vc)
	g.vc.join(partner.vc)
	partner.returnTo = g
	e.cur = partner
	partner.wake <- struct{}{}
	e.park(g)
}

// decide returns the goroutine to run next, advancing virtual time when
// nobody can run, or nil when the execution is over.
func (e *Engine) decide() *G {
	e.closeEvent()
	for {
		en, yielders := e.enabled()
		if en == 0 {
			if e.advanceTime() {
				if e.resumedSelf {
					return nil
				}
				continue
			}
			// Only goroutines that yielded can run: let them.
			if en = yielders; en == 0 {
				return nil
			}
		}
		id := e.sched.pick(e, en)
		if id < 0 {
			return nil
		}
		return e.gs[id]
	}
}

// enabled returns who can run. A goroutine that yielded (Sleep(0)) can
// run again only after another goroutine took a step, or when nothing else
// can run (yielders): a spin loop that yields cannot starve the goroutine
// it waits for, the fairness a real scheduler gives.
func (e *Engine) enabled() (m, yielders uint64) {
	for _, g := range e.gs {
		if !g.hasPend || g.done {
			continue
		}
		if g.pend.Kind == KYield && int64(e.execSteps) <= g.pend.Until {
			yielders |= 1 << uint(g.ID)
			continue
		}
		if g.pend.enabled(e, g) {
			m |= 1 << uint(g.ID)
		}
	}
	return m, yielders
}

// beginEvent starts g's pending operation as the next event; it reports
// whether the execution exceeded its step limit.
func (e *Engine) beginEvent(g *G) bool {
	e.steps++
	e.execSteps++
	e.progress.Add(1)
	g.hasPend = false
	e.sched.beginEvent(e, g)
	return e.execSteps > e.cfg.MaxSteps
}

func (e *Engine) closeEvent() { e.sched.closeEvent(e) }

// endExecution is reached when nobody can run: classify and signal the
// explorer.
func (e *Engine) endExecution() {
	e.closeEvent()
	if e.fail == nil && !e.pruned {
		var blocked []*G
		for _, g := range e.gs {
			if !g.done {
				blocked = append(blocked, g)
			}
		}
		if len(blocked) > 0 {
			if e.gs[0].done {
				e.fail = &Fail{KindLeak, e.leakMessage(blocked)}
			} else {
				e.fail = &Fail{KindDeadlock, e.deadlockMessage(blocked)}
			}
		}
	}
	e.aborting.Store(true)
	e.doneCh <- struct{}{}
}

// failNow records a verdict and stops the execution. When exit is true the
// calling goroutine (the running one) ends at once.
func (e *Engine) failNow(g *G, kind int, msg string, exit bool) {
	if e.fail == nil {
		e.fail = &Fail{kind, msg}
	}
	if e.aborting.Load() {
		if exit {
			runtime.Goexit()
		}
		return
	}
	e.closeEvent()
	e.aborting.Store(true)
	e.doneCh <- struct{}{}
	if exit {
		runtime.Goexit()
	}
}

// Errorf records an assertion failure; the execution goes on.
func (e *Engine) Errorf(g *G, msg string) {
	e.errors = append(e.errors, msg)
	if e.rec != nil {
		e.rec.note(g, "error: "+msg)
	}
}

// Fatalf records an assertion failure and ends the execution.
func (e *Engine) Fatalf(g *G, msg string) {
	e.errors = append(e.errors, msg)
	if e.rec != nil {
		e.rec.note(g, "fatal: "+msg)
	}
	e.failNow(g, KindAssertion, "", true)
}

// Logf records a message that is printed with the failing schedule.
func (e *Engine) Logf(g *G, msg string) {
	if e.rec != nil {
		e.rec.note(g, "log: "+msg)
	}
}

// Uncontrolled reports a check primitive used by a goroutine the engine does
// not manage. It is called without the turn, so it only touches a
// mutex-guarded slot; the explorer turns it into the verdict.
func (e *Engine) Uncontrolled(what string) {
	e.uncontrolledMu.Lock()
	if e.uncontrolled == nil {
		buf := make([]byte, 4096)
		buf = buf[:runtime.Stack(buf, false)]
		e.uncontrolled = &Fail{KindUncontrolled, fmt.Sprintf("%s called from a goroutine the checker does not manage (start goroutines with T.Go or check.Go)\n\n%s", what, trimStack(buf))}
	}
	e.uncontrolledMu.Unlock()
}

// Bound reports whether obj has been used by the running exploration, so a
// goroutine outside the exploration touching it is a bug, not unrelated use.
func (o *Object) Bound(e *Engine) bool { return e != nil && o.explo.Load() == e.explo }

// Pending returns g's pending operation, for the primitive to fill in.
func (g *G) Pending() *Pending { return &g.pend }

// Now returns the virtual time in nanoseconds.
func (e *Engine) Now() int64 { return e.now }

// Recording reports whether the engine records the trace (the failing
// schedule's re-run), i.e. whether operations should describe themselves.
func (e *Engine) Recording() bool { return e.rec != nil }

// Enter classifies the caller of an operation on o while an exploration
// runs: it returns the managed goroutine, or nil when the caller is not
// managed. A goroutine outside the exploration touching an object the
// exploration uses is reported and stopped (runtime.Goexit): letting it
// through would race with the managed goroutines behind the checker's back.
func Enter(o *Object, what string) *G {
	g := Current()
	if g == nil && o != nil {
		if e := Running(); e != nil && o.Bound(e) {
			e.Uncontrolled(what)
			runtime.Goexit()
		}
	}
	return g
}
