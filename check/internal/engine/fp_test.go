package engine

import (
	"runtime"
	"testing"
)

func deepBottom(n int) (uintptr, bool, uintptr) {
	if n == 0 {
		pc, ok := bottomReturnPC()
		var buf [256]uintptr
		k := runtime.Callers(1, buf[:])
		return pc, ok, buf[k-2]
	}
	a, b, c := deepBottom(n - 1)
	return a, b, c
}

// The frame-pointer walk agrees with runtime.Callers at every depth.
func TestBottomReturnPC(t *testing.T) {
	for _, depth := range []int{0, 1, 5, 50, 150} {
		done := make(chan [3]uintptr)
		go func() {
			pc, ok, want := deepBottom(depth)
			okv := uintptr(0)
			if ok {
				okv = 1
			}
			done <- [3]uintptr{pc, okv, want}
		}()
		r := <-done
		if runtime.GOARCH == "amd64" && (r[1] != 1 || r[0] != r[2]) {
			t.Fatalf("depth %d: walk %#x ok %v, Callers %#x", depth, r[0], r[1], r[2])
		}
	}
}
