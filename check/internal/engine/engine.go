package engine

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Limit names a bound of the checker that ended an execution or the search.
// Hitting one is never a verdict about the program: the result is
// inconclusive, with the limit named.
type Limit uint8

// Limits.
const (
	LimitNone           Limit = iota
	LimitSteps                // an execution took more than MaxSteps steps
	LimitGoroutines           // an execution had more than MaxGoroutines live goroutines
	LimitExecutions           // the search ran MaxExecutions executions
	LimitTime                 // the search ran for MaxTime
	LimitStall                // a goroutine blocked or spun outside the checker's control
	LimitScope                // the body ran nothing the checker controls
	LimitUncontrolled         // goroutines outside the checker ran beside the body
	LimitNondeterminism       // a schedule replayed to reach another did not behave the same
)

func (l Limit) String() string {
	switch l {
	case LimitNone:
		return "none"
	case LimitSteps:
		return "step limit"
	case LimitGoroutines:
		return "goroutine limit"
	case LimitExecutions:
		return "execution budget"
	case LimitTime:
		return "time budget"
	case LimitStall:
		return "stalled outside the checker"
	case LimitScope:
		return "nothing to explore"
	case LimitUncontrolled:
		return "goroutines outside the checker"
	case LimitNondeterminism:
		return "nondeterminism"
	}
	return fmt.Sprintf("Limit(%d)", uint8(l))
}

// Fail is a verdict found by an execution.
type Fail struct {
	Kind    FailKind // what kind of failure
	Message string   // what happened, in words
}

// Config is what an execution needs to know (the exploration's options,
// defaults applied).
type Config struct {
	MaxSteps      int           // steps per execution before LimitSteps
	MaxGoroutines int           // live goroutines per execution before LimitGoroutines
	Stall         time.Duration // real time without a step before LimitStall
	DataRaces     bool          // report data races
	NameHash      uint32        // the test's name, bound into replay tokens
	StepCost      int64         // virtual nanoseconds each step takes
	TimeSlice     int64         // virtual nanoseconds a goroutine runs before a switch is free
	LeakGrace     int64         // virtual nanoseconds goroutines may outlive the body
	Seed          uint64        // seed of the programs' math/rand
	// MaxDelay: once per execution, the clock may jump to the next deadline
	// up to MaxDelay ahead while goroutines could run, as if they had been
	// descheduled that long (0: never; see Delay).
	MaxDelay int64
	// ExternalTime: while a goroutine is about to make an external call,
	// the clock may jump to a deadline at most this far ahead (0: never).
	ExternalTime int64
}

