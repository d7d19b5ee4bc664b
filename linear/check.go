package linear

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Check decides whether history is linearizable with respect to m.
//
// It runs the Wing-Gong-Lowe search: repeatedly linearize an operation whose
// call precedes every unlinearized return, backtrack at a dead end, and never
// revisit a configuration (set of linearized operations, state) twice.
// States are hash-consed and transitions cached, so Step runs once per
// distinct (state, operation) pair. With m.Partition the parts are checked
// independently and in parallel; the first part found not linearizable stops
// the others.
//
// Check never panics on bad input: an invalid model or history, or a panic
// in the model's functions, gives an Unknown verdict with Err set.
func Check[S, I, O any](m Model[S, I, O], history []Operation[I, O], opts ...Option) (res Result) {
	cfg := config{ctx: context.Background()}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.ctx == nil {
		cfg.ctx = context.Background()
	}
	if m.Init == nil || m.Step == nil {
		return Result{Err: fmt.Errorf("%w: Init and Step are required", ErrInvalidModel)}
	}
	if _, err := makeInterner(m.Equal, m.Hash); err != nil {
		return Result{Err: err}
	}
	for i, op := range history {
		if op.Return < op.Call {
			return Result{Err: fmt.Errorf("%w: operation %d returns at %d, before its call at %d", ErrInvalidHistory, i, op.Return, op.Call)}
		}
	}

	parts, idx, err := partition(m, history)
	if err != nil {
		return Result{Err: err}
	}

	ctx := cfg.ctx
	if cfg.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.timeout)
		defer cancel()
	}
	// The search polls one flag instead of a channel: the timeout, the
	// caller's cancellation and a failing part all raise it.
	var stop atomic.Bool
	if ctx.Done() != nil {
		unregister := context.AfterFunc(ctx, func() { stop.Store(true) })
		defer unregister()
	}
	if ctx.Err() != nil {
		stop.Store(true)
	}

	// halt also reads the clock itself, so that a late timer (a loaded
	// machine) does not let the search overrun its deadline.
	deadline, hasDeadline := ctx.Deadline()
	halt := func() bool {
		if stop.Load() {
			return true
		}
		if hasDeadline && !time.Now().Before(deadline) {
			stop.Store(true)
			return true
		}
		return false
	}
	outs := make([]searchOut, len(parts))
	runOne := func(i int, sc *scratch) {
		outs[i] = searchPart(&m, parts[i], halt, sc)
		if outs[i].verdict == NotLinearizable {
			stop.Store(true)
		}
	}
	workers := cfg.workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(parts))
	// Largest parts first, so that a long one does not start last.
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(len(parts[b]), len(parts[a])) })
	var next atomic.Int64
	// Each worker reuses one scratch space across its parts.
	work := func() {
		sc := scratchPool.Get().(*scratch)
		defer scratchPool.Put(sc)
		for {
			k := int(next.Add(1)) - 1
			if k >= len(order) {
				return
			}
			runOne(order[k], sc)
		}
	}
	if workers > 1 {
		// Helpers join only if the check lasts: waking a thread costs more
		// than checking most small histories, so those stay on the caller.
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			closed bool
		)
		t := time.AfterFunc(helperDelay, func() {
			mu.Lock()
			defer mu.Unlock()
			if closed {
				return
			}
			for range workers - 1 {
				wg.Go(work)
			}
		})
		work()
		t.Stop()
		mu.Lock()
		closed = true
		mu.Unlock()
		wg.Wait()
	} else {
		work()
	}

	res.Parts = make([]Part, len(parts))
	failed, unknown := false, false
	for i, out := range outs {
		p := Part{Verdict: out.verdict, Ops: idx[i], Explored: out.explored, Err: out.err}
		if out.stopped {
			p.Err = ErrStopped
			if err := context.Cause(ctx); err != nil {
				p.Err = err
			} else if hasDeadline && !time.Now().Before(deadline) {
				p.Err = context.DeadlineExceeded
			}
		}
		p.Linearization = mapIdx(idx[i], out.lin)
		p.Unplaced = mapIdx(idx[i], out.unplaced)
		res.Parts[i] = p
		res.Explored += out.explored
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
// operation's index in the history, matching by (Client, Call, Return):
// the partition function hands back copies, not indices.
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
	used := make([]bool, len(history))
	var find func(op Operation[I, O]) int
	if slices.IsSortedFunc(history, func(a, b Operation[I, O]) int { return cmp.Compare(a.Call, b.Call) }) {
		// Parsed histories are usually in call order: a binary search
		// over the call times needs no map.
		calls := make([]int64, len(history))
		for i, op := range history {
			calls[i] = op.Call
		}
		find = func(op Operation[I, O]) int {
			i, _ := slices.BinarySearch(calls, op.Call)
			for ; i < len(history) && history[i].Call == op.Call; i++ {
				if h := history[i]; !used[i] && h.Client == op.Client && h.Return == op.Return {
					return i
				}
			}
			return -1
		}
	} else {
		// first[call] is the earliest operation called at that time; later
		// ones with the same call time are chained through same.
		first := make(map[int64]int, len(history))
		same := make([]int, len(history))
		for i := len(history) - 1; i >= 0; i-- {
			j, ok := first[history[i].Call]
			if !ok {
				j = -1
			}
			same[i] = j
			first[history[i].Call] = i
		}
		find = func(op Operation[I, O]) int {
			i, ok := first[op.Call]
			if !ok {
				return -1
			}
			for ; i >= 0; i = same[i] {
				if h := history[i]; !used[i] && h.Client == op.Client && h.Return == op.Return {
					return i
				}
			}
			return -1
		}
	}
	idx = make([][]int, len(parts))
	for p, part := range parts {
		idx[p] = make([]int, len(part))
		for j, op := range part {
			if op.Return < op.Call {
				return nil, nil, fmt.Errorf("%w: Partition made an operation that returns before its call", ErrInvalidHistory)
			}
			i := find(op)
			idx[p][j] = i
			if i >= 0 {
				used[i] = true
			}
		}
	}
	return parts, idx, nil
}

