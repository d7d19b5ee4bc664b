package rt

import (
	"sync"
	"unsafe"

	"github.com/labludus/ludus/check/internal/engine"
)

// Channels. The rewritten code keeps Go channel values and types, so that
// channels cross function, interface and package boundaries unchanged; in
// an exploration the engine keeps each channel's state (buffer, waiting
// goroutines), keyed by the channel's runtime identity. A channel is
// controlled when rewritten code made it (Make); operations on any other
// channel (one a library made) are real operations, run as external calls.

// madeOutside holds the channels rewritten code made outside any
// exploration (package variables, TestMain): they are controlled too, and
// each execution starts them in their real state (a channel closed in
// init is closed, a semaphore filled in TestMain is full).
var madeOutside sync.Map // unsafe.Pointer -> outsideState

// ptrOf returns the runtime identity of a channel or map value.
func ptrOf[C any](c C) unsafe.Pointer { return engine.ChanPtr(c) }

// Make registers a channel made by rewritten code: make(chan T, n) becomes
// Make(make(chan T, n)).
func Make[C ~chan T, T any](c C) C {
	if g := current(); g != nil {
		g.Engine().MakeChan(ptrOf(c), cap(c))
		return c
	}
	markOutside(ptrOf(c), &outsideChan[T]{c: c})
	return c
}

// markOutside adds a channel to madeOutside. It is a call of its own, not
// inlined into Make's instances in rewritten packages: sync.Map's generic
// internals would be compiled into each of them (see engine's ptr.go).
//
//go:noinline
func markOutside(p unsafe.Pointer, s outsideState) { madeOutside.Store(p, s) }

// outsideState reads the real state of a channel made outside any
// exploration.
type outsideState interface {
	state() (vals []any, closed bool)
}

// outsideChan is a channel made outside any exploration.
type outsideChan[T any] struct {
	c    chan T
	mu   sync.Mutex // one reader at a time
	kept []any      // values read from it once it was found closed with values left
	gone bool       // kept holds them: the real channel lost them
}

// state reads the buffered values by receiving them and sending them back
// (the channel is as it was), and whether it is closed. A closed channel
// with values left cannot take them back: they are kept here for the next
// executions.
func (o *outsideChan[T]) state() (vals []any, closed bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.gone {
		return o.kept, true
	}
	for n := len(o.c); n > 0 && !closed; n-- {
		select {
		case v, ok := <-o.c:
			if !ok {
				closed = true
			} else {
				vals = append(vals, v)
			}
		default:
			n = 0 // emptied meanwhile
		}
	}
	if !closed {
		// Now empty: a receive that does not block says it is closed.
		select {
		case v, ok := <-o.c:
			if ok {
				vals = append(vals, v) // sent meanwhile
			} else {
				closed = true
			}
		default:
		}
	}
	if closed && len(vals) > 0 {
		o.kept, o.gone = vals, true
		return vals, true
	}
	for _, v := range vals {
		x, _ := v.(T)
		select {
		case o.c <- x:
		default: // filled meanwhile by a goroutine the checker does not see
		}
	}
	return vals, closed
}

// model returns the engine's model of a channel (nil for a nil channel),
// or ok false for a foreign channel.
func model(e *engine.Engine, p unsafe.Pointer, capacity int) (m *engine.Chan, ok bool) {
	if p == nil {
		return nil, true
	}
	if m := e.ChanAt(p); m != nil {
		return m, true
	}
	if s, ok := madeOutside.Load(p); ok {
		return e.MakeOutsideChan(p, capacity, s.(outsideState).state), true
	}
	return nil, false
}

// Send is ch <- v.
func Send[T any](ch chan<- T, v T) {
	if g := current(); g != nil {
		e := g.Engine()
		if m, ok := model(e, ptrOf(ch), cap(ch)); ok {
			e.Send(g, m, v)
			return
		}
		e.External(g, "send on a channel made outside the checked code")
	}
	ch <- v
}

// Recv is <-ch.
func Recv[T any](ch <-chan T) T {
	v, _ := Recv2(ch)
	return v
}

// Recv2 is v, ok := <-ch.
func Recv2[T any](ch <-chan T) (T, bool) {
	if g := current(); g != nil {
		e := g.Engine()
		if m, ok := model(e, ptrOf(ch), cap(ch)); ok {
			x, ok := e.Recv(g, m)
			v, _ := x.(T)
			return v, ok
		}
		e.External(g, "receive from a channel made outside the checked code")
	}
	v, ok := <-ch
	return v, ok
}

// Close is close(ch).
func Close[T any](ch chan<- T) {
	if g := current(); g != nil {
		e := g.Engine()
		if m, ok := model(e, ptrOf(ch), cap(ch)); ok {
			e.Close(g, m)
			return
		}
	}
	close(ch)
}

// Len is len(ch) for a channel that can receive.
func Len[T any](ch <-chan T) int { return length(ptrOf(ch), cap(ch), func() int { return len(ch) }) }

// LenSend is len(ch) for a send-only channel.
func LenSend[T any](ch chan<- T) int {
	return length(ptrOf(ch), cap(ch), func() int { return len(ch) })
}

func length(p unsafe.Pointer, capacity int, real func() int) int {
	if g := current(); g != nil {
		e := g.Engine()
		if m, ok := model(e, p, capacity); ok {
			return e.ChanLen(m)
		}
	}
	return real()
}
