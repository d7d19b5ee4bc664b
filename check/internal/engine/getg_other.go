//go:build !amd64 && !arm64

package engine

import (
	"runtime"
	"strconv"
)

// getg returns an identity of the calling goroutine: its ID, read from
// runtime.Stack (slow; architectures with assembly read the g pointer).
func getg() uintptr {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	// "goroutine 123 [running]:"
	const prefix = len("goroutine ")
	i := prefix
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	id, _ := strconv.ParseUint(string(b[prefix:i]), 10, 64)
	return uintptr(id)
}

const haveGetg = false
