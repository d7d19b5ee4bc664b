package evloop

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// TestReadBufferOfOne: the smallest read buffer still delivers every byte,
// one per OnData call.
func TestReadBufferOfOne(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		calls := 0 // the loop's
		h := Handler{OnData: func(c *Conn, p []byte) {
			calls++
			if len(p) != 1 {
				t.Errorf("OnData with %d bytes from a 1-byte buffer", len(p))
			}
			_, _ = c.Write(p)
		}}
		l, addr := listen(t, Options{Backend: b, ReadBuffer: 1, LockOSThread: true}, h)
		clients(t, addr, 1, func(_ int, c net.Conn) error {
			msg := []byte("one byte at a time")
			if _, err := c.Write(msg); err != nil {
				return err
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
				return errors.New("echo mismatch: " + string(got))
			}
			return nil
		})
		onLoop(t, l, func() {
			if calls != len("one byte at a time") {
				t.Errorf("%d OnData calls", calls)
			}
		})
	})
}

// TestDrainTimeout: a stopping loop waits at most DrainTimeout for a peer
// that never reads; what it could not send is counted, and the connection
// is closed with ErrShutdown.
func TestDrainTimeout(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		opened := make(chan struct{})
		closeErr := make(chan error, 1)
		h := Handler{
			OnOpen:  func(c *Conn) { _, _ = c.Write(make([]byte, 32<<20)); close(opened) },
			OnClose: func(_ *Conn, err error) { closeErr <- err },
		}
		l, err := New(Options{Backend: b, MaxOutput: 64 << 20, DrainTimeout: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := l.Listen("127.0.0.1:0", h)
		if err != nil {
			t.Fatal(err)
		}
		runErr := make(chan error, 1)
		go func() { runErr <- l.Run(context.Background()) }()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		<-opened
		start := time.Now()
		l.Stop()
		if err := <-runErr; err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("stopping took %v with a 100ms drain timeout", d)
		}
		if err := <-closeErr; !errors.Is(err, ErrShutdown) {
			t.Errorf("OnClose: %v", err)
		}
		if l.Stats().UnflushedBytes == 0 {
			t.Error("output never sent was not counted")
		}
	})
}
