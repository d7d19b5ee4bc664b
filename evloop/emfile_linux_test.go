package evloop

import (
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestOutOfDescriptors: with the descriptor table full, Listen fails with
// a clear error, and a failed accept is reported and counted (not a silent
// drop, not a busy loop); once descriptors free up, the waiting connection
// is served.
func TestOutOfDescriptors(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		var mu sync.Mutex
		var reported []string
		l, addr := listen(t, Options{Backend: b, OnError: func(err error) {
			mu.Lock()
			reported = append(reported, err.Error())
			mu.Unlock()
		}}, echo)
		onLoop(t, l, func() {}) // the listener is registered

		var old syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
			t.Fatal(err)
		}
		// The two lowest free descriptors: the client's socket takes the
		// first, and a limit at the second leaves nothing for the accept.
		var free []uint64
		for fd := 0; len(free) < 2; fd++ {
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == unix.EBADF {
				free = append(free, uint64(fd))
			}
		}
		lim := old
		lim.Cur = free[1]
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			t.Fatal(err)
		}
		restored := false
		restore := func() {
			if !restored {
				restored = true
				if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
					t.Fatal(err)
				}
			}
		}
		defer restore()

		c, err := net.Dial("tcp", addr) // queued in the backlog; accept fails
		if err != nil {
			restore()
			t.Fatalf("client dial: %v", err)
		}
		defer c.Close()
		eventually(t, "an accept error", func() bool { return l.Stats().AcceptErrors > 0 })
		_, lerr := l.Listen("127.0.0.1:0", Handler{})
		restore()
		if lerr == nil || !strings.Contains(lerr.Error(), "too many open files") || !strings.Contains(lerr.Error(), "RLIMIT_NOFILE") {
			t.Errorf("Listen with no descriptors left: %v", lerr)
		}
		mu.Lock()
		if len(reported) == 0 || !strings.Contains(reported[0], "too many open files") {
			t.Errorf("reported: %q", reported)
		}
		mu.Unlock()
		// Descriptors are back: the listener resumes and serves the client.
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write([]byte("back")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "back" {
			t.Fatalf("after the limit was restored: %q %v", buf, err)
		}
		if n := l.Stats().AcceptErrors; n > 50 {
			t.Errorf("%d accept errors: the listener spun instead of backing off", n)
		}
	})
}
