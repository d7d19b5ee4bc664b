package evloop

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labludus/ludus/panics"
)

// echo is a Handler that writes back what it reads.
var echo = Handler{OnData: func(c *Conn, p []byte) { _, _ = c.Write(p) }}

// listen starts a loop serving h on 127.0.0.1:0 and returns it and the address.
func listen(t *testing.T, opts Options, h Handler) (*Loop, string) {
	t.Helper()
	l := running(t, opts)
	ln, err := l.Listen("127.0.0.1:0", h)
	if err != nil {
		t.Fatal(err)
	}
	return l, ln.Addr().String()
}

// clients runs n concurrent clients, each with its own connection.
func clients(t *testing.T, addr string, n int, client func(i int, c net.Conn) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			c, err := net.DialTimeout("tcp", addr, 10*time.Second)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			if err := client(i, c); err != nil {
				errs <- fmt.Errorf("client %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestEcho1000: a thousand concurrent clients, each served its own bytes
// back, several rounds each.
func TestEcho1000(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		l, addr := listen(t, Options{Backend: b}, echo)
		var served atomic.Int64
		clients(t, addr, 1000, func(i int, c net.Conn) error {
			buf := make([]byte, 64)
			for round := range 3 {
				msg := fmt.Appendf(nil, "client %d round %d %s", i, round, strings.Repeat("x", i%40))
				if _, err := c.Write(msg); err != nil {
					return err
				}
				if _, err := io.ReadFull(c, buf[:len(msg)]); err != nil {
					return err
				}
				if !bytes.Equal(buf[:len(msg)], msg) {
					return fmt.Errorf("got %q, want %q", buf[:len(msg)], msg)
				}
			}
			served.Add(1)
			return nil
		})
		if served.Load() != 1000 {
			t.Fatalf("served %d of 1000", served.Load())
		}
		eventually(t, "every connection closed", func() bool { return l.Stats().Conns == 0 })
		if s := l.Stats(); s.Accepted != 1000 || s.Closed != 1000 {
			t.Errorf("stats %+v", s)
		}
	})
}

// lineHandler is a line protocol: each line "x" is answered "X\n" (upper
// case); a line "QUIT" closes the connection after its reply.
func lineHandler() Handler {
	return Handler{
		OnData: func(c *Conn, p []byte) {
			buf, _ := c.Context().([]byte)
			buf = append(buf, p...)
			for {
				i := bytes.IndexByte(buf, '\n')
				if i < 0 {
					break
				}
				line := buf[:i]
				_, _ = c.Write(append(bytes.ToUpper(line), '\n'))
				if string(line) == "quit" {
					c.Close()
				}
				buf = buf[i+1:]
			}
			c.SetContext(append([]byte(nil), buf...))
		},
	}
}

// TestLineProtocol1000: lines arrive split at arbitrary points and several
// to a read; each gets its reply, in order, on a thousand connections.
func TestLineProtocol1000(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		_, addr := listen(t, Options{Backend: b}, lineHandler())
		clients(t, addr, 1000, func(i int, c net.Conn) error {
			lines := []string{fmt.Sprintf("hello %d", i), "split", "two", "lines", "quit"}
			all := strings.Join(lines, "\n") + "\n"
			// Send in fragments that cut lines in the middle.
			for k := 0; k < len(all); k += 3 + i%5 {
				if _, err := io.WriteString(c, all[k:min(len(all), k+3+i%5)]); err != nil {
					return err
				}
			}
			r := bufio.NewReader(c)
			for _, want := range lines {
				got, err := r.ReadString('\n')
				if err != nil {
					return err
				}
				if got != strings.ToUpper(want)+"\n" {
					return fmt.Errorf("got %q for %q", got, want)
				}
			}
			if _, err := r.ReadByte(); err != io.EOF {
				return fmt.Errorf("after QUIT: %v, want EOF", err)
			}
			return nil
		})
	})
}

