//go:build !linux

package bench

// threadCPUTime is not measured off Linux.
func threadCPUTime() int64 { return -1 }
