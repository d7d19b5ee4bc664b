//go:build linux

package evloop

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

const defaultBackend = BackendEpoll

// epoll is the Linux backend: non-blocking sockets, level-triggered
// epoll(7), and an eventfd as the doorbell. Everything runs on the loop's
// goroutine; the only system call made from elsewhere is the doorbell's
// write.
type epoll struct {
	l      *Loop
	epfd   int
	efd    int               // eventfd: the doorbell
	events []unix.EpollEvent // epoll_wait's output, reused
	slots  []fdSlot          // what each descriptor is, indexed by descriptor
	busy   bool              // the last wait found events: look again before sleeping
}

// fdSlot says what a descriptor registered with the loop is.
type fdSlot struct {
	c  *Conn
	ln *Listener
}

const (
	fRegistered uint16 = 1 << 12 // the socket is in the epoll set
	backlog            = 4096
)

func newEpoll(l *Loop) (*epoll, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("evloop: epoll_create1: %w", explain(err))
	}
	efd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("evloop: eventfd: %w", explain(err))
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, efd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(efd)}); err != nil {
		unix.Close(epfd)
		unix.Close(efd)
		return nil, fmt.Errorf("evloop: epoll_ctl: %w", err)
	}
	e := &epoll{l: l, epfd: epfd, efd: efd, events: make([]unix.EpollEvent, 256)}
	l.readBuf = make([]byte, l.opts.ReadBuffer)
	l.mb.ring = e.ring
	return e, nil
}

// ring adds one to the eventfd, which makes it readable. Called under the
// mailbox lock, never after close (the mailbox is closed first).
func (e *epoll) ring() {
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	for {
		_, err := unix.Write(e.efd, one[:])
		if err != unix.EINTR {
			return // EAGAIN: the counter is full, so the loop will wake anyway
		}
	}
}

func (e *epoll) close() {
	unix.Close(e.efd)
	unix.Close(e.epfd)
	e.slots = nil
}

// wait polls for events. After a turn that found some, it first looks
// without sleeping (a raw system call: no hand-off of the processor to the
// scheduler), and if nothing is ready yields once to the goroutines
// waiting for a processor before it sleeps in epoll_wait: a busy loop
// then pays for no sleep and wake-up per turn (gnet's poller does the same).
func (e *epoll) wait(timeout time.Duration) {
	msec := -1
	if timeout >= 0 {
		msec = int((timeout + time.Millisecond - 1) / time.Millisecond)
	}
	n, err := -1, error(nil)
	if e.busy && msec != 0 {
		if n, err = e.poll(0); n == 0 {
			runtime.Gosched()
			n = -1
		}
	}
	if n < 0 {
		n, err = e.poll(msec)
	}
	e.busy = n > 0
	if err != nil {
		return // EINTR: the loop comes round again
	}
	for i := range n {
		ev := &e.events[i]
		fd := int(ev.Fd)
		if fd == e.efd {
			var buf [8]byte
			_, _ = unix.Read(e.efd, buf[:])
			continue
		}
		if fd >= len(e.slots) {
			continue
		}
		switch s := e.slots[fd]; {
		case s.c != nil:
			e.ready(s.c, ev.Events)
		case s.ln != nil:
			e.accept(s.ln)
		}
	}
}

// poll is epoll_wait: a raw system call when it cannot block.
func (e *epoll) poll(msec int) (int, error) {
	if msec != 0 {
		return unix.EpollWait(e.epfd, e.events, msec)
	}
	r, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(e.epfd), uintptr(unsafe.Pointer(&e.events[0])), uintptr(len(e.events)), 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// ready handles one connection's events.
func (e *epoll) ready(c *Conn, ev uint32) {
	if c.flags&fDialing != 0 {
		if ev&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) != 0 {
			e.connected(c)
		}
		return
	}
	if ev&(unix.EPOLLIN|unix.EPOLLERR|unix.EPOLLHUP) != 0 && c.flags&fReadPaused == 0 {
		e.read(c)
	}
	if ev&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) != 0 && c.flags&fClosed == 0 && len(c.out) > 0 {
		e.flush(c)
	}
}

