package sync

import (
	"fmt"
	stdsync "sync"
	"unsafe"

	"github.com/labludus/ludus/check/internal/engine"
)

// Map is sync.Map. In an exploration each operation is one step of the
// schedule (an atomic operation on the map), so the checker interleaves
// goroutines around them and orders them for the race detector.
type Map struct {
	st engine.Lazy[engine.Atomic]
	m  stdsync.Map
}

// op makes the caller's operation on m a step; it returns the goroutine
// and the map's engine object, or nil outside an exploration.
func (m *Map) op(write bool, what string) (*engine.G, *engine.Atomic) {
	if !engine.Active() {
		return nil, nil
	}
	g := engine.Enter(engine.BaseOf(m.st.Peek()), "Map."+what)
	if g == nil {
		return nil, nil
	}
	a := m.st.Get()
	if a.Key == 0 {
		a.Key = uintptr(unsafe.Pointer(m))
	}
	g.Engine().AtomicOp(g, a, write)
	return g, a
}

func (m *Map) record(g *engine.G, a *engine.Atomic, format string, args ...any) {
	if g != nil && g.Engine().Recording() {
		g.Engine().AtomicDone(g, a, func(name string) string { return name + "." + fmt.Sprintf(format, args...) })
	}
}

// Load returns the value stored for key, if any.
func (m *Map) Load(key any) (value any, ok bool) {
	g, a := m.op(false, "Load")
	value, ok = m.m.Load(key)
	m.record(g, a, "Load(%v) -> %v, %v", key, value, ok)
	return value, ok
}

// Store sets the value for key.
func (m *Map) Store(key, value any) {
	g, a := m.op(true, "Store")
	m.m.Store(key, value)
	m.record(g, a, "Store(%v, %v)", key, value)
}

// LoadOrStore returns the existing value for key if present; otherwise it
// stores and returns value. loaded reports whether the value was loaded.
func (m *Map) LoadOrStore(key, value any) (actual any, loaded bool) {
	g, a := m.op(true, "LoadOrStore")
	actual, loaded = m.m.LoadOrStore(key, value)
	m.record(g, a, "LoadOrStore(%v, %v) -> %v, %v", key, value, actual, loaded)
	return actual, loaded
}

// LoadAndDelete deletes the value for key, returning it if there was one.
func (m *Map) LoadAndDelete(key any) (value any, loaded bool) {
	g, a := m.op(true, "LoadAndDelete")
	value, loaded = m.m.LoadAndDelete(key)
	m.record(g, a, "LoadAndDelete(%v) -> %v, %v", key, value, loaded)
	return value, loaded
}

// Delete deletes the value for key.
func (m *Map) Delete(key any) {
	g, a := m.op(true, "Delete")
	m.m.Delete(key)
	m.record(g, a, "Delete(%v)", key)
}

// Swap swaps the value for key and returns the previous value, if any.
func (m *Map) Swap(key, value any) (previous any, loaded bool) {
	g, a := m.op(true, "Swap")
	previous, loaded = m.m.Swap(key, value)
	m.record(g, a, "Swap(%v, %v) -> %v, %v", key, value, previous, loaded)
	return previous, loaded
}

// CompareAndSwap swaps the old and new values for key if the value stored
// is equal to old.
func (m *Map) CompareAndSwap(key, old, new any) (swapped bool) {
	g, a := m.op(true, "CompareAndSwap")
	swapped = m.m.CompareAndSwap(key, old, new)
	m.record(g, a, "CompareAndSwap(%v, %v, %v) -> %v", key, old, new, swapped)
	return swapped
}

// CompareAndDelete deletes the entry for key if its value is equal to old.
func (m *Map) CompareAndDelete(key, old any) (deleted bool) {
	g, a := m.op(true, "CompareAndDelete")
	deleted = m.m.CompareAndDelete(key, old)
	m.record(g, a, "CompareAndDelete(%v, %v) -> %v", key, old, deleted)
	return deleted
}

// Range calls f for each key and value; it stops when f returns false. In
// an exploration the entries are read in one step and f is called after.
func (m *Map) Range(f func(key, value any) bool) {
	g, a := m.op(false, "Range")
	if g == nil {
		m.m.Range(f)
		return
	}
	var keys, vals []any
	m.m.Range(func(k, v any) bool {
		keys, vals = append(keys, k), append(vals, v)
		return true
	})
	m.record(g, a, "Range() (%d entries)", len(keys))
	for i := range keys {
		if !f(keys[i], vals[i]) {
			return
		}
	}
}

// Clear deletes every entry.
func (m *Map) Clear() {
	g, a := m.op(true, "Clear")
	m.m.Clear()
	m.record(g, a, "Clear()")
}

// Pool is sync.Pool. In an exploration Get never returns a value Put
// earlier (it calls New), since which value the runtime's pool hands out
// depends on the garbage collector, which the checker does not control.
type Pool struct {
	// New, if not nil, makes a value when Get has none to return.
	New func() any

	p stdsync.Pool
}

// Get returns a value from the pool, or New's, or nil.
func (p *Pool) Get() any {
	if engine.Active() && engine.Current() != nil {
		if p.New != nil {
			return p.New()
		}
		return nil
	}
	if v := p.p.Get(); v != nil || p.New == nil {
		return v
	}
	return p.New()
}

// Put adds x to the pool (in an exploration, drops it).
func (p *Pool) Put(x any) {
	if engine.Active() && engine.Current() != nil {
		return
	}
	p.p.Put(x)
}