// Engine runs one exploration: a sequence of executions of the same body,
// each under the schedule its strategy picks.
type Engine struct {
	cfg   Config // the exploration's options, as the engine needs them
	explo uint64 // this exploration's epoch (objects remember it, see Bound)
	epoch uint64 // the current execution's epoch (objects older than it are stale)

	// The goroutines of the current execution.
	gs      []*G           // by ID, finished ones included
	live    []*G           // not finished, in no particular order (G.liveIdx)
	nreal   int            // live real (not pseudo) goroutines, for MaxGoroutines
	ndaemon int            // live daemons among them (GoDaemon): they may outlive the body
	spare   []*G           // every G allocated so far, by ID, reused by later executions
	gnames  map[string]int // goroutines started under each name, for numbering
	gfirst  map[string]int // the ID of the first goroutine of each name
	cur     *G             // the goroutine holding the turn (only it reads this)
	curA    gPtr           // cur, for goroutines that must check whether they hold the turn
	byGp    workerMap      // runtime g -> *worker, for managed goroutines that do not hold the turn

	// The end of an execution.
	doneCh  chan struct{}  // one token per execution: the execution is over
	running sync.WaitGroup // managed goroutines of the execution still running (their workers not idle yet)

	// Workers: the OS goroutines that run managed goroutines, reused from
	// one goroutine to the next (see startG).
	// Workers: two goroutines of one execution never share a runtime
	// goroutine, so code that tells goroutines apart by their runtime id
	// (a lock's deadlock detector, goroutine-local storage,
	// runtime.Stack) sees them apart, as in a real run. A worker that ran
	// a goroutine of this execution is retired until the next one.
	wmu         sync.Mutex     // guards idleW and retired
	idleW       []*worker      // workers free to run a goroutine of this execution
	retired     []*worker      // workers that ran one of this execution: free from the next
	quit        chan struct{}  // closed when the exploration ends: idle workers exit
	workers     sync.WaitGroup // workers alive
	nworkers    atomic.Int32   // workers alive, for counting the process's goroutines
	aborting    atomic.Bool    // teardown: parked goroutines wake only to exit
	resumedSelf bool           // a timer completed the wait of the deciding goroutine
	acting      *G             // the pseudo-goroutine whose event the deciding goroutine performs, else nil
	fail        *Fail          // the verdict of this execution, if any
	errors      []string       // assertion messages (T.Errorf) of this execution
	pruned      bool           // cut short without a verdict (sleep set, bound)
	diverged    string         // why the execution left the schedule it replayed (nondeterminism), "" if it did not
	limit       Limit          // a limit that ended this execution
	limitMsg    string         // what the limit was, in words
	mainDone    int64          // virtual time the body returned, -1 while it runs
	quiet       int            // consecutive pseudo events without a real step
	spins       int            // yields taken while only yielding goroutines could run, since the last write or clock jump

	// Stall watchdog and uncontrolled goroutines.
	progress       atomic.Int64 // steps taken, read by the watchdog
	stalled        bool         // an execution stalled: its goroutine is stuck for good
	tick           *time.Ticker // the watchdog's clock, started with the first execution
	scanning       bool         // the first execution: look for goroutines started outside the engine
	baseline       int          // runtime.NumGoroutine before the exploration
	strayStack     string       // the stack of such a goroutine, once one is seen
	created0       uint64       // goroutines the process had created when the first execution began
	started        atomic.Int64 // goroutines the engine started (workers, the stuck-goroutine waiter)
	strayScans     int          // stack reads done looking for one
	uncontrolledMu sync.Mutex   // guards uncontrolled: written without the turn
	uncontrolled   *Fail        // a goroutine outside the exploration touched its objects (outcome merges it first)

	// Counters and the virtual clock.
	steps      int    // steps of the whole exploration
	execSteps  int    // steps of the current execution
	marks      int32  // recorded accesses of the current execution (Var operations, memory)
	now        int64  // virtual nanoseconds since the virtual epoch
	clockG     *G     // the clock's pseudo-goroutine (KTick), once some call is external
	freeTimers []int  // IDs of timers' pseudo-goroutines that are done: reused by the next timers
	clockObj   Atomic // what external calls and the clock's jumps conflict on (DPOR)
	stackBuf   []byte // reused by strays: every goroutine's stack
	delayed    int64  // how far the clock jumped past runnable goroutines in this execution (MaxDelay), 0 if it did not

	// Scheduling.
	sched      strategy // who runs next
	por        *por     // DPOR's dependency tracking (nil unless reducing)
	trail      []int32  // this execution's decisions: the replay token's content
	lastG      int      // the real goroutine that ran last, -1 at the start
	lastPick   int      // the goroutine picked last (pseudo ones too), for the trail
	preempt    int      // preemptions so far in this execution
	sliceStart int64    // virtual time lastG got the turn

	// Objects of the current execution.
	nobj    int32                    // objects touched so far
	objects []*Object                // touched so far, in order (Walk)
	names   map[uintptr]string       // user names (check.Name), by address
	addr    map[uintptr]*Atomic      // atomics by address (sync/atomic functions)
	chans   map[unsafe.Pointer]*Chan // channels by runtime identity (rewritten code)
	shadow  map[uintptr]*shadow      // memory words accessed (data races)
	rands   map[string]any           // the execution's math/rand states, by package

	rec *recorder // the trace, while the failing schedule is re-run
}

