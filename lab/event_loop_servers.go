package lab

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labludus/ludus/evloop"
	"github.com/labludus/ludus/pool"
)

// The event-loop and web-server experiments share one line protocol, served
// several ways: a request is one line, the reply one line. "ping" is
// answered "pong" at once; "work" computes for a while (a CPU-heavy
// request) and is answered "done".

// elServer is a running server of the line protocol.
type elServer struct {
	addr string
	stop func() error
}

// elWork is the CPU-heavy request's computation: it spins for d.
func elWork(d time.Duration) {
	end := time.Now().Add(d)
	for x := uint64(1); time.Now().Before(end); {
		for range 1000 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
		threadPoolSink.Add(x & 1)
	}
}

// elReply is the reply to one request line.
func elReply(line []byte, work time.Duration) []byte {
	if string(line) == "work" {
		elWork(work)
		return []byte("done\n")
	}
	return []byte("pong\n")
}

// elOffloadMode says where an event loop runs the "work" requests.
type elOffloadMode uint8

const (
	elInline  elOffloadMode = iota // in the callback: the loop stalls
	elOffload                      // on a pool, through evloop.Offload
)

func (m elOffloadMode) String() string {
	if m == elOffload {
		return "offloaded"
	}
	return "inline"
}

// elLoopHandler serves the protocol on a loop; "work" runs inline or on p.
func elLoopHandler(l func(*evloop.Conn) *evloop.Loop, work time.Duration, mode elOffloadMode, p *pool.Pool) evloop.Handler {
	return evloop.Handler{OnData: func(c *evloop.Conn, data []byte) {
		buf, _ := c.Context().([]byte)
		buf = append(buf, data...)
		for {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				break
			}
			line := buf[:i]
			if mode == elOffload && string(line) == "work" {
				evloop.Offload(l(c), p, func() ([]byte, error) { return elReply([]byte("work"), work), nil },
					func(reply []byte, err error) {
						if err == nil {
							_, _ = c.Write(reply)
						}
					})
			} else {
				_, _ = c.Write(elReply(line, work))
			}
			buf = buf[i+1:]
		}
		c.SetContext(append(buf[:0:0], buf...))
	}}
}

// startLoopServer serves the protocol with an evloop.Server of loops loops.
func startLoopServer(loops int, work time.Duration, mode elOffloadMode) (elServer, error) {
	var p *pool.Pool
	if mode == elOffload {
		p = pool.New(runtime.GOMAXPROCS(0))
	}
	h := elLoopHandler((*evloop.Conn).Loop, work, mode, p)
	s, err := evloop.NewServer("127.0.0.1:0", h, evloop.ServerOptions{Loops: loops})
	if err != nil {
		return elServer{}, err
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(context.Background()) }()
	return elServer{addr: s.Addr().String(), stop: func() error {
		err := s.Shutdown(context.Background())
		err = errors.Join(err, <-done)
		if p != nil {
			p.Close()
		}
		if st := s.Stats(); st.Panics > 0 {
			err = errors.Join(err, fmt.Errorf("%d callbacks panicked", st.Panics))
		}
		return err
	}}, nil
}

// serveLines answers requests on c until it closes.
func serveLines(c net.Conn, work time.Duration) {
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return
		}
		if _, err := c.Write(elReply(line[:len(line)-1], work)); err != nil {
			return
		}
	}
}

// startNetServer serves the protocol with package net: each accepted
// connection goes to handle (a goroutine of its own, or a pool task).
func startNetServer(work time.Duration, handle func(c net.Conn, serve func()) error, closeAll func()) (elServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return elServer{}, err
	}
	var mu sync.Mutex
	conns := map[net.Conn]struct{}{}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = struct{}{}
			mu.Unlock()
			serve := func() {
				defer func() {
					c.Close()
					mu.Lock()
					delete(conns, c)
					mu.Unlock()
				}()
				serveLines(c, work)
			}
			if handle(c, serve) != nil {
				c.Close()
			}
		}
	})
	return elServer{addr: ln.Addr().String(), stop: func() error {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
		if closeAll != nil {
			closeAll()
		}
		return nil
	}}, nil
}

// startGoroutineServer is the idiomatic Go server: a goroutine per
// connection.
func startGoroutineServer(work time.Duration) (elServer, error) {
	var wg sync.WaitGroup
	return startNetServer(work, func(_ net.Conn, serve func()) error {
		wg.Go(serve)
		return nil
	}, wg.Wait)
}