// TestClientThatNeverReads: a client sends and never reads its replies.
// The server stops reading it once its output passes the high-water mark,
// so the server's buffer stays bounded while the client's writes block;
// when the client reads again, OnWritable fires and everything arrives.
func TestClientThatNeverReads(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		const hw, rb = 64 << 10, 16 << 10
		var maxPending atomic.Int64
		var writable atomic.Int64
		h := Handler{
			OnData: func(c *Conn, p []byte) {
				if _, err := c.Write(p); err != nil {
					t.Errorf("Write: %v", err)
				}
				if n := int64(c.Pending()); n > maxPending.Load() {
					maxPending.Store(n)
				}
			},
			OnWritable: func(*Conn) { writable.Add(1) },
		}
		l, addr := listen(t, Options{Backend: b, HighWater: hw, ReadBuffer: rb}, h)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		chunk := make([]byte, 32<<10)
		var sent int64
		for {
			_ = c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
			n, err := c.Write(chunk)
			sent += int64(n)
			if err != nil {
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Fatal(err)
				}
				if l.Stats().ReadPauses > 0 {
					break // the server stopped reading us: backpressure reached the client
				}
				// A slow (loaded) machine: the kernel's buffers filled before
				// the server read its fill. Keep pushing.
			}
			if sent > 1<<30 {
				t.Fatal("1 GiB accepted by a server whose replies are never read")
			}
		}
		if m := maxPending.Load(); m > hw+rb {
			t.Errorf("server buffered %d bytes for a client that does not read (bound %d)", m, hw+rb)
		}
		if l.Stats().ReadPauses == 0 {
			t.Error("no read pause counted")
		}
		// Now read everything back: all of it arrives, and the server
		// resumed (OnWritable).
		_ = c.SetDeadline(time.Now().Add(20 * time.Second))
		if err := c.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		got, err := io.Copy(io.Discard, c)
		if err != nil || got != sent {
			t.Fatalf("read back %d of %d: %v", got, sent, err)
		}
		if writable.Load() == 0 {
			t.Error("OnWritable never called")
		}
		t.Logf("client sent %d KiB before blocking; server peak output %d KiB", sent>>10, maxPending.Load()>>10)
	})
}

// TestClientsVanishMidWrite: clients that disappear halfway through a line,
// by closing or by resetting, are closed on the server too, and the
// server goes on serving.
func TestClientsVanishMidWrite(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		var closedWithErr, closedClean atomic.Int64
		h := lineHandler()
		h.OnClose = func(_ *Conn, err error) {
			if err != nil {
				closedWithErr.Add(1)
			} else {
				closedClean.Add(1)
			}
		}
		l, addr := listen(t, Options{Backend: b}, h)
		const n = 200
		clients(t, addr, n, func(i int, c net.Conn) error {
			if _, err := io.WriteString(c, "half a li"); err != nil {
				return err
			}
			if i%2 == 0 {
				return c.(*net.TCPConn).SetLinger(0) // Close sends RST
			}
			return nil
		})
		eventually(t, "every vanished client closed", func() bool { return l.Stats().Closed == n })
		if closedWithErr.Load()+closedClean.Load() != n {
			t.Errorf("OnClose %d+%d times for %d clients", closedWithErr.Load(), closedClean.Load(), n)
		}
		clients(t, addr, 1, func(_ int, c net.Conn) error {
			if _, err := io.WriteString(c, "still there\n"); err != nil {
				return err
			}
			got, err := bufio.NewReader(c).ReadString('\n')
			if got != "STILL THERE\n" {
				return fmt.Errorf("got %q, %v", got, err)
			}
			return nil
		})
	})
}

// TestServerVanishesMidWrite: the server writes a lot to a client that
// resets the connection; Write errors or OnClose reports it, and the bytes
// never sent are counted.
func TestServerWritesToResetClient(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		closed := make(chan error, 1)
		big := bytes.Repeat([]byte("y"), 32<<20) // more than the kernel's buffers take
		h := Handler{
			OnOpen:  func(c *Conn) { _, _ = c.Write(big) },
			OnClose: func(_ *Conn, err error) { closed <- err },
		}
		l, addr := listen(t, Options{Backend: b, MaxOutput: 64 << 20}, h)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		_ = c.(*net.TCPConn).SetLinger(0)
		c.Close()
		select {
		case err := <-closed:
			if err == nil {
				t.Error("OnClose(nil) for a reset connection")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no OnClose")
		}
		if l.Stats().UnflushedBytes == 0 {
			t.Error("unsent output not counted")
		}
	})
}

