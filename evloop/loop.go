package evloop

import (
	"context"
	"errors"
	"fmt"
	"log"
	"runtime"
	"sync"
	"time"

	"github.com/labludus/ludus/panics"
)

var (
	// ErrClosed is returned by Post, Listen and Dial once the loop has
	// stopped (or is draining its last batch), and by Run on a loop that
	// already ran.
	ErrClosed = errors.New("evloop: loop closed")
	// ErrRunning is returned by a second, concurrent call to Run.
	ErrRunning = errors.New("evloop: loop already running")
	// ErrConnClosed is returned by Write and CloseWrite on a connection that
	// is closed, closing, or whose writing side was shut.
	ErrConnClosed = errors.New("evloop: connection closed")
	// ErrBufferFull is returned by Write when accepting p would take the
	// connection's pending output past Options.MaxOutput: the peer does not
	// read what it is sent. Nothing of p was accepted.
	ErrBufferFull = errors.New("evloop: output buffer full")
	// ErrUnsupported is returned by New for a backend this system lacks.
	ErrUnsupported = errors.New("evloop: backend not supported on this system")
	// ErrShutdown is the error OnClose receives for a connection closed
	// because its loop stopped.
	ErrShutdown = errors.New("evloop: loop stopped")
)

// Backend names how a loop waits for I/O.
type Backend uint8

const (
	// BackendAuto is epoll on Linux and Portable elsewhere.
	BackendAuto Backend = iota
	// BackendEpoll is non-blocking sockets multiplexed with epoll(7) on
	// the loop's goroutine: the event loop of libuv, Node.js and gnet.
	BackendEpoll
	// BackendPortable runs on every system Go runs on: goroutines do the
	// blocking reads and writes through package net and hand each event to
	// the loop with Post. Callbacks still run one at a time on the loop;
	// only the waiting is delegated.
	BackendPortable
)

func (b Backend) String() string {
	switch b {
	case BackendAuto:
		return "auto"
	case BackendEpoll:
		return "epoll"
	case BackendPortable:
		return "portable"
	}
	return fmt.Sprintf("Backend(%d)", uint8(b))
}

// Defaults of Options.
const (
	DefaultHighWater    = 64 << 10
	DefaultMaxOutput    = 4 << 20
	DefaultReadBuffer   = 64 << 10
	DefaultDrainTimeout = 5 * time.Second
)

// Options configure a Loop. The zero value is a usable configuration: each
// zero field means the default its comment gives.
type Options struct {
	// Backend picks the I/O backend; zero is BackendAuto.
	Backend Backend
	// LockOSThread keeps the loop's goroutine on one OS thread for the
	// whole of Run, as a C event loop owns its thread.
	LockOSThread bool
	// HighWater is the pending output, in bytes, above which the loop stops
	// reading a connection (a peer that does not read its replies is not
	// fed more work); reading resumes, and OnWritable is called, once the
	// output falls to half of it. Zero means DefaultHighWater.
	HighWater int
	// MaxOutput caps a connection's pending output: Write fails with
	// ErrBufferFull rather than buffer more. Zero means DefaultMaxOutput;
	// it must not be below HighWater.
	MaxOutput int
	// ReadBuffer is the size of the buffer reads go into (one per loop for
	// epoll, one per connection for the portable backend), and so the most
	// one OnData call receives. Zero means DefaultReadBuffer.
	ReadBuffer int
	// DrainTimeout bounds how long a stopping loop waits for connections to
	// flush their accepted output; zero means DefaultDrainTimeout.
	// Connections still holding output then are closed and the bytes
	// counted in Stats.UnflushedBytes.
	DrainTimeout time.Duration
	// OnPanic receives every panic recovered from a callback, on the
	// loop. Nil means log it (value, line and stack) with the log package.
	// Panics are counted in Stats.Panics either way.
	OnPanic func(*panics.Error)
	// OnError receives errors the loop meets with no caller to return them
	// to: a failed accept (such as EMFILE, too many open files). Nil means
	// log them with the log package. Counted in Stats.AcceptErrors.
	OnError func(error)
}

func (o Options) normalized() (Options, error) {
	if o.HighWater < 0 || o.MaxOutput < 0 || o.ReadBuffer < 0 || o.DrainTimeout < 0 {
		return o, fmt.Errorf("evloop: negative option in %+v", o)
	}
	if o.HighWater == 0 {
		o.HighWater = DefaultHighWater
	}
	if o.MaxOutput == 0 {
		o.MaxOutput = max(DefaultMaxOutput, o.HighWater)
	}
	if o.MaxOutput < o.HighWater {
		return o, fmt.Errorf("evloop: MaxOutput %d below HighWater %d", o.MaxOutput, o.HighWater)
	}
	if o.ReadBuffer == 0 {
		o.ReadBuffer = DefaultReadBuffer
	}
	if o.DrainTimeout == 0 {
		o.DrainTimeout = DefaultDrainTimeout
	}
	if o.OnPanic == nil {
		o.OnPanic = func(e *panics.Error) { log.Printf("evloop: callback panicked: %+v", e) }
	}
	if o.OnError == nil {
		o.OnError = func(err error) { log.Printf("evloop: %v", err) }
	}
	if o.Backend > BackendPortable {
		return o, fmt.Errorf("evloop: unknown %v", o.Backend)
	}
	if o.Backend == BackendAuto {
		o.Backend = defaultBackend
	}
	return o, nil
}

// Loop is an event loop: one goroutine that runs callbacks one at a time,
// from its run queue (Post), its timers (After, Every) and its sockets
// (Listen, Dial). Callbacks never run concurrently with each other, so the
// state they share needs no lock; a callback that blocks or computes for
// long stalls every other callback, which is why Offload exists.
//
// Post, Stop, Shutdown, Stats, Listen and Listener.Close are safe from any
// goroutine. Everything else (After, Every, Dial and the methods of Conn)
// must be called on the loop, from a callback.
type Loop struct {
	opts  Options
	mb    mailbox
	be    backend
	epoch time.Time // the timers' clock starts here

	timers        timerHeap
	timerSeq      uint64 // the next timer's scheduling order
	stoppedSeen   uint64 // stats.timersStopped as compactTimers last saw it
	stoppedInHeap int    // stopped timers still in the heap, roughly

	later     []func()    // work deferred to the end of the current turn (closes)
	conns     connList    // every open connection, for the drain at stop
	listeners []*Listener // open listeners, closed when the loop stops
	readBuf   []byte      // epoll: the one buffer every read goes into

	stats counters

	life    sync.Mutex    // guards the three fields below
	started bool          // Run was called
	done    chan struct{} // closed when Run has returned
	stopErr error         // what Run returns: nil, or the context's error
}

