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
	var (
		once  Once
		valid bool
		p     any
	)
	g := func() {
		defer func() {
			p = recover()
			if !valid {
				panic(p)
			}
		}()
		f()
		f = nil
		valid = true
	}
	return func() {
		once.Do(g)
		if !valid {
			panic(p)
		}
	}
}

// OnceValue returns a function that invokes f only once and returns its
// value, as sync.OnceValue.
func OnceValue[T any](f func() T) func() T {
	var (
		once   Once
		valid  bool
		p      any
		result T
	)
	g := func() {
		defer func() {
			p = recover()
			if !valid {
				panic(p)
			}
		}()
		result = f()
		f = nil
		valid = true
	}
	return func() T {
		once.Do(g)
		if !valid {
			panic(p)
		}
		return result
	}
}

// OnceValues returns a function that invokes f only once and returns its
// values, as sync.OnceValues.
func OnceValues[T1, T2 any](f func() (T1, T2)) func() (T1, T2) {
	var (
		once  Once
		valid bool
		p     any
		r1    T1
		r2    T2
	)
	g := func() {
		defer func() {
			p = recover()
			if !valid {
				panic(p)
			}
		}()
		r1, r2 = f()
		f = nil
		valid = true
	}
	return func() (T1, T2) {
		once.Do(g)
		if !valid {
			panic(p)
		}
		return r1, r2
	}
}

func (o *Once) model() *engine.Once {
	p := o.st.Get()
	if p.Key == 0 {
		p.Key = uintptr(unsafe.Pointer(o))
	}
	return p
}
