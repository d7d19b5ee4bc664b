package bench

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/labludus/ludus/lockfree"
	"github.com/puzpuzpuz/xsync/v4"
)

// The lockfree benchmarks compare lockfree.Ring (blocking Push/Pop, and
// TryPush/TryPop with a yield loop) with a buffered channel and xsync v4's
// MPMCQueue (which only has TryEnqueue/TryDequeue, so it gets the same
// yield loop), all of capacity 1024, with one producer and one consumer
// goroutine per P; ns/op is per element transferred. lockfree.Counter is
// compared with xsync.Counter and atomic.Int64 under b.RunParallel.

const ringCap = 1024

// pairs runs GOMAXPROCS producer/consumer pairs moving n elements in all.
func pairs(b *testing.B, push func(int), pop func() int) {
	p := runtime.GOMAXPROCS(0)
	n := b.N
	b.ResetTimer()
	var wg sync.WaitGroup
	for i := range p {
		share := n / p
		if i == 0 {
			share += n % p
		}
		wg.Go(func() {
			for j := range share {
				push(j + 1)
			}
		})
		wg.Go(func() {
			for range share {
				if pop() == 0 {
					b.Error("popped a zero value")
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkRingPairs(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		r, _ := lockfree.NewRing[int](ringCap)
		ctx := context.Background()
		pairs(b, func(v int) { _ = r.Push(ctx, v) }, func() int { v, _ := r.Pop(ctx); return v })
	})
	b.Run("ludus-try", func(b *testing.B) {
		r, _ := lockfree.NewRing[int](ringCap)
		pairs(b, func(v int) {
			for !r.TryPush(v) {
				runtime.Gosched()
			}
		}, func() int {
			for {
				if v, ok := r.TryPop(); ok {
					return v
				}
				runtime.Gosched()
			}
		})
	})
	b.Run("xsync", func(b *testing.B) {
		q := xsync.NewMPMCQueue[int](ringCap)
		pairs(b, func(v int) {
			for !q.TryEnqueue(v) {
				runtime.Gosched()
			}
		}, func() int {
			for {
				if v, ok := q.TryDequeue(); ok {
					return v
				}
				runtime.Gosched()
			}
		})
	})
	b.Run("chan", func(b *testing.B) {
		ch := make(chan int, ringCap)
		pairs(b, func(v int) { ch <- v }, func() int { return <-ch })
	})
}

// BenchmarkRingTryUncontended: one goroutine, push then pop, no waiting.
func BenchmarkRingTryUncontended(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		r, _ := lockfree.NewRing[int](ringCap)
		for b.Loop() {
			r.TryPush(1)
			r.TryPop()
		}
	})
	b.Run("xsync", func(b *testing.B) {
		q := xsync.NewMPMCQueue[int](ringCap)
		for b.Loop() {
			q.TryEnqueue(1)
			q.TryDequeue()
		}
	})
	b.Run("chan", func(b *testing.B) {
		ch := make(chan int, ringCap)
		for b.Loop() {
			select {
			case ch <- 1:
			default:
			}
			select {
			case <-ch:
			default:
			}
		}
	})
}

func BenchmarkCounterAdd(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		var c lockfree.Counter
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Inc()
			}
		})
		if c.Load() != int64(b.N) {
			b.Fatalf("count %d, want %d", c.Load(), b.N)
		}
	})
	b.Run("xsync", func(b *testing.B) {
		c := xsync.NewCounter()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Inc()
			}
		})
	})
	b.Run("atomic", func(b *testing.B) {
		var c atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Add(1)
			}
		})
	})
}

func BenchmarkStackQueue(b *testing.B) {
	b.Run("stack", func(b *testing.B) {
		var s lockfree.Stack[int]
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.Push(1)
				s.Pop()
			}
		})
	})
	b.Run("queue", func(b *testing.B) {
		var q lockfree.Queue[int]
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				q.Enqueue(1)
				q.Dequeue()
			}
		})
	})
	b.Run("mutex-slice", func(b *testing.B) {
		var mu sync.Mutex
		var s []int
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.Lock()
				s = append(s, 1)
				mu.Unlock()
				mu.Lock()
				s = s[:len(s)-1]
				mu.Unlock()
			}
		})
	})
}