// New returns a loop configured by opts. It fails for an invalid option or
// a backend this system does not have, or when the backend cannot get its
// resources (an epoll descriptor: EMFILE is reported as such).
func New(opts Options) (*Loop, error) {
	o, err := opts.normalized()
	if err != nil {
		return nil, err
	}
	l := &Loop{opts: o, epoch: now(), done: make(chan struct{})}
	switch o.Backend {
	case BackendEpoll:
		l.be, err = newEpoll(l)
	case BackendPortable:
		l.be = newPortable(l)
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Post queues fn to run on the loop, after the callbacks queued before it.
// It is safe from any goroutine, and it is the only way other goroutines
// should touch the loop's state. Every fn accepted (nil error) runs, even
// when Stop is called first: the stopping loop drains its queue. After the
// loop has stopped, Post returns ErrClosed and fn does not run.
func (l *Loop) Post(fn func()) error {
	if fn == nil {
		return errors.New("evloop: Post of a nil function")
	}
	if err := l.mb.post(fn); err != nil {
		return err
	}
	l.stats.posted.Add(1)
	return nil
}

// Stop asks the loop to stop: listeners close, the functions already
// posted run, connections flush their accepted output (for up to
// Options.DrainTimeout) and close with ErrShutdown, and Run returns. Stop
// does not wait; Shutdown does. It is safe from any goroutine, and from a
// callback. Stopping a loop whose Run was never called makes a later Run
// drain and return at once.
func (l *Loop) Stop() { l.mb.stop() }

// Shutdown stops the loop and waits for Run to return, or for ctx to end
// (then it returns ctx's error and the loop goes on stopping). On a loop
// whose Run was never called it releases the loop's resources itself.
func (l *Loop) Shutdown(ctx context.Context) error {
	l.Stop()
	l.life.Lock()
	if !l.started {
		l.started = true
		l.life.Unlock()
		l.runLoop(context.Background())
	} else {
		l.life.Unlock()
	}
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Done returns a channel closed once the loop has stopped and released its
// resources.
func (l *Loop) Done() <-chan struct{} { return l.done }

// Run runs the loop on the calling goroutine until Stop or Shutdown is
// called or ctx ends, then drains it (see Stop). It returns nil after Stop,
// ctx's error when ctx ended, ErrRunning if the loop is already running and
// ErrClosed if it already ran.
func (l *Loop) Run(ctx context.Context) error {
	l.life.Lock()
	if l.started {
		l.life.Unlock()
		select {
		case <-l.done:
			return ErrClosed
		default:
			return ErrRunning
		}
	}
	l.started = true
	l.life.Unlock()
	if l.opts.LockOSThread {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	return l.runLoop(ctx)
}

func (l *Loop) runLoop(ctx context.Context) error {
	stopOnCancel := context.AfterFunc(ctx, func() {
		l.life.Lock()
		l.stopErr = ctx.Err()
		l.life.Unlock()
		l.Stop()
	})
	for {
		batch, stopping := l.mb.take()
		l.runBatch(batch)
		sleep := l.runTimers()
		l.runLater()
		if stopping {
			break
		}
		if sleep != 0 && l.mb.notified.Load() {
			sleep = 0
		}
		l.be.wait(sleep)
		l.runLater()
	}
	stopOnCancel()
	l.drain()
	l.life.Lock()
	err := l.stopErr
	l.life.Unlock()
	close(l.done)
	return err
}

// runBatch runs posted functions in order and gives the batch back.
func (l *Loop) runBatch(batch []func()) {
	if len(batch) == 0 {
		return
	}
	for _, fn := range batch {
		l.call(fn)
	}
	l.stats.ran.Add(uint64(len(batch)))
	l.mb.recycle(batch)
}

// runLater runs the work deferred during this turn (including work it
// defers itself).
func (l *Loop) runLater() {
	for len(l.later) > 0 {
		fn := l.later[0]
		l.later[0] = nil
		l.later = l.later[1:]
		fn()
	}
	l.later = l.later[:0]
}

// drain is the end of Run: no new connections, accepted output flushed
// within the drain timeout, every posted function run, then everything
// closed.
func (l *Loop) drain() {
	for len(l.listeners) > 0 {
		l.listeners[0].closeOnLoop()
	}
	deadline := l.clock() + l.opts.DrainTimeout
	for l.conns.pendingOutput() {
		left := deadline - l.clock()
		if left <= 0 {
			break
		}
		batch, _ := l.mb.take()
		l.runBatch(batch)
		l.runLater()
		wait := min(left, 10*time.Millisecond)
		if l.mb.notified.Load() {
			wait = 0
		}
		l.be.wait(wait)
		l.runLater()
	}
	l.runBatch(l.mb.close())
	l.runLater()
	for c := l.conns.head; c != nil; c = l.conns.head {
		c.closeNow(ErrShutdown)
	}
	l.runLater()
	l.stats.timersDropped.Add(uint64(l.pendingTimers()))
	l.timers = nil
	l.be.close()
}

func (l *Loop) pendingTimers() int {
	n := 0
	for _, t := range l.timers {
		if t.state.Load() == timerPending {
			n++
		}
	}
	return n
}

// call runs fn, recovering and reporting a panic.
func (l *Loop) call(fn func()) {
	defer l.recoverIn(nil)
	fn()
}

// recoverIn is deferred around every callback: a panic is reported,
// counted (after: a count seen in Stats means the report was made, as for
// accept errors), and closes the connection whose callback it was (its
// state may be half updated), and the loop goes on.
func (l *Loop) recoverIn(c *Conn) {
	r := recover()
	if r == nil {
		return
	}
	e := panics.New(r)
	func() {
		defer func() { _ = recover() }() // a panicking OnPanic is dropped
		l.opts.OnPanic(e)
	}()
	l.stats.panics.Add(1)
	if c != nil {
		c.closeNow(e)
	}
}

// reportError hands an error nobody returns to Options.OnError.
func (l *Loop) reportError(err error) {
	defer func() { _ = recover() }()
	l.opts.OnError(err)
}

// deferLater queues fn to run at the end of the current turn of the loop.
func (l *Loop) deferLater(fn func()) { l.later = append(l.later, fn) }
