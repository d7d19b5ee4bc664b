package linear

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// StressConfig sizes a Stress run. The zero value is a sensible default,
// smaller under go test -short.
type StressConfig struct {
	// Seed makes the scenarios reproducible (0 is a fixed default seed).
	// The interleavings themselves are up to the Go scheduler.
	Seed uint64
	// Scenarios is the number of scenarios generated (default 30, 10 with
	// -short); Runs the times each one runs (default 100, 30 with -short).
	Scenarios, Runs int
	// Goroutines is the largest parallel part: each scenario has 2 to
	// Goroutines goroutines (default 4, at least 2).
	Goroutines int
	// OpsPerGoroutine bounds each goroutine's operations (default 3).
	OpsPerGoroutine int
	// InitOps and PostOps bound the sequential operations before and after
	// the parallel part (default 2 each; negative for none).
	InitOps, PostOps int
	// RunTimeout bounds one run: an operation that blocks longer is
	// reported as hung (default 10s).
	RunTimeout time.Duration
	// CheckTimeout bounds the check of one history (default 10s).
	CheckTimeout time.Duration
	// NoShrink skips shrinking a failing scenario; ShrinkTimeout bounds
	// the shrinking (default 10s, 2s with -short).
	NoShrink      bool
	ShrinkTimeout time.Duration
}

func (c StressConfig) withDefaults() StressConfig {
	short := false
	if f := flag.Lookup("test.short"); f != nil {
		short = f.Value.String() == "true"
	}
	def := func(v *int, full, quick int) {
		if *v == 0 {
			*v = full
			if short {
				*v = quick
			}
		}
	}
	def(&c.Scenarios, 30, 10)
	def(&c.Runs, 100, 30)
	def(&c.Goroutines, 4, 4)
	c.Goroutines = max(c.Goroutines, 2)
	def(&c.OpsPerGoroutine, 3, 3)
	def(&c.InitOps, 2, 2)
	def(&c.PostOps, 2, 2)
	if c.Seed == 0 {
		c.Seed = 0x5eed
	}
	if c.RunTimeout <= 0 {
		c.RunTimeout = 10 * time.Second
	}
	if c.ShrinkTimeout <= 0 {
		c.ShrinkTimeout = 10 * time.Second
		if short {
			c.ShrinkTimeout = 2 * time.Second
		}
	}
	if c.CheckTimeout <= 0 {
		c.CheckTimeout = 10 * time.Second
	}
	return c
}

// step is one operation of a scenario: which Op, with which input.
type step[I any] struct {
	op int
	in I
}

// scenario is what Stress runs: sequential init steps, one list of steps
// per goroutine run in parallel, and sequential post steps.
type scenario[I any] struct {
	init, post []step[I]
	par        [][]step[I]
}

func (s scenario[I]) size() int {
	n := len(s.init) + len(s.post)
	for _, g := range s.par {
		n += len(g)
	}
	return n
}

// StressReport is the outcome of Stress.
type StressReport[I, O any] struct {
	// Failed is set when some run was not linearizable, panicked or hung.
	Failed bool
	// Scenarios and Runs count what was executed.
	Scenarios, Runs int
	// Seed is the seed used (to reproduce the scenarios).
	Seed uint64
	// Ops is the size of the failing scenario after shrinking, ShrunkFrom
	// before.
	Ops, ShrunkFrom int
	// Problem says what went wrong: "not linearizable", "panic: ...",
	// "hung".
	Problem string
	// History and Result are the failing run's history and its check.
	History []Operation[I, O]
	Result  Result
	// Table renders the failing run, one column per goroutine.
	Table string
	// Err is set when Stress could not run (bad arguments, cancelled).
	Err error
}

// TB is the part of testing.TB that Stress uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Stress tests a concurrent type against a sequential model, Lincheck
// style, and fails t with the shrunk failing scenario as a table:
//
//	linear.Stress(t, models.Queue[int](), NewQueue, models.QueueOps(
//		(*Queue).Enqueue, (*Queue).Dequeue, func(r *rand.Rand) int { return r.IntN(10) }),
//		linear.StressConfig{})
//
// newObj builds a fresh object for each run; ops are the operations
// scenarios draw from. See RunStress for the details.
func Stress[T, S, I, O any](t TB, m Model[S, I, O], newObj func() T, ops []Op[T, I, O], cfg StressConfig) {
	t.Helper()
	rep := RunStress(context.Background(), m, newObj, ops, cfg)
	if rep.Err != nil {
		t.Fatalf("linear.Stress: %v", rep.Err)
	}
	if rep.Failed {
		t.Fatalf("linear.Stress: %s\n%s", rep.Problem, rep.Table)
	}
}

