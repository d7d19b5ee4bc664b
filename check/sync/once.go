package sync

import (
	stdsync "sync"
	"unsafe"

	"github.com/labludus/ludus/check/internal/engine"
)

// Once performs exactly one action, as sync.Once.
type Once struct {
	st engine.Lazy[engine.Once]
	o  stdsync.Once
}

// Do calls f if and only if Do is being called for the first time for this
// Once; other callers wait until f has returned.
func (o *Once) Do(f func()) {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(o.st.Peek()), "Once.Do"); g != nil {
			g.Engine().OnceDo(g, o.model(), f)
			return
		}
	}
	o.o.Do(f)
}

// OnceFunc returns a function that invokes f only once, as sync.OnceFunc:
// a panic of f is repeated by every call.
func OnceFunc(f func()) func() {
	var r onceRun
	return func() { r.call(f, func() {}) }
}

// OnceValue returns a function that invokes f only once and returns its
// value, as sync.OnceValue.
func OnceValue[T any](f func() T) func() T {
	var (
		r      onceRun
		result T
	)
	return func() T {
		r.call(func() { result = f() }, func() { result = *new(T) })
		return result
	}
}

// OnceValues returns a function that invokes f only once and returns its
// values, as sync.OnceValues.
func OnceValues[T1, T2 any](f func() (T1, T2)) func() (T1, T2) {
	var (
		r  onceRun
		r1 T1
		r2 T2
	)
	return func() (T1, T2) {
		r.call(func() { r1, r2 = f() }, func() { r1, r2 = *new(T1), *new(T2) })
		return r1, r2
	}
}

// onceRun is the state of a function OnceFunc, OnceValue or OnceValues
// made. Such functions are often package variables (a value computed
// lazily), which the rewriter cannot restore between executions as it
// restores plain variables: a first call made in an execution belongs to
// that execution, and the next one starts from before it, as the test
// did (without this, the second execution skipped what the first ran and
// no schedule replayed).
type onceRun struct {
	once  Once
	valid bool   // f returned
	p     any    // what f panicked with
	epoch uint64 // the execution of the first call, 0 outside any
}

// call runs f through the once and repeats its panic; reset clears the
// results when a new execution starts over.
func (r *onceRun) call(f func(), reset func()) {
	if cur := execution(); cur != 0 && r.epoch != 0 && r.epoch != cur {
		r.once, r.valid, r.p, r.epoch = Once{}, false, nil, 0
		reset()
	}
	r.once.Do(func() {
		r.epoch = execution()
		defer func() {
			r.p = recover()
			if !r.valid {
				panic(r.p)
			}
		}()
		f()
		r.valid = true
	})
	if !r.valid {
		panic(r.p)
	}
}

// execution identifies the running execution, 0 outside any.
func execution() uint64 {
	if !engine.Active() {
		return 0
	}
	if e := engine.Running(); e != nil {
		return e.Execution()
	}
	return 0
}

func (o *Once) model() *engine.Once {
	p := o.st.Get()
	if p.Key == 0 {
		p.Key = uintptr(unsafe.Pointer(o))
	}
	return p
}