// TestHalfClose: the client shuts its writing side; the server, told by
// OnEOF, still writes its answer and then half-closes too.
func TestHalfClose(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		h := Handler{
			OnData: func(c *Conn, p []byte) {
				n, _ := c.Context().(int)
				c.SetContext(n + len(p))
			},
			OnEOF: func(c *Conn) {
				n, _ := c.Context().(int)
				fmt.Fprintf(connWriter{c}, "got %d bytes\n", n)
				if err := c.CloseWrite(); err != nil {
					t.Error(err)
				}
			},
		}
		l, addr := listen(t, Options{Backend: b}, h)
		clients(t, addr, 20, func(i int, c net.Conn) error {
			if _, err := c.Write(make([]byte, 1000*i)); err != nil {
				return err
			}
			if err := c.(*net.TCPConn).CloseWrite(); err != nil {
				return err
			}
			got, err := io.ReadAll(c)
			if err != nil || string(got) != fmt.Sprintf("got %d bytes\n", 1000*i) {
				return fmt.Errorf("got %q, %v", got, err)
			}
			return nil
		})
		eventually(t, "connections closed after both halves", func() bool { return l.Stats().Conns == 0 })
	})
}

type connWriter struct{ c *Conn }

func (w connWriter) Write(p []byte) (int, error) { return w.c.Write(p) }

// TestShutdownFlushes: output accepted before Stop reaches the client in
// full, then EOF.
func TestShutdownFlushes(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		big := bytes.Repeat([]byte("z"), 4<<20)
		opened := make(chan struct{})
		var closeErr error
		h := Handler{
			OnOpen:  func(c *Conn) { _, _ = c.Write(big); close(opened) },
			OnClose: func(_ *Conn, err error) { closeErr = err },
		}
		l, err := New(Options{Backend: b, MaxOutput: 8 << 20})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := l.Listen("127.0.0.1:0", h)
		if err != nil {
			t.Fatal(err)
		}
		runErr := make(chan error)
		go func() { runErr <- l.Run(t.Context()) }()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		<-opened
		l.Stop()
		_ = c.SetDeadline(time.Now().Add(20 * time.Second))
		got, err := io.Copy(io.Discard, c)
		if err != nil || got != int64(len(big)) {
			t.Fatalf("received %d of %d: %v", got, len(big), err)
		}
		if err := <-runErr; err != nil {
			t.Fatal(err)
		}
		if !errors.Is(closeErr, ErrShutdown) {
			t.Errorf("OnClose error %v", closeErr)
		}
		if s := l.Stats(); s.UnflushedBytes != 0 {
			t.Errorf("unflushed %d", s.UnflushedBytes)
		}
		if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			t.Error("listener still accepting after Stop")
		}
	})
}

// TestWriteLimits: MaxOutput refuses a Write that would pass it; writes
// after Close are refused.
func TestWriteLimits(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		result := make(chan string, 1)
		h := Handler{OnOpen: func(c *Conn) {
			var errs []string
			for range 8 { // the client does not read: the kernel takes some, then MaxOutput
				if _, err := c.Write(make([]byte, 1<<20)); err != nil {
					errs = append(errs, err.Error())
					break
				}
			}
			c.Close()
			_, err := c.Write([]byte("x"))
			errs = append(errs, err.Error())
			result <- strings.Join(errs, "; ")
		}}
		_, addr := listen(t, Options{Backend: b, HighWater: 1 << 20, MaxOutput: 2 << 20}, h)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		got := <-result
		if got != ErrBufferFull.Error()+"; "+ErrConnClosed.Error() {
			t.Errorf("errors: %s", got)
		}
	})
}

func TestBadAddresses(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		l := running(t, Options{Backend: b})
		for _, addr := range []string{"nonsense", "127.0.0.1:99999", "256.1.1.1:80", "127.0.0.1"} {
			if _, err := l.Listen(addr, Handler{}); err == nil || !strings.Contains(err.Error(), "evloop: listen") {
				t.Errorf("Listen(%q): %v", addr, err)
			}
		}
		ln, err := l.Listen(":0", Handler{}) // empty host: loopback only
		if err != nil {
			t.Fatal(err)
		}
		if a := ln.Addr().(*net.TCPAddr); !a.IP.IsLoopback() {
			t.Errorf("empty host bound %v", a)
		}
		if _, err := l.Listen(ln.Addr().String(), Handler{}); err == nil || !strings.Contains(err.Error(), "address already in use") {
			t.Errorf("busy port: %v", err)
		}
		onLoop(t, l, func() {
			if _, err := l.Dial("no port", Handler{}); err == nil {
				t.Error("Dial of a bad address")
			}
		})
	})
}

