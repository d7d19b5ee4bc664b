package linear

import (
	"sync"
	"unsafe"
)

// walker is one order's depth-first walk over a part's configurations
// (see search): a path of linearized operations from the empty
// configuration, with the candidates of its last configuration still to
// try.
//
// Invariants, between any two iterations of run:
//   - bits is the set of operations on stack; hash and hash2 are the XORs
//     of zob and zob2 over bits; state is the id of the state the model
//     reaches by stepping through stack in order from Init; done counts
//     the completed operations on stack.
//   - list holds the entries of exactly the operations not in bits.
//   - path[d-1] is the memo entry of the configuration made of the first d
//     operations of stack: every configuration of the path is in the memo
//     (entered by this walker), and so is every configuration either
//     walker entered, searched to a dead end or still on its path.
//   - best.ops is the longest sequence of operations stack has held, and
//     best.agree the length of its common prefix with stack.
//   - turn, cursor, blocker and firstRet say which candidates of the
//     current configuration remain to be tried (see next).
type walker[S, I, O any] struct {
	s     *search[S, I, O]
	order Order
	owner uint8 // its number among the part's walkers, marked on its memo entries
	*walkerBuffers

	hash, hash2 uint64
	state       int32
	done        int // completed operations linearized

	turn    turn
	cursor  int32 // the next entry to look at in the current turn; -1 at the end
	blocker int32 // the operation of the first return entry, tried in turnBlocker; -1 if none
	// firstRet is the first return entry (-1: none) when readOnly found it
	// while scanning the candidates, so turnBlocker needs no scan of its own.
	firstRet    int32
	firstRetSet bool

	steps     int  // Step calls in this slice, to poll the clock
	yield     bool // the slice is over: return before the next candidate
	exhausted bool // backtracked past the empty configuration
}

// walkerBuffers are a walker's own memory, pooled between searches.
type walkerBuffers struct {
	list  eventList
	bits  []uint64 // the current set of linearized operations
	stack []frame  // the linearized operations, in order
	path  []int32  // path[d-1]: the memo entry of the path's configuration of depth d
	best  prefix
}

var walkerPool = sync.Pool{New: func() any { return new(walkerBuffers) }}

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

// run walks until the part is decided, the walker is exhausted, or the
// slice is over.
func (w *walker[S, I, O]) run() {
	s := w.s
	w.steps, w.yield = 0, false
	for iter := 1; ; iter++ {
		if w.done == s.need {
			s.end(Linearizable, w)
			return
		}
		if w.yield || iter%sliceChecks == 0 && s.sliceOver() || walkerTurn > 0 && iter > walkerTurn {
			return
		}
		op, pos, t, ok := w.next()
		if !ok {
			if !w.backtrack() {
				w.exhausted = true
				return
			}
			continue
		}
		if !w.try(op, pos, t) && s.ended() {
			return // out of memory
		}
	}
}

// enter starts trying the candidates of a configuration just entered.
func (w *walker[S, I, O]) enter() {
	w.cursor = w.list.first()
	w.blocker, w.firstRetSet = -1, false
	w.turn = w.branchTurn()
	if len(w.s.ro) > 0 {
		w.turn = turnReadOnly
	}
}

// branchTurn is the first turn that branches, in the walker's order.
func (w *walker[S, I, O]) branchTurn() turn {
	if w.order == ReturnsFirst {
		return turnBlocker
	}
	return turnAll
}

// next returns the next candidate of the current configuration to try,
// with its call entry and the turn it belongs to, or false when none is
// left.
func (w *walker[S, I, O]) next() (op, pos int32, t turn, ok bool) {
	l := &w.list
	switch w.turn {
	case turnExhausted:
		return 0, 0, 0, false
	case turnReadOnly:
		w.turn = w.branchTurn()
		if op, pos, ok := w.readOnly(); ok {
			return op, pos, turnForced, true
		}
	}
	if w.turn == turnBlocker {
		w.turn = turnCompleted
		r := w.firstRet
		if !w.firstRetSet {
			r = l.firstReturn()
		}
		if r >= 0 {
			w.blocker = l.op(r)
			return w.blocker, l.callPos[w.blocker], turnBlocker, true
		}
	}
	ro := w.s.ro
	for {
		for w.cursor >= 0 && l.isCall(w.cursor) {
			pos, op := w.cursor, l.op(w.cursor)
			w.cursor = l.next[w.cursor]
			if len(ro) > 0 && ro[op] {
				continue // illegal here, or it would have been placed
			}
			if w.turn == turnAll {
				return op, pos, w.turn, true
			}
			if pending := l.retPos[op] < 0; pending == (w.turn == turnPending) && op != w.blocker {
				return op, pos, w.turn, true
			}
		}
		// The cursor reached a return entry: the candidates end here.
		if w.turn != turnCompleted || w.s.need == len(w.s.ops) {
			return 0, 0, 0, false
		}
		w.turn, w.cursor = turnPending, l.first()
	}
}

// readOnly returns the first candidate that is read-only and legal in the
// current state, if any. Placing it first loses nothing: any
// linearization from here can move it to the front, since it changes no
// state and every operation that had to precede it already does.
func (w *walker[S, I, O]) readOnly() (op, pos int32, ok bool) {
	l := &w.list
	p := l.first()
	for ; p >= 0 && l.isCall(p); p = l.next[p] {
		op := l.op(p)
		if w.s.ro[op] && w.twinAllows(op) && w.step(op) == w.state {
			return op, p, true
		}
	}
	w.firstRet, w.firstRetSet = p, true
	return 0, 0, false
}