// RunStress generates cfg.Scenarios scenarios from cfg.Seed: a few
// sequential operations (init), 2 to cfg.Goroutines goroutines each running
// a few operations at the same time, then a few sequential ones (post). It
// runs each scenario cfg.Runs times on a fresh object from newObj, on real
// goroutines released together, recording every call, and checks each
// history with m. On the first failure it shrinks the scenario, removing
// operations while it still fails, and reports the smallest failing run.
func RunStress[T, S, I, O any](ctx context.Context, m Model[S, I, O], newObj func() T, ops []Op[T, I, O], cfg StressConfig) (rep StressReport[I, O]) {
	cfg = cfg.withDefaults()
	rep = StressReport[I, O]{Seed: cfg.Seed}
	// Panics in the object's operations are failures of a run; a panic
	// here comes from a generator or a Describe: bad input, an error.
	defer func() {
		if v := recover(); v != nil {
			rep.Err = fmt.Errorf("linear.RunStress: a generator or the model panicked: %v", v)
		}
	}()
	if newObj == nil || len(ops) == 0 {
		rep.Err = errors.New("need a constructor and at least one operation")
		return rep
	}
	for i, op := range ops {
		if op.Run == nil {
			rep.Err = fmt.Errorf("operation %d (%s) has no Run", i, op.Name)
			return rep
		}
	}
	if m.Init == nil || m.Step == nil {
		rep.Err = fmt.Errorf("%w: Init and Step are required", ErrInvalidModel)
		return rep
	}
	r := &stressRunner[T, S, I, O]{m: m, newObj: newObj, ops: ops, cfg: cfg}
	for sc := range cfg.Scenarios {
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(sc)))
		s := r.generate(rng)
		rep.Scenarios++
		before := rep.Runs
		out, failed := r.runMany(ctx, s, cfg.Runs, func(run int) *rand.Rand {
			return rand.New(rand.NewPCG(cfg.Seed^uint64(sc)<<20, uint64(run)))
		}, &rep.Runs)
		if !failed {
			if err := ctx.Err(); err != nil {
				rep.Err = err
				return rep
			}
			continue
		}
		rep.Failed = true
		rep.ShrunkFrom = s.size()
		if !cfg.NoShrink && !strings.HasPrefix(out.problem, "hung") {
			// A failure seen after k runs of its scenario shows about once
			// in k: give each smaller candidate a few times that many runs,
			// and at least a scenario's worth (k may be a lucky draw).
			budget := min(max(3*(rep.Runs-before), cfg.Runs, 20), 10*cfg.Runs)
			s, out = r.shrink(ctx, s, out, budget)
		}
		rep.Ops = s.size()
		rep.Problem, rep.History, rep.Result = out.problem, out.history, out.result
		rep.Table = r.table(s, out, fmt.Sprintf("seed %#x, scenario %d", cfg.Seed, sc))
		return rep
	}
	return rep
}

type stressRunner[T, S, I, O any] struct {
	m      Model[S, I, O]
	newObj func() T
	ops    []Op[T, I, O]
	cfg    StressConfig
}

func (r *stressRunner[T, S, I, O]) draw(rng *rand.Rand) step[I] {
	k := rng.IntN(len(r.ops))
	var in I
	if g := r.ops[k].Gen; g != nil {
		in = g(rng)
	}
	return step[I]{op: k, in: in}
}

func (r *stressRunner[T, S, I, O]) generate(rng *rand.Rand) scenario[I] {
	var s scenario[I]
	for range rng.IntN(max(r.cfg.InitOps, 0) + 1) {
		s.init = append(s.init, r.draw(rng))
	}
	s.par = make([][]step[I], 2+rng.IntN(r.cfg.Goroutines-1))
	for g := range s.par {
		for range 1 + rng.IntN(r.cfg.OpsPerGoroutine) {
			s.par[g] = append(s.par[g], r.draw(rng))
		}
	}
	for range rng.IntN(max(r.cfg.PostOps, 0) + 1) {
		s.post = append(s.post, r.draw(rng))
	}
	return s
}

// outcome is one run of a scenario.
type outcome[I, O any] struct {
	problem string // "" when the run was fine
	history []Operation[I, O]
	result  Result
}

