package engine

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Strategy names a way to explore.
type Strategy int

// Strategies.
const (
	Default Strategy = iota
	Exhaustive
	Random
	PCT
	Replay
)

// Options configure an exploration.
type Options struct {
	Strategy      Strategy
	Bound         int // preemption bound of the default strategy
	Seed          int64
	Executions    int // executions of random/PCT; 0 means the budget
	Depth         int // PCT depth
	Token         string
	MaxSteps      int
	MaxExecutions int
	MaxTime       time.Duration
	DataRaces     bool
	NoReduction   bool
	NameHash      uint32
	Stall         time.Duration
	// NoFallback stops the default strategy after its bounded DPOR levels
	// (no PCT for the rest of the budget); for tests of the bounded search.
	NoFallback bool
}

// Result is what an exploration found.
type Result struct {
	Executions int
	Redundant  int // executions cut by sleep sets (not counted)
	Exhausted  bool
	Complete   bool // every schedule up to the bound (or all) explored
	Strategy   string
	Steps      int64
	Failure    *Failure
}

// Failure is a verdict with its schedule.
type Failure struct {
	Kind      int
	Message   string
	Trace     []TraceStep
	Replay    string
	Execution int
	Note      string
}

// TraceStep is one line of a printed schedule.
type TraceStep struct {
	Goroutine, Op, Location string
}

// ErrBadToken is returned for a replay token that does not decode.
var ErrBadToken = errors.New("check: malformed replay token")

// Explore runs body under the chosen strategy. Explorations are serialized
// process-wide.
func Explore(o Options, body func(*G)) Result {
	if Active() && Current() != nil {
		// exploreMu is held by the exploration this goroutine belongs to
		return Result{Failure: &Failure{Kind: KindPanic, Message: "check.Run called inside an exploration's body"}}
	}
	exploreMu.Lock()
	defer exploreMu.Unlock()
	if o.Bound == 0 && o.Strategy == Default {
		o.Bound = 3
	}
	if o.Bound < 0 {
		o.Bound = 3
	}
	if o.MaxExecutions <= 0 {
		o.MaxExecutions = 20000
	}
	if o.MaxTime <= 0 {
		o.MaxTime = 5 * time.Second
	}
	if o.Depth <= 0 {
		o.Depth = 3
	}
	if old := stalledEngine.Load(); old != nil {
		deadline := time.Now().Add(time.Second)
		for stalledEngine.Load() != nil && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if stalledEngine.Load() != nil {
			return Result{Failure: &Failure{Kind: KindUncontrolled, Message: "an earlier exploration stalled and its goroutine is still stuck outside the checker's control; fix that test first"}}
		}
	}
	e := newEngine(Config{MaxSteps: o.MaxSteps, DataRaces: o.DataRaces, NameHash: o.NameHash, Stall: o.Stall})
	running.Store(e)
	active.Store(true)
	defer func() {
		active.Store(false)
		running.Store(nil)
		if e.tick != nil {
			e.tick.Stop()
		}
	}()
	x := &explorer{e: e, o: o, body: body, start: time.Now()}
	return x.run()
}

type explorer struct {
	e     *Engine
	o     Options
	body  func(*G)
	start time.Time
	res   Result

	failTrail []int32
	failExec  int
	fail      *Fail
	stalled   bool
}

func (x *explorer) budgetLeft() bool {
	return x.res.Executions < x.o.MaxExecutions && time.Since(x.start) < x.o.MaxTime
}

// one runs an execution and reports whether it failed.
func (x *explorer) one() bool {
	e := x.e
	e.runOne(x.body)
	x.res.Steps = int64(e.steps)
	if e.stalled {
		x.stalled = true
	}
	if e.sched.blocked {
		x.res.Redundant++
	} else {
		x.res.Executions++
	}
	f := e.fail
	e.uncontrolledMu.Lock()
	if e.uncontrolled != nil {
		f = e.uncontrolled
		e.uncontrolled = nil
	}
	e.uncontrolledMu.Unlock()
	if len(e.errors) > 0 && (f == nil || (f.Kind == KindAssertion && f.Message == "")) {
		f = &Fail{KindAssertion, strings.Join(e.errors, "\n")}
	}
	if f == nil {
		return false
	}
	x.fail = f
	x.failExec = x.res.Executions
	x.failTrail = append([]int32(nil), e.sched.trail...)
	return true
}

