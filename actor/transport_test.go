package actor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

// jsonLink is a Transport between Systems of one process that encodes
// every message with encoding/json and delivers it on one goroutine per
// link (order kept): the smallest real transport, enough to test the seam
// that actor/remote builds on.
type jsonLink struct {
	mu    sync.Mutex
	peers map[string]*Bridge // by System name
	types map[string]reflect.Type
	down  map[string]bool
	q     chan func()
}

type jsonTransport struct {
	l    *jsonLink
	self string
}

func newJSONLink(t *testing.T) *jsonLink {
	l := &jsonLink{peers: map[string]*Bridge{}, types: map[string]reflect.Type{}, down: map[string]bool{}, q: make(chan func(), 1024)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for f := range l.q {
			f()
		}
	}()
	t.Cleanup(func() { close(l.q); <-done })
	return l
}

func (l *jsonLink) join(t *testing.T, name string) (*System, *Bridge) {
	s := newSys(t, WithName(name))
	b, err := s.Attach(jsonTransport{l, name})
	if err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	l.peers[name] = b
	l.mu.Unlock()
	return s, b
}

func (l *jsonLink) peer(name string) (*Bridge, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.down[name] || l.peers[name] == nil {
		return nil, fmt.Errorf("%w: %s", ErrNodeDown, name)
	}
	return l.peers[name], nil
}

func (j jsonTransport) Tell(_ context.Context, e Envelope) error {
	p, err := j.l.peer(e.To.System)
	if err != nil {
		j.l.peers[j.self].DeadLetter(e.To, e.From, e.Message, err)
		return err
	}
	data, err := json.Marshal(e.Message)
	if err != nil {
		return err
	}
	t := reflect.TypeOf(e.Message)
	j.l.q <- func() {
		v := reflect.New(t)
		if err := json.Unmarshal(data, v.Interface()); err != nil {
			p.DeadLetter(e.To, e.From, nil, err)
			return
		}
		p.Bind(v.Interface())
		e.Message = v.Elem().Interface()
		p.Deliver(e)
	}
	return nil
}

func (j jsonTransport) Signal(to Address, s Signal) error {
	p, err := j.l.peer(to.System)
	if err != nil {
		return err
	}
	j.l.q <- func() { p.Signal(to, s) }
	return nil
}

// kill marks name down and tells every other System, as a transport does
// when a node stops answering.
func (l *jsonLink) kill(name string) {
	l.mu.Lock()
	l.down[name] = true
	var others []*Bridge
	for n, b := range l.peers {
		if n != name {
			others = append(others, b)
		}
	}
	l.mu.Unlock()
	for _, b := range others {
		b.NodeDown(name, fmt.Errorf("%w: %s killed", ErrNodeDown, name))
	}
}

type jsonPing struct {
	N    int
	Back Ref[int] // a reference inside a message
}

