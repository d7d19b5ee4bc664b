//lint:file-ignore SA2001 lock-order scenarios take locks only to hold them

//go:build !ludus_nolockdep && !ludus_check && !race

package lock

import "testing"

// TestUsualPatternsAllocateNothing: once their classes have learned, the
// usual locking patterns allocate nothing: the nodes they need are in the
// path already, or in the state's node cache. (The race detector and the
// checker's atomics allocate on their own, hence the build tags.)
func TestUsualPatternsAllocateNothing(t *testing.T) {
	inGoroutine(func() {
		a, b := NewMutex(fresh("alloc-a")), NewMutex(fresh("alloc-b"))
		rw := NewRWMutex(fresh("alloc-rw"))
		for _, p := range []struct {
			name string
			f    func()
		}{
			{"single", func() { a.Lock(); a.Unlock() }},
			{"nested", nested(a, b)},
			{"alternating", func() { a.Lock(); a.Unlock(); b.Lock(); b.Unlock() }},
			{"read", func() { rw.RLock(); rw.RUnlock() }},
			{"read under a lock", func() { a.Lock(); rw.RLock(); rw.RUnlock(); a.Unlock() }},
		} {
			learned(p.f)
			// A slow path now and then (a stack that moved, a sweep of the
			// states) may allocate; the steady state must not.
			n := testing.AllocsPerRun(100, p.f)
			for try := 0; n != 0 && try < 3; try++ {
				n = testing.AllocsPerRun(100, p.f)
			}
			if n != 0 {
				t.Errorf("%s: %v allocations per run, want 0", p.name, n)
			}
		}
	})
}