func (x *explorer) run() Result {
	e, o := x.e, x.o
	s := &e.sched
	s.rng = rand.New(rand.NewPCG(uint64(o.Seed), uint64(o.Seed)^0x9e3779b97f4a7c15))
	switch o.Strategy {
	case Replay:
		trail, err := decodeToken(o.Token, o.NameHash)
		if err != nil {
			x.res.Strategy = "replay"
			x.res.Failure = &Failure{Kind: KindNondeterminism, Message: err.Error()}
			return x.res
		}
		x.res.Strategy = "replay"
		x.failTrail = trail
		s.mode, s.replay = ModeReplay, trail
		if !x.one() {
			x.res.Failure = nil
			if s.rpos < len(s.replay) {
				x.res.Failure = &Failure{Kind: KindNondeterminism, Message: "the replayed schedule did not reproduce a failure: the execution ended early; the program behaves differently than when the token was made (nondeterminism the checker does not control: maps, real time, randomness, goroutines not started with T.Go)"}
			}
			return x.res
		}
	case Random, PCT:
		n := o.Executions
		if n <= 0 {
			n = o.MaxExecutions
		}
		if o.Strategy == Random {
			s.mode = ModeRandom
			x.res.Strategy = fmt.Sprintf("random, seed %d", o.Seed)
		} else {
			s.mode, s.pctDepth, s.pctK = ModePCT, o.Depth, 16
			x.res.Strategy = fmt.Sprintf("PCT depth %d, seed %d", o.Depth, o.Seed)
		}
		for i := 0; i < n && time.Since(x.start) < o.MaxTime; i++ {
			if x.one() {
				break
			}
		}
	default:
		x.dfs()
	}
	if x.fail != nil {
		if x.stalled {
			x.res.Failure = &Failure{Kind: x.fail.Kind, Message: x.fail.Message, Execution: x.failExec}
			return x.res
		}
		x.report()
	}
	return x.res
}

func (x *explorer) dfs() {
	e, o := x.e, x.o
	s := &e.sched
	s.mode, s.dpor = ModeDFS, !o.NoReduction
	name := "DPOR"
	if o.NoReduction {
		name = "DFS"
	}
	bounds := []int{-1}
	if o.Strategy == Default {
		bounds = bounds[:0]
		for b := 0; b <= o.Bound; b++ {
			bounds = append(bounds, b)
		}
	}
	complete, budget := false, false
	last := -1
	for _, b := range bounds {
		s.bound, s.pruned, s.nodes = b, false, s.nodes[:0]
		last = b
		for {
			if x.one() {
				x.res.Strategy = x.dfsName(name, b, false)
				return
			}
			if !s.next() {
				break
			}
			if !x.budgetLeft() {
				budget = true
				break
			}
		}
		if budget {
			break
		}
		if !s.pruned {
			complete = true
			break
		}
	}
	x.res.Complete = !budget
	x.res.Exhausted = complete
	x.res.Strategy = x.dfsName(name, last, budget)
	if o.Strategy == Default && !complete && !o.NoFallback && x.budgetLeft() {
		// PCT for the rest of the budget.
		s.mode, s.dpor, s.pctDepth, s.pctK = ModePCT, false, o.Depth, max(16, e.execSteps)
		before := x.res.Executions
		for x.budgetLeft() {
			if x.one() {
				break
			}
		}
		x.res.Strategy += fmt.Sprintf(", then PCT depth %d for %d executions", o.Depth, x.res.Executions-before)
	}
}

