//go:build !ludus_check

package lockfree

import (
	"math/rand/v2"
	"sync"
)

// counterHint remembers, per processor (sync.Pool caches per P), which stripe
// that processor last used, so that a goroutine keeps hitting a cache line
// its core already owns.
type counterHint struct{ idx uint32 }

var counterHints = sync.Pool{New: func() any { return &counterHint{idx: rand.Uint32()} }}

func getHint() *counterHint  { return counterHints.Get().(*counterHint) }
func putHint(h *counterHint) { counterHints.Put(h) }
func rehash(uint32) uint32   { return rand.Uint32() }
