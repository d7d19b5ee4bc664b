package lockfree_test

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/labludus/ludus/lockfree"
)

func ExampleStack() {
	var s lockfree.Stack[string]
	s.Push("a")
	s.Push("b")
	top, _ := s.Peek()
	fmt.Println("top:", top)
	for !s.Empty() {
		v, _ := s.Pop()
		fmt.Println(v)
	}
	// Output:
	// top: b
	// b
	// a
}

func ExampleQueue() {
	var q lockfree.Queue[int]
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() { q.Enqueue(i) })
	}
	wg.Wait()
	sum := 0
	for {
		v, ok := q.Dequeue()
		if !ok {
			break
		}
		sum += v
	}
	fmt.Println(sum, q.Empty())
	// Output: 6 true
}

func ExampleRing() {
	r, err := lockfree.NewRing[int](2)
	if err != nil {
		panic(err)
	}
	fmt.Println(r.TryPush(1), r.TryPush(2), r.TryPush(3)) // the third does not fit
	v, ok := r.TryPop()
	fmt.Println(v, ok, r.Len(), r.Cap())
	// Output:
	// true true false
	// 1 true 1 2
}

func ExampleRing_Pop() {
	r, _ := lockfree.NewRing[string](8)
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			msg, err := r.Pop(ctx) // parks while the ring is empty
			if err != nil || msg == "stop" {
				return
			}
			fmt.Println("got", msg)
		}
	}()
	for _, m := range []string{"hello", "world", "stop"} {
		if err := r.Push(ctx, m); err != nil { // parks while the ring is full
			fmt.Println(err)
		}
	}
	<-done
	// Output:
	// got hello
	// got world
}

func ExampleRing_Close() {
	jobs, _ := lockfree.NewRing[string](4)
	ctx := context.Background()
	done := make(chan struct{})
	go func() { // a worker: parks while the ring is empty, stops once it is closed and drained
		defer close(done)
		for {
			job, err := jobs.Pop(ctx)
			if errors.Is(err, lockfree.ErrClosed) {
				fmt.Println("worker: no more jobs")
				return
			}
			fmt.Println("worker:", job)
		}
	}()
	_ = jobs.Push(ctx, "a")
	_ = jobs.Push(ctx, "b")
	jobs.Close() // the values already in the ring are still delivered
	err := jobs.Push(ctx, "c")
	<-done
	fmt.Println("push after close:", err)
	// Output:
	// worker: a
	// worker: b
	// worker: no more jobs
	// push after close: lockfree: ring closed
}

func ExampleRing_Push() {
	r, _ := lockfree.NewRing[int](1)
	r.TryPush(1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fmt.Println(r.Push(ctx, 2)) // full, and the context is over
	// Output: context canceled
}

func ExampleNewRing() {
	_, err := lockfree.NewRing[int](0)
	fmt.Println(err)
	r, _ := lockfree.NewRing[int](1000)
	fmt.Println(r.Cap())
	// Output:
	// lockfree: invalid ring capacity: 0 (want 1 to 2^40)
	// 1024
}

func ExampleCounter() {
	var hits lockfree.Counter
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				hits.Inc()
			}
		})
	}
	wg.Wait()
	hits.Add(-8)
	fmt.Println(hits.Load())
	// Output: 7992
}

func ExampleStack_Push() {
	var s lockfree.Stack[int]
	s.Push(1)
	s.Push(2)
	v, _ := s.Peek()
	fmt.Println(v)
	// Output: 2
}

func ExampleStack_Pop() {
	var s lockfree.Stack[string]
	s.Push("x")
	v, ok := s.Pop()
	fmt.Println(v, ok)
	_, ok = s.Pop()
	fmt.Println(ok)
	// Output:
	// x true
	// false
}

func ExampleStack_Peek() {
	var s lockfree.Stack[int]
	_, ok := s.Peek()
	s.Push(5)
	v, _ := s.Peek()
	fmt.Println(ok, v, s.Empty())
	// Output: false 5 false
}

func ExampleStack_Empty() {
	var s lockfree.Stack[int]
	fmt.Println(s.Empty())
	// Output: true
}

func ExampleQueue_Enqueue() {
	var q lockfree.Queue[string]
	q.Enqueue("first")
	q.Enqueue("second")
	v, _ := q.Dequeue()
	fmt.Println(v)
	// Output: first
}

func ExampleQueue_Dequeue() {
	var q lockfree.Queue[int]
	_, ok := q.Dequeue()
	fmt.Println(ok)
	// Output: false
}

func ExampleQueue_Empty() {
	var q lockfree.Queue[int]
	q.Enqueue(1)
	fmt.Println(q.Empty())
	// Output: false
}

func ExampleRing_TryPush() {
	r, _ := lockfree.NewRing[int](1)
	fmt.Println(r.TryPush(1), r.TryPush(2))
	// Output: true false
}

func ExampleRing_TryPop() {
	r, _ := lockfree.NewRing[int](4)
	_, ok := r.TryPop()
	r.TryPush(9)
	v, ok2 := r.TryPop()
	fmt.Println(ok, v, ok2)
	// Output: false 9 true
}

func ExampleRing_Len() {
	r, _ := lockfree.NewRing[int](8)
	r.TryPush(1)
	r.TryPush(2)
	fmt.Println(r.Len())
	// Output: 2
}

func ExampleRing_Cap() {
	r, _ := lockfree.NewRing[int](5)
	fmt.Println(r.Cap()) // rounded up to a power of two
	// Output: 8
}

func ExampleCounter_Add() {
	var c lockfree.Counter
	c.Add(10)
	c.Add(-3)
	fmt.Println(c.Load())
	// Output: 7
}

func ExampleCounter_Inc() {
	var c lockfree.Counter
	c.Inc()
	c.Inc()
	fmt.Println(c.Load())
	// Output: 2
}

func ExampleCounter_Dec() {
	var c lockfree.Counter
	c.Dec()
	fmt.Println(c.Load())
	// Output: -1
}

func ExampleCounter_Load() {
	var requests lockfree.Counter
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(requests.Inc)
	}
	wg.Wait()
	fmt.Println(requests.Load())
	// Output: 4
}
