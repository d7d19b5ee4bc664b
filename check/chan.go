package check

import (
	"reflect"

	"github.com/labludus/ludus/check/internal/engine"
)

// Chan is a channel under the checker's control, with Go's semantics:
// capacity 0 is a rendezvous, sends on a closed channel and closing twice
// panic, receives from a closed channel return the zero value and false, and
// a nil *Chan blocks forever (close panics). Outside an exploration it is a
// real Go channel.
type Chan[V any] struct {
	m    engine.Chan // first: check.Name(&c) names it
	name string
	real chan V
}

// NewChan returns a channel named name with the given capacity.
func NewChan[V any](name string, capacity int) *Chan[V] {
	if capacity < 0 {
		panic("check: NewChan: negative capacity")
	}
	c := &Chan[V]{name: name, real: make(chan V, capacity)}
	c.m.Name, c.m.Cap = name, capacity
	if engine.Active() {
		if g := engine.Current(); g != nil {
			g.Engine().BindChan(&c.m, name, capacity)
		}
	}
	return c
}

func (c *Chan[V]) model() *engine.Chan {
	if c == nil {
		return nil
	}
	return &c.m
}

func (c *Chan[V]) enter(what string) *engine.G {
	if !engine.Active() {
		return nil
	}
	if c == nil {
		return engine.Current()
	}
	return engine.Enter(&c.m.Object, what)
}

// Send sends v, blocking until there is room or a receiver.
func (c *Chan[V]) Send(v V) {
	if g := c.enter("Chan.Send"); g != nil {
		g.Engine().Send(g, c.model(), v)
		return
	}
	if c == nil {
		var nilc chan V
		nilc <- v
	}
	c.real <- v
}

// Recv receives a value, blocking until one is available; from a closed,
// drained channel it returns the zero value.
func (c *Chan[V]) Recv() V {
	v, _ := c.RecvOK()
	return v
}

// RecvOK receives like Recv; ok is false when the channel is closed and
// drained.
func (c *Chan[V]) RecvOK() (V, bool) {
	if g := c.enter("Chan.Recv"); g != nil {
		x, ok := g.Engine().Recv(g, c.model())
		v, _ := x.(V)
		return v, ok
	}
	if c == nil {
		var nilc chan V
		v, ok := <-nilc
		return v, ok
	}
	v, ok := <-c.real
	return v, ok
}

// TrySend sends v if it can do so without blocking and reports whether it
// did.
func (c *Chan[V]) TrySend(v V) bool {
	i, _ := Select(c.SendCase(v), DefaultCase())
	return i == 0
}

// TryRecv receives a value if one is ready without blocking. ok reports
// whether a value was received; it is false both when the channel would
// block and when it is closed and drained.
func (c *Chan[V]) TryRecv() (v V, ok bool) {
	i, rok := Select(c.RecvCase(&v), DefaultCase())
	return v, i == 0 && rok
}

// Close closes the channel.
func (c *Chan[V]) Close() {
	if g := c.enter("Chan.Close"); g != nil {
		g.Engine().Close(g, c.model())
		return
	}
	if c == nil {
		panic("close of nil channel")
	}
	close(c.real)
}

// Len returns the number of buffered values.
func (c *Chan[V]) Len() int {
	if c == nil {
		return 0
	}
	if engine.Active() && c.m.Bound(engine.Running()) && engine.Current() != nil {
		return c.m.Len()
	}
	return len(c.real)
}

// Cap returns the capacity.
func (c *Chan[V]) Cap() int {
	if c == nil {
		return 0
	}
	return c.m.Cap
}

// Name returns the channel's name.
func (c *Chan[V]) Name() string {
	if c == nil {
		return "nil"
	}
	return c.name
}

// Case is one case of a Select, built by Chan.RecvCase, Chan.SendCase or
// DefaultCase.
type Case struct {
	impl      caseImpl
	isDefault bool
}