// read reads once (level-triggered: more comes on the next turn, after the
// other connections had theirs).
func (e *epoll) read(c *Conn) {
	n, err := unix.Read(c.fd, e.l.readBuf)
	switch {
	case n > 0:
		c.data(e.l.readBuf[:n])
	case err == nil:
		c.eof()
	case err == unix.EAGAIN || err == unix.EINTR:
	default:
		c.fail(err)
	}
}

func (e *epoll) write(c *Conn, p []byte) error {
	if len(c.out) == 0 && c.flags&fOpen != 0 {
		n, err := unix.Write(c.fd, p)
		if err != nil && err != unix.EAGAIN && err != unix.EINTR {
			return err
		}
		p = p[max(n, 0):]
		if len(p) == 0 {
			return nil
		}
	}
	c.out = append(c.out, p...)
	e.interest(c)
	return nil
}

// flush writes pending output until the socket is full.
func (e *epoll) flush(c *Conn) {
	for len(c.out) > 0 {
		n, err := unix.Write(c.fd, c.out)
		if n > 0 {
			c.out = c.out[n:]
		}
		if err == unix.EAGAIN {
			break
		}
		if err != nil && err != unix.EINTR {
			c.fail(err)
			return
		}
	}
	if len(c.out) == 0 {
		c.out = nil // an idle connection holds no buffer
	}
	e.interest(c)
	c.sent()
}

func (e *epoll) setReading(c *Conn, on bool) {
	if c.flags&fClosed == 0 {
		e.interest(c)
	}
}

// interest registers what c waits for: reading unless paused, writing
// while output is pending or a connect is in progress.
func (e *epoll) interest(c *Conn) {
	var ev uint32
	if c.flags&fReadPaused == 0 {
		ev |= unix.EPOLLIN
	}
	if len(c.out) > 0 || c.flags&fDialing != 0 {
		ev |= unix.EPOLLOUT
	}
	if c.flags&fRegistered != 0 && ev == c.events {
		return
	}
	op := unix.EPOLL_CTL_MOD
	if c.flags&fRegistered == 0 {
		op = unix.EPOLL_CTL_ADD
		c.flags |= fRegistered
	}
	c.events = ev
	if err := unix.EpollCtl(e.epfd, op, c.fd, &unix.EpollEvent{Events: ev, Fd: int32(c.fd)}); err != nil {
		c.fail(fmt.Errorf("evloop: epoll_ctl: %w", err))
	}
}

func (e *epoll) shutdownWrite(c *Conn) error { return unix.Shutdown(c.fd, unix.SHUT_WR) }

func (e *epoll) closeConn(c *Conn) {
	if c.fd < 0 {
		return
	}
	if c.fd < len(e.slots) {
		e.slots[c.fd] = fdSlot{}
	}
	unix.Close(c.fd) // also removes it from the epoll set
	c.fd = -1
}

func (e *epoll) setSlot(fd int, s fdSlot) {
	if fd >= len(e.slots) {
		e.slots = append(e.slots, make([]fdSlot, fd+1-len(e.slots)+len(e.slots)/2)...)
	}
	e.slots[fd] = s
}

func (e *epoll) addr(c *Conn, remote bool) net.Addr {
	if c.fd < 0 {
		if remote {
			return c.dialAddr
		}
		return nil
	}
	get := unix.Getsockname
	if remote {
		get = unix.Getpeername
	}
	sa, err := get(c.fd)
	if err != nil {
		if remote {
			return c.dialAddr
		}
		return nil
	}
	return tcpAddr(sa)
}

func tcpAddr(sa unix.Sockaddr) *net.TCPAddr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port)))
	case *unix.SockaddrInet6:
		return net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port)))
	}
	return nil
}

// socket makes a non-blocking TCP socket for ap's family and its sockaddr.
func socket(ap netip.AddrPort) (int, unix.Sockaddr, error) {
	family := unix.AF_INET
	var sa unix.Sockaddr = &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	if ap.Addr().Is6() {
		family = unix.AF_INET6
		sa = &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return -1, nil, fmt.Errorf("socket: %w", err)
	}
	return fd, sa, nil
}

