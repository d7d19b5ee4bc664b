//go:build ludus_nolockdep

package lock

import (
	"sync"
	"testing"
)

// TestCompiledOut: with the tag, even a reversed order is not reported and
// detection cannot be switched on.
func TestCompiledOut(t *testing.T) {
	var reported bool
	old := OnPotentialDeadlock(func(Report) { reported = true })
	defer OnPotentialDeadlock(old)
	if Detection() || SetDetection(true) || Detection() {
		t.Fatal("detection is on in a ludus_nolockdep build")
	}
	a, b := NewMutex("a"), NewMutex("b")
	for _, p := range [][2]*Mutex{{a, b}, {b, a}} {
		var wg sync.WaitGroup
		wg.Go(func() {
			p[0].Lock()
			p[1].Lock()
			p[1].Unlock()
			p[0].Unlock()
		})
		wg.Wait()
	}
	if reported {
		t.Fatal("reported with detection compiled out")
	}
}
