package linear

import (
	"fmt"
	"sync"
	"time"
	"unsafe"
)

// search is the Wing-Gong-Lowe search over one part of a history in one
// Order: from the empty configuration, linearize a candidate operation
// whose step is legal and whose configuration (set of linearized
// operations, state) the memo has not seen; at a dead end, undo the last
// one and try the next candidate; the part is linearizable when every
// completed operation is linearized, and not linearizable when the search
// backtracks past the empty configuration.
//
// A search is resumable: run does a slice of the work and returns with
// all its state here, so that a few goroutines can take turns on many
// searches (the parts of a history, and the orders of the portfolio).
//
// Invariants, between any two iterations of run:
//   - bits is the set of operations on stack; hash is the XOR of zob over
//     bits; state is the id of the state the model reaches by stepping
//     through stack in order from Init; done counts the completed
//     operations on stack.
//   - list holds the entries of exactly the operations not in bits.
//   - path[d-1] is the memo entry of the configuration made of the first d
//     operations of stack: every configuration of the current path is in
//     the memo, and so is every configuration searched to a dead end.
//   - best.ops is the longest sequence of operations stack has held, and
//     best.agree the length of its common prefix with stack.
//   - turn, cursor and blocker say which candidates of the current
//     configuration remain to be tried (see next).
type search[S, I, O any] struct {
	m     *Model[S, I, O]
	ops   []Operation[I, O]
	order Order
	lim   *limiter
	stop  *stopFlag
	held  int64 // the bytes reported to lim

	in *interner[S]
	*buffers

	hash  uint64
	state int32
	done  int // completed operations linearized
	need  int // completed operations in the part

	turn    turn
	cursor  int32   // the next entry to look at in the current turn; -1 at the end
	blocker int32   // the operation of the first return entry, tried in turnBlocker; -1 if none
	after   []int32 // twins: after[b] is an operation to linearize before b, or -1; nil until twinsAfter

	explored int64     // configurations added to the memo
	steps    int       // Step calls in this slice, to poll the clock
	until    time.Time // the end of the current slice
	yield    bool      // the slice is over: return before the next candidate
	out      searchOut // set when the search ends
}

// buffers are the type-independent memory of a search, pooled between
// searches: a program that checks many histories (a stress test) then
// allocates little per check.
type buffers struct {
	list  eventList
	keys  []timed
	memo  memo
	trans transitions
	bits  []uint64 // the current set of linearized operations
	zob   []uint64 // zob[op]: op's random Zobrist key
	stack []frame  // the linearized operations, in order
	path  []int32  // path[d-1]: the memo entry of the path's configuration of depth d
	ro    []bool   // ro[op]: the model says op is read-only; nil if it says nothing
	best  prefix
	table []int32 // the interner's hash table, when it has one
}

var bufferPool = sync.Pool{New: func() any { return new(buffers) }}

// frame is one linearized operation on the stack.
type frame struct {
	pos     int32 // its call entry
	op      int32
	state   int32 // the state before it
	entry   int32 // the memo entry of the configuration it led to
	blocker int32 // the blocker of the configuration it was tried in
	turn    turn  // the turn in which it was tried
}

// turn is a stage of trying the candidates of a configuration.
type turn uint8

const (
	// turnReadOnly looks for a read-only candidate that is legal: placed
	// at once, it is the only one tried (see Model.ReadOnly).
	turnReadOnly turn = iota
	// turnForced marks a frame placed by turnReadOnly: when it fails, so
	// does the configuration it was placed in.
	turnForced
	// turnExhausted: no candidate is left.
	turnExhausted
	// turnBlocker tries the operation whose return comes first
	// (ReturnsFirst).
	turnBlocker
	// turnCompleted tries the other completed candidates in call order
	// (ReturnsFirst).
	turnCompleted
	// turnPending tries the pending candidates in call order
	// (ReturnsFirst).
	turnPending
	// turnAll tries every candidate in call order (CallOrder).
	turnAll
)

// searchOut is the outcome of a search, in the part's operation numbers.
type searchOut struct {
	verdict  Verdict
	err      error   // why an Unknown search stopped early, if it did not just run out of turns
	lin      []int32 // the linearization, or the longest linearizable prefix found
	unplaced []int32
	explored int64
	order    Order
}

