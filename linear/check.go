package linear

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"time"
)

// Check decides whether history is linearizable with respect to m.
//
// It runs the Wing-Gong-Lowe search (see search) on each part of the
// history (the whole history unless m.Partition splits it), in two search
// orders that race as a portfolio (see SearchOrders), on a few goroutines
// by turns (see Parallelism). The first part found not linearizable
// decides the verdict and stops the others (see AllParts). States are
// hash-consed and transitions cached, and the memo of explored
// configurations takes a constant amount of memory per configuration,
// whatever the history's length. The check is bounded by Timeout, Context
// and MaxMemory: reaching one gives an Unknown verdict naming it, with the
// progress made.
//
// Check never panics on bad input: an invalid model or history, or a panic
// in the model's functions, gives an Unknown verdict with Err set.
func Check[S, I, O any](m Model[S, I, O], history []Operation[I, O], opts ...Option) Result {
	cfg := configure(opts)
	if err := validate(m, history); err != nil {
		return Result{Err: err}
	}
	parts, idx, err := partition(m, history)
	if err != nil {
		return Result{Err: err}
	}
	ctx, cancel := cfg.context()
	defer cancel()
	stop := new(stopFlag)
	if ctx.Done() != nil {
		defer context.AfterFunc(ctx, func() { stop.Store(true) })()
	}
	if ctx.Err() != nil {
		stop.Store(true)
	}
	lim := &limiter{max: cfg.memoryCap()}
	orders := cfg.searchOrders()
	s := newScheduler(len(parts), func(p int) runner {
		return startSearch(&m, parts[p], orders, lim, stop)
	}, stop)
	s.allParts = cfg.allParts
	if d, ok := ctx.Deadline(); ok {
		s.deadline, s.timeErr = d, cfg.timeoutErr()
	}
	s.start()
	s.run(cfg.workerCount(len(parts)))
	return assemble(s, idx, ctx)
}

// configure applies the options.
func configure(opts []Option) config {
	cfg := config{ctx: context.Background()}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.ctx == nil {
		cfg.ctx = context.Background()
	}
	return cfg
}

// context derives the check's context: the caller's, bounded by Timeout.
// A timeout's cause names it.
func (c config) context() (context.Context, context.CancelFunc) {
	if c.timeout > 0 {
		return context.WithTimeoutCause(c.ctx, c.timeout, c.timeoutErr())
	}
	return context.WithCancel(c.ctx)
}

// timeoutErr is the error of a check that ran out of time.
func (c config) timeoutErr() error {
	if c.timeout > 0 {
		return fmt.Errorf("linear: the time limit of %v was reached (Timeout): %w", c.timeout, context.DeadlineExceeded)
	}
	return context.DeadlineExceeded
}

// memoryCap is the MaxMemory in force, 0 for none.
func (c config) memoryCap() int64 {
	switch {
	case c.maxMem < 0:
		return 0
	case c.maxMem == 0:
		return DefaultMaxMemory()
	}
	return c.maxMem
}

// searchOrders is the portfolio: the orders chosen, known and distinct,
// or both by default.
func (c config) searchOrders() []Order {
	var out []Order
	for _, o := range c.orders {
		if (o == ReturnsFirst || o == CallOrder) && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		out = []Order{ReturnsFirst, CallOrder}
	}
	return out
}

// workerCount is the number of goroutines for searches searches.
func (c config) workerCount(searches int) int {
	w := c.workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return max(1, min(w, searches))
}

// validate rejects a model that cannot be run and a history with an
// operation that returns before its call.
func validate[S, I, O any](m Model[S, I, O], history []Operation[I, O]) error {
	if m.Init == nil || m.Step == nil {
		return fmt.Errorf("%w: Init and Step are required", ErrInvalidModel)
	}
	if _, err := makeInterner(m.Equal, m.Hash); err != nil {
		return err
	}
	for i, op := range history {
		if op.Return < op.Call {
			return fmt.Errorf("%w: operation %d returns at %d, before its call at %d", ErrInvalidHistory, i, op.Return, op.Call)
		}
	}
	return nil
}