func (x *explorer) dfsName(name string, b int, budget bool) string {
	switch {
	case budget && b < 0:
		return name + ", stopped by the budget"
	case budget:
		return fmt.Sprintf("%s, stopped by the budget at %s", name, plural(b, "preemption"))
	case x.fail != nil && b >= 0:
		return fmt.Sprintf("%s, schedules with up to %s", name, plural(b, "preemption"))
	case x.fail != nil:
		return name
	case b < 0 || !x.e.sched.pruned:
		return name + ", complete"
	}
	return fmt.Sprintf("%s, complete up to %s", name, plural(b, "preemption"))
}

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// report re-runs the failing schedule, recording the trace with source
// locations, and fills in the result's failure.
func (x *explorer) report() {
	if x.fail.Kind == KindNondeterminism {
		x.res.Failure = &Failure{Kind: x.fail.Kind, Message: x.fail.Message, Execution: x.failExec,
			Replay: encodeToken(x.failTrail, x.o.NameHash)}
		return
	}
	e := x.e
	s := &e.sched
	first := x.fail
	s.mode, s.dpor, s.replay = ModeReplay, false, x.failTrail
	e.rec = &recorder{}
	e.runOne(x.body)
	rec := e.rec
	e.rec = nil
	f := e.fail
	if len(e.errors) > 0 && (f == nil || (f.Kind == KindAssertion && f.Message == "")) {
		f = &Fail{KindAssertion, strings.Join(e.errors, "\n")}
	}
	e.uncontrolledMu.Lock()
	if e.uncontrolled != nil {
		f = e.uncontrolled
		e.uncontrolled = nil
	}
	e.uncontrolledMu.Unlock()
	out := &Failure{Kind: first.Kind, Message: first.Message, Execution: x.failExec,
		Replay: encodeToken(x.failTrail, x.o.NameHash)}
	if f != nil && f.Kind == first.Kind {
		out.Message = f.Message
	} else {
		got := "no failure"
		if f != nil {
			got = f.Message
		}
		out.Note = fmt.Sprintf("nondeterminism: re-running this schedule to print it gave %q; the trace below may not match the failure", firstLine(got))
	}
	out.Trace = rec.steps
	if out.Kind == KindStepLimit && len(out.Trace) > 40 {
		out.Trace = out.Trace[len(out.Trace)-40:]
	}
	x.res.Failure = out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Tokens: "1" + base64url(uvarint namehash, uvarint n, n decisions, with
// runs of zeros ("the same goroutine again") as 0 followed by the run length).
func encodeToken(trail []int32, nameHash uint32) string {
	var b []byte
	b = binary.AppendUvarint(b, uint64(nameHash))
	b = binary.AppendUvarint(b, uint64(len(trail)))
	for i := 0; i < len(trail); {
		if trail[i] == 0 {
			j := i
			for j < len(trail) && trail[j] == 0 {
				j++
			}
			b = append(b, 0)
			b = binary.AppendUvarint(b, uint64(j-i))
			i = j
			continue
		}
		b = binary.AppendUvarint(b, uint64(trail[i]))
		i++
	}
	return "1" + base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(tok string, nameHash uint32) ([]int32, error) {
	tok = strings.TrimSpace(tok)
	if !strings.HasPrefix(tok, "1") {
		return nil, fmt.Errorf("%w: unknown version", ErrBadToken)
	}
	b, err := base64.RawURLEncoding.DecodeString(tok[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadToken, err)
	}
	next := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	h, ok1 := next()
	n, ok2 := next()
	if !ok1 || !ok2 || n > 1<<22 {
		return nil, fmt.Errorf("%w: truncated", ErrBadToken)
	}
	_ = h
	trail := make([]int32, 0, min(n, 4096))
	for uint64(len(trail)) < n {
		v, ok := next()
		if !ok {
			return nil, fmt.Errorf("%w: truncated", ErrBadToken)
		}
		if v == 0 {
			run, ok := next()
			if !ok || run > n {
				return nil, fmt.Errorf("%w: bad run", ErrBadToken)
			}
			for ; run > 0; run-- {
				trail = append(trail, 0)
			}
			continue
		}
		trail = append(trail, int32(v))
	}
	return trail[:n], nil
}

// TokenNameHash returns the name hash a token was made for (0 for none).
func TokenNameHash(tok string) (uint32, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(strings.TrimSpace(tok), "1"))
	if err != nil {
		return 0, false
	}
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, false
	}
	return uint32(v), true
}
