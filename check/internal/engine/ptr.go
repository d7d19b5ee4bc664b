package engine

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// The engine's types hold no instance of a generic type (no
// atomic.Pointer[T], no sync.Map, whose internals are generic since Go
// 1.24). The compiler builds the methods of every generic instance it can
// reach from a type a package mentions, in that package: every package
// ludus check rewrites mentions engine types (through check/rt and the
// drop-ins), and a graph that reached sync.Map and atomic.Pointer made each
// of them compile about 150 extra functions (a third of ludus check's
// build time on a small package). These small non-generic types stand in.

// gPtr is an atomic *G.
type gPtr struct{ p unsafe.Pointer }

func (a *gPtr) Load() *G   { return (*G)(atomic.LoadPointer(&a.p)) }
func (a *gPtr) Store(g *G) { atomic.StorePointer(&a.p, unsafe.Pointer(g)) }

// enginePtr is an atomic *Engine.
type enginePtr struct{ p unsafe.Pointer }

func (a *enginePtr) Load() *Engine   { return (*Engine)(atomic.LoadPointer(&a.p)) }
func (a *enginePtr) Store(e *Engine) { atomic.StorePointer(&a.p, unsafe.Pointer(e)) }

// workerMap finds the worker of a runtime goroutine. Workers register once
// per exploration and lookups are rare (a managed goroutine that does not
// hold the turn), so a read-write lock is enough.
type workerMap struct {
	mu sync.RWMutex
	m  map[uintptr]*worker // runtime g -> its worker
}

func (w *workerMap) Load(gp uintptr) (*worker, bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	v, ok := w.m[gp]
	return v, ok
}

func (w *workerMap) Store(gp uintptr, v *worker) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m == nil {
		w.m = map[uintptr]*worker{}
	}
	w.m[gp] = v
}

func (w *workerMap) Delete(gp uintptr) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.m, gp)
}
