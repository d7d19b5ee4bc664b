package bench

import (
	"syscall"
	"testing"
	"time"

	conciter "github.com/sourcegraph/conc/iter"

	"github.com/labludus/ludus/par"
)

// work50 is the fine-grained item of the par goal ("~50 ns"): 32 ns of
// integer work on the project machine, finer than the goal asks.
func work50(x uint64) uint64 {
	for range 24 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// workHeavy is about 16 µs of integer work: a CPU-bound item.
func workHeavy(x uint64) uint64 {
	for range 400 {
		x = work50(x + 1)
	}
	return x
}

func parInput(n int) []uint64 {
	in := make([]uint64, n)
	for i := range in {
		in[i] = uint64(i) + 1
	}
	return in
}

var parSink []uint64

// BenchmarkParMapFine maps 1M items of ~32 ns each. conc/iter.Map claims
// one index per atomic add; par.Map claims ranges. Goal: ludus <= 0.5x conc.
func BenchmarkParMapFine(b *testing.B) {
	in := parInput(1_000_000)
	b.Run("ludus", func(b *testing.B) {
		loopWithCPU(b, func() { parSink = par.Map(in, work50) })
	})
	b.Run("conc", func(b *testing.B) {
		loopWithCPU(b, func() { parSink = conciter.Map(in, func(x *uint64) uint64 { return work50(*x) }) })
	})
	b.Run("sequential", func(b *testing.B) {
		loopWithCPU(b, func() {
			out := make([]uint64, len(in))
			for i, x := range in {
				out[i] = work50(x)
			}
			parSink = out
		})
	})
}

// BenchmarkParMapHeavy maps 1000 items of ~16 µs each (16 ms of work).
// Goal at -cpu 2: sequential / ludus >= 1.85.
func BenchmarkParMapHeavy(b *testing.B) {
	in := parInput(1000)
	b.Run("ludus", func(b *testing.B) {
		loopWithCPU(b, func() { parSink = par.Map(in, workHeavy) })
	})
	b.Run("conc", func(b *testing.B) {
		loopWithCPU(b, func() { parSink = conciter.Map(in, func(x *uint64) uint64 { return workHeavy(*x) }) })
	})
	b.Run("sequential", func(b *testing.B) {
		loopWithCPU(b, func() {
			out := make([]uint64, len(in))
			for i, x := range in {
				out[i] = workHeavy(x)
			}
			parSink = out
		})
	})
}

// processCPU returns the CPU time (user + system) the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loopWithCPU runs body b.N times and also reports the process CPU time
// per op (cpu-ns/op): on a machine other people load, CPU time per op moves
// less than wall time and shows what a library spends besides the work.
// The async, pool, par and csp benchmarks all use it, so that every one of
// them reports both figures. (That their -cpu 1 figures run at one P is
// TestMain's doing, see main_test.go.)
func loopWithCPU(b *testing.B, body func()) {
	b.ResetTimer()
	cpu0 := processCPU()
	for range b.N {
		body()
	}
	b.StopTimer()
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	}
}