// startSearch starts the search of one part in the given orders.
func startSearch[S, I, O any](m *Model[S, I, O], ops []Operation[I, O], orders []Order, lim *limiter, stop *stopFlag) runner {
	s, err := newSearch(m, ops, orders, lim, stop)
	if err != nil {
		return failedSearch{searchOut{err: err}}
	}
	return s
}

// failedSearch is a search that could not start.
type failedSearch struct{ out searchOut }

func (f failedSearch) run(time.Time) bool  { return true }
func (f failedSearch) progress() searchOut { return f.out }
func (f failedSearch) release()            {}

// assemble turns the scheduler's parts into the Result, in history
// indices.
func assemble(s *scheduler, idx [][]int, ctx context.Context) Result {
	var res Result
	res.Parts = make([]Part, len(s.parts))
	failed, unknown := false, false
	for i, st := range s.parts {
		p := Part{Verdict: st.out.verdict, Ops: idx[i], Explored: st.explored, Err: st.out.err}
		if st.decided && st.out.verdict != Unknown {
			p.Order = st.out.order
		}
		if p.Verdict == Unknown && p.Err == nil {
			p.Err = stopCause(s, ctx)
		}
		p.Linearization = mapIdx(idx[i], st.out.lin)
		p.Unplaced = mapIdx(idx[i], st.out.unplaced)
		res.Parts[i] = p
		res.Explored += p.Explored
		switch p.Verdict {
		case NotLinearizable:
			failed = true
		case Unknown:
			if !unknown || (errors.Is(res.Err, ErrStopped) && !errors.Is(p.Err, ErrStopped)) {
				res.Err = p.Err
			}
			unknown = true
		}
	}
	switch {
	case failed:
		res.Verdict, res.Err = NotLinearizable, nil
	case unknown:
		res.Verdict = Unknown
	default:
		res.Verdict = Linearizable
	}
	return res
}

// stopCause says why an undecided part was stopped: the scheduler's first
// reason (a failed part, the memory cap, the deadline), else the
// context's.
func stopCause(s *scheduler, ctx context.Context) error {
	if s.cause != nil {
		return s.cause
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return ErrStopped
}

// isMemoryErr reports whether err is the memory cap's.
func isMemoryErr(err error) bool { return errors.Is(err, ErrMemoryLimit) }

func mapIdx(idx []int, local []int32) []int {
	if local == nil {
		return nil
	}
	out := make([]int, len(local))
	for i, l := range local {
		out[i] = idx[l]
	}
	return out
}

// partition splits the history with the model's Partition and finds each
// operation's index in the history: the partition function hands back
// copies, not indices.
func partition[S, I, O any](m Model[S, I, O], history []Operation[I, O]) (parts [][]Operation[I, O], idx [][]int, err error) {
	if m.Partition == nil {
		all := make([]int, len(history))
		for i := range all {
			all[i] = i
		}
		return [][]Operation[I, O]{history}, [][]int{all}, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: Partition panicked: %v", ErrInvalidModel, r)
		}
	}()
	parts = m.Partition(history)
	find := indexer(history)
	idx = make([][]int, len(parts))
	for p, part := range parts {
		idx[p] = make([]int, len(part))
		for j, op := range part {
			if op.Return < op.Call {
				return nil, nil, fmt.Errorf("%w: Partition made an operation that returns before its call", ErrInvalidHistory)
			}
			idx[p][j] = find(op)
		}
	}
	return parts, idx, nil
}

