package evloop

import (
	"net"
)

// Handler holds a connection's callbacks, all run on the loop. A nil field
// means the default its comment gives, so the zero Handler accepts
// connections and discards what they send.
type Handler struct {
	// OnOpen is called once the connection is established (accepted, or
	// Dial's connect completed). Nil: nothing.
	OnOpen func(c *Conn)
	// OnData is called with bytes read from the peer. data is valid only
	// during the call (the loop reuses the buffer): copy what you keep.
	// Nil: the data is discarded.
	OnData func(c *Conn, data []byte)
	// OnWritable is called when the pending output, having passed
	// Options.HighWater, has fallen to half of it: reading has resumed and
	// the producer may write again. Nil: nothing.
	OnWritable func(c *Conn)
	// OnEOF is called when the peer has shut its writing side (it will
	// send nothing more) while this side may still write: a half-close.
	// Nil: the connection is closed once its pending output is flushed.
	OnEOF func(c *Conn)
	// OnClose is called once, when the connection is closed: err is nil
	// after Close, the I/O error that ended it, a *panics.Error when one of
	// its callbacks panicked, or ErrShutdown when the loop stopped. After
	// OnClose the Conn must not be used. Nil: nothing.
	OnClose func(c *Conn, err error)
}

// connection flags
const (
	fOpen       uint16 = 1 << iota // OnOpen was called (Dial: connected)
	fReadPaused                    // reading stopped: output above HighWater
	fHigh                          // output passed HighWater: OnWritable due when it falls
	fEOF                           // the peer shut its writing side
	fShutWrite                     // CloseWrite: shut the writing side once flushed
	fWriteShut                     // the writing side is shut
	fClosing                       // Close: close once flushed
	fClosed                        // closed; no more callbacks
	fDialing                       // Dial's connect in progress
)

// Conn is a TCP connection served by a loop. Its methods must be called on
// the loop (from a callback); it is not safe for concurrent use, which the
// event-loop model makes unnecessary.
type Conn struct {
	loop *Loop
	h    *Handler
	out  []byte // output accepted and not yet handed to the kernel
	// inflight is output handed to the portable backend's writer goroutine
	// and not yet reported written.
	inflight int
	fd       int      // epoll: the socket (-1 once closed)
	pc       *ptConn  // portable: the net.Conn and its goroutines
	events   uint32   // epoll: the interest currently registered
	flags    uint16   // fOpen, fReadPaused, ...
	prev     *Conn    // neighbours in the loop's list of open connections
	next     *Conn    //
	ctx      any      // the user's value (SetContext)
	dialAddr net.Addr // Dial's destination, for the remote address
}

// Loop returns the loop serving c.
func (c *Conn) Loop() *Loop { return c.loop }

// Context returns the value set by SetContext (nil at first).
func (c *Conn) Context() any { return c.ctx }

// SetContext attaches a value to c: the per-connection state of a
// protocol, typically.
func (c *Conn) SetContext(v any) { c.ctx = v }

// LocalAddr returns the local address, or nil once c is closed.
func (c *Conn) LocalAddr() net.Addr { return c.loop.be.addr(c, false) }

// RemoteAddr returns the peer's address, or nil once c is closed.
func (c *Conn) RemoteAddr() net.Addr { return c.loop.be.addr(c, true) }

// Pending returns the output accepted by Write and not yet sent.
func (c *Conn) Pending() int { return len(c.out) + c.inflight }

// Closed reports whether c is closed or closing.
func (c *Conn) Closed() bool { return c.flags&(fClosed|fClosing) != 0 }

