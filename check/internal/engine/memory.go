package engine

import (
	"fmt"
	"unsafe"
)

// Plain memory and data races. A check.Var is plain memory whose every
// access is a scheduling point; memory that rewritten code reads and writes
// (package check/rt) is checked for races without being one: for programs
// free of data races, the order of plain accesses between synchronization
// operations does not matter, and a race is reported, so exploring it would
// only multiply schedules.
//
// A race is two accesses to the same memory by different goroutines, at
// least one a write, not ordered by happens-before (the goroutines'
// synchronization clocks, G.vc, built from locks, channels, atomics,
// WaitGroup, Once, Cond and goroutine starts as the Go memory model says).

// shadow is what the race detector remembers of one memory location in the
// current execution: the last write and the reads since.
type shadow struct {
	keep    unsafe.Pointer // the memory itself: keeps it alive, so its address is not reused in this execution
	name    string         // the source text naming it ("balance", "s.count")
	epoch   uint64         // the execution the record belongs to
	wG      int32          // goroutine of the last write, -1 if none
	wC      uint32         // its clock entry at that write
	wMark   int32          // the write's mark (see Engine.mark), to describe it
	wAtomic bool           // the last write was atomic (atomics race only with plain accesses)
	rC      []uint32       // per goroutine: its clock entry at its last read since the write (0: none)
	rMark   []int32        // per goroutine: that read's mark
	rAtomic []bool         // per goroutine: that read was atomic
}

func (s *shadow) reset(epoch uint64) {
	s.epoch, s.wG, s.name = epoch, -1, ""
	clear(s.rC)
	s.rC, s.rMark, s.rAtomic = s.rC[:0], s.rMark[:0], s.rAtomic[:0]
}

// check records an access by g (mark numbers it; atomic for an atomic
// operation) and returns a goroutine whose access races with it, and that
// access's mark, or -1. Two atomic accesses never race.
func (s *shadow) check(g *G, write bool, mark int32) (other, otherMark int32) {
	return s.checkAtomic(g, write, false, mark)
}

func (s *shadow) checkAtomic(g *G, write, atomic bool, mark int32) (other, otherMark int32) {
	other, otherMark = -1, -1
	if s.wG >= 0 && s.wG != int32(g.ID) && g.vc.get(int(s.wG)) < s.wC && !(atomic && s.wAtomic) {
		other, otherMark = s.wG, s.wMark
	}
	if write {
		for h, c := range s.rC {
			if other < 0 && h != g.ID && c > 0 && g.vc.get(h) < c && !(atomic && s.rAtomic[h]) {
				other, otherMark = int32(h), s.rMark[h]
			}
		}
		s.wG, s.wC, s.wMark, s.wAtomic = int32(g.ID), g.vc.get(g.ID), mark, atomic
		clear(s.rC)
		return
	}
	for len(s.rC) <= g.ID {
		s.rC = append(s.rC, 0)
		s.rMark = append(s.rMark, 0)
		s.rAtomic = append(s.rAtomic, false)
	}
	s.rC[g.ID], s.rMark[g.ID], s.rAtomic[g.ID] = g.vc.get(g.ID), mark, atomic
	return
}

// nextMark numbers a recorded access (a Var operation or a memory access)
// so that a race report can point at both accesses of the re-run trace.
func (e *Engine) nextMark() int32 {
	e.marks++
	return e.marks
}

// ---- check.Var ----

// Var is the engine's view of a checked variable.
type Var struct {
	Object
	sh shadow // its accesses, for the race detector
}

func (v *Var) base() *Object                            { return &v.Object }
func (v *Var) enabled(e *Engine, g *G, p *Pending) bool { return true }

func (e *Engine) varTouch(v *Var) {
	if e.touch(&v.Object, "var") {
		v.sh.reset(e.epoch)
	}
}

// BindVar binds a variable created inside the body; state describes its
// value for step-by-step views.
func (e *Engine) BindVar(v *Var, name string, state func() string) {
	e.Bind(&v.Object, "var", name)
	v.sh.reset(e.epoch)
	v.state = state
}

