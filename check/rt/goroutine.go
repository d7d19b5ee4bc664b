package rt

import (
	"runtime"

	"github.com/labludus/ludus/check/internal/engine"
)

// current returns the managed goroutine calling, or nil.
func current() *engine.G {
	if !engine.Active() {
		return nil
	}
	return engine.Current()
}

// Go is the go statement: fn runs in a new goroutine, a managed one in an
// exploration, named after its site (the engine numbers goroutines of one
// name: worker#1, worker#2). The caller has already evaluated the function
// value and the arguments, as a go statement does.
func Go(name string, fn func()) {
	if g := current(); g != nil {
		g.Engine().Go(g, name, true, fn)
		return
	}
	go fn()
}

// Gosched is runtime.Gosched: in an exploration a fair yield (the
// goroutine runs again only after another took a step).
func Gosched() {
	if g := current(); g != nil {
		g.Engine().Sleep(g, 0, "runtime.Gosched()")
		return
	}
	runtime.Gosched()
}

// NumGoroutine is runtime.NumGoroutine: in an exploration the number of
// live goroutines of the execution.
func NumGoroutine() int {
	if g := current(); g != nil {
		return g.Engine().NumGoroutine()
	}
	return runtime.NumGoroutine()
}
