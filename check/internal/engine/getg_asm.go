//go:build amd64 || arm64

package engine

// getg returns the address of the calling goroutine's runtime g: a
// goroutine's identity, read in a nanosecond, unique among the goroutines
// alive at one time.
func getg() uintptr
