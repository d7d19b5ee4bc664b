// Package rand is math/rand/v2 for code under the checker: rewritten code
// imports it instead of "math/rand/v2" (ludus check). Outside an
// exploration the top-level functions are the standard ones. Inside, they
// draw from a PCG source seeded per exploration (check.Seed, default 0)
// and restarted at every execution, so a schedule replays with the same
// numbers. Types and constructors are the standard ones.
package rand

import (
	stdrand "math/rand/v2"

	"github.com/labludus/ludus/check/internal/engine"
)

// Types that are the standard ones.
type (
	ChaCha8 = stdrand.ChaCha8
	PCG     = stdrand.PCG
	Rand    = stdrand.Rand
	Source  = stdrand.Source
	Zipf    = stdrand.Zipf
)

// New returns a Rand drawing from src.
func New(src Source) *Rand { return stdrand.New(src) }

// NewChaCha8 returns a ChaCha8 source seeded with seed.
func NewChaCha8(seed [32]byte) *ChaCha8 { return stdrand.NewChaCha8(seed) }

// NewPCG returns a PCG source seeded with seed1 and seed2.
func NewPCG(seed1, seed2 uint64) *PCG { return stdrand.NewPCG(seed1, seed2) }

// NewZipf returns a Zipf variate generator.
func NewZipf(r *Rand, s float64, v float64, imax uint64) *Zipf { return stdrand.NewZipf(r, s, v, imax) }

// local returns the execution's generator, or nil outside an exploration.
func local() *Rand {
	if !engine.Active() {
		return nil
	}
	g := engine.Current()
	if g == nil {
		return nil
	}
	return g.Engine().RandState("math/rand/v2", func(seed uint64) any {
		return stdrand.New(stdrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}).(*Rand)
}

// ExpFloat64 is math/rand/v2.ExpFloat64.
func ExpFloat64() float64 {
	if r := local(); r != nil {
		return r.ExpFloat64()
	}
	return stdrand.ExpFloat64()
}

// Float32 is math/rand/v2.Float32.
func Float32() float32 {
	if r := local(); r != nil {
		return r.Float32()
	}
	return stdrand.Float32()
}

// Float64 is math/rand/v2.Float64.
func Float64() float64 {
	if r := local(); r != nil {
		return r.Float64()
	}
	return stdrand.Float64()
}

// Int is math/rand/v2.Int.
func Int() int {
	if r := local(); r != nil {
		return r.Int()
	}
	return stdrand.Int()
}

// Int32 is math/rand/v2.Int32.
func Int32() int32 {
	if r := local(); r != nil {
		return r.Int32()
	}
	return stdrand.Int32()
}

// Int32N is math/rand/v2.Int32N.
func Int32N(n int32) int32 {
	if k, ok := engine.RandChoice(uint64(n)); ok {
		return int32(k)
	}
	if r := local(); r != nil {
		return r.Int32N(n)
	}
	return stdrand.Int32N(n)
}

// Int64 is math/rand/v2.Int64.
func Int64() int64 {
	if r := local(); r != nil {
		return r.Int64()
	}
	return stdrand.Int64()
}

// Int64N is math/rand/v2.Int64N.
func Int64N(n int64) int64 {
	if k, ok := engine.RandChoice(uint64(n)); ok {
		return int64(k)
	}
	if r := local(); r != nil {
		return r.Int64N(n)
	}
	return stdrand.Int64N(n)
}

// IntN is math/rand/v2.IntN.
func IntN(n int) int {
	if k, ok := engine.RandChoice(uint64(n)); ok {
		return int(k)
	}
	if r := local(); r != nil {
		return r.IntN(n)
	}
	return stdrand.IntN(n)
}

// N is math/rand/v2.N: a value in [0, n) of any integer type.
func N[Int intType](n Int) Int {
	if n > 0 {
		if k, ok := engine.RandChoice(uint64(n)); ok {
			return Int(k)
		}
	}
	if r := local(); r != nil {
		if n <= 0 {
			panic("invalid argument to N")
		}
		return Int(r.Uint64N(uint64(n)))
	}
	return stdrand.N(n)
}

type intType interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr
}

// NormFloat64 is math/rand/v2.NormFloat64.
func NormFloat64() float64 {
	if r := local(); r != nil {
		return r.NormFloat64()
	}
	return stdrand.NormFloat64()
}

// Perm is math/rand/v2.Perm.
func Perm(n int) []int {
	if r := local(); r != nil {
		return r.Perm(n)
	}
	return stdrand.Perm(n)
}

// Shuffle is math/rand/v2.Shuffle.
func Shuffle(n int, swap func(i, j int)) {
	if r := local(); r != nil {
		r.Shuffle(n, swap)
		return
	}
	stdrand.Shuffle(n, swap)
}

// Uint is math/rand/v2.Uint.
func Uint() uint {
	if r := local(); r != nil {
		return r.Uint()
	}
	return stdrand.Uint()
}

// Uint32 is math/rand/v2.Uint32.
func Uint32() uint32 {
	if r := local(); r != nil {
		return r.Uint32()
	}
	return stdrand.Uint32()
}

// Uint32N is math/rand/v2.Uint32N.
func Uint32N(n uint32) uint32 {
	if k, ok := engine.RandChoice(uint64(n)); ok {
		return uint32(k)
	}
	if r := local(); r != nil {
		return r.Uint32N(n)
	}
	return stdrand.Uint32N(n)
}

// Uint64 is math/rand/v2.Uint64.
func Uint64() uint64 {
	if r := local(); r != nil {
		return r.Uint64()
	}
	return stdrand.Uint64()
}

// Uint64N is math/rand/v2.Uint64N.
func Uint64N(n uint64) uint64 {
	if k, ok := engine.RandChoice(uint64(n)); ok {
		return uint64(k)
	}
	if r := local(); r != nil {
		return r.Uint64N(n)
	}
	return stdrand.Uint64N(n)
}

// UintN is math/rand/v2.UintN.
func UintN(n uint) uint {
	if k, ok := engine.RandChoice(uint64(n)); ok {
		return uint(k)
	}
	if r := local(); r != nil {
		return r.UintN(n)
	}
	return stdrand.UintN(n)
}
