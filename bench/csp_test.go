package bench

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/labludus/ludus/csp"
)

// handOrderedMap is the hand-written baseline: a feeder, a numbering
// dispatcher, a worker pool and a collector that reorders through a map
// before emitting. It has the same goroutines and channel hops as
// csp.OrderedMap but no cancellation, no error items and no memory bound.
func handOrderedMap(in []uint64, workers int, f func(uint64) uint64) []uint64 {
	type job struct {
		seq int
		v   uint64
	}
	src := make(chan uint64)
	go func() {
		for _, v := range in {
			src <- v
		}
		close(src)
	}()
	jobs := make(chan job, workers)
	go func() {
		seq := 0
		for v := range src {
			jobs <- job{seq, v}
			seq++
		}
		close(jobs)
	}()
	results := make(chan job, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				results <- job{j.seq, f(j.v)}
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	out := make(chan uint64)
	go func() {
		defer close(out)
		pending := map[int]uint64{}
		next := 0
		for r := range results {
			pending[r.seq] = r.v
			for {
				v, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				out <- v
				next++
			}
		}
	}()
	collected := make([]uint64, 0, len(in))
	for v := range out {
		collected = append(collected, v)
	}
	return collected
}

// work1us is about 0.7 µs of integer work: a small pipeline stage.
func work1us(x uint64) uint64 {
	for range 20 {
		x = work50(x + 1)
	}
	return x
}

// BenchmarkCSPOrderedMap streams 20k items of ~0.7 µs through GOMAXPROCS
// workers, in order, source to slice. Goal: ludus <= 1.2x hand-written.
func BenchmarkCSPOrderedMap(b *testing.B) {
	in := parInput(20_000)
	workers := runtime.GOMAXPROCS(0)
	b.Run("ludus", func(b *testing.B) {
		loopWithCPU(b, func() {
			ctx, cancel := context.WithCancel(context.Background())
			out := csp.OrderedMap(ctx, csp.FromSlice(ctx, in), workers,
				func(_ context.Context, x uint64) (uint64, error) { return work1us(x), nil })
			got, err := csp.Collect(ctx, out)
			cancel()
			if err != nil || len(got) != len(in) {
				b.Fatal(err, len(got))
			}
			parSink = got
		})
	})
	b.Run("handwritten", func(b *testing.B) {
		loopWithCPU(b, func() { parSink = handOrderedMap(in, workers, work1us) })
	})
}
