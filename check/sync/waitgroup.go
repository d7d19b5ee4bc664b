package sync

import (
	stdsync "sync"
	"unsafe"

	"github.com/labludus/ludus/check/internal/engine"
)

// WaitGroup waits for a collection of goroutines to finish, as
// sync.WaitGroup.
type WaitGroup struct {
	st engine.Lazy[engine.WaitGroup]
	wg stdsync.WaitGroup
}

// Add adds delta to the counter; a negative counter panics.
func (wg *WaitGroup) Add(delta int) {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(wg.st.Peek()), "WaitGroup.Add"); g != nil {
			g.Engine().WGAdd(g, wg.model(), delta)
			return
		}
	}
	wg.wg.Add(delta)
}

// Done decrements the counter by one.
func (wg *WaitGroup) Done() { wg.Add(-1) }

// Wait blocks until the counter is zero.
func (wg *WaitGroup) Wait() {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(wg.st.Peek()), "WaitGroup.Wait"); g != nil {
			g.Engine().WGWait(g, wg.model())
			return
		}
	}
	wg.wg.Wait()
}

// Go calls f in a new goroutine and adds that task to the WaitGroup, as
// sync.WaitGroup.Go. In an exploration the goroutine is a managed one.
func (wg *WaitGroup) Go(f func()) {
	if engine.Active() {
		if g := engine.Enter(engine.BaseOf(wg.st.Peek()), "WaitGroup.Go"); g != nil {
			e := g.Engine()
			e.WGAdd(g, wg.model(), 1)
			e.Go(g, "wg.Go", true, func() {
				defer wg.Done()
				f()
			})
			return
		}
	}
	wg.wg.Go(f)
}

func (wg *WaitGroup) model() *engine.WaitGroup {
	p := wg.st.Get()
	if p.Key == 0 {
		p.Key = uintptr(unsafe.Pointer(wg))
	}
	return p
}