func newEngine(cfg Config) *Engine {
	return &Engine{cfg: cfg, explo: epochs.Add(1), gnames: map[string]int{}, gfirst: map[string]int{},
		quit: make(chan struct{})}
}

// runOne performs one execution of body under the engine's scheduler and
// returns once every managed goroutine has exited.
func (e *Engine) runOne(body func(*G)) {
	e.reset()
	e.sched.begin(e)
	g := e.newG("main", nil)
	g.fn = func() { body(g) }
	e.setCur(g)
	startG(e, g)
	g.wake <- struct{}{}
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
	e.running.Wait()
	e.setCur(nil)
	e.sched.end(e)
}

// reset prepares the engine for a new execution.
func (e *Engine) reset() {
	e.wmu.Lock()
	e.idleW = append(e.idleW, e.retired...)
	clear(e.retired)
	e.retired = e.retired[:0]
	e.wmu.Unlock()
	e.epoch = epochs.Add(1)
	e.gs = e.gs[:0]
	clear(e.live)
	e.live = e.live[:0]
	e.nreal, e.ndaemon = 0, 0
	clear(e.gnames)
	clear(e.gfirst)
	e.fail = nil
	e.errors = e.errors[:0]
	e.pruned = false
	e.diverged = ""
	e.limit, e.limitMsg = LimitNone, ""
	e.execSteps = 0
	e.marks = 0
	e.now = 0
	e.mainDone = -1
	e.quiet, e.spins = 0, 0
	e.clockG = nil
	e.delayed = 0
	e.freeTimers = e.freeTimers[:0]
	e.nobj = 0
	clear(e.objects)
	e.objects = e.objects[:0]
	clear(e.addr)
	clear(e.shadow)
	clear(e.chans) // a channel made in rewritten code lives in one execution (made outside: rt keeps it)
	clear(e.rands)
	e.trail = e.trail[:0]
	e.lastG, e.lastPick, e.preempt, e.sliceStart = -1, -1, 0, 0
	e.resumedSelf = false
	e.acting = nil
	e.aborting.Store(false)
	if e.doneCh == nil {
		e.doneCh = make(chan struct{}, 1)
	}
}

// wait waits for the end of the execution. If no step is taken for the
// stall timeout, a managed goroutine is blocked (or spinning) outside the
// checker's control: it cannot be torn down, so wait reports the stall,
// releases the others and returns false.
func (e *Engine) wait() bool {
	stall := e.cfg.Stall
	if e.tick == nil {
		e.tick = time.NewTicker(min(stall/4, time.Second))
	}
	last, since := e.progress.Load(), time.Now()
	for {
		select {
		case <-e.doneCh:
			return true
		case now := <-e.tick.C:
			if p := e.progress.Load(); p != last {
				last, since = p, now
				continue
			}
			if now.Sub(since) < stall {
				continue
			}
		}
		e.reportStall(stall)
		return false
	}
}

// reportStall turns a stalled execution into an inconclusive result that
// names the stuck goroutine and shows where it is.
func (e *Engine) reportStall(stall time.Duration) {
	name, where := "a managed goroutine", ""
	if c := e.curA.Load(); c != nil {
		name = c.Name
	}
	if st := stuckStack(); st != "" {
		where = "\n\n" + st
	}
	msg := fmt.Sprintf("%s made no step for %v: it is blocked or spinning outside the checker's control (a real channel, mutex, time.Sleep, I/O, or a loop without checked operations); it cannot be stopped and stays behind%s", name, stall, where)
	e.uncontrolledMu.Lock()
	e.uncontrolled = &Fail{KindUncontrolled, msg}
	e.uncontrolledMu.Unlock()
	e.stalled = true
	e.limit, e.limitMsg = LimitStall, msg
	e.aborting.Store(true)
	e.started.Add(1)
	go func() { e.running.Wait() }() // the stuck goroutine ends when it ends
}