type caseImpl interface {
	engineCase() engine.Case
	deliver(v any, ok bool)
	reflectCase() reflect.SelectCase
	deliverReflect(v reflect.Value, ok bool)
	object() *engine.Object
}

type chanCase[V any] struct {
	c    *Chan[V]
	send bool
	v    V
	dst  *V
}

func (k *chanCase[V]) engineCase() engine.Case {
	ec := engine.Case{Chan: k.c.model(), Send: k.send}
	if k.send {
		ec.Val = k.v
	}
	return ec
}

func (k *chanCase[V]) deliver(v any, ok bool) {
	if k.dst != nil {
		x, _ := v.(V)
		*k.dst = x
	}
}

func (k *chanCase[V]) reflectCase() reflect.SelectCase {
	var ch reflect.Value
	if k.c != nil {
		ch = reflect.ValueOf(k.c.real)
	} else {
		ch = reflect.ValueOf((chan V)(nil))
	}
	if k.send {
		return reflect.SelectCase{Dir: reflect.SelectSend, Chan: ch, Send: reflect.ValueOf(&k.v).Elem()}
	}
	return reflect.SelectCase{Dir: reflect.SelectRecv, Chan: ch}
}

func (k *chanCase[V]) deliverReflect(v reflect.Value, ok bool) {
	if k.dst != nil {
		if ok {
			*k.dst = v.Interface().(V)
		} else {
			var zero V
			*k.dst = zero
		}
	}
}

func (k *chanCase[V]) object() *engine.Object {
	if k.c == nil {
		return nil
	}
	return &k.c.m.Object
}

// RecvCase is a Select case receiving from c into *dst (dst may be nil).
func (c *Chan[V]) RecvCase(dst *V) Case { return Case{impl: &chanCase[V]{c: c, dst: dst}} }

// SendCase is a Select case sending v on c.
func (c *Chan[V]) SendCase(v V) Case { return Case{impl: &chanCase[V]{c: c, send: true, v: v}} }

// DefaultCase is a Select's default: taken when no other case is ready.
func DefaultCase() Case { return Case{isDefault: true} }

// Select waits until one of the cases can proceed and performs it, like
// Go's select statement; with a DefaultCase it never blocks. It returns the
// index of the case performed and, for a receive, whether a value was
// received (false when the channel is closed). When several cases are
// ready, the exhaustive strategies explore each of them.
func Select(cases ...Case) (chosen int, ok bool) {
	hasDefault, def := false, -1
	for i, c := range cases {
		if c.isDefault {
			if hasDefault {
				panic("check: Select: more than one DefaultCase")
			}
			hasDefault, def = true, i
		}
	}
	if engine.Active() {
		var g *engine.G
		for _, c := range cases {
			if !c.isDefault && c.impl.object() != nil {
				g = engine.Enter(c.impl.object(), "Select")
				break
			}
		}
		if g == nil {
			g = engine.Current()
		}
		if g != nil {
			ecs := make([]engine.Case, 0, len(cases))
			idx := make([]int, 0, len(cases))
			for i, c := range cases {
				if !c.isDefault {
					ecs = append(ecs, c.impl.engineCase())
					idx = append(idx, i)
				}
			}
			k, v, rok := g.Engine().Select(g, ecs, hasDefault)
			if k < 0 {
				return def, false
			}
			i := idx[k]
			if !ecs[k].Send {
				cases[i].impl.deliver(v, rok)
			}
			return i, rok
		}
	}
	rcs := make([]reflect.SelectCase, len(cases))
	for i, c := range cases {
		if c.isDefault {
			rcs[i] = reflect.SelectCase{Dir: reflect.SelectDefault}
		} else {
			rcs[i] = c.impl.reflectCase()
		}
	}
	i, v, rok := reflect.Select(rcs)
	if !cases[i].isDefault && rcs[i].Dir == reflect.SelectRecv {
		cases[i].impl.deliverReflect(v, rok)
	}
	return i, rok
}
