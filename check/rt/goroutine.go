package rt

import (
	"runtime"
	"time"

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

// VerifyNone stands for goleak.VerifyNone in a test: rewritten code calls
// VerifyNone(func() { goleak.VerifyNone(t, opts...) }). Outside an
// exploration it runs the call. In one, goleak would look at the real
// goroutines (the checker's idle workers among them) and wait real time
// while the goroutines it waits for cannot run; instead the others get up
// to a second of virtual time to end, as goleak's retries give them, and
// those still alive then are a leak. goleak's options are not read: the
// goroutines they ignore are a library's, which the checker does not run.
func VerifyNone(verify func()) {
	g := current()
	if g == nil {
		verify()
		return
	}
	e := g.Engine()
	for range 100 {
		if e.Others(g) == 0 {
			return
		}
		e.Sleep(g, int64(10*time.Millisecond), "goleak.VerifyNone waits for goroutines to end")
	}
	if e.Others(g) > 0 {
		e.FailLeak(g, "goleak.VerifyNone")
	}
}