// sliceChecks is how often (in iterations) run polls the clock and the
// stop flag; stepChecks the same in Step calls, for slow models.
const (
	sliceChecks = 256
	stepChecks  = 64
)

// newSearch prepares a search of ops in the given order.
func newSearch[S, I, O any](m *Model[S, I, O], ops []Operation[I, O], order Order, lim *limiter, stop *stopFlag) (*search[S, I, O], error) {
	in, err := makeInterner(m.Equal, m.Hash)
	if err != nil {
		return nil, err
	}
	s := &search[S, I, O]{m: m, ops: ops, order: order, lim: lim, stop: stop, in: in, buffers: bufferPool.Get().(*buffers)}
	if in.mode == internHashed {
		in.table = grow(&s.table, 64)
		clear(in.table)
	}
	n := len(ops)
	s.keys, s.need = buildList(&s.list, ops, s.keys)
	s.memo.reset(n)
	s.trans.reset(n)
	s.bits = grow(&s.bits, (n+63)/64)
	clear(s.bits)
	s.zob = zobrist(s.zob, n)
	s.stack, s.path = s.stack[:0], s.path[:0]
	s.best.reset()
	s.start()
	return s, nil
}

// start asks the model which operations are read-only and enters the
// initial configuration.
func (s *search[S, I, O]) start() {
	defer s.recoverModel()
	s.ro = s.ro[:0]
	if s.m.ReadOnly != nil {
		s.ro = grow(&s.ro, len(s.ops))
		for i, op := range s.ops {
			s.ro[i] = s.m.ReadOnly(op.Input, op.Output)
		}
	}
	s.state = s.in.intern(s.m.Init())
	s.enter()
}

// zobrist returns keys with random Zobrist keys for operations 0..n-1 (a
// pure function of the index, so reproducible).
func zobrist(keys []uint64, n int) []uint64 {
	for i := len(keys); i < n; i++ {
		keys = append(keys, mix64(uint64(i)+0x9e3779b97f4a7c15))
	}
	return keys
}

// run searches until the search ends or the slice does (at until, or when
// the check is stopped), and reports whether it ended: out is then set.
func (s *search[S, I, O]) run(until time.Time) (ended bool) {
	if s.out.verdict != Unknown || s.out.err != nil {
		return true
	}
	defer s.recoverModel()
	s.until, s.steps, s.yield = until, 0, false
	for iter := 1; ; iter++ {
		if s.done == s.need {
			s.end(Linearizable)
			return true
		}
		if s.yield || iter%sliceChecks == 0 && s.sliceOver() {
			return s.account()
		}
		op, pos, t, ok := s.next()
		if !ok {
			if !s.backtrack() {
				s.end(NotLinearizable)
				return true
			}
			continue
		}
		if !s.try(op, pos, t) && s.out.err != nil {
			return true // out of memory
		}
	}
}

// sliceOver reports whether the slice is over.
func (s *search[S, I, O]) sliceOver() bool {
	return s.stop.raised() || !time.Now().Before(s.until)
}

// recoverModel turns a panic in the model's functions into the search's
// outcome.
func (s *search[S, I, O]) recoverModel() {
	if r := recover(); r != nil {
		s.out = searchOut{err: fmt.Errorf("%w: model panicked: %v", ErrInvalidModel, r), lin: s.best.ops, explored: s.explored, order: s.order}
	}
}

// enter starts trying the candidates of a configuration just entered.
func (s *search[S, I, O]) enter() {
	s.cursor = s.list.first()
	s.blocker = -1
	s.turn = s.branchTurn()
	if len(s.ro) > 0 {
		s.turn = turnReadOnly
	}
}

// branchTurn is the first turn that branches, in the search's order.
func (s *search[S, I, O]) branchTurn() turn {
	if s.order == ReturnsFirst {
		return turnBlocker
	}
	return turnAll
}

