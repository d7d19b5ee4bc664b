package rt

import (
	"reflect"

	"github.com/labludus/ludus/check/internal/engine"
)

// Case is one case of a rewritten select: made by RecvCase or SendCase, in
// source order.
type Case interface {
	engineCase(e *engine.Engine, num int) (engine.Case, bool)
	deliver(v any, ok bool)
	// plain is the case for reflect.Select outside an exploration: the
	// channel, whether it sends, and a pointer to the value sent. No
	// reflect type is in a method of RecvC or SendC: each instance is
	// compiled in the rewritten package, and so would every generic
	// instance reachable from reflect's types (see engine's ptr.go).
	plain() (ch any, send bool, vp any)
}

// RecvC is a receive case; after Select chose it, V and OK hold what was
// received (v, ok := <-ch).
type RecvC[T any] struct {
	V  T
	OK bool
	ch <-chan T
}

// RecvCase is the case `<-ch` of a select; the channel is evaluated here,
// on entry to the select.
func RecvCase[T any](ch <-chan T) *RecvC[T] { return &RecvC[T]{ch: ch} }

func (c *RecvC[T]) engineCase(e *engine.Engine, num int) (engine.Case, bool) {
	m, ok := model(e, ptrOf(c.ch), cap(c.ch))
	return engine.Case{Chan: m, Num: num}, ok
}

func (c *RecvC[T]) deliver(v any, ok bool) {
	c.V, _ = v.(T)
	c.OK = ok
}

func (c *RecvC[T]) plain() (any, bool, any) { return c.ch, false, nil }

// SendC is a send case.
type SendC[T any] struct {
	ch chan<- T
	v  T
}

// SendCase is the case `ch <- v` of a select; the channel and the value are
// evaluated here, on entry to the select.
func SendCase[T any](ch chan<- T, v T) *SendC[T] { return &SendC[T]{ch, v} }

func (c *SendC[T]) engineCase(e *engine.Engine, num int) (engine.Case, bool) {
	m, ok := model(e, ptrOf(c.ch), cap(c.ch))
	return engine.Case{Chan: m, Send: true, Val: c.v, Num: num}, ok
}

func (c *SendC[T]) deliver(any, bool) {}

func (c *SendC[T]) plain() (any, bool, any) { return c.ch, true, &c.v }

// Select is a select statement: it waits until one of the cases can
// proceed and performs it, and returns its index, or -1 for the default
// case (hasDefault). When several cases are ready the exploration tries
// each. Select(false) with no cases blocks forever.
//
// A channel made outside the checked code (a library's) never counts as
// ready in an exploration: its sends come from goroutines the checker does
// not see.
func Select(hasDefault bool, cases ...Case) int {
	if g := current(); g != nil {
		e := g.Engine()
		ecs := make([]engine.Case, len(cases))
		for i, c := range cases {
			ecs[i], _ = c.engineCase(e, i+1)
		}
		k, v, ok := e.Select(g, ecs, hasDefault)
		if k >= 0 {
			cases[k].deliver(v, ok)
		}
		return k
	}
	rcs := make([]reflect.SelectCase, len(cases), len(cases)+1)
	for i, c := range cases {
		rcs[i] = reflectCase(c)
	}
	if hasDefault {
		rcs = append(rcs, reflect.SelectCase{Dir: reflect.SelectDefault})
	}
	if len(rcs) == 0 {
		select {}
	}
	i, v, ok := reflect.Select(rcs)
	if i == len(cases) {
		return -1
	}
	if v.IsValid() { // a receive case
		cases[i].deliver(v.Interface(), ok)
	}
	return i
}

// reflectCase is c as reflect.Select takes it.
func reflectCase(c Case) reflect.SelectCase {
	ch, send, vp := c.plain()
	if send {
		return reflect.SelectCase{Dir: reflect.SelectSend, Chan: reflect.ValueOf(ch), Send: reflect.ValueOf(vp).Elem()}
	}
	return reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)}
}