// TestTransportSeam: refs inside messages, Ask, Watch, Stop, node down,
// across two Systems joined by the JSON transport.
func TestTransportSeam(t *testing.T) {
	l := newJSONLink(t)
	a, _ := l.join(t, "a")
	_, bb := l.join(t, "b")
	got := make(chan int, 10)
	sink := must[Ref[int]](t)(Spawn(a, "sink", Stateless(func(_ *Context[int], n int) error { got <- n; return nil })))
	pong := must[Ref[jsonPing]](t)(Spawn(bb.System(), "pong", Stateless(func(c *Context[jsonPing], p jsonPing) error {
		if p.N < 0 {
			Reply(c, -p.N)
			return nil
		}
		return p.Back.Send(p.N + 1) // the reference came over the wire
	})))
	ab, _ := a.bridge.Load(), 0
	remotePong := RemoteRef[jsonPing](ab, pong.Address())
	if err := remotePong.Send(jsonPing{N: 1, Back: sink}); err != nil {
		t.Fatal(err)
	}
	if n := <-got; n != 2 {
		t.Fatalf("pong answered %d", n)
	}
	if v, err := Ask[int](context.Background(), remotePong, jsonPing{N: -5}); v != 5 || err != nil {
		t.Fatalf("remote Ask = %d, %v", v, err)
	}
	if _, err := Ask[string](context.Background(), remotePong, jsonPing{N: -5}); !errors.Is(err, ErrWrongType) {
		t.Fatalf("remote Ask of the wrong type = %v", err)
	}
	// Watch across, then Stop across: Terminated with a nil reason.
	term := make(chan Terminated, 2)
	must[Ref[int]](t)(Spawn(a, "watcher", func(c *Context[int]) Behavior[int] {
		if err := c.Watch(remotePong, func(t Terminated) int { term <- t; return 0 }); err != nil {
			panic(err)
		}
		return func(*Context[int], int) error { return nil }
	}))
	time.Sleep(10 * time.Millisecond) // let the watch reach b before the stop
	remotePong.Stop()
	select {
	case tm := <-term:
		if tm.Reason != nil || tm.Ref.Address() != pong.Address() {
			t.Fatalf("Terminated %+v", tm)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no Terminated across the transport")
	}
	<-remotePong.Done()

	// Node down: a watcher and a pending Ask learn of it at once.
	hold := must[Ref[int]](t)(Spawn(bb.System(), "hold", Stateless(func(*Context[int], int) error { return nil })))
	remoteHold := RemoteRef[int](ab, hold.Address())
	must[Ref[int]](t)(Spawn(a, "watcher2", func(c *Context[int]) Behavior[int] {
		c.Watch(remoteHold, func(t Terminated) int { term <- t; return 0 })
		return func(*Context[int], int) error { return nil }
	}))
	askErr := make(chan error, 1)
	go func() {
		_, err := Ask[int](context.Background(), remoteHold, 1) // never answered
		askErr <- err
	}()
	time.Sleep(10 * time.Millisecond)
	l.kill("b")
	if err := <-askErr; !errors.Is(err, ErrNodeDown) {
		t.Fatalf("pending Ask = %v; want ErrNodeDown", err)
	}
	if tm := <-term; !errors.Is(tm.Reason, ErrNodeDown) {
		t.Fatalf("Terminated %+v; want node down", tm)
	}
	if err := remoteHold.Send(1); !errors.Is(err, ErrNodeDown) {
		t.Fatalf("Send to a down node = %v", err)
	}
	select {
	case <-remoteHold.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done of an actor on a down node")
	}
}

// TestUnboundRef: a reference decoded without a Bridge refuses messages
// and Asks with ErrNoActor; binding makes it work.
func TestUnboundRef(t *testing.T) {
	s := newSys(t, WithName("solo"))
	ref := must[Ref[int]](t)(Spawn(s, "x", Stateless(func(c *Context[int], n int) error { Reply(c, n); return nil })))
	data, err := json.Marshal(struct{ R Ref[int] }{ref})
	if err != nil {
		t.Fatal(err)
	}
	var back struct{ R Ref[int] }
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.R.Address() != ref.Address() {
		t.Fatalf("address %v", back.R.Address())
	}
	if err := back.R.Send(1); !errors.Is(err, ErrNoActor) {
		t.Fatalf("Send on an unbound ref = %v", err)
	}
	if _, err := Ask[int](context.Background(), back.R, 1); !errors.Is(err, ErrNoActor) {
		t.Fatalf("Ask on an unbound ref = %v", err)
	}
	b, err := s.Attach(jsonTransport{l: &jsonLink{}, self: "solo"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Detach()
	if _, err := s.Attach(jsonTransport{}); !errors.Is(err, ErrBadOption) {
		t.Fatalf("second Attach = %v", err)
	}
	b.Bind(&back)
	if back.R != ref {
		t.Fatal("a local address binds to the local actor itself")
	}
	var zero struct{ R Ref[int] }
	json.Unmarshal([]byte(`{"R":""}`), &zero)
	if !zero.R.IsZero() {
		t.Fatal("empty text is the zero Ref")
	}
	m := map[string][]*Ref[int]{"k": {&back.R}}
	b.Bind(&m) // maps, slices, pointers: no panic, still bound
	if *m["k"][0] != ref {
		t.Fatal("bind through a map")
	}
}