func (e *epoll) listen(ln *Listener, ap netip.AddrPort, reusePort bool) error {
	fd, sa, err := socket(ap)
	if err != nil {
		return err
	}
	if err := bindListen(fd, sa, reusePort); err != nil {
		unix.Close(fd)
		return err
	}
	local, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return err
	}
	ln.fd, ln.addr = fd, tcpAddr(local)
	return nil
}

func bindListen(fd int, sa unix.Sockaddr, reusePort bool) error {
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return fmt.Errorf("setsockopt SO_REUSEADDR: %w", err)
	}
	if reusePort {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
			return fmt.Errorf("setsockopt SO_REUSEPORT: %w", err)
		}
	}
	if err := unix.Bind(fd, sa); err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	if err := unix.Listen(fd, backlog); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return nil
}

func (e *epoll) startListener(ln *Listener) {
	e.setSlot(ln.fd, fdSlot{ln: ln})
	if err := unix.EpollCtl(e.epfd, unix.EPOLL_CTL_ADD, ln.fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(ln.fd)}); err != nil {
		e.l.reportError(fmt.Errorf("evloop: listener %s: epoll_ctl: %w", ln.addr, err))
	}
}

func (e *epoll) closeListener(ln *Listener) {
	if ln.fd < 0 {
		return
	}
	if ln.fd < len(e.slots) && e.slots[ln.fd].ln == ln {
		e.slots[ln.fd] = fdSlot{}
	}
	unix.Close(ln.fd)
	ln.fd = -1
}

// accept takes a bounded batch of connections, so that a flood of them
// cannot starve the connections already open.
func (e *epoll) accept(ln *Listener) {
	for range 64 {
		if ln.closed || ln.paused {
			return
		}
		fd, _, err := unix.Accept4(ln.fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		switch {
		case err == unix.EAGAIN:
			return
		case err == unix.EINTR || err == unix.ECONNABORTED:
			continue
		case err != nil:
			e.pauseAccept(ln)
			e.l.acceptFailed(ln, err)
			return
		}
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		c := e.l.newConn(ln.h)
		c.fd = fd
		e.setSlot(fd, fdSlot{c: c})
		e.l.stats.accepted.Add(1)
		c.opened()
	}
}

// pauseAccept stops watching a listener that failed to accept (out of
// descriptors: the pending connection stays queued and level-triggered
// epoll would report it again at once), and watches it again after a
// pause.
func (e *epoll) pauseAccept(ln *Listener) {
	ln.paused = true
	_ = unix.EpollCtl(e.epfd, unix.EPOLL_CTL_MOD, ln.fd, &unix.EpollEvent{Fd: int32(ln.fd)})
	e.l.After(acceptBackoff, func() {
		if ln.closed {
			return
		}
		ln.paused = false
		_ = unix.EpollCtl(e.epfd, unix.EPOLL_CTL_MOD, ln.fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(ln.fd)})
	})
}

func (e *epoll) dial(c *Conn, ap netip.AddrPort) error {
	fd, sa, err := socket(ap)
	if err != nil {
		return err
	}
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	c.fd = fd
	e.setSlot(fd, fdSlot{c: c})
	switch err := unix.Connect(fd, sa); {
	case err == nil:
		e.l.deferLater(func() { e.connected(c) })
	case err == unix.EINPROGRESS:
		e.interest(c)
	default:
		e.l.deferLater(func() { c.closeNow(fmt.Errorf("connect: %w", err)) })
	}
	return nil
}

// connected ends a connect: OnOpen, or OnClose with its error.
func (e *epoll) connected(c *Conn) {
	if c.flags&fClosed != 0 {
		return
	}
	soerr, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err == nil && soerr != 0 {
		err = unix.Errno(soerr)
	}
	if err != nil {
		c.closeNow(fmt.Errorf("connect: %w", err))
		return
	}
	c.flags &^= fDialing
	e.interest(c)
	c.opened()
}
