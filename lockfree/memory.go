package lockfree

import (
	"fmt"
	"math"
	"runtime/debug"
	"sync"
)

// systemMemoryOnce reads the platform's memory figure once: physical memory
// and container limits do not change while a process runs, and reading them
// costs system calls and file reads.
var systemMemoryOnce = sync.OnceValues(systemMemory)

// fallbackMemory is the bound where the platform gives no reading of its
// memory (1 TiB): larger than any ring a program on such a platform is
// likely to mean, far below what would overflow the cell array's size.
const fallbackMemory = 1 << 40

// memoryBound returns the most memory this process can have, in bytes, and
// what that figure is: the least of the machine's physical memory, a
// container's (cgroup's) limit, and the Go memory limit. The Go limit is
// read on every call, since a program may change it (debug.SetMemoryLimit).
func memoryBound() (uint64, string) {
	limit, source := systemMemoryOnce()
	if limit == 0 {
		limit, source = fallbackMemory, "bound for a platform whose memory is not known"
	}
	if goLimit := debug.SetMemoryLimit(-1); goLimit != math.MaxInt64 && goLimit >= 0 && uint64(goLimit) < limit {
		limit, source = uint64(goLimit), "Go memory limit (GOMEMLIMIT)"
	}
	return limit, source
}

// formatBytes renders the 128-bit byte count hi<<64 | lo in binary units,
// with one decimal where it is not whole ("72 TiB", "23.5 GiB").
func formatBytes(hi, lo uint64) string {
	if hi != 0 {
		return "more than 16 EiB"
	}
	const units = "KMGTPE"
	if lo < 1024 {
		return fmt.Sprintf("%d B", lo)
	}
	v, i := float64(lo)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f %ciB", v, units[i])
	}
	return fmt.Sprintf("%.1f %ciB", v, units[i])
}
