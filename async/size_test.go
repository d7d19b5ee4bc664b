package async

import (
	"testing"
	"unsafe"
)

// A Future of a word-sized value fits the 80-byte size class: every byte
// per future is paid ten thousand times by a program that starts ten
// thousand (bench/RESULTS.md, async section).
func TestFutureSize(t *testing.T) {
	if got := unsafe.Sizeof(Future[int]{}); got > 80 {
		t.Fatalf("Future[int] is %d bytes, want <= 80", got)
	}
}
