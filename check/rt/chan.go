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
// exploration (package variables, TestMain): they are controlled too.
var madeOutside sync.Map // unsafe.Pointer -> struct{}

// ptrOf returns the runtime identity of a channel or map value.
func ptrOf[C any](c C) unsafe.Pointer { return engine.ChanPtr(c) }

// Make registers a channel made by rewritten code: make(chan T, n) becomes
// Make(make(chan T, n)).
func Make[C ~chan T, T any](c C) C {
	if g := current(); g != nil {
		g.Engine().MakeChan(ptrOf(c), cap(c))
		return c
	}
	markOutside(ptrOf(c))
	return c
}

// markOutside adds a channel to madeOutside. It is a call of its own, not
// inlined into Make's instances in rewritten packages: sync.Map's generic
// internals would be compiled into each of them (see engine's ptr.go).
//
//go:noinline
func markOutside(p unsafe.Pointer) { madeOutside.Store(p, struct{}{}) }

// model returns the engine's model of a channel (nil for a nil channel),
// or ok false for a foreign channel.
func model(e *engine.Engine, p unsafe.Pointer, capacity int) (m *engine.Chan, ok bool) {
	if p == nil {
		return nil, true
	}
	if m := e.ChanAt(p); m != nil {
		return m, true
	}
	if _, ok := madeOutside.Load(p); ok {
		return e.MakeChan(p, capacity), true
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
