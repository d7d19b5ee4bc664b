// Package evloop is the event loop, the guide's third concurrency model:
// one thread, non-blocking I/O, callbacks — the model of Node.js, Python's
// asyncio and libuv — made visible in Go.
//
// # The model
//
// An event loop is one goroutine that never blocks. It waits for whatever
// is ready (a socket with bytes to read, room to write, a timer due, a
// function posted by another goroutine) and runs the callback for it, then
// the next, one at a time:
//
//	for {
//		run the functions posted since last time
//		run the timers that are due
//		wait (epoll_wait) until a socket is ready or the next timer is due
//		run the callbacks of the ready sockets
//	}
//
// Because callbacks never overlap, the state they share needs no lock:
// there is no lost update when only one thing runs. And because waiting
// costs no thread, one loop holds thousands of idle connections for the
// price of their buffers. That is why the guide answers "web server" with
// "event loop or thread pool".
//
// The price is the guide's warning: a callback that computes for 50 ms
// stalls every other connection for 50 ms. The cure is libuv's: Offload
// the work to a pool.Pool and resume on the loop with its result; Await
// and Then do the same for an async.Future.
//
// Go already has an event loop — the runtime's netpoller, under every
// goroutine blocked in a Read — but hides it behind goroutines, so a Go
// programmer never sees the model. This package shows it, and is fast
// enough to serve real traffic: on Linux it is a real epoll loop over
// non-blocking sockets, like gnet.
//
// # Using it
//
//	l, _ := evloop.New(evloop.Options{})
//	ln, _ := l.Listen("127.0.0.1:8080", evloop.Handler{
//		OnData: func(c *evloop.Conn, p []byte) { c.Write(p) }, // echo
//	})
//	go l.Run(ctx)
//
// Post is the one door into the loop from other goroutines; every other
// method of Loop and Conn (After, Every, Dial, Write, Close) is called on
// the loop, from a callback. Write never blocks: output the socket cannot
// take is buffered, and a connection whose pending output passes
// Options.HighWater is no longer read until it falls to half (its peer is
// not reading its replies: do not give it more work); Options.MaxOutput
// caps the buffer. OnEOF and CloseWrite are TCP's half-close. Stop (or
// Shutdown) closes the listeners, runs what was posted, flushes accepted
// output and closes the connections; nothing accepted is dropped silently
// (Stats counts what could not be delivered).
//
// A Server runs N loops on one port (SO_REUSEPORT: the kernel spreads the
// connections), one per core: each loop single-threaded, the server
// parallel.
//
// # Backends
//
// BackendEpoll (Linux, the default there) runs everything on the loop's
// goroutine with level-triggered epoll and an eventfd doorbell.
// BackendPortable runs everywhere: goroutines block in package net and
// Post each event to the loop, so callbacks run exactly as with epoll
// while the waiting is done by Go's netpoller. Both pass the same tests.
//
// # Errors
//
// A panic in a callback is recovered, counted in Stats.Panics and handed to
// Options.OnPanic (logged by default); the connection whose callback
// panicked is closed with the *panics.Error, and the loop keeps serving the
// others. A bad address is Listen's error; running out of file descriptors
// is a clear error (EMFILE, with the hint to raise RLIMIT_NOFILE) from
// Listen, Dial or New, and from accept it is reported to Options.OnError,
// counted, and the listener backs off instead of spinning.
//
// # Checked
//
// The hand-off between Post and the loop (a mailbox, a notified flag that
// rings the doorbell once per batch, Stop's drain) is built on a seam that
// the ludus_check build tag swaps for package check's primitives, so
// check.Explore drives the real Run and Post through their interleavings:
// go test -tags ludus_check -run Explore ./evloop.
package evloop