// execution is one run of a scenario: the object, its recorded history,
// and the first problem seen.
type execution[T, S, I, O any] struct {
	r   *stressRunner[T, S, I, O]
	c   *crew
	rec Recorder[I, O]
	obj T
	mu  sync.Mutex // guards problem, set from the crew's goroutines
	out outcome[I, O]
}

// run executes s once on the crew. Clients in the recorded history: 0 for
// init and post, g+1 for goroutine g.
func (r *stressRunner[T, S, I, O]) run(s scenario[I], c *crew, rng *rand.Rand) outcome[I, O] {
	x := &execution[T, S, I, O]{r: r, c: c}
	if !x.construct() {
		return x.out
	}
	if !x.sequential(s.init) {
		return r.hung("init")
	}
	if !x.parallel(s.par, spins(s, rng)) {
		// The goroutines are stuck in the object under test: nothing can
		// stop them. Report the hang without touching their logs.
		return r.hung("parallel")
	}
	if x.out.problem == "" && !x.sequential(s.post) {
		return r.hung("post")
	}
	return x.check()
}

// hung is the outcome of a part that did not finish.
func (r *stressRunner[T, S, I, O]) hung(part string) outcome[I, O] {
	return outcome[I, O]{problem: fmt.Sprintf("hung: the %s part did not finish within %v", part, r.cfg.RunTimeout)}
}

// problem records p unless a problem was recorded already.
func (x *execution[T, S, I, O]) problem(p string) {
	x.mu.Lock()
	if x.out.problem == "" {
		x.out.problem = p
	}
	x.mu.Unlock()
}

// construct builds the object; a panic is the run's problem.
func (x *execution[T, S, I, O]) construct() bool {
	defer func() {
		if v := recover(); v != nil {
			x.problem(fmt.Sprintf("panic in constructor: %v", v))
		}
	}()
	x.obj = x.r.newObj()
	return true
}

// exec runs one step as client, recording it; a panic is the run's
// problem.
func (x *execution[T, S, I, O]) exec(client int, st step[I]) {
	defer func() {
		if v := recover(); v != nil {
			x.problem(fmt.Sprintf("panic in %s: %v", x.r.ops[st.op].Name, v))
		}
	}()
	id := x.rec.Call(client, st.in)
	o := x.r.ops[st.op].Run(x.obj, st.in)
	x.rec.Return(id, o)
}

// sequential runs steps one after another. They run on the crew too (on
// its first member), so that an operation that never returns is reported,
// not waited for; false if they did not finish in time.
func (x *execution[T, S, I, O]) sequential(steps []step[I]) bool {
	if len(steps) == 0 {
		return true
	}
	return x.c.run(func(g int) {
		if g == 0 {
			for _, st := range steps {
				x.exec(0, st)
			}
		}
	}, x.r.cfg.RunTimeout)
}

// parallel runs each goroutine's steps on its crew member, each step after
// its spin. The crew's goroutines spin between runs, so they all see the
// start signal within a cache-line transfer of each other and no thread has
// to be woken by the OS (which costs tens of microseconds and would give
// the first goroutine a head start that hides most races).
func (x *execution[T, S, I, O]) parallel(par [][]step[I], spins [][]int) bool {
	return x.c.run(func(g int) {
		for i, st := range par[g] {
			spin(spins[g][i])
			x.exec(g+1, st)
		}
	}, x.r.cfg.RunTimeout)
}

// spins draws the spins before each parallel step: they shift the
// goroutines against each other from run to run, so that different
// interleavings of the same scenario show up.
func spins[I any](s scenario[I], rng *rand.Rand) [][]int {
	out := make([][]int, len(s.par))
	for g := range s.par {
		out[g] = make([]int, len(s.par[g]))
		for i := range out[g] {
			out[g][i] = rng.IntN(32)
			if i == 0 {
				out[g][i] = rng.IntN(100)
			}
		}
	}
	return out
}

// check takes the recorded history and checks it, unless the run already
// has a problem.
func (x *execution[T, S, I, O]) check() outcome[I, O] {
	x.out.history = x.rec.History()
	if x.out.problem != "" {
		return x.out
	}
	x.out.result = Check(x.r.m, x.out.history, Timeout(x.r.cfg.CheckTimeout))
	if x.out.result.Verdict == NotLinearizable {
		x.out.problem = "not linearizable"
	}
	return x.out
}

