//go:build !amd64 && !arm64

package engine

import "runtime"

// getg returns an identity of the calling goroutine: its ID, read from
// runtime.Stack (slow; architectures with assembly read the g pointer).
func getg() uintptr {
	var buf [64]byte
	id, _ := goroutineID(string(buf[:runtime.Stack(buf[:], false)])) // "goroutine 123 [running]:"
	return uintptr(id)
}