// twinAllows reports whether the twins rule lets op go now: its earlier
// twin, if any, is linearized.
func (w *walker[S, I, O]) twinAllows(op int32) bool {
	after := w.s.after
	if after == nil {
		return true
	}
	a := after[op]
	return a < 0 || w.has(a)
}

// has reports whether op is linearized.
func (w *walker[S, I, O]) has(op int32) bool { return w.bits[op>>6]&(1<<(op&63)) != 0 }

// try linearizes op, whose call entry is pos, found in turn t, if its step
// is legal and leads to a configuration the memo has not seen; it reports
// whether it did. Running out of memory ends the search.
func (w *walker[S, I, O]) try(op, pos int32, t turn) bool {
	if !w.twinAllows(op) {
		return false // its earlier twin goes first
	}
	next := w.step(op)
	if next < 0 {
		return false
	}
	s := w.s
	depth := int32(len(w.stack) + 1)
	if s.memo.full(depth) {
		if !s.lim.allows(s.memo.growBytes(depth)) {
			s.outOfMemory()
			return false
		}
		s.memo.grow(depth)
	}
	w.bits[op>>6] |= 1 << (op & 63)
	hash, hash2 := w.hash^s.zob[op], w.hash2^s.zob2[op]
	key := hash ^ mix64(s.in.key(next)+1)
	slot, seen := s.memo.find(key, hash2, next, depth, w.owner, w.bits, s.paths, s.same)
	if seen {
		w.bits[op>>6] &^= 1 << (op & 63)
		if t == turnForced {
			// The forced successor failed already, or is being searched
			// by the other walker, so this configuration adds nothing.
			w.turn = turnExhausted
		}
		return false
	}
	parent := int32(-1)
	if len(w.path) > 0 {
		parent = w.path[len(w.path)-1]
	}
	entry := s.memo.put(slot, key, hash2, next, parent, op, depth, w.owner)
	w.push(frame{pos: pos, op: op, state: w.state, entry: entry, blocker: w.blocker, turn: t})
	w.hash, w.hash2, w.state = hash, hash2, next
	return true
}

// step returns the state after op from the current state, or -1 if op is
// illegal there, computing it once per (operation, state) the cache keeps.
func (w *walker[S, I, O]) step(op int32) int32 {
	s := w.s
	if next, ok := s.trans.get(op, w.state); ok {
		return next
	}
	w.steps++
	if w.steps%stepChecks == 0 && s.sliceOver() {
		// A slow Step may not overrun the slice by more than a few calls.
		w.yield = true
	}
	legal, ns := s.m.Step(s.in.states[w.state], s.ops[op].Input, s.ops[op].Output)
	next := int32(-1)
	switch {
	case legal && len(s.ro) > 0 && s.ro[op]:
		next = w.state // the model promises so: no need to intern it
	case legal:
		next = s.in.intern(ns)
	}
	s.trans.put(op, w.state, next)
	return next
}

// push enters the configuration f leads to; bits and the memo already
// hold it.
func (w *walker[S, I, O]) push(f frame) {
	w.stack = append(w.stack, f)
	w.path = append(w.path, f.entry)
	w.s.paths[w.owner] = w.path
	w.list.remove(f.op)
	if w.list.retPos[f.op] >= 0 {
		w.done++
	}
	w.best.push(w.stack)
	if s := w.s; s.after == nil && s.explored() >= twinsAfter {
		// Sound from any configuration (see twins), so it may start now.
		s.after = twins(s.ops)
	}
	w.enter()
}

// backtrack leaves a configuration whose candidates are exhausted: it undoes
// the last linearized operation and resumes the candidates of the
// configuration before it, after that operation. It reports false at the
// empty configuration: the walker has nothing left to try.
func (w *walker[S, I, O]) backtrack() bool {
	if len(w.stack) == 0 {
		return false
	}
	f := w.stack[len(w.stack)-1]
	w.stack = w.stack[:len(w.stack)-1]
	w.path = w.path[:len(w.path)-1]
	w.s.paths[w.owner] = w.path
	w.bits[f.op>>6] &^= 1 << (f.op & 63)
	w.hash ^= w.s.zob[f.op]
	w.hash2 ^= w.s.zob2[f.op]
	w.state = f.state
	if w.list.retPos[f.op] >= 0 {
		w.done--
	}
	w.list.restore(f.op)
	w.best.pop(len(w.stack))
	w.turn, w.blocker, w.cursor = f.turn, f.blocker, w.list.next[f.pos]
	switch f.turn {
	case turnForced:
		// The configuration is as good as its forced successor.
		w.turn = turnExhausted
	case turnBlocker:
		// The blocker was tried; the others follow, from the start.
		w.turn, w.cursor = turnCompleted, w.list.first()
	}
	return true
}

// bytes is the memory the walker holds.
func (w *walker[S, I, O]) bytes() int64 {
	b := w.list.bytes() + 8*int64(cap(w.bits))
	return b + int64(cap(w.stack))*int64(unsafe.Sizeof(frame{})) + 4*int64(cap(w.path)+cap(w.best.ops))
}
