package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"testing"

	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"

	"github.com/labludus/ludus/evloop"
)

// An echo server three ways: ludus's evloop (N loops on one port), gnet v2
// (N event loops) and package net with a goroutine per connection (Go's
// own event loop, the netpoller, hidden under goroutines). Each start
// function returns the address and a stop function that waits for the
// server to be gone.

// echoServer is one peer: a name and how to start it with n loops.
type echoServer struct {
	name  string
	loops bool // whether the loop count means anything to it
	start func(tb testing.TB, loops int) (addr string, stop func())
}

var echoServers = []echoServer{
	{"ludus", true, startLudusEcho},
	{"gnet", true, startGnetEcho},
	{"net", false, startNetEcho},
}

func startLudusEcho(tb testing.TB, loops int) (string, func()) {
	s, err := evloop.NewServer("127.0.0.1:0", evloop.Handler{
		OnData: func(c *evloop.Conn, p []byte) { _, _ = c.Write(p) },
	}, evloop.ServerOptions{Loops: loops})
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- s.Serve(context.Background()) }()
	return s.Addr().String(), func() {
		if err := s.Shutdown(context.Background()); err != nil {
			tb.Error(err)
		}
		if err := <-done; err != nil {
			tb.Error(err)
		}
	}
}

type gnetEcho struct {
	gnet.BuiltinEventEngine
	booted chan gnet.Engine
}

func (g *gnetEcho) OnBoot(eng gnet.Engine) gnet.Action { g.booted <- eng; return gnet.None }

func (g *gnetEcho) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Next(-1)
	_, _ = c.Write(buf)
	return gnet.None
}

// quietLogger keeps gnet's start-up banner out of the benchmark output
// (where it splits result lines); gnet's errors still fail the benchmark
// through Run's error.
type quietLogger struct{}

func (quietLogger) Debugf(string, ...any) {}
func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Fatalf(string, ...any) {}

// freePort finds a loopback port to give gnet, which takes an address, not
// a listener.
func freePort(tb testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func startGnetEcho(tb testing.TB, loops int) (string, func()) {
	addr := freePort(tb)
	h := &gnetEcho{booted: make(chan gnet.Engine, 1)}
	done := make(chan error, 1)
	go func() {
		done <- gnet.Run(h, "tcp://"+addr,
			gnet.WithMulticore(loops > 1), gnet.WithNumEventLoop(loops), gnet.WithReusePort(loops > 1),
			gnet.WithLogger(quietLogger{}))
	}()
	var eng gnet.Engine
	select {
	case eng = <-h.booted:
	case err := <-done:
		tb.Fatalf("gnet: %v", err)
	}
	return addr, func() {
		if err := eng.Stop(context.Background()); err != nil {
			tb.Error(err)
		}
		if err := <-done; err != nil {
			tb.Error(err)
		}
	}
}

// startNetEcho is the idiomatic Go server: a goroutine per connection
// reading into its own 4 KiB buffer (the size of bufio's default).
func startNetEcho(tb testing.TB, _ int) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]struct{}{}
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = struct{}{}
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					if _, err := c.Write(buf[:n]); err != nil {
						return
					}
				}
			})
		}
	})
	return ln.Addr().String(), func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}
}