// scratch holds a worker's buffers, reused from one part to the next.
type scratch struct {
	keys                             []timed
	ent, next, prev, retPos, callPos []int32
	internTable                      []int32
	bits, zob                        []uint64
	stack                            []frame
	vis                              visited
	trans                            transitions
}

// timed is a call or return entry with its time.
type timed struct {
	t int64
	e int32
}

// scratchPool keeps scratch spaces between checks: a program that checks
// many histories (a stress test) then allocates almost nothing per check.
var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// grow returns (*buf)[:n], reallocating when the capacity is short.
func grow[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n, n+n/4)
	}
	*buf = (*buf)[:n]
	return *buf
}

// zobrist returns random keys for operations 0..n-1 (a pure function of
// the index, so reproducible).
func (sc *scratch) zobrist(n int) []uint64 {
	for i := len(sc.zob); i < n; i++ {
		sc.zob = append(sc.zob, mix64(uint64(i)+0x9e3779b97f4a7c15))
	}
	return sc.zob[:n]
}

// helperDelay is how long Check works alone before other goroutines join.
const helperDelay = 200 * time.Microsecond

// searchOut is the outcome of one part, in the part's own operation numbers.
type searchOut struct {
	verdict  Verdict
	stopped  bool
	err      error
	lin      []int32
	unplaced []int32
	explored int64
}

// frame is one linearized operation on the search stack: where its call
// entry sits in the list and the state before it.
type frame struct {
	pos   int32
	state int32
	turn  uint8 // the turn in which it was tried
}

