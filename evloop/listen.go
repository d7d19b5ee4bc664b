package evloop

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// backend is how a loop waits for I/O and moves bytes. Every method but
// ring and listen runs on the loop.
type backend interface {
	// wait sleeps until I/O is ready, the doorbell rings or timeout has
	// passed (timeout < 0: no limit), and runs the I/O callbacks that are due.
	wait(timeout time.Duration)
	// ring wakes wait; safe from any goroutine (the mailbox calls it).
	ring()
	// listen binds and listens on addr at once, from any goroutine, so that
	// its errors reach Listen's caller; start then begins accepting on the loop.
	listen(ln *Listener, addr netip.AddrPort, reusePort bool) error
	startListener(ln *Listener)
	closeListener(ln *Listener)
	// dial starts connecting c to addr; the backend calls c.opened or
	// c.closeNow when the connect ends.
	dial(c *Conn, addr netip.AddrPort) error
	// write queues p (copied if not sent at once) and starts sending.
	write(c *Conn, p []byte) error
	// flush starts sending c.out.
	flush(c *Conn)
	setReading(c *Conn, on bool)
	shutdownWrite(c *Conn) error
	closeConn(c *Conn)
	addr(c *Conn, remote bool) net.Addr
	// close releases the backend once every connection is closed.
	close()
}

// Listener accepts TCP connections on a loop.
type Listener struct {
	loop   *Loop
	h      *Handler
	addr   net.Addr
	fd     int          // epoll: the listening socket
	nl     net.Listener // portable
	closed bool         // on the loop
	paused bool         // epoll: accepting paused after EMFILE
}

// Addr returns the address the listener is bound to (with the port the
// system chose for port 0).
func (ln *Listener) Addr() net.Addr { return ln.addr }

// Close stops accepting; open connections stay open. Safe from any
// goroutine; it returns ErrClosed if the loop has already stopped (which
// closed the listener).
func (ln *Listener) Close() error { return ln.loop.Post(ln.closeOnLoop) }

func (ln *Listener) closeOnLoop() {
	if ln.closed {
		return
	}
	ln.closed = true
	ln.loop.be.closeListener(ln)
	for i, x := range ln.loop.listeners {
		if x == ln {
			ln.loop.listeners = append(ln.loop.listeners[:i], ln.loop.listeners[i+1:]...)
			break
		}
	}
}

// Listen listens on the TCP address addr ("host:port"; an empty host means
// 127.0.0.1, so that nothing listens beyond this machine unless asked to:
// say 0.0.0.0 or [::] for every interface) and serves each accepted
// connection with h on this loop. The socket is bound before Listen
// returns, so a bad or busy address is Listen's error, and Addr gives the
// port chosen for port 0. Listen is safe from any goroutine; accepting
// starts when the loop runs.
func (l *Loop) Listen(addr string, h Handler) (*Listener, error) {
	return l.listen(addr, h, false)
}

func (l *Loop) listen(addr string, h Handler, reusePort bool) (*Listener, error) {
	ap, err := resolve(addr)
	if err != nil {
		return nil, fmt.Errorf("evloop: listen %q: %w", addr, err)
	}
	ln := &Listener{loop: l, h: &h, fd: -1}
	if err := l.be.listen(ln, ap, reusePort); err != nil {
		return nil, fmt.Errorf("evloop: listen %s: %w", ap, explain(err))
	}
	if err := l.Post(func() {
		l.listeners = append(l.listeners, ln)
		l.be.startListener(ln)
	}); err != nil {
		l.be.closeListener(ln)
		return nil, err
	}
	return ln, nil
}

// Dial starts connecting to the TCP address addr and returns the
// connection at once: Write may queue output before it is connected.
// OnOpen follows when the connect succeeds, OnClose with the error when it
// fails. An empty host means 127.0.0.1. Call Dial on the loop.
func (l *Loop) Dial(addr string, h Handler) (*Conn, error) {
	ap, err := resolve(addr)
	if err != nil {
		return nil, fmt.Errorf("evloop: dial %q: %w", addr, err)
	}
	c := l.newConn(&h)
	c.flags |= fDialing | fReadPaused
	c.dialAddr = net.TCPAddrFromAddrPort(ap)
	if err := l.be.dial(c, ap); err != nil {
		c.flags |= fClosed // no OnClose for a connection Dial did not return
		l.conns.remove(c)
		l.stats.conns.Add(-1)
		return nil, fmt.Errorf("evloop: dial %s: %w", ap, explain(err))
	}
	l.stats.dialed.Add(1)
	return c, nil
}

// resolve parses "host:port" with a numeric or resolvable host; an empty
// host is 127.0.0.1.
func resolve(addr string) (netip.AddrPort, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if host == "" {
		host = "127.0.0.1"
	}
	ta, err := net.ResolveTCPAddr("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return netip.AddrPort{}, err
	}
	ap := ta.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// explain adds a hint to errors whose fix is outside the program.
func explain(err error) error {
	if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
		return fmt.Errorf("%w (the process is out of file descriptors: raise RLIMIT_NOFILE, ulimit -n)", err)
	}
	return err
}

// acceptBackoff is how long a listener rests after a failed accept.
const acceptBackoff = 100 * time.Millisecond

// acceptFailed reports and counts a failed accept, on the loop: reported
// first, so that a count seen in Stats means its report was made (counted
// first, a reader of both could see the count without the report; CI
// caught TestOutOfDescriptors doing so).
func (l *Loop) acceptFailed(ln *Listener, err error) {
	l.reportError(fmt.Errorf("accept on %s: %w", ln.addr, explain(err)))
	l.stats.acceptErrors.Add(1)
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }
