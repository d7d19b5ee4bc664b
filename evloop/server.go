package evloop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
)

// ServerOptions configure a Server.
type ServerOptions struct {
	// Loops is the number of loops, each on its own goroutine with its own
	// listener on the same port (SO_REUSEPORT: the kernel spreads new
	// connections among them). Zero means runtime.GOMAXPROCS(0), one loop
	// per core.
	Loops int
	// Loop configures every loop.
	Loop Options
}

// Server serves one TCP address with several loops, each single-threaded:
// a connection lives on the loop that accepted it, and its callbacks never
// run concurrently with each other, but different connections' callbacks
// may, on different loops. Make one with NewServer, run it with Serve.
type Server struct {
	loops []*Loop
	lns   []*Listener
	addr  net.Addr
}

// NewServer binds addr (see Loop.Listen: an empty host is 127.0.0.1) with
// one listener per loop and serves every connection with h.
func NewServer(addr string, h Handler, opts ServerOptions) (*Server, error) {
	n := opts.Loops
	if n < 0 {
		return nil, fmt.Errorf("evloop: ServerOptions.Loops %d < 0", n)
	}
	if n == 0 {
		n = runtime.GOMAXPROCS(0)
	}
	s := &Server{}
	fail := func(err error) (*Server, error) {
		for _, l := range s.loops {
			_ = l.Shutdown(context.Background())
		}
		return nil, err
	}
	for i := range n {
		l, err := New(opts.Loop)
		if err != nil {
			return fail(err)
		}
		s.loops = append(s.loops, l)
		ln, err := l.listen(addr, h, n > 1)
		if err != nil {
			return fail(err)
		}
		if i == 0 {
			// Port 0: the others join the port the first one got.
			s.addr = ln.Addr()
			addr = s.addr.String()
		}
		s.lns = append(s.lns, ln)
	}
	return s, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.addr }

// Loops returns the server's loops, to Post to them or read their Stats.
func (s *Server) Loops() []*Loop { return s.loops }

// Serve runs every loop, each on its own goroutine, until Shutdown or ctx
// ends, and returns when all have stopped: nil after Shutdown, ctx's error
// when ctx ended.
func (s *Server) Serve(ctx context.Context) error {
	errs := make([]error, len(s.loops))
	var wg sync.WaitGroup
	for i, l := range s.loops {
		wg.Go(func() { errs[i] = l.Run(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Shutdown stops every loop (see Loop.Stop) and waits for them, or for ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	for _, l := range s.loops {
		l.Stop()
	}
	var errs []error
	for _, l := range s.loops {
		errs = append(errs, l.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// Stats returns the sum of the loops' counters.
func (s *Server) Stats() Stats {
	var sum Stats
	for _, l := range s.loops {
		sum = sum.add(l.Stats())
	}
	return sum
}
