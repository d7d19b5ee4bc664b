//lint:file-ignore SA2001 lock-order scenarios take locks only to hold them

//go:build !ludus_nolockdep

package lock

import (
	"strings"
	"testing"
)

func TestNamedClassShared(t *testing.T) {
	got := reports(t)
	shared := fresh("shared-a")
	a1, a2 := NewMutex(shared), NewMutex(shared)
	b := NewMutex(fresh("shared-b"))
	inGoroutine(nested(a1, b))
	inGoroutine(nested(b, a2)) // another lock, same class: the class order is reversed
	checkCycleKinds(t, got())
}

func TestZeroValueClass(t *testing.T) {
	var m Mutex
	m.Lock()
	m.Unlock()
	if name := m.dep.name(); !strings.Contains(name, "TestZeroValueClass") || !strings.Contains(name, "class_test.go") {
		t.Fatalf("class %q does not name the first locking site", name)
	}
	var rw RWMutex
	rw.RLock()
	rw.RUnlock()
	if name := rw.dep.name(); !strings.Contains(name, "TestZeroValueClass") || !strings.Contains(name, "class_test.go") {
		t.Fatalf("RWMutex class %q does not name the first locking site", name)
	}
	n := NewMutex("")
	if name := n.dep.name(); !strings.Contains(name, "TestZeroValueClass") {
		t.Fatalf("class %q does not name the creation site", name)
	}
}