// VarAccess schedules a load (write=false) or store of v by g. The caller
// performs the access right after, then calls VarDone.
func (e *Engine) VarAccess(g *G, v *Var, write bool) {
	e.varTouch(v)
	k := KVarLoad
	if write {
		k = KVarStore
	}
	e.begin(g, v, k, write)
	e.Step(g)
	e.access(&v.Object, write)
}

// VarDone records the access (text is built only when recording) and
// reports a data race it completes.
func (e *Engine) VarDone(g *G, v *Var, write bool, text func() string) {
	mark := e.nextMark()
	if e.rec != nil {
		e.rec.mark(g, mark, text())
	}
	if !e.cfg.DataRaces {
		return
	}
	if other, om := v.sh.check(g, write, mark); other >= 0 {
		e.failNow(g, KindDataRace, e.raceMessage(v.Label(), int(other), om, g, mark), true)
	}
}

// ---- memory of rewritten code ----

// Mem records a read or write by g of the memory at p, named name in the
// source, and reports a data race it completes. value, when not nil,
// prints the value read (recording only). Mem is not a scheduling point.
func (e *Engine) Mem(g *G, p unsafe.Pointer, write bool, name string, value func() string) {
	if p == nil {
		return
	}
	if write {
		// A read may be the right-hand side of the pending write's own
		// assignment: only a later write (or operation) completes it.
		e.flushWrite(g)
	}
	mark := e.nextMark()
	if e.rec != nil {
		e.recordMem(g, mark, write, name, value)
	}
	if !e.cfg.DataRaces {
		return
	}
	s := e.shadowAt(p, name)
	if other, om := s.check(g, write, mark); other >= 0 {
		e.failNow(g, KindDataRace, e.raceMessage(s.name, int(other), om, g, mark), true)
	}
}

// shadowAt returns the race detector's record of the memory at p.
func (e *Engine) shadowAt(p unsafe.Pointer, name string) *shadow {
	if e.shadow == nil {
		e.shadow = map[uintptr]*shadow{}
	}
	s := e.shadow[uintptr(p)]
	if s == nil {
		s = &shadow{}
		e.shadow[uintptr(p)] = s
	}
	if s.epoch != e.epoch {
		s.reset(e.epoch)
		s.keep, s.name = p, name
	}
	if s.name == "" {
		s.name = name
	}
	return s
}

// MemAtomic records an atomic operation of the sync/atomic functions on
// the memory at p for the race detector: atomics do not race with each
// other, but a plain access of the same memory that no synchronization
// orders with them does (its trace line is the operation's step).
func (e *Engine) MemAtomic(g *G, p unsafe.Pointer, write bool, name string) {
	if p == nil || !e.cfg.DataRaces {
		return
	}
	mark := e.nextMark()
	if e.rec != nil && len(e.rec.steps) > 0 {
		if e.rec.marks == nil {
			e.rec.marks = map[int32]int{}
		}
		e.rec.marks[mark] = len(e.rec.steps) - 1
	}
	s := e.shadowAt(p, name)
	if other, om := s.checkAtomic(g, write, true, mark); other >= 0 {
		e.failNow(g, KindDataRace, e.raceMessage(s.name, int(other), om, g, mark), true)
	}
}

// recordMem adds a memory access to the trace. A write's value is only
// known after the assignment, so its line is completed at g's next
// operation (flushWrite).
func (e *Engine) recordMem(g *G, mark int32, write bool, name string, value func() string) {
	if !write {
		text := "read " + name
		if value != nil {
			text += " -> " + value()
		}
		e.rec.mark(g, mark, text)
		return
	}
	e.rec.mark(g, mark, "write "+name)
	if value != nil {
		g.pendingWrite = pendingWrite{line: len(e.rec.steps) - 1, name: name, value: value}
	}
}

// pendingWrite is a trace line of a write whose value is printed once the
// goroutine's assignment has happened.
type pendingWrite struct {
	line  int           // the trace line to complete
	name  string        // what was written, as the source names it
	value func() string // prints the value written, once it is there
}

// flushWrite completes g's pending write line, if any.
func (e *Engine) flushWrite(g *G) {
	w := g.pendingWrite
	if w.value == nil || e.rec == nil {
		return
	}
	g.pendingWrite = pendingWrite{}
	if w.line < len(e.rec.steps) {
		e.rec.steps[w.line].Op = fmt.Sprintf("write %s = %s", w.name, w.value())
	}
}
