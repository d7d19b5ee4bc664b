package evloop_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"

	"github.com/labludus/ludus/evloop"
	"github.com/labludus/ludus/pool"
)

// fib is the README's CPU-heavy work.
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

// The README's evloop snippet (the body of readmeEvloop), run.
func Example_readme() {
	if err := readmeEvloop(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// HELLO, LOOP
	// fib(30) = 832040 after 1 request
}

func readmeEvloop(ctx context.Context) error {
	l, err := evloop.New(evloop.Options{}) // epoll on Linux
	if err != nil {
		return err
	}
	served := 0 // owned by the loop: callbacks never overlap, so no lock
	ln, err := l.Listen("127.0.0.1:0", evloop.Handler{
		OnData: func(c *evloop.Conn, p []byte) {
			served++
			c.Write(bytes.ToUpper(p)) // never blocks; a peer that stops reading stops being read
		},
	})
	if err != nil {
		return err
	}
	go l.Run(ctx)
	defer l.Shutdown(ctx) // flushes what was written, then closes

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintln(c, "hello, loop")
	reply, _ := bufio.NewReader(c).ReadString('\n')
	fmt.Print(reply)

	p := pool.New(2) // CPU-heavy work goes to a pool, not the loop
	defer p.Close()
	done := make(chan struct{})
	l.Post(func() { // from any goroutine: the one door into the loop
		evloop.Offload(l, p, func() (int, error) { return fib(30), nil }, func(n int, err error) {
			fmt.Println("fib(30) =", n, "after", served, "request") // back on the loop
			close(done)
		})
	})
	<-done
	return nil
}
