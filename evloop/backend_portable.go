package evloop

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"
)

// portable is the backend for every system: goroutines block in package
// net's Accept, Read and Write and hand each result to the loop through
// Post, so callbacks still run one at a time on the loop. It costs a
// goroutine per connection (the reader) and one per write burst, which is
// what the epoll backend saves.
type portable struct {
	l      *Loop
	bell   *doorbell
	ctx    context.Context // cancelled by close: ends dials in progress
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine of the backend
}

// ptConn is a connection's portable half.
type ptConn struct {
	nc      net.Conn
	resume  chan struct{} // capacity 1: the loop lets the reader read once more
	done    chan struct{} // closed when the connection closes
	reading bool          // on the loop: a read is allowed and its result not back
	writing bool          // on the loop: a writer goroutine holds output
	buf     []byte        // the reader's buffer
}

func newPortable(l *Loop) *portable {
	p := &portable{l: l, bell: newDoorbell()}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	l.mb.ring = p.bell.ring
	return p
}

func (p *portable) wait(timeout time.Duration) { p.bell.wait(timeout) }
func (p *portable) ring()                      { p.bell.ring() }

func (p *portable) close() {
	p.cancel()
	p.wg.Wait()
}

func (p *portable) listen(ln *Listener, ap netip.AddrPort, reusePort bool) error {
	lc := net.ListenConfig{}
	if reusePort {
		lc.Control = controlReusePort
	}
	nl, err := lc.Listen(context.Background(), "tcp", ap.String())
	if err != nil {
		return err
	}
	ln.nl, ln.addr = nl, nl.Addr()
	return nil
}

func (p *portable) startListener(ln *Listener) {
	p.wg.Add(1)
	startGoroutine(func() { p.acceptor(ln) })
}

func (p *portable) closeListener(ln *Listener) { _ = ln.nl.Close() }

// acceptor accepts until the listener closes, posting each connection.
func (p *portable) acceptor(ln *Listener) {
	defer p.wg.Done()
	for {
		nc, err := ln.nl.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if p.l.Post(func() { p.l.acceptFailed(ln, err) }) != nil {
				return
			}
			time.Sleep(acceptBackoff) // EMFILE and friends: let descriptors free up
			continue
		}
		if p.l.Post(func() { p.attach(ln.h, nc, &p.l.stats.accepted) }) != nil {
			_ = nc.Close()
			return
		}
	}
}

// attach makes nc a connection of the loop, served by h, and opens it.
func (p *portable) attach(h *Handler, nc net.Conn, counter interface{ Add(uint64) uint64 }) *Conn {
	c := p.l.newConn(h)
	p.adopt(c, nc)
	counter.Add(1)
	c.opened()
	return c
}

// adopt gives c its net.Conn and starts its reader.
func (p *portable) adopt(c *Conn, nc net.Conn) {
	c.pc = &ptConn{nc: nc, resume: make(chan struct{}, 1), done: make(chan struct{}), buf: make([]byte, p.l.opts.ReadBuffer)}
	p.wg.Add(1)
	startGoroutine(func() { p.reader(c, c.pc) })
}

// reader reads whenever the loop allows it and posts what it read.
func (p *portable) reader(c *Conn, pc *ptConn) {
	defer p.wg.Done()
	for {
		select {
		case <-pc.resume:
		case <-pc.done:
			return
		}
		n, err := pc.nc.Read(pc.buf)
		if p.l.Post(func() { p.readDone(c, pc.buf[:n], err) }) != nil {
			return
		}
	}
}

// readDone runs on the loop with one read's result.
func (p *portable) readDone(c *Conn, data []byte, err error) {
	pc := c.pc
	pc.reading = false
	if c.flags&fClosed != 0 {
		return
	}
	if len(data) > 0 {
		c.data(data)
	}
	if err != nil {
		if isEOF(err) {
			c.eof()
		} else if c.flags&fClosing == 0 {
			c.fail(err)
		}
		return
	}
	p.setReading(c, c.wantRead())
}

func (p *portable) setReading(c *Conn, on bool) {
	pc := c.pc
	if pc == nil || !on || pc.reading || c.flags&fClosed != 0 {
		return
	}
	pc.reading = true
	pc.resume <- struct{}{}
}

func (p *portable) write(c *Conn, b []byte) error {
	c.out = append(c.out, b...)
	p.flush(c)
	return nil
}

// flush hands the pending output to a writer goroutine unless one is busy.
func (p *portable) flush(c *Conn) {
	pc := c.pc
	if pc == nil || pc.writing || len(c.out) == 0 || c.flags&fClosed != 0 {
		return
	}
	buf := c.out
	c.out = nil
	c.inflight = len(buf)
	pc.writing = true
	p.wg.Add(1)
	startGoroutine(func() {
		defer p.wg.Done()
		n, err := pc.nc.Write(buf)
		_ = p.l.Post(func() { p.writeDone(c, n, err) })
	})
}

// writeDone runs on the loop when a writer goroutine is done.
func (p *portable) writeDone(c *Conn, n int, err error) {
	c.pc.writing = false
	c.inflight -= n
	if c.flags&fClosed != 0 {
		return
	}
	if err != nil {
		c.fail(err)
		return
	}
	c.inflight = 0
	p.flush(c)
	c.sent()
}

func (p *portable) shutdownWrite(c *Conn) error {
	if cw, ok := c.pc.nc.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.New("evloop: connection cannot half-close")
}

func (p *portable) closeConn(c *Conn) {
	if c.pc == nil {
		return // a Dial still connecting: dialDone sees fClosed
	}
	_ = c.pc.nc.Close()
	close(c.pc.done)
}

func (p *portable) addr(c *Conn, remote bool) net.Addr {
	switch {
	case c.pc == nil && remote:
		return c.dialAddr
	case c.pc == nil:
		return nil
	case remote:
		return c.pc.nc.RemoteAddr()
	}
	return c.pc.nc.LocalAddr()
}

func (p *portable) dial(c *Conn, ap netip.AddrPort) error {
	p.wg.Add(1)
	startGoroutine(func() {
		defer p.wg.Done()
		var d net.Dialer
		nc, err := d.DialContext(p.ctx, "tcp", ap.String())
		if p.l.Post(func() { p.dialDone(c, nc, err) }) != nil && nc != nil {
			_ = nc.Close()
		}
	})
	return nil
}

func (p *portable) dialDone(c *Conn, nc net.Conn, err error) {
	switch {
	case c.flags&fClosed != 0:
		if nc != nil {
			_ = nc.Close()
		}
	case err != nil:
		c.closeNow(err)
	default:
		p.adopt(c, nc)
		c.opened()
	}
}
