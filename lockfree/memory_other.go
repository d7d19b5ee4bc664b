//go:build !linux

package lockfree

// systemMemory has no reading on this platform; memoryBound falls back to a
// fixed bound and the Go memory limit.
func systemMemory() (uint64, string) { return 0, "" }