// indexer returns a function that finds an operation in history by
// (Client, Call, Return), each history operation at most once; -1 for
// one that is not there (made up by the partition function).
func indexer[I, O any](history []Operation[I, O]) func(Operation[I, O]) int {
	used := make([]bool, len(history))
	// candidates returns the first history index with op's call time, and
	// the function that steps to the next one (-1 at the end).
	var first func(call int64) int
	var next func(i int, call int64) int
	if slices.IsSortedFunc(history, func(a, b Operation[I, O]) int { return cmp.Compare(a.Call, b.Call) }) {
		// Parsed histories are usually in call order: a binary search over
		// the call times needs no map.
		calls := make([]int64, len(history))
		for i, op := range history {
			calls[i] = op.Call
		}
		first = func(call int64) int { i, _ := slices.BinarySearch(calls, call); return i }
		next = func(i int, call int64) int {
			if i+1 < len(history) && history[i+1].Call == call {
				return i + 1
			}
			return -1
		}
	} else {
		// byCall[call] is the earliest operation called at that time; later
		// ones with the same call time are chained through same.
		byCall := make(map[int64]int, len(history))
		same := make([]int, len(history))
		for i := len(history) - 1; i >= 0; i-- {
			j, ok := byCall[history[i].Call]
			if !ok {
				j = -1
			}
			same[i] = j
			byCall[history[i].Call] = i
		}
		first = func(call int64) int {
			if i, ok := byCall[call]; ok {
				return i
			}
			return -1
		}
		next = func(i int, _ int64) int { return same[i] }
	}
	return func(op Operation[I, O]) int {
		for i := first(op.Call); i >= 0 && i < len(history) && history[i].Call == op.Call; i = next(i, op.Call) {
			if h := history[i]; !used[i] && h.Client == op.Client && h.Return == op.Return {
				used[i] = true
				return i
			}
		}
		return -1
	}
}

// twinsAfter is the number of configurations after which a part's search
// looks for twins. Tests lower it to cover twins on small histories.
var twinsAfter int64 = 1024

// twins finds interchangeable operations, to search only one order of
// them. Two operations a and b with equal input and output, where a is
// called no later than b and returns no later than b, can swap places in
// any linearization (the model cannot tell them apart, and every real-time
// constraint on one holds for the other in the other's place); so the
// search may place b only after a. A pending a can stand in for a pending
// b, but not for a completed one, which must appear. after[b] is a, or -1.
// The rule holds from any configuration (if b is already placed and a is
// not, it asks nothing), so a search may adopt it midway: memo entries made
// before stay true.
// Inputs or outputs that cannot be compared give no twins.
func twins[I, O any](ops []Operation[I, O]) (after []int32) {
	after = make([]int32, len(ops))
	for i := range after {
		after[i] = -1
	}
	for _, t := range []reflect.Type{reflect.TypeFor[I](), reflect.TypeFor[O]()} {
		if !t.Comparable() || t.Kind() == reflect.Interface {
			return after
		}
	}
	type pair struct {
		in  I
		out O
	}
	defer func() {
		// A struct field of interface type holding an incomparable value
		// panics on ==: then there are no twins.
		if recover() != nil {
			for i := range after {
				after[i] = -1
			}
		}
	}()
	last := make(map[any]int32, len(ops))
	order := make([]int32, len(ops))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		if c := cmp.Compare(ops[a].Call, ops[b].Call); c != 0 {
			return c
		}
		return cmp.Compare(ops[a].Return, ops[b].Return)
	})
	for _, b := range order {
		k := any(pair{ops[b].Input, ops[b].Output})
		if a, ok := last[k]; ok {
			oa, ob := ops[a], ops[b]
			if oa.Return <= ob.Return && (!oa.IsPending() || ob.IsPending()) {
				after[b] = a
			}
		}
		last[k] = b
	}
	return after
}

// unplaced lists, after the linearized prefix, the operations that were
// candidates for the next position: the unlinearized operation that returns
// first, then every other one called no later than that return.
func unplaced[I, O any](ops []Operation[I, O], prefix []int32) []int32 {
	in := make([]bool, len(ops))
	for _, o := range prefix {
		in[o] = true
	}
	first := int32(-1)
	for i, op := range ops {
		if !in[i] && !op.IsPending() && (first < 0 || op.Return < ops[first].Return) {
			first = int32(i)
		}
	}
	if first < 0 {
		return nil
	}
	out := []int32{first}
	for i, op := range ops {
		if !in[i] && int32(i) != first && op.Call <= ops[first].Return {
			out = append(out, int32(i))
		}
	}
	return out
}
