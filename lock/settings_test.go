//lint:file-ignore SA2001 lock-order scenarios take locks only to hold them

//go:build !ludus_nolockdep

package lock

import (
	"testing"
)

func TestSetDetection(t *testing.T) {
	got := reports(t)
	if !Detection() {
		t.Fatal("detection off by default")
	}
	a, b := NewMutex(fresh("off-a")), NewMutex(fresh("off-b"))
	if !SetDetection(false) {
		t.Fatal("SetDetection did not return the previous setting")
	}
	inGoroutine(nested(a, b))
	inGoroutine(nested(b, a))
	SetDetection(true)
	if rs := got(); len(rs) != 0 {
		t.Fatalf("reported while off: %v", rs)
	}
	// A lock taken while detection was off and released while on.
	SetDetection(false)
	a.Lock()
	SetDetection(true)
	a.Unlock()
}
