//go:build !ludus_check

package lockfree

import "unsafe"

// stripeHint picks the stripe a goroutine starts from: a hash of the
// address of a variable on its stack. Goroutine stacks are distinct memory,
// so different goroutines mostly land on different stripes, and one
// goroutine keeps landing on the same one (its core keeps that cache line),
// for the cost of a multiply: no sync.Pool round trip and no random number
// per Add. A stack move (growth) only changes the stripe, never correctness.
//
//go:nosplit
func stripeHint() uint32 {
	var x byte
	p := uint64(uintptr(unsafe.Pointer(&x))) >> 10
	return uint32((p * 0x9E3779B97F4A7C15) >> 32)
}

// rehash moves to the next stripe after a collision.
func rehash(idx uint32) uint32 { return idx + 1 }
