// Command stdlib uses the packages the rewriter swaps for the runtime's
// drop-ins: sync, sync/atomic, time, context, math/rand, math/rand/v2.
package main

import (
	"context"
	"fmt"
	"math/rand"
	randv2 "math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	var n atomic.Int64
	var old int32
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.Add(2)
			atomic.AddInt32(&old, 1)
		}()
	}
	wg.Wait()
	fmt.Println("atomics:", n.Load(), atomic.LoadInt32(&old))

	var rw sync.RWMutex
	rw.RLock()
	rw.RUnlock()
	var once sync.Once
	for i := 0; i < 3; i++ {
		once.Do(func() { fmt.Println("once") })
	}
	var m sync.Map
	m.Store("k", 1)
	v, _ := m.Load("k")
	fmt.Println("sync.Map:", v)
	cond := sync.NewCond(&sync.Mutex{})
	ready := false
	go func() {
		cond.L.Lock()
		ready = true
		cond.L.Unlock()
		cond.Broadcast()
	}()
	cond.L.Lock()
	for !ready {
		cond.Wait()
	}
	cond.L.Unlock()
	fmt.Println("cond: ready")

	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	select {
	case <-ctx.Done():
		fmt.Println("not expected")
	case <-time.After(time.Millisecond):
		fmt.Println("timer before the deadline")
	}
	ctx2, cancel2 := context.WithCancel(ctx)
	cancel2()
	<-ctx2.Done()
	fmt.Println("context:", ctx2.Err())
	d := 3 * time.Millisecond
	start := time.Now()
	time.Sleep(d)
	fmt.Println("slept at least d:", time.Since(start) >= d)
	t := time.NewTimer(time.Hour)
	fmt.Println("stopped:", t.Stop())

	r := rand.New(rand.NewSource(42))
	fmt.Println("seeded math/rand:", r.Intn(1000), r.Intn(1000))
	r2 := randv2.New(randv2.NewPCG(1, 2))
	fmt.Println("seeded math/rand/v2:", r2.IntN(1000))
	fmt.Println("top-level in range:", rand.Intn(10) < 10, randv2.IntN(10) < 10)
}
