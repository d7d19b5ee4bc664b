package pool

import (
	"testing"
	"unsafe"
)

// A Pool fits the 288-byte size class: with the queue's ring, it is most of
// what a pool costs (bench/RESULTS.md, the pool memory goal).
func TestPoolSize(t *testing.T) {
	if got := unsafe.Sizeof(Pool{}); got > 288 {
		t.Fatalf("Pool is %d bytes, want <= 288", got)
	}
}
