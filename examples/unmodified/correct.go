package unmodified

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Process runs work on every job with n workers until the jobs run out or
// ctx is cancelled, and returns how many jobs were done. Every worker has
// returned when it returns.
func Process(ctx context.Context, n int, jobs <-chan int, work func(int)) int {
	var done atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case j, ok := <-jobs:
					if !ok {
						return
					}
					work(j)
					done.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return int(done.Load())
}

// Count adds one from each of n goroutines with an atomic counter.
func Count(n int) int64 {
	var c atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Add(1)
		}()
	}
	wg.Wait()
	return c.Load()
}

// SlowAnswer answers after d.
func SlowAnswer(d time.Duration) <-chan int {
	ch := make(chan int, 1)
	go func() {
		time.Sleep(d)
		ch <- 42
	}()
	return ch
}

// AnswerWithin waits for SlowAnswer(work) at most timeout.
func AnswerWithin(work, timeout time.Duration) (int, bool) {
	select {
	case v := <-SlowAnswer(work):
		return v, true
	case <-time.After(timeout):
		return 0, false
	}
}
