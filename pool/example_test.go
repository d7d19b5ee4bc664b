package pool_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/labludus/ludus/async"
	"github.com/labludus/ludus/pool"
)

// A million tasks, eight goroutines: the guide's "use thread pools".
func Example() {
	p := pool.New(8)
	var sum atomic.Int64
	for i := range 1_000_000 {
		_ = p.Go(func() { sum.Add(int64(i % 3)) })
	}
	p.Close() // waits for every accepted task
	fmt.Println(sum.Load())
	// Output: 999999
}

func ExampleNew() {
	p := pool.New(4, pool.WithQueue(100), pool.WithIdleTimeout(time.Minute))
	defer p.Close()
	fmt.Println(p.Stats().Capacity)
	// Output: 4
}

func ExamplePool_Go() {
	p := pool.New(2)
	var n atomic.Int64
	for range 10 {
		if err := p.Go(func() { n.Add(1) }); err != nil {
			fmt.Println(err)
		}
	}
	p.Close()
	fmt.Println(n.Load(), p.Go(func() {}))
	// Output: 10 pool: closed
}

func ExamplePool_GoCtx() {
	p := pool.New(1, pool.WithQueue(0))
	defer p.Close()
	release := make(chan struct{})
	_ = p.Go(func() { <-release }) // the only worker is busy
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	err := p.GoCtx(ctx, func() {}) // no room: gives up when ctx ends
	fmt.Println(err)
	close(release)
	// Output: context deadline exceeded
}

func ExampleSubmit() {
	p := pool.New(4)
	defer p.Close()
	ctx := context.Background()
	var fs []*async.Future[int]
	for i := 1; i <= 5; i++ {
		fs = append(fs, pool.Submit(ctx, p, func(context.Context) (int, error) { return i * i, nil }))
	}
	squares, err := async.All(ctx, fs...)
	fmt.Println(squares, err)
	// Output: [1 4 9 16 25] <nil>
}

func ExamplePool_Group() {
	p := pool.New(4)
	defer p.Close()
	g := p.Group(context.Background())
	for i := range 5 {
		g.Go(func(ctx context.Context) error {
			if i == 3 {
				return errors.New("item 3 is bad")
			}
			return nil
		})
	}
	fmt.Println(g.Wait())
	// Output: item 3 is bad
}

func ExampleGroup_Go() {
	p := pool.New(2)
	defer p.Close()
	g := p.Group(context.Background())
	var n atomic.Int64
	for range 3 {
		g.Go(func(context.Context) error { n.Add(1); return nil })
	}
	fmt.Println(g.Wait(), n.Load())
	// Output: <nil> 3
}

func ExampleGroup_Wait() {
	p := pool.New(2)
	defer p.Close()
	g := p.Group(context.Background())
	g.Go(func(ctx context.Context) error { panic("bad input") })
	err := g.Wait()
	var pe *async.PanicError
	fmt.Println(errors.As(err, &pe), pe.Value)
	// Output: true bad input
}

func ExampleWithNonBlocking() {
	p := pool.New(1, pool.WithQueue(0), pool.WithNonBlocking())
	defer p.Close()
	release := make(chan struct{})
	_ = p.Go(func() { <-release })
	fmt.Println(p.Go(func() {}))
	close(release)
	// Output: pool: full
}

func ExampleWithQueue() {
	// With no queue, Go returns only once a worker is free for the task.
	p := pool.New(2, pool.WithQueue(0))
	var n atomic.Int64
	for range 4 {
		_ = p.Go(func() { n.Add(1) })
	}
	p.Close()
	fmt.Println(n.Load(), p.Stats().Queued)
	// Output: 4 0
}

func ExampleWithIdleTimeout() {
	p := pool.New(4, pool.WithIdleTimeout(time.Millisecond))
	defer p.Close()
	_ = p.Go(func() {})
	for p.Stats().Workers > 0 { // the idle worker leaves
		time.Sleep(time.Millisecond)
	}
	_ = p.Go(func() {}) // and the pool grows back on demand
	fmt.Println("ok")
	// Output: ok
}

func ExampleWithPanicHandler() {
	p := pool.New(1, pool.WithPanicHandler(func(v any) { fmt.Println("recovered:", v) }))
	_ = p.Go(func() { panic("oops") })
	_ = p.Go(func() { fmt.Println("the worker lives on") })
	p.Close()
	// Output:
	// recovered: oops
	// the worker lives on
}