// searchPart runs the WGL search over one part. The entry list holds the
// calls and returns in real-time order (calls first at equal times, since
// intervals are closed) as a doubly linked list over arrays; linearizing an
// operation unlinks its call and return, backtracking relinks them (dancing
// links). Pending operations have no return entry: they may be linearized
// but never must be.
func searchPart[S, I, O any](m *Model[S, I, O], ops []Operation[I, O], halt func() bool, sc *scratch) (out searchOut) {
	defer func() {
		if r := recover(); r != nil {
			out = searchOut{verdict: Unknown, err: fmt.Errorf("%w: model panicked: %v", ErrInvalidModel, r), lin: out.lin, explored: out.explored}
		}
	}()
	n := len(ops)
	in, err := makeInterner(m.Equal, m.Hash)
	if err != nil {
		return searchOut{err: err}
	}
	if in.mode == internHashed {
		in.table = grow(&sc.internTable, 64)
		clear(in.table)
		defer func() { sc.internTable = in.table }()
	}

	// Entries: op<<1 for a call, op<<1|1 for a return, sorted by time with
	// calls first at equal times (intervals are closed).
	keys := sc.keys[:0]
	need := 0
	for i, op := range ops {
		keys = append(keys, timed{op.Call, int32(i) << 1})
		if !op.IsPending() {
			keys = append(keys, timed{op.Return, int32(i)<<1 | 1})
			need++
		}
	}
	slices.SortFunc(keys, func(a, b timed) int {
		if a.t != b.t {
			return cmp.Compare(a.t, b.t)
		}
		if c := cmp.Compare(a.e&1, b.e&1); c != 0 {
			return c
		}
		return cmp.Compare(a.e, b.e)
	})
	sc.keys = keys
	m2 := int32(len(keys))
	ent := grow(&sc.ent, int(m2))
	for i, k := range keys {
		ent[i] = k.e
	}
	head := m2
	next := grow(&sc.next, int(m2)+1)
	prev := grow(&sc.prev, int(m2)+1)
	retPos := grow(&sc.retPos, n)
	callPos := grow(&sc.callPos, n)
	for i := range retPos {
		retPos[i] = -1
	}
	for p := int32(0); p < m2; p++ {
		next[p], prev[p] = p+1, p-1
		if ent[p]&1 == 1 {
			retPos[ent[p]>>1] = p
		} else {
			callPos[ent[p]>>1] = p
		}
	}
	if m2 > 0 {
		next[m2-1] = -1
		prev[0] = head
		next[head] = 0
	} else {
		next[head] = -1
	}
	unlink := func(p int32) {
		next[prev[p]] = next[p]
		if next[p] >= 0 {
			prev[next[p]] = prev[p]
		}
	}
	relink := func(p int32) {
		next[prev[p]] = p
		if next[p] >= 0 {
			prev[next[p]] = p
		}
	}

	// Twins are found only once the search proves long: for the many small
	// parts that finish in a few hundred steps, finding them costs more
	// than it saves. Starting to respect them mid-search is sound (see
	// twins).
	var after []int32
	zob := sc.zobrist(n)
	words := (n + 63) / 64
	bits := grow(&sc.bits, words)
	clear(bits)
	vis := sc.vis.reset(words, n)
	trans := sc.trans.reset(n)

	state := in.intern(m.Init())
	var h uint64
	stack := sc.stack[:0]
	defer func() { sc.stack = stack[:0] }()
	var best []int32
	done := 0
	// Candidates are tried in three turns: first the operation whose
	// return comes first (it must be linearized before anything returns,
	// so linearizing it at once is Lowe's just-in-time choice), then the
	// other completed operations in call order, then the pending ones (a
	// pending operation need never take effect, so linearizations that
	// leave it out are worth finding first). Every candidate is still
	// tried; the turns only order the search.
	phase := turnBlocker
	entry := int32(-1)
	var iter uint
	stackOps := func() []int32 {
		l := make([]int32, len(stack))
		for i, f := range stack {
			l[i] = ent[f.pos] >> 1
		}
		return l
	}
	// try linearizes op (its call entry at pos) if it is legal and leads to
	// a new configuration.
	try := func(pos, op int32) (pushed, stopped bool) {
		if after != nil {
			if a := after[op]; a >= 0 && bits[a>>6]&(1<<(a&63)) == 0 {
				return false, false // its earlier twin goes first
			}
		}
		key := transKey(state, op)
		nxt, ok := trans.get(key)
		if !ok {
			// A slow Step may not overrun a timeout by more than itself.
			if halt() {
				return false, true
			}
			legal, ns := m.Step(in.states[state], ops[op].Input, ops[op].Output)
			nxt = -1
			if legal {
				nxt = in.intern(ns)
			}
			trans.put(key, nxt)
		}
		if nxt < 0 {
			return false, false
		}
		bits[op>>6] |= 1 << (op & 63)
		h2 := h ^ zob[op]
		if !vis.add(h2^mix64(uint64(nxt)+1), bits, nxt) {
			bits[op>>6] &^= 1 << (op & 63)
			return false, false
		}
		out.explored++
		if out.explored == twinsAfter {
			after = twins(ops)
		}
		stack = append(stack, frame{pos: pos, state: state, turn: phase})
		state, h = nxt, h2
		unlink(pos)
		if r := retPos[op]; r >= 0 {
			unlink(r)
			done++
		}
		if len(stack) > len(best) {
			best = stackOps()
		}
		phase = turnBlocker
		return true, false
	}
	for {
		if done == need {
			return searchOut{verdict: Linearizable, lin: stackOps(), explored: out.explored}
		}
		iter++
		if iter&1023 == 0 && halt() {
			return searchOut{stopped: true, lin: best, explored: out.explored}
		}
		if phase == turnBlocker {
			e := next[head]
			for e >= 0 && ent[e]&1 == 0 {
				e = next[e]
			}
			if e >= 0 {
				op := ent[e] >> 1
				pushed, stopped := try(callPos[op], op)
				if stopped {
					return searchOut{stopped: true, lin: best, explored: out.explored}
				}
				if pushed {
					continue
				}
			}
			phase, entry = turnCompleted, next[head]
			continue
		}
		if entry < 0 || ent[entry]&1 == 1 {
			// The end of the candidates: a return whose operation is not
			// linearized yet.
			if phase == turnCompleted && need < n {
				phase, entry = turnPending, next[head]
				continue
			}
			// Dead end: undo the last operation and try its next sibling.
			if len(stack) == 0 {
				return searchOut{verdict: NotLinearizable, lin: best, unplaced: unplaced(ops, best), explored: out.explored}
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			op := ent[f.pos] >> 1
			bits[op>>6] &^= 1 << (op & 63)
			h ^= zob[op]
			state = f.state
			if r := retPos[op]; r >= 0 {
				relink(r)
				done--
			}
			relink(f.pos)
			switch f.turn {
			case turnBlocker:
				phase, entry = turnCompleted, next[head]
			default:
				phase, entry = f.turn, next[f.pos]
			}
			continue
		}
		op := ent[entry] >> 1
		if (retPos[op] < 0) != (phase == turnPending) {
			entry = next[entry]
			continue
		}
		pushed, stopped := try(entry, op)
		if stopped {
			return searchOut{stopped: true, lin: best, explored: out.explored}
		}
		if !pushed {
			entry = next[entry]
		}
	}
}

// The turns in which candidates are tried at each configuration.
const (
	turnBlocker uint8 = iota
	turnCompleted
	turnPending
)

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