// runMany runs s up to runs times on one crew and returns the first failing
// outcome; seed numbers the runs' random streams.
func (r *stressRunner[T, S, I, O]) runMany(ctx context.Context, s scenario[I], runs int, seed func(run int) *rand.Rand, count *int) (outcome[I, O], bool) {
	c := newCrew(len(s.par))
	for run := range runs {
		if ctx.Err() != nil {
			break
		}
		*count++
		out := r.run(s, c, seed(run))
		if out.problem != "" {
			if strings.HasPrefix(out.problem, "hung") {
				c.abandon()
			} else {
				c.stop()
			}
			return out, true
		}
	}
	c.stop()
	return outcome[I, O]{}, false
}

// crew is a set of goroutines kept across the runs of a scenario.
type crew struct {
	n    int
	gen  atomic.Int64
	left atomic.Int32
	quit atomic.Bool
	work atomic.Pointer[func(g int)]
	wg   sync.WaitGroup
}

// newCrew starts n goroutines. (Making the caller of run member 0 saves a
// goroutine but gives it a head start that hides races.)
func newCrew(n int) *crew {
	c := &crew{n: n}
	for g := range n {
		c.wg.Go(func() {
			var seen int64
			for {
				var w waiter
				for {
					if c.quit.Load() {
						return
					}
					if gen := c.gen.Load(); gen != seen {
						seen = gen
						break
					}
					w.wait()
				}
				(*c.work.Load())(g)
				c.left.Add(-1)
			}
		})
	}
	return c
}

// run has every member call work(g) once and waits for them, at most
// timeout; it reports false if they did not all finish.
func (c *crew) run(work func(g int), timeout time.Duration) bool {
	c.work.Store(&work)
	c.left.Store(int32(c.n))
	c.gen.Add(1)
	w := waiter{patient: true}
	for c.left.Load() > 0 {
		if w.wait() > timeout {
			return false
		}
	}
	return true
}

// stop ends the crew's goroutines once they are idle.
func (c *crew) stop() {
	c.quit.Store(true)
	c.wg.Wait()
}

// abandon lets stuck goroutines go: they end if they ever return.
func (c *crew) abandon() { c.quit.Store(true) }

// waiter spins, then yields, then sleeps, as a wait gets longer: short
// waits stay aligned, long ones (a slow check, the race detector) leave
// the CPUs to others. It goes by the clock, not by iterations, because an
// iteration costs 50 times more under the race detector.
type waiter struct {
	i       int
	start   time.Time
	patient bool // yield at once: a waiter that needs no alignment
}

func (w *waiter) wait() time.Duration {
	w.i++
	if w.i == 1 {
		w.start = time.Now()
	}
	if w.patient {
		// The caller of run only waits: it must not hold a CPU the crew
		// needs (on two CPUs, a spinning caller serialises a crew of two).
		runtime.Gosched()
	} else if w.i%32 != 0 {
		return 0
	}
	el := time.Since(w.start)
	switch {
	case w.patient && el < time.Millisecond:
	case el < 5*time.Microsecond:
	case el < time.Millisecond:
		runtime.Gosched()
	default:
		time.Sleep(50 * time.Microsecond)
	}
	return el
}

// spin burns a little CPU time without synchronising, and sometimes yields.
func spin(n int) {
	x := 0
	for i := range n {
		x ^= i
	}
	if x == -1 {
		runtime.Gosched()
	}
}

// shrink removes operations one at a time while the scenario still fails
// within a budget of runs, and returns the smallest failing scenario found.
func (r *stressRunner[T, S, I, O]) shrink(ctx context.Context, s scenario[I], out outcome[I, O], budget int) (scenario[I], outcome[I, O]) {
	if r.cfg.ShrinkTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.cfg.ShrinkTimeout)
		defer cancel()
	}
	seed := uint64(1)
	for improved := true; improved; {
		improved = false
		for _, c := range candidates(s) {
			if ctx.Err() != nil {
				return s, out
			}
			var runs int
			o, failed := r.runMany(ctx, c, budget, func(run int) *rand.Rand {
				seed++
				return rand.New(rand.NewPCG(r.cfg.Seed, seed))
			}, &runs)
			if failed && !strings.HasPrefix(o.problem, "hung") {
				s, out, improved = c, o, true
			}
			if improved {
				break
			}
		}
	}
	return s, out
}