// echoClients is the load: conns connections, each a goroutine doing
// round trips of one msg-byte message, n round trips in all.
func echoClients(b *testing.B, addr string, conns, msg, n int) {
	cs := make([]net.Conn, conns)
	for i := range cs {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		cs[i] = c
	}
	defer func() {
		for _, c := range cs {
			c.Close()
		}
	}()
	b.ResetTimer()
	cpu0, sw0 := processCPU(), contextSwitches(b)
	var wg sync.WaitGroup
	for i, c := range cs {
		share := n / conns
		if i < n%conns {
			share++
		}
		wg.Go(func() {
			out, in := make([]byte, msg), make([]byte, msg)
			for range share {
				if _, err := c.Write(out); err != nil {
					b.Error(err)
					return
				}
				if _, err := io.ReadFull(c, in); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	// CPU time per round trip, clients included (they are the same for
	// every server): less sensitive than wall time to other processes'
	// load on a shared machine.
	b.ReportMetric(float64(processCPU()-cpu0)/float64(n), "cpu-ns/op")
	// Context switches per round trip (voluntary and not): a thread that
	// sleeps in a system call and is woken costs one.
	b.ReportMetric(float64(contextSwitches(b)-sw0)/float64(n), "ctxsw/op")
}

// contextSwitches is the process's context switches so far.
func contextSwitches(tb testing.TB) int64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return ru.Nvcsw + ru.Nivcsw
}

// BenchmarkEvloopEcho: echo round trips of 1 KiB on 64 loopback
// connections, client and server in this process, with 1 and 2 server
// loops. Goal: ludus >= gnet and >= net in throughput. The peers run one
// after the other inside each repetition, so -count interleaves them.
func BenchmarkEvloopEcho(b *testing.B) {
	const conns, msg = 64, 1024
	for _, loops := range []int{1, 2} {
		for _, s := range echoServers {
			b.Run(fmt.Sprintf("loops=%d/%s", loops, s.name), func(b *testing.B) {
				addr, stop := s.start(b, loops)
				defer stop()
				b.SetBytes(2 * msg) // each round trip moves msg each way
				echoClients(b, addr, conns, msg, b.N)
			})
		}
	}
}

// raiseNoFile lifts RLIMIT_NOFILE (the soft limit up to the hard one, and
// the hard one too where the process may) so that conns connections fit,
// and returns how many may be opened.
func raiseNoFile(tb testing.TB, conns int) int {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		tb.Fatal(err)
	}
	need := uint64(conns + 256)
	if lim.Cur < need {
		want := unix.Rlimit{Cur: need, Max: max(need, lim.Max)}
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &want); err != nil {
			want = unix.Rlimit{Cur: lim.Max, Max: lim.Max}
			_ = unix.Setrlimit(unix.RLIMIT_NOFILE, &want)
		}
		_ = unix.Getrlimit(unix.RLIMIT_NOFILE, &lim)
	}
	if got := int(lim.Cur) - 256; got < conns {
		tb.Logf("RLIMIT_NOFILE %d: %d connections instead of %d", lim.Cur, got, conns)
		return got
	}
	return conns
}

// liveBytes is the memory the Go runtime holds for live objects and
// goroutine stacks, after a collection.
func liveBytes() float64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc + ms.StackInuse)
}

// idleClients starts a child process (this test binary, see
// evloop_helpers_test.go) that opens n connections to addr, does a 1-byte
// round trip on each so that the server has really served it, and keeps
// them open until the returned function is called. The clients live in
// another process so that the server's memory and descriptors are its own.
func idleClients(tb testing.TB, addr string, n int) (closeClients func()) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%d", idleClientsEnv, addr, n))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		tb.Fatalf("idle clients: %q %v", line, err)
	}
	return func() {
		stdin.Close() // the child closes its connections and exits
		if err := cmd.Wait(); err != nil {
			tb.Error(err)
		}
	}
}

// BenchmarkEvloopIdleConns: live memory per idle connection with 10,000
// connections open, each having done one round trip, one server loop.
// Goal: ludus <= gnet and <= 0.25x net. Reported as B/conn; run it with
// -benchtime 1x (each iteration opens and closes every connection). The
// clients run in a child process.
func BenchmarkEvloopIdleConns(b *testing.B) {
	n := raiseNoFile(b, 10_000)
	for _, s := range echoServers {
		b.Run(s.name, func(b *testing.B) {
			var perConn float64
			for range b.N {
				addr, stop := s.start(b, 1)
				base := liveBytes()
				closeClients := idleClients(b, addr, n)
				perConn += (liveBytes() - base) / float64(n)
				closeClients()
				stop()
			}
			b.ReportMetric(perConn/float64(b.N), "B/conn")
			b.ReportMetric(float64(n), "conns")
		})
	}
}