// next returns the next candidate of the current configuration to try,
// with its call entry and the turn it belongs to, or false when none is
// left.
func (s *search[S, I, O]) next() (op, pos int32, t turn, ok bool) {
	l := &s.list
	switch s.turn {
	case turnExhausted:
		return 0, 0, 0, false
	case turnReadOnly:
		s.turn = s.branchTurn()
		if op, pos, ok := s.readOnly(); ok {
			return op, pos, turnForced, true
		}
	}
	if s.turn == turnBlocker {
		s.turn = turnCompleted
		if r := l.firstReturn(); r >= 0 {
			s.blocker = l.op(r)
			return s.blocker, l.callPos[s.blocker], turnBlocker, true
		}
	}
	for {
		for s.cursor >= 0 && l.isCall(s.cursor) {
			pos, op := s.cursor, l.op(s.cursor)
			s.cursor = l.next[s.cursor]
			if len(s.ro) > 0 && s.ro[op] {
				continue // illegal here, or it would have been placed
			}
			if s.turn == turnAll {
				return op, pos, s.turn, true
			}
			if pending := l.retPos[op] < 0; pending == (s.turn == turnPending) && op != s.blocker {
				return op, pos, s.turn, true
			}
		}
		// The cursor reached a return entry: the candidates end here.
		if s.turn != turnCompleted || s.need == len(s.ops) {
			return 0, 0, 0, false
		}
		s.turn, s.cursor = turnPending, l.first()
	}
}

// readOnly returns the first candidate that is read-only and legal in the
// current state, if any. Placing it first loses nothing: any
// linearization from here can move it to the front, since it changes no
// state and every operation that had to precede it already does.
func (s *search[S, I, O]) readOnly() (op, pos int32, ok bool) {
	l := &s.list
	for p := l.first(); p >= 0 && l.isCall(p); p = l.next[p] {
		op := l.op(p)
		if s.ro[op] && s.twinAllows(op) && s.step(op) == s.state {
			return op, p, true
		}
	}
	return 0, 0, false
}

// twinAllows reports whether the twins rule lets op go now: its earlier
// twin, if any, is linearized.
func (s *search[S, I, O]) twinAllows(op int32) bool {
	if s.after == nil {
		return true
	}
	a := s.after[op]
	return a < 0 || s.has(a)
}

// try linearizes op, whose call entry is pos, found in turn t, if its step
// is legal and leads to a configuration the memo has not seen; it reports
// whether it did. Running out of memory sets out.err.
func (s *search[S, I, O]) try(op, pos int32, t turn) bool {
	if s.after != nil {
		if a := s.after[op]; a >= 0 && !s.has(a) {
			return false // its earlier twin goes first
		}
	}
	next := s.step(op)
	if next < 0 {
		return false
	}
	depth := int32(len(s.stack) + 1)
	if s.memo.full(depth) {
		if !s.lim.allows(s.memo.growBytes(depth)) {
			s.outOfMemory()
			return false
		}
		s.memo.grow(depth)
	}
	s.bits[op>>6] |= 1 << (op & 63)
	hash := s.hash ^ s.zob[op]
	key := hash ^ mix64(uint64(next)+1)
	slot, seen := s.memo.find(key, next, depth, s.bits, s.path)
	if seen {
		s.bits[op>>6] &^= 1 << (op & 63)
		return false
	}
	parent := int32(-1)
	if len(s.path) > 0 {
		parent = s.path[len(s.path)-1]
	}
	entry := s.memo.put(slot, key, next, parent, op, depth)
	s.push(frame{pos: pos, op: op, state: s.state, entry: entry, blocker: s.blocker, turn: t})
	s.hash, s.state = hash, next
	return true
}

// has reports whether op is linearized.
func (s *search[S, I, O]) has(op int32) bool { return s.bits[op>>6]&(1<<(op&63)) != 0 }

// step returns the state after op from the current state, or -1 if op is
// illegal there, computing it once per (operation, state) the cache keeps.
func (s *search[S, I, O]) step(op int32) int32 {
	if next, ok := s.trans.get(op, s.state); ok {
		return next
	}
	s.steps++
	if s.steps%stepChecks == 0 && s.sliceOver() {
		// A slow Step may not overrun the slice by more than a few calls.
		s.yield = true
	}
	legal, ns := s.m.Step(s.in.states[s.state], s.ops[op].Input, s.ops[op].Output)
	next := int32(-1)
	switch {
	case legal && len(s.ro) > 0 && s.ro[op]:
		next = s.state // the model promises so: no need to intern it
	case legal:
		next = s.in.intern(ns)
	}
	s.trans.put(op, s.state, next)
	return next
}