func ExamplePool_Resize() {
	p := pool.New(2)
	defer p.Close()
	p.Resize(16)
	fmt.Println(p.Stats().Capacity)
	// Output: 16
}

func ExamplePool_Stats() {
	p := pool.New(3)
	for range 10 {
		_ = p.Go(func() {})
	}
	p.Close()
	s := p.Stats()
	fmt.Println(s.Submitted, s.Completed, s.Succeeded, s.Running, s.Workers)
	// Output: 10 10 10 0 0
}

func ExamplePool_Close() {
	p := pool.New(1)
	var done atomic.Bool
	_ = p.Go(func() { time.Sleep(time.Millisecond); done.Store(true) })
	p.Close() // returns after the queued task ran
	fmt.Println(done.Load())
	// Output: true
}

func ExamplePool_Shutdown() {
	p := pool.New(1)
	release := make(chan struct{})
	_ = p.Go(func() { <-release })
	_ = p.Go(func() {})
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	err := p.Shutdown(ctx)
	var se *pool.ShutdownError
	fmt.Println(errors.As(err, &se), se.Unfinished)
	close(release)
	p.Close() // the two tasks still run to completion
	fmt.Println(p.Stats().Completed)
	// Output:
	// true 2
	// 2
}

// A task that starts a group on its own pool, from the context it was
// given, never waits for a worker it holds: here the pool's only worker
// runs the inner tasks itself.
func ExamplePool_Group_nested() {
	p := pool.New(1, pool.WithQueue(0))
	defer p.Close()
	sum, err := pool.Submit(context.Background(), p, func(ctx context.Context) (int64, error) {
		var sum atomic.Int64
		g := p.Group(ctx) // ctx marks this goroutine as a worker of p
		for i := range 4 {
			g.Go(func(context.Context) error { sum.Add(int64(i)); return nil })
		}
		return sum.Load(), g.Wait()
	}).Await(context.Background())
	fmt.Println(sum, err)
	// Output: 6 <nil>
}

// In AllErrors mode every task runs and Wait joins their errors in the
// order the tasks were given.
func ExampleGroup_SetErrorMode() {
	p := pool.New(4)
	defer p.Close()
	g := p.Group(context.Background())
	g.SetErrorMode(pool.AllErrors)
	for _, name := range []string{"a.txt", "b.txt", "c.txt"} {
		g.Go(func(context.Context) error {
			if name != "b.txt" {
				return fmt.Errorf("%s: not found", name)
			}
			return nil
		})
	}
	fmt.Println(g.Wait())
	// Output:
	// a.txt: not found
	// c.txt: not found
}

func ExampleGroup_TryGo() {
	p := pool.New(1, pool.WithQueue(0))
	defer p.Close()
	g := p.Group(context.Background())
	release := make(chan struct{})
	fmt.Println(g.TryGo(func(context.Context) error { <-release; return nil }))
	fmt.Println(g.TryGo(func(context.Context) error { return nil })) // the worker is busy
	close(release)
	fmt.Println(g.Wait())
	// Output:
	// true
	// false
	// <nil>
}

// The zero Group needs no pool: each task gets a goroutine, as with
// errgroup. It can be used again after Wait.
func ExampleGroup() {
	var g pool.Group
	var n atomic.Int64
	for range 3 {
		g.Go(func(context.Context) error { n.Add(1); return nil })
	}
	fmt.Println(g.Wait(), n.Load())
	g.Go(func(context.Context) error { n.Add(1); return nil })
	fmt.Println(g.Wait(), n.Load())
	// Output:
	// <nil> 3
	// <nil> 4
}

// When the pool's context ends, queued tasks are skipped and counted, and
// the pool takes no more.
func ExampleWithContext() {
	ctx, cancel := context.WithCancel(context.Background())
	p := pool.New(1, pool.WithContext(ctx))
	started, release := make(chan struct{}), make(chan struct{})
	_ = p.Go(func() { close(started); <-release })
	_ = p.Go(func() { fmt.Println("never runs") })
	<-started
	cancel()
	close(release)
	p.Close()
	s := p.Stats()
	fmt.Println(s.Succeeded, s.Cancelled, p.Go(func() {}))
	// Output: 1 1 pool: closed
}