// TestDial: the loop as a client: echo through a net server, and a
// refused connect reported by OnClose.
func TestDial(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		nl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			c, err := nl.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			_, _ = io.Copy(c, c)
		})
		defer wg.Wait()
		defer nl.Close()
		l := running(t, Options{Backend: b})
		got := make(chan string, 1)
		var buf []byte
		onLoop(t, l, func() {
			c, err := l.Dial(nl.Addr().String(), Handler{
				OnOpen: func(c *Conn) {
					if c.RemoteAddr().String() != nl.Addr().String() || c.LocalAddr() == nil {
						t.Errorf("addresses %v %v", c.LocalAddr(), c.RemoteAddr())
					}
				},
				OnData: func(c *Conn, p []byte) {
					buf = append(buf, p...)
					if len(buf) == 11 {
						got <- string(buf)
						c.Close()
					}
				},
			})
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = c.Write([]byte("hello ")) // queued before the connect ends
			_, _ = c.Write([]byte("world"))
		})
		if s := <-got; s != "hello world" {
			t.Errorf("got %q", s)
		}
		// A refused connect.
		dead, _ := net.Listen("tcp", "127.0.0.1:0")
		deadAddr := dead.Addr().String()
		dead.Close()
		refused := make(chan error, 1)
		onLoop(t, l, func() {
			if _, err := l.Dial(deadAddr, Handler{
				OnOpen:  func(*Conn) { t.Error("opened a refused connection") },
				OnClose: func(_ *Conn, err error) { refused <- err },
			}); err != nil {
				t.Error(err)
			}
		})
		if err := <-refused; err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("refused connect: %v", err)
		}
	})
}

// TestPanicInCallback: a panicking OnData closes its own connection with a
// *panics.Error, is counted, and the other connections are still served.
func TestPanicInCallback(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		var reported atomic.Int64
		closeErr := make(chan error, 1)
		h := Handler{
			OnData: func(c *Conn, p []byte) {
				if string(p) == "panic" {
					panic("handler bug")
				}
				_, _ = c.Write(p)
			},
			OnClose: func(_ *Conn, err error) {
				if err != nil {
					closeErr <- err
				}
			},
		}
		l, addr := listen(t, Options{Backend: b, OnPanic: func(*panics.Error) { reported.Add(1) }}, h)
		good, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer good.Close()
		clients(t, addr, 1, func(_ int, c net.Conn) error {
			_, _ = c.Write([]byte("panic"))
			_, err := c.Read(make([]byte, 1))
			if err == nil {
				return errors.New("connection survived its panic")
			}
			return nil
		})
		if err := <-closeErr; !strings.Contains(err.Error(), "handler bug") {
			t.Errorf("OnClose err %v", err)
		}
		if _, err := good.Write([]byte("ok")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 2)
		if _, err := io.ReadFull(good, buf); err != nil || string(buf) != "ok" {
			t.Fatalf("other connection: %q %v", buf, err)
		}
		if l.Stats().Panics != 1 || reported.Load() != 1 {
			t.Errorf("panics %d, reported %d", l.Stats().Panics, reported.Load())
		}
	})
}

// TestServerLoops: N loops on one port through SO_REUSEPORT share the
// connections.
func TestServerLoops(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		s, err := NewServer("127.0.0.1:0", echo, ServerOptions{Loops: 2, Loop: Options{Backend: b}})
		if err != nil {
			t.Fatal(err)
		}
		served := make(chan error)
		go func() { served <- s.Serve(t.Context()) }()
		clients(t, s.Addr().String(), 200, func(i int, c net.Conn) error {
			msg := []byte(fmt.Sprint(i))
			_, _ = c.Write(msg)
			_, err := io.ReadFull(c, msg)
			return err
		})
		for i, l := range s.Loops() {
			if l.Stats().Accepted == 0 {
				t.Errorf("loop %d accepted nothing", i)
			}
		}
		if st := s.Stats(); st.Accepted != 200 {
			t.Errorf("accepted %d", st.Accepted)
		}
		if err := s.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := <-served; err != nil {
			t.Fatal(err)
		}
		if _, err := NewServer("127.0.0.1:0", echo, ServerOptions{Loops: -1}); err == nil {
			t.Error("Loops -1 accepted")
		}
	})
}
