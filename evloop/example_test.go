package evloop_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/labludus/ludus/async"
	"github.com/labludus/ludus/evloop"
	"github.com/labludus/ludus/pool"
)

// An echo server on one loop, and a client.
func Example() {
	l, err := evloop.New(evloop.Options{})
	if err != nil {
		panic(err)
	}
	ln, err := l.Listen("127.0.0.1:0", evloop.Handler{
		OnData: func(c *evloop.Conn, p []byte) { _, _ = c.Write(p) },
	})
	if err != nil {
		panic(err)
	}
	go func() { _ = l.Run(context.Background()) }()
	defer l.Shutdown(context.Background())

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	fmt.Fprintln(c, "hello, loop")
	reply, _ := bufio.NewReader(c).ReadString('\n')
	fmt.Print(reply)
	// Output: hello, loop
}

// Callbacks share state without locks: they never run at the same time.
func ExampleLoop_Post() {
	l, _ := evloop.New(evloop.Options{})
	counter := 0 // touched only on the loop
	done := make(chan struct{})
	for i := range 1000 {
		go l.Post(func() {
			counter++
			if counter == 1000 {
				close(done)
			}
			_ = i
		})
	}
	go l.Run(context.Background())
	<-done
	_ = l.Shutdown(context.Background())
	fmt.Println(counter)
	// Output: 1000
}

// Timers fire in deadline order on the loop.
func ExampleLoop_After() {
	l, _ := evloop.New(evloop.Options{})
	var order []string
	_ = l.Post(func() {
		l.After(20*time.Millisecond, func() { order = append(order, "second"); l.Stop() })
		l.After(10*time.Millisecond, func() { order = append(order, "first") })
		l.After(time.Hour, func() { order = append(order, "never") }).Stop()
	})
	_ = l.Run(context.Background())
	fmt.Println(strings.Join(order, ", "))
	// Output: first, second
}

// CPU-heavy work goes to a pool; its result comes back on the loop.
func ExampleOffload() {
	l, _ := evloop.New(evloop.Options{})
	p := pool.New(2)
	defer p.Close()
	_ = l.Post(func() {
		evloop.Offload(l, p, func() (int, error) {
			sum := 0
			for i := range 1_000_000 {
				sum += i % 7
			}
			return sum, nil
		}, func(sum int, err error) {
			fmt.Println("back on the loop:", sum, err)
			l.Stop()
		})
	})
	_ = l.Run(context.Background())
	// Output: back on the loop: 2999997 <nil>
}

// Then chains a loop callback after a future and gives a future back.
func ExampleThen() {
	l, _ := evloop.New(evloop.Options{})
	go l.Run(context.Background())
	defer l.Shutdown(context.Background())
	ctx := context.Background()
	user := async.Go(ctx, func(context.Context) (string, error) { return "ada", nil })
	greeting := evloop.Then(l, user, func(name string, err error) (string, error) {
		return "hello, " + name, err // runs on the loop
	})
	fmt.Println(greeting.Await(ctx))
	// Output: hello, ada <nil>
}

// A server with one loop per core on one port.
func ExampleNewServer() {
	s, err := evloop.NewServer("127.0.0.1:0", evloop.Handler{
		OnData: func(c *evloop.Conn, p []byte) { _, _ = c.Write([]byte(strings.ToUpper(string(p)))) },
	}, evloop.ServerOptions{Loops: 2})
	if err != nil {
		panic(err)
	}
	go s.Serve(context.Background())
	defer s.Shutdown(context.Background())
	c, _ := net.Dial("tcp", s.Addr().String())
	defer c.Close()
	fmt.Fprintln(c, "shout")
	reply, _ := bufio.NewReader(c).ReadString('\n')
	fmt.Print(reply)
	// Output: SHOUT
}