// Write queues p to be sent and starts sending it. It copies what it cannot
// send at once, so p may be reused when Write returns. It never blocks:
// when the pending output passes Options.HighWater the loop stops reading
// c (see Handler.OnWritable), and a Write that would take it past
// Options.MaxOutput fails with ErrBufferFull and accepts nothing. It
// returns ErrConnClosed after Close or CloseWrite.
func (c *Conn) Write(p []byte) (int, error) {
	if c.flags&(fClosed|fClosing|fShutWrite|fWriteShut) != 0 {
		return 0, ErrConnClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	if c.Pending()+len(p) > c.loop.opts.MaxOutput {
		return 0, ErrBufferFull
	}
	if err := c.loop.be.write(c, p); err != nil {
		c.fail(err)
		return 0, err
	}
	c.checkHigh()
	return len(p), nil
}

// checkHigh stops reading c once its output passes HighWater.
func (c *Conn) checkHigh() {
	if c.Pending() <= c.loop.opts.HighWater || c.flags&fHigh != 0 {
		return
	}
	c.flags |= fHigh
	c.loop.stats.readPauses.Add(1)
	c.setReading()
}

// sent is called by the backend when output left: it resumes reading below
// half the high-water mark, and finishes a pending Close or CloseWrite.
func (c *Conn) sent() {
	if c.flags&fClosed != 0 {
		return
	}
	p := c.Pending()
	if c.flags&fHigh != 0 && p <= c.loop.opts.HighWater/2 {
		c.flags &^= fHigh
		c.setReading()
		if c.h.OnWritable != nil && c.flags&fClosing == 0 {
			c.callback(func() { c.h.OnWritable(c) })
		}
	}
	if p > 0 || c.flags&fClosed != 0 {
		return
	}
	switch {
	case c.flags&fClosing != 0:
		c.closeNow(nil)
	case c.flags&fShutWrite != 0 && c.flags&fWriteShut == 0:
		c.shutWrite()
	}
}

// wantRead says whether c should be read now.
func (c *Conn) wantRead() bool {
	return c.flags&(fHigh|fEOF|fClosing|fClosed|fDialing) == 0 && c.flags&fOpen != 0
}

// setReading brings the backend's reading in line with wantRead.
func (c *Conn) setReading() {
	want := c.wantRead()
	paused := c.flags&fReadPaused != 0
	if want == !paused {
		return
	}
	if want {
		c.flags &^= fReadPaused
	} else {
		c.flags |= fReadPaused
	}
	c.loop.be.setReading(c, want)
}

// CloseWrite shuts c's writing side once the pending output is sent (a
// TCP half-close: the peer reads EOF) and keeps reading.
func (c *Conn) CloseWrite() error {
	if c.flags&(fClosed|fClosing) != 0 {
		return ErrConnClosed
	}
	if c.flags&(fShutWrite|fWriteShut) != 0 {
		return nil
	}
	c.flags |= fShutWrite
	if c.Pending() == 0 && c.flags&fOpen != 0 {
		c.shutWrite()
	}
	return nil
}

func (c *Conn) shutWrite() {
	c.flags |= fWriteShut
	if err := c.loop.be.shutdownWrite(c); err != nil {
		c.fail(err)
		return
	}
	if c.flags&fEOF != 0 {
		c.close() // both sides are done
	}
}

// Close closes c once its pending output is sent; reading stops at once.
// OnClose follows, with a nil error, at the end of the current callback.
// Calling Close again does nothing.
func (c *Conn) Close() error {
	if c.flags&(fClosed|fClosing) != 0 {
		return nil
	}
	c.close()
	return nil
}

func (c *Conn) close() {
	c.flags |= fClosing
	c.setReading()
	if c.Pending() == 0 {
		c.loop.deferLater(func() { c.closeNow(nil) })
	}
}

// fail closes c at once because of err; output still pending is lost and
// counted.
func (c *Conn) fail(err error) {
	if c.flags&fClosed != 0 {
		return
	}
	c.loop.deferLater(func() { c.closeNow(err) })
	c.flags |= fClosing
	c.setReading()
}

// closeNow releases c and calls OnClose(err). It is idempotent.
func (c *Conn) closeNow(err error) {
	if c.flags&fClosed != 0 {
		return
	}
	c.flags |= fClosed
	l := c.loop
	if p := c.Pending(); p > 0 {
		l.stats.unflushed.Add(uint64(p))
	}
	l.be.closeConn(c)
	c.out = nil
	l.conns.remove(c)
	l.stats.conns.Add(-1)
	l.stats.closed.Add(1)
	if c.h.OnClose != nil {
		c.callback(func() { c.h.OnClose(c, err) })
	}
}

// opened registers c with the loop and calls OnOpen.
func (c *Conn) opened() {
	c.flags |= fOpen
	c.flags &^= fDialing
	c.flags |= fReadPaused // the backend starts not reading; setReading turns it on
	if c.h.OnOpen != nil {
		c.callback(func() { c.h.OnOpen(c) })
	}
	if c.flags&fClosed != 0 {
		return
	}
	c.setReading()
	if c.Pending() > 0 {
		c.loop.be.flush(c)
	}
	c.sent()
}

// data hands bytes read from the peer to OnData.
func (c *Conn) data(p []byte) {
	if c.h.OnData == nil || c.flags&(fClosed|fClosing) != 0 {
		return
	}
	defer c.loop.recoverIn(c)
	c.h.OnData(c, p)
}

// eof records the peer's half-close.
func (c *Conn) eof() {
	if c.flags&(fEOF|fClosed) != 0 {
		return
	}
	c.flags |= fEOF
	c.setReading()
	if c.h.OnEOF == nil || c.flags&fWriteShut != 0 {
		c.close()
		return
	}
	c.callback(func() { c.h.OnEOF(c) })
}

// callback runs one of c's callbacks; a panic closes c.
func (c *Conn) callback(fn func()) {
	defer c.loop.recoverIn(c)
	fn()
}

// connList is the loop's list of open connections.
type connList struct {
	head *Conn
	n    int
}

func (cl *connList) add(c *Conn) {
	c.next = cl.head
	if cl.head != nil {
		cl.head.prev = c
	}
	cl.head = c
	cl.n++
}

func (cl *connList) remove(c *Conn) {
	if c.prev != nil {
		c.prev.next = c.next
	} else if cl.head == c {
		cl.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	}
	c.prev, c.next = nil, nil
	cl.n--
}

// pendingOutput reports whether a connection still has output to send.
func (cl *connList) pendingOutput() bool {
	for c := cl.head; c != nil; c = c.next {
		if c.Pending() > 0 {
			return true
		}
	}
	return false
}

// newConn makes a connection of l, not yet open, counted and listed.
func (l *Loop) newConn(h *Handler) *Conn {
	c := &Conn{loop: l, h: h, fd: -1}
	l.conns.add(c)
	l.stats.conns.Add(1)
	return c
}