// stuckStack returns the stack of the managed goroutine that is not
// parked by the engine: the one stuck outside it.
func stuckStack() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, s := range splitStacks(string(buf)) {
		if strings.Contains(s, "check/internal/engine.trampoline") && !strings.Contains(s, "check/internal/engine.(*Engine).park") &&
			!strings.Contains(s, "check/internal/engine.(*Engine).idle") {
			return trimStack([]byte(s))
		}
	}
	return ""
}

// endExecution is reached when nobody can run: classify and signal the
// explorer.
func (e *Engine) endExecution() {
	e.closeEvent()
	if e.fail == nil && !e.pruned && e.diverged == "" && e.limit == LimitNone {
		var blocked []*G
		for _, g := range e.live {
			if !g.pseudo && !g.daemon {
				blocked = append(blocked, g)
			}
		}
		sort.Slice(blocked, func(i, j int) bool { return blocked[i].ID < blocked[j].ID })
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
func (e *Engine) failNow(g *G, kind FailKind, msg string, exit bool) {
	if e.fail == nil {
		e.fail = &Fail{kind, msg}
	}
	e.stop(exit)
}

// hitLimit ends the execution because the checker's limit was reached:
// inconclusive, not a failure.
func (e *Engine) hitLimit(g *G, l Limit, msg string) {
	if e.limit == LimitNone && e.fail == nil {
		e.limit, e.limitMsg = l, msg
	}
	e.stop(g != nil && !g.done && !g.pseudo)
}

// stop ends the execution from the running goroutine.
func (e *Engine) stop(exit bool) {
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

// Pending returns g's pending operation, for the primitive to fill in.
func (g *G) Pending() *Pending { return &g.pend }

// Now returns the virtual time in nanoseconds.
func (e *Engine) Now() int64 { return e.now }

// Execution identifies the current execution (its epoch): it differs from
// every other execution's, of any exploration.
func (e *Engine) Execution() uint64 { return e.epoch }

// Recording reports whether the engine records the trace (the failing
// schedule's re-run), i.e. whether operations should describe themselves.
func (e *Engine) Recording() bool { return e.rec != nil }

// NumGoroutine returns the live managed goroutines (runtime.NumGoroutine's
// view of the execution).
func (e *Engine) NumGoroutine() int { return e.nreal }

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

// Seed returns the seed of the execution's pseudo-random numbers.
func (e *Engine) Seed() uint64 { return e.cfg.Seed }

// RandState returns the execution's pseudo-random state for the package
// named pkg, creating it with mk from the exploration's seed: every
// execution starts from the same seed, so replays see the same numbers.
func (e *Engine) RandState(pkg string, mk func(seed uint64) any) any {
	if e.rands == nil {
		e.rands = map[string]any{}
	}
	r, ok := e.rands[pkg]
	if !ok {
		r = mk(e.cfg.Seed)
		e.rands[pkg] = r
	}
	return r
}

// MaxRandChoice is the largest n for which a random number in [0, n) drawn
// by the math/rand drop-ins is a choice the exploration tries every value
// of (a coin flip that decides a bug must be tried both ways); larger
// ranges draw from the execution's seeded source.
const MaxRandChoice = 4

// RandChoice returns a value in [0, n) chosen by the running exploration
// when n is at most MaxRandChoice and the caller is managed, or ok false.
func RandChoice(n uint64) (int, bool) {
	if n == 0 || n > MaxRandChoice || !Active() {
		return 0, false
	}
	g := Current()
	if g == nil {
		return 0, false
	}
	return g.Engine().Choose(g, int(n)), true
}

// Epoch is the virtual time at which every execution starts.
var Epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ChanPtr returns the runtime identity of a channel (or map) value.
func ChanPtr[C any](c C) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&c)) }

// End ends the execution now, without a verdict (a test that skipped).
func (e *Engine) End(g *G) {
	e.pruned = true
	e.stop(true)
}
