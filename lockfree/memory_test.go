package lockfree

import (
	"errors"
	"runtime/debug"
	"strings"
	"testing"
	"unsafe"
)

// TestNewRingMemoryBound: a ring whose cells cannot fit in the memory the
// process can have is refused with ErrCapacity, not allocated (which ends
// the process with a fatal out-of-memory error).
func TestNewRingMemoryBound(t *testing.T) {
	_, err := NewRing[int](1 << 40)
	if !errors.Is(err, ErrCapacity) {
		t.Fatalf("NewRing(1<<40) = %v, want ErrCapacity", err)
	}
	// 72 TiB on amd64 (a cell is a 64-byte line plus the int).
	need := formatBytes(0, 1<<40*uint64(unsafe.Sizeof(ringCell[int]{})))
	if !strings.Contains(err.Error(), "need "+need) {
		t.Errorf("error %q does not say how much memory the cells need (%s)", err, need)
	}
	t.Log(err)

	// A cell size times capacity beyond 64 bits is refused, not wrapped.
	if _, err := NewRing[[1 << 24]byte](1 << 40); !errors.Is(err, ErrCapacity) || !strings.Contains(err.Error(), "more than 16 EiB") {
		t.Fatalf("NewRing of 2^40 16 MiB cells = %v, want ErrCapacity naming more than 16 EiB", err)
	}

	// The Go memory limit bounds it too.
	old := debug.SetMemoryLimit(8 << 20)
	defer debug.SetMemoryLimit(old)
	_, err = NewRing[int](1 << 17) // 131072 cells of 72 bytes or more: 9 MiB
	if !errors.Is(err, ErrCapacity) || !strings.Contains(err.Error(), "Go memory limit") {
		t.Fatalf("NewRing(1<<17) under an 8 MiB Go memory limit = %v, want ErrCapacity naming the Go memory limit", err)
	}
	if _, err := NewRing[int](1 << 10); err != nil {
		t.Fatalf("NewRing(1<<10) under an 8 MiB Go memory limit = %v, want a ring", err)
	}
}

func TestMemoryBoundReading(t *testing.T) {
	limit, source := memoryBound()
	if limit == 0 || source == "" {
		t.Fatalf("memoryBound() = %d, %q", limit, source)
	}
	t.Logf("memory bound: %s (%s)", formatBytes(0, limit), source)
}

func TestFormatBytes(t *testing.T) {
	for _, tc := range []struct {
		hi, lo uint64
		want   string
	}{
		{0, 0, "0 B"}, {0, 1023, "1023 B"}, {0, 1024, "1 KiB"}, {0, 1536, "1.5 KiB"},
		{0, 72 << 40, "72 TiB"}, {0, 24 << 30, "24 GiB"}, {0, 1 << 62, "4 EiB"}, {1, 0, "more than 16 EiB"},
	} {
		if got := formatBytes(tc.hi, tc.lo); got != tc.want {
			t.Errorf("formatBytes(%d, %d) = %q, want %q", tc.hi, tc.lo, got, tc.want)
		}
	}
}
