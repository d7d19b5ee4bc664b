package linear

import (
	"fmt"
	"sync"
	"time"
	"unsafe"
)

// search is the Wing-Gong-Lowe search over one part of a history: from the
// empty configuration, linearize a candidate operation whose step is legal
// and whose configuration (set of linearized operations, state) the memo
// has not seen; at a dead end, undo the last one and try the next
// candidate; the part is linearizable when every completed operation is
// linearized, and not linearizable when no configuration is left to try.
//
// A search is resumable: run does a slice of the work and returns with all
// its state here, so that a few goroutines can take turns on many
// searches (the parts of a history).
//
// The search walks in one or two orders (see Order), each a walker with
// its own path, and both share the tables: the interned states, the cached
// transitions and the memo. A configuration one walker has entered is one
// the other need not enter: if it leads to a linearization, its owner will
// find it; if not, neither needs to search it twice. So on a part that is
// not linearizable, which every order must search to the end, two walkers
// together do about the work of one; on one that is, the first to find a
// linearization ends the search. The part is not linearizable only when
// every walker has run out of configurations: then every configuration
// reachable from the empty one was entered by one of them and searched to
// a dead end.
type search[S, I, O any] struct {
	m    *Model[S, I, O]
	ops  []Operation[I, O]
	lim  *limiter
	stop *stopFlag
	held int64 // the bytes reported to lim

	in   *interner[S]
	same func(a, b int32) bool // in.same, made once
	*tables

	need    int                // completed operations in the part
	init    int32              // the initial state's id
	after   []int32            // twins: after[b] is an operation to linearize before b, or -1; nil until twinsAfter
	walkers []*walker[S, I, O] // in the order they started
	paths   [][]int32          // paths[w] is walkers[w].path, kept up to date by the walkers
	orders  []Order            // the orders of the walkers, started in turn
	ran     time.Duration      // the time the search has run, over its slices
	until   time.Time          // the end of the current walker's share of the slice
	out     searchOut          // set when the search ends
}

// tables are the type-independent memory a part's walkers share, pooled
// between searches: a program that checks many histories (a stress test)
// then allocates little per check.
type tables struct {
	keys  []timed
	memo  memo
	trans transitions
	zob   []uint64 // zob[op]: op's random Zobrist key
	zob2  []uint64 // zob2[op]: a second, independent key (see memoEntry.hash2)
	ro    []bool   // ro[op]: the model says op is read-only; nil if it says nothing
	table []int32  // the interner's hash table, when it has one
}

var tablePool = sync.Pool{New: func() any { return new(tables) }}

// searchOut is the outcome of a search, in the part's operation numbers.
type searchOut struct {
	verdict  Verdict
	err      error   // why an Unknown search stopped early, if it did not just run out of turns
	lin      []int32 // the linearization, or the longest linearizable prefix found
	unplaced []int32
	explored int64
	order    Order // the order of the walker that decided
}

// sliceChecks is how often (in iterations) a walker polls the clock and
// the stop flag; stepChecks the same in Step calls, for slow models.
const (
	sliceChecks = 256
	stepChecks  = 64
)

// newSearch prepares the search of ops, walking in orders (the first at
// once, the others from portfolioDelay on).
func newSearch[S, I, O any](m *Model[S, I, O], ops []Operation[I, O], orders []Order, lim *limiter, stop *stopFlag) (*search[S, I, O], error) {
	in, err := makeInterner(m.Equal, m.Hash)
	if err != nil {
		return nil, err
	}
	s := &search[S, I, O]{m: m, ops: ops, lim: lim, stop: stop, in: in, same: in.same, tables: tablePool.Get().(*tables), orders: orders}
	if in.mode == internHashed {
		in.table = grow(&s.table, 64)
		clear(in.table)
	}
	n := len(ops)
	s.memo.reset(n)
	s.trans.reset(n)
	s.zob = zobrist(s.zob, n, 0x9e3779b97f4a7c15)
	s.zob2 = zobrist(s.zob2, n, 0xc2b2ae3d27d4eb4f)
	s.start()
	return s, nil
}

// start asks the model which operations are read-only, and starts the
// first walker at the initial configuration.
func (s *search[S, I, O]) start() {
	defer s.recoverModel()
	s.ro = s.ro[:0]
	if s.m.ReadOnly != nil {
		s.ro = grow(&s.ro, len(s.ops))
		for i, op := range s.ops {
			s.ro[i] = s.m.ReadOnly(op.Input, op.Output)
		}
	}
	s.init = s.in.intern(s.m.Init())
	s.addWalker()
}

// addWalker starts the next order's walker at the initial configuration.
func (s *search[S, I, O]) addWalker() {
	w := &walker[S, I, O]{s: s, order: s.orders[len(s.walkers)], owner: uint8(len(s.walkers)), walkerBuffers: walkerPool.Get().(*walkerBuffers)}
	s.keys, s.need = buildList(&w.list, s.ops, s.keys)
	w.bits = grow(&w.bits, (len(s.ops)+63)/64)
	clear(w.bits)
	w.stack, w.path = w.stack[:0], w.path[:0]
	w.best.reset()
	w.state = s.init
	w.enter()
	s.walkers = append(s.walkers, w)
	s.paths = append(s.paths, w.path)
}

// zobrist returns keys with random Zobrist keys for operations 0..n-1, a
// pure function of the index and the seed, so reproducible.
func zobrist(keys []uint64, n int, seed uint64) []uint64 {
	keys = keys[:0]
	for i := range n {
		keys = append(keys, mix64(uint64(i)+seed))
	}
	return keys
}

