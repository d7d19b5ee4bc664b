// Package rand is math/rand for code under the checker: rewritten code
// imports it instead of "math/rand" (ludus check). Outside an exploration
// the top-level functions are the standard ones. Inside, they draw from a
// source seeded per exploration (check.Seed, default 0) and restarted at
// every execution, so a schedule replays with the same numbers and a replay
// token carries the seed. Types and constructors are the standard ones.
package rand

import (
	stdrand "math/rand"

	"github.com/labludus/ludus/check/internal/engine"
)

// Types that are the standard ones.
type (
	Rand     = stdrand.Rand
	Source   = stdrand.Source
	Source64 = stdrand.Source64
	Zipf     = stdrand.Zipf
)

// New returns a Rand drawing from src.
func New(src Source) *Rand { return stdrand.New(src) }

// NewSource returns a source seeded with seed.
func NewSource(seed int64) Source { return stdrand.NewSource(seed) }

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
	return g.Engine().RandState("math/rand", func(seed uint64) any {
		return stdrand.New(stdrand.NewSource(int64(seed)))
	}).(*Rand)
}

// Seed seeds the top-level source (deprecated in math/rand, kept for code
// that calls it).
func Seed(seed int64) {
	if r := local(); r != nil {
		r.Seed(seed)
		return
	}
	//lint:ignore SA1019 the drop-in keeps math/rand's API: code that calls Seed gets the standard function
	stdrand.Seed(seed)
}

// ExpFloat64 is math/rand.ExpFloat64.
func ExpFloat64() float64 {
	if r := local(); r != nil {
		return r.ExpFloat64()
	}
	return stdrand.ExpFloat64()
}

// Float32 is math/rand.Float32.
func Float32() float32 {
	if r := local(); r != nil {
		return r.Float32()
	}
	return stdrand.Float32()
}

// Float64 is math/rand.Float64.
func Float64() float64 {
	if r := local(); r != nil {
		return r.Float64()
	}
	return stdrand.Float64()
}

// Int is math/rand.Int.
func Int() int {
	if r := local(); r != nil {
		return r.Int()
	}
	return stdrand.Int()
}

// Int31 is math/rand.Int31.
func Int31() int32 {
	if r := local(); r != nil {
		return r.Int31()
	}
	return stdrand.Int31()
}

// Int31n is math/rand.Int31n.
func Int31n(n int32) int32 {
	if k, ok := engine.RandChoice(uint64(n)); ok {
		return int32(k)
	}
	if r := local(); r != nil {
		return r.Int31n(n)
	}
	return stdrand.Int31n(n)
}

// Int63 is math/rand.Int63.
func Int63() int64 {
	if r := local(); r != nil {
		return r.Int63()
	}
	return stdrand.Int63()
}

// Int63n is math/rand.Int63n.
func Int63n(n int64) int64 {
	if k, ok := engine.RandChoice(uint64(n)); ok {
		return int64(k)
	}
	if r := local(); r != nil {
		return r.Int63n(n)
	}
	return stdrand.Int63n(n)
}

// Intn is math/rand.Intn.
func Intn(n int) int {
	if k, ok := engine.RandChoice(uint64(n)); ok {
		return int(k)
	}
	if r := local(); r != nil {
		return r.Intn(n)
	}
	return stdrand.Intn(n)
}

// NormFloat64 is math/rand.NormFloat64.
func NormFloat64() float64 {
	if r := local(); r != nil {
		return r.NormFloat64()
	}
	return stdrand.NormFloat64()
}

// Perm is math/rand.Perm.
func Perm(n int) []int {
	if r := local(); r != nil {
		return r.Perm(n)
	}
	return stdrand.Perm(n)
}

// Read is math/rand.Read.
func Read(p []byte) (n int, err error) {
	if r := local(); r != nil {
		return r.Read(p)
	}
	//lint:ignore SA1019 the drop-in keeps math/rand's API: code that calls Read gets the standard function
	return stdrand.Read(p)
}

// Shuffle is math/rand.Shuffle.
func Shuffle(n int, swap func(i, j int)) {
	if r := local(); r != nil {
		r.Shuffle(n, swap)
		return
	}
	stdrand.Shuffle(n, swap)
}

// Uint32 is math/rand.Uint32.
func Uint32() uint32 {
	if r := local(); r != nil {
		return r.Uint32()
	}
	return stdrand.Uint32()
}

// Uint64 is math/rand.Uint64.
func Uint64() uint64 {
	if r := local(); r != nil {
		return r.Uint64()
	}
	return stdrand.Uint64()
}