// push enters the configuration f leads to; bits and the memo already
// hold it.
func (s *search[S, I, O]) push(f frame) {
	s.stack = append(s.stack, f)
	s.path = append(s.path, f.entry)
	s.list.remove(f.op)
	if s.list.retPos[f.op] >= 0 {
		s.done++
	}
	s.best.push(s.stack)
	s.explored++
	if s.explored == twinsAfter && s.order == ReturnsFirst {
		// Sound from any configuration (see twins), so it may start now.
		s.after = twins(s.ops)
	}
	s.enter()
}

// backtrack leaves a configuration whose candidates are exhausted: it undoes
// the last linearized operation and resumes the candidates of the
// configuration before it, after that operation. It reports false at the
// empty configuration: the part is not linearizable.
func (s *search[S, I, O]) backtrack() bool {
	if len(s.stack) == 0 {
		return false
	}
	f := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	s.path = s.path[:len(s.path)-1]
	s.bits[f.op>>6] &^= 1 << (f.op & 63)
	s.hash ^= s.zob[f.op]
	s.state = f.state
	if s.list.retPos[f.op] >= 0 {
		s.done--
	}
	s.list.restore(f.op)
	s.best.pop(len(s.stack))
	s.turn, s.blocker, s.cursor = f.turn, f.blocker, s.list.next[f.pos]
	switch f.turn {
	case turnForced:
		// The configuration is as good as its forced successor.
		s.turn = turnExhausted
	case turnBlocker:
		// The blocker was tried; the others follow, from the start.
		s.turn, s.cursor = turnCompleted, s.list.first()
	}
	return true
}

// end records the verdict.
func (s *search[S, I, O]) end(v Verdict) {
	s.out = searchOut{verdict: v, explored: s.explored, order: s.order}
	switch v {
	case Linearizable:
		s.out.lin = make([]int32, len(s.stack))
		for i, f := range s.stack {
			s.out.lin[i] = f.op
		}
	case NotLinearizable:
		s.out.lin = append([]int32(nil), s.best.ops...)
		s.out.unplaced = unplaced(s.ops, s.out.lin)
	}
	s.account()
}

// outOfMemory ends the search at the memory cap.
func (s *search[S, I, O]) outOfMemory() {
	s.out = searchOut{err: s.lim.err(), lin: append([]int32(nil), s.best.ops...), explored: s.explored, order: s.order}
}

// progress is the outcome so far of a search that has not ended.
func (s *search[S, I, O]) progress() searchOut {
	if s.out.verdict != Unknown || s.out.err != nil {
		return s.out
	}
	return searchOut{lin: append([]int32(nil), s.best.ops...), explored: s.explored, order: s.order}
}

// account reports the memory the search holds to the limiter, and ends
// the search if that is over the cap. It returns whether the search ended.
func (s *search[S, I, O]) account() bool {
	now := s.bytes()
	ok := s.lim.update(s.held, now)
	s.held = now
	if !ok && s.out.verdict == Unknown && s.out.err == nil {
		s.outOfMemory()
	}
	return s.out.verdict != Unknown || s.out.err != nil
}

// bytes is the memory the search holds.
func (s *search[S, I, O]) bytes() int64 {
	b := s.memo.bytes() + s.trans.bytes() + s.in.bytes() + s.list.bytes()
	b += 8*int64(cap(s.bits)+cap(s.zob)) + int64(cap(s.ro))
	b += int64(cap(s.stack))*int64(unsafe.Sizeof(frame{})) + 4*int64(cap(s.path)+cap(s.best.ops))
	return b + int64(cap(s.keys))*int64(unsafe.Sizeof(timed{}))
}

// release returns the search's memory to the pool and to the limiter.
func (s *search[S, I, O]) release() {
	if s.buffers == nil {
		return
	}
	s.lim.update(s.held, 0)
	s.held = 0
	if s.in.mode == internHashed {
		s.table = s.in.table
	}
	bufferPool.Put(s.buffers)
	s.buffers = nil
	s.in = nil
}

// prefix tracks the longest linearizable prefix a search has found. Copying
// the whole stack at each new maximum would cost the square of a long
// history's length; ops shares its first agree entries with the stack, so
// a new maximum copies only what changed since the two parted.
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