// run searches until the search ends or the slice does (at until, or when
// the check is stopped), and reports whether it ended: out is then set.
// The walkers share the slice; the second joins once the first has run
// portfolioDelay.
func (s *search[S, I, O]) run(until time.Time) (ended bool) {
	if s.ended() {
		return true
	}
	defer s.recoverModel()
	start := time.Now()
	defer func() { s.ran += time.Since(start) }()
	if len(s.walkers) < len(s.orders) && s.ran >= portfolioDelay {
		s.addWalker()
	}
	live := 0
	for _, w := range s.walkers {
		if !w.exhausted {
			live++
		}
	}
	// Each live walker gets its share of the slice.
	share := until.Sub(start) / time.Duration(max(live, 1))
	for _, w := range s.walkers {
		if w.exhausted || s.ended() {
			continue
		}
		s.until = time.Now().Add(share)
		w.run()
	}
	if !s.ended() && s.allExhausted() {
		s.end(NotLinearizable, nil)
	}
	if s.ended() {
		return true
	}
	return s.account()
}

// ended reports whether the search has an outcome.
func (s *search[S, I, O]) ended() bool { return s.out.verdict != Unknown || s.out.err != nil }

// allExhausted reports whether every walker has run out of
// configurations, and no other order is still to start.
func (s *search[S, I, O]) allExhausted() bool {
	if len(s.walkers) < len(s.orders) {
		// The others would find every configuration in the memo: the
		// first walker alone searched all of them.
		return s.walkers[0].exhausted
	}
	for _, w := range s.walkers {
		if !w.exhausted {
			return false
		}
	}
	return true
}

// sliceOver reports whether the current walker's share of the slice is
// over.
func (s *search[S, I, O]) sliceOver() bool {
	return s.stop.raised() || !time.Now().Before(s.until)
}

// recoverModel turns a panic in the model's functions into the search's
// outcome.
func (s *search[S, I, O]) recoverModel() {
	if r := recover(); r != nil {
		s.out = searchOut{err: fmt.Errorf("%w: model panicked: %v", ErrInvalidModel, r), lin: s.longest(), explored: s.explored()}
	}
}

// end records the verdict, with w the walker that found a linearization
// (nil for NotLinearizable).
func (s *search[S, I, O]) end(v Verdict, w *walker[S, I, O]) {
	s.out = searchOut{verdict: v, explored: s.explored()}
	switch v {
	case Linearizable:
		s.out.order = w.order
		s.out.lin = make([]int32, len(w.stack))
		for i, f := range w.stack {
			s.out.lin[i] = f.op
		}
	case NotLinearizable:
		s.out.order = s.walkers[0].order
		s.out.lin = s.longest()
		s.out.unplaced = unplaced(s.ops, s.out.lin)
	}
	s.account()
}

// longest is the longest linearizable prefix any walker found.
func (s *search[S, I, O]) longest() []int32 {
	var best []int32
	for _, w := range s.walkers {
		if len(w.best.ops) > len(best) {
			best = w.best.ops
		}
	}
	return append([]int32(nil), best...)
}

// explored counts the configurations the walkers entered.
func (s *search[S, I, O]) explored() int64 { return int64(len(s.memo.entries)) }

// outOfMemory ends the search at the memory cap.
func (s *search[S, I, O]) outOfMemory() {
	s.out = searchOut{err: s.lim.err(), lin: s.longest(), explored: s.explored()}
}

// progress is the outcome so far of a search that has not ended.
func (s *search[S, I, O]) progress() searchOut {
	if s.ended() {
		return s.out
	}
	return searchOut{lin: s.longest(), explored: s.explored()}
}

// account reports the memory the search holds to the limiter, and ends
// the search if that is over the cap. It returns whether the search ended.
func (s *search[S, I, O]) account() bool {
	now := s.bytes()
	ok := s.lim.update(s.held, now)
	s.held = now
	if !ok && !s.ended() {
		s.outOfMemory()
	}
	return s.ended()
}

// bytes is the memory the search holds.
func (s *search[S, I, O]) bytes() int64 {
	b := s.memo.bytes() + s.trans.bytes() + s.in.bytes()
	b += 8*int64(cap(s.zob)+cap(s.zob2)) + int64(cap(s.ro)) + int64(cap(s.keys))*int64(unsafe.Sizeof(timed{}))
	for _, w := range s.walkers {
		b += w.bytes()
	}
	return b
}

// release returns the search's memory to the pools and to the limiter.
func (s *search[S, I, O]) release() {
	if s.tables == nil {
		return
	}
	s.lim.update(s.held, 0)
	s.held = 0
	if s.in.mode == internHashed {
		s.table = s.in.table
	}
	for _, w := range s.walkers {
		walkerPool.Put(w.walkerBuffers)
		w.walkerBuffers = nil
	}
	tablePool.Put(s.tables)
	s.tables, s.in, s.walkers, s.paths = nil, nil, nil, nil
}

// prefix tracks the longest linearizable prefix a walker has found.
// Copying the whole stack at each new maximum would cost the square of a
// long history's length; ops shares its first agree entries with the
// stack, so a new maximum copies only what changed since the two parted.
type prefix struct {
	ops   []int32 // the longest sequence of operations the stack has held
	agree int     // ops[:agree] equals the stack's first agree operations
}

func (p *prefix) reset() { p.ops, p.agree = p.ops[:0], 0 }

// push follows a push onto stack.
func (p *prefix) push(stack []frame) {
	d := len(stack)
	if d <= len(p.ops) {
		if p.agree == d-1 && p.ops[d-1] == stack[d-1].op {
			p.agree = d
		}
		return
	}
	p.ops = p.ops[:p.agree]
	for _, f := range stack[p.agree:] {
		p.ops = append(p.ops, f.op)
	}
	p.agree = d
}

// pop follows a pop that left depth operations on the stack.
func (p *prefix) pop(depth int) { p.agree = min(p.agree, depth) }