// candidates lists the scenarios with one operation fewer (the parallel
// part keeps at least two goroutines; a goroutine left empty disappears).
func candidates[I any](s scenario[I]) []scenario[I] {
	var out []scenario[I]
	without := func(l []step[I], i int) []step[I] {
		return append(append([]step[I](nil), l[:i]...), l[i+1:]...)
	}
	for i := range s.post {
		c := s
		c.post = without(s.post, i)
		out = append(out, c)
	}
	for i := range s.init {
		c := s
		c.init = without(s.init, i)
		out = append(out, c)
	}
	for g := range s.par {
		for i := range s.par[g] {
			c := s
			c.par = append([][]step[I](nil), s.par...)
			c.par[g] = without(s.par[g], i)
			if len(c.par[g]) == 0 {
				if len(s.par) <= 2 {
					continue
				}
				c.par = append(c.par[:g:g], c.par[g+1:]...)
			}
			out = append(out, c)
		}
	}
	return out
}

// table renders a run: init rows, then one column per goroutine, then post
// rows, each operation with what it returned.
func (r *stressRunner[T, S, I, O]) table(s scenario[I], out outcome[I, O], origin string) string {
	rows := r.tableRows(s, out)
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s; %d operations)\n", out.problem, origin, s.size())
	writeTable(&b, rows)
	b.WriteString("[c,r]: ranks of the call and the return among all events; an operation whose r is below another's c finished before it started\n")
	if out.result.Verdict == NotLinearizable {
		b.WriteString("no sequential order of these operations, consistent with that, explains their results\n")
	}
	return b.String()
}

// tableRows lays the run out as rows of cells, a nil row for a rule: the
// header, the init steps, the parallel steps side by side, the post steps.
func (r *stressRunner[T, S, I, O]) tableRows(s scenario[I], out outcome[I, O]) [][]string {
	cell := r.cells(out.history)
	cols := len(s.par)
	header := make([]string, cols+1)
	for g := range cols {
		header[g+1] = fmt.Sprintf("goroutine %d", g+1)
	}
	rows := [][]string{header, nil}
	section := func(label string, offset int, steps []step[I]) {
		for i, st := range steps {
			row := make([]string, cols+1)
			if i == 0 {
				row[0] = label
			}
			row[1] = cell(0, offset+i, st)
			rows = append(rows, row)
		}
	}
	section("init", 0, s.init)
	if len(s.init) > 0 {
		rows = append(rows, nil)
	}
	depth := 0
	for _, g := range s.par {
		depth = max(depth, len(g))
	}
	for i := range depth {
		row := make([]string, cols+1)
		if i == 0 {
			row[0] = "parallel"
		}
		for g := range cols {
			if i < len(s.par[g]) {
				row[g+1] = cell(g+1, i, s.par[g][i])
			}
		}
		rows = append(rows, row)
	}
	if len(s.post) > 0 {
		rows = append(rows, nil)
	}
	section("post", len(s.init), s.post)
	return rows
}

// cells returns the renderer of a cell: client's i-th recorded operation,
// which ran step st, with the ranks of its call and return among all the
// events, so that the table shows which operations overlapped.
func (r *stressRunner[T, S, I, O]) cells(history []Operation[I, O]) func(client, i int, st step[I]) string {
	byClient := map[int][]Operation[I, O]{}
	var times []int64
	for _, op := range history {
		byClient[op.Client] = append(byClient[op.Client], op)
		times = append(times, op.Call)
		if !op.IsPending() {
			times = append(times, op.Return)
		}
	}
	slices.Sort(times)
	rank := func(t int64) int { i, _ := slices.BinarySearch(times, t); return i + 1 }
	return func(client, i int, st step[I]) string {
		ops := byClient[client]
		if i >= len(ops) {
			return r.ops[st.op].Name + " (not run)"
		}
		op := ops[i]
		if op.IsPending() {
			return fmt.Sprintf("%s [%d,-]", r.m.describe(op), rank(op.Call))
		}
		return fmt.Sprintf("%s [%d,%d]", r.m.describe(op), rank(op.Call), rank(op.Return))
	}
}

// writeTable writes rows as columns padded to their widest cell, joined by
// " | ", a nil row as a rule.
func writeTable(b *strings.Builder, rows [][]string) {
	var width []int
	for _, row := range rows {
		for c, v := range row {
			if c >= len(width) {
				width = append(width, 0)
			}
			width[c] = max(width[c], len(v))
		}
	}
	for _, row := range rows {
		if row == nil {
			for c := range width {
				if c > 0 {
					b.WriteString("-+-")
				}
				b.WriteString(strings.Repeat("-", width[c]))
			}
			b.WriteString("\n")
			continue
		}
		var line strings.Builder
		for c, v := range row {
			if c > 0 {
				line.WriteString(" | ")
			}
			fmt.Fprintf(&line, "%-*s", width[c], v)
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteString("\n")
	}
}
