package bench

import (
	"runtime"
	"testing"
)

// threadCPUMeter reports, as the metric cpu-ns/op, the CPU time the
// benchmark's own thread spent per iteration: the work an operation costs,
// which other processes on a shared machine disturb far less than the wall
// time they steal. Call it before the loop and its result after:
//
//	defer threadCPUMeter(b)()
//
// It pins the benchmark goroutine to its thread meanwhile, so it fits
// single-goroutine benchmarks only. Off Linux it reports nothing.
func threadCPUMeter(b *testing.B) func() {
	runtime.LockOSThread()
	start := threadCPUTime()
	return func() {
		defer runtime.UnlockOSThread()
		if end := threadCPUTime(); start >= 0 && end >= 0 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func TestThreadCPUMeter(t *testing.T) {
	if threadCPUTime() < 0 {
		t.Skip("thread CPU time is measured on Linux only")
	}
	r := testing.Benchmark(func(b *testing.B) {
		defer threadCPUMeter(b)()
		x := 0
		for i := range b.N * 1000 {
			x += i
		}
		sink = x
	})
	v := r.Extra["cpu-ns/op"]
	if v <= 0 || v > 10*float64(r.NsPerOp())+1e6 {
		t.Fatalf("cpu-ns/op = %v for %v ns/op", v, r.NsPerOp())
	}
}

var sink int