// startPoolServer is the thread-pool server: a fixed set of workers, each
// serving one connection at a time with blocking I/O; connections beyond
// the pool's size wait in its queue. peak, if not nil, records the most
// connections served at once.
func startPoolServer(work time.Duration, workers int, peak *atomic.Int64) (elServer, error) {
	p := pool.New(workers, pool.WithQueue(1<<16))
	var busy atomic.Int64
	return startNetServer(work, func(_ net.Conn, serve func()) error {
		return p.Go(func() {
			n := busy.Add(1)
			defer busy.Add(-1)
			for peak != nil {
				if old := peak.Load(); n <= old || peak.CompareAndSwap(old, n) {
					break
				}
			}
			serve()
		})
	}, p.Close)
}

// elPace is how often each ping client sends a request.
const elPace = time.Millisecond

// elLatencies runs clients ping clients against addr for d, each sending a
// request every elPace, and returns every request's latency in seconds,
// counted from the moment it was due to be sent: a request delayed because
// the previous reply came late is charged the delay, so a stalled server
// shows in the percentiles in proportion to the time it stalled (a
// closed-loop client would record one slow sample per stall and hide it).
// heavyEvery > 0 adds a client that sends a "work" request that often.
func elLatencies(ctx context.Context, addr string, clients int, d, heavyEvery time.Duration) ([]float64, error) {
	conns := make([]net.Conn, clients)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return nil, err
		}
		conns[i] = c
	}
	start := time.Now()
	end := start.Add(d)
	lat := make([][]float64, clients)
	errs := make([]error, clients+1)
	var wg sync.WaitGroup
	for i, c := range conns {
		// Spread the clients' schedules over one pace.
		first := start.Add(elPace * time.Duration(i) / time.Duration(clients))
		wg.Go(func() { lat[i], errs[i] = elPingLoop(ctx, c, first, end) })
	}
	if heavyEvery > 0 {
		wg.Go(func() { errs[clients] = elHeavyLoop(ctx, addr, end, heavyEvery) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slices.Concat(lat...), nil
}

func elPingLoop(ctx context.Context, c net.Conn, first, end time.Time) ([]float64, error) {
	_ = c.SetDeadline(end.Add(30 * time.Second))
	var out []float64
	buf := make([]byte, 5)
	for due := first; due.Before(end) && ctx.Err() == nil; due = due.Add(elPace) {
		time.Sleep(time.Until(due))
		if _, err := io.WriteString(c, "ping\n"); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			return nil, err
		}
		out = append(out, time.Since(due).Seconds())
	}
	return out, nil
}

func elHeavyLoop(ctx context.Context, addr string, end time.Time, every time.Duration) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(end.Add(30 * time.Second))
	buf := make([]byte, 5)
	for next := time.Now(); time.Now().Before(end) && ctx.Err() == nil; next = next.Add(every) {
		time.Sleep(time.Until(next))
		if _, err := io.WriteString(c, "work\n"); err != nil {
			return err
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			return err
		}
	}
	return nil
}

// percentile returns the p-th percentile (0..1) of xs (sorted in place).
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[min(len(xs)-1, int(p*float64(len(xs))))]
}

// liveHeap is the memory held for live objects and goroutine stacks, after
// a collection.
func liveHeap() float64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc + ms.StackInuse)
}

// elClientCost is the live memory of n idle client connections on their
// own: connected to a listener that never accepts (the kernel completes
// the handshakes in the backlog), so no server memory is in it.
func elClientCost(n int) (float64, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	base := liveHeap()
	conns, err := elDialAll(ln.Addr().String(), n)
	cost := liveHeap() - base
	elCloseAll(conns)
	return cost, err
}

func elDialAll(addr string, n int) ([]net.Conn, error) {
	conns := make([]net.Conn, 0, n)
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return conns, err
		}
		conns = append(conns, c)
	}
	return conns, nil
}

func elCloseAll(conns []net.Conn) {
	for _, c := range conns {
		c.Close()
	}
}

// elServeIdle connects n clients to s at once, sends a request on every
// one before reading any reply (n requests outstanding together), and
// returns how many were answered and the live memory per connection with
// all n open, less clientCost (the clients' own share).
func elServeIdle(s elServer, n int, clientCost float64) (served int, perConn float64, err error) {
	base := liveHeap()
	conns, err := elDialAll(s.addr, n)
	defer elCloseAll(conns)
	if err != nil {
		return 0, 0, err
	}
	for _, c := range conns {
		_ = c.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.WriteString(c, "ping\n"); err != nil {
			return served, 0, err
		}
	}
	buf := make([]byte, 5)
	for _, c := range conns {
		if _, err := io.ReadFull(c, buf); err == nil && string(buf) == "pong\n" {
			served++
		}
	}
	perConn = (liveHeap() - base - clientCost) / float64(n)
	return served, max(perConn, 0), nil
}
