package actor

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestTimers(t *testing.T) {
	s := newSys(t)
	ticks := make(chan string, 100)
	var tick *Timer
	ref := must[Ref[string]](t)(Spawn(s, "", func(c *Context[string]) Behavior[string] {
		c.SendAfter(time.Millisecond, "once")
		cancelled := c.SendAfter(time.Hour, "never")
		if !cancelled.Stop() || cancelled.Stop() {
			panic("Stop must report true once")
		}
		if _, err := c.Every(0, "bad"); !errors.Is(err, ErrBadOption) {
			panic("Every(0) must fail")
		}
		var err error
		tick, err = c.Every(time.Millisecond, "tick")
		if err != nil {
			panic(err)
		}
		n := 0
		return func(c *Context[string], m string) error {
			if m == "tick" {
				if n++; n == 3 {
					tick.Stop()
				}
			}
			ticks <- m
			return nil
		}
	}))
	var got []string
	for len(got) < 4 {
		select {
		case m := <-ticks:
			got = append(got, m)
		case <-time.After(10 * time.Second):
			t.Fatalf("got only %v", got)
		}
	}
	counts := map[string]int{}
	for _, m := range got {
		counts[m]++
	}
	if counts["once"] != 1 || counts["tick"] != 3 {
		t.Fatalf("timer messages %v", got)
	}
	time.Sleep(5 * time.Millisecond)
	select {
	case m := <-ticks:
		t.Fatalf("message %q after the tick was stopped", m)
	default:
	}
	ref.Stop()
}

// TestTimersCancelledAtStop: after the actor stops, its periodic timer sends
// nothing more (it would show up as dead letters).
func TestTimersCancelledAtStop(t *testing.T) {
	s := newSys(t)
	var handled atomic.Int64
	ref := must[Ref[int]](t)(Spawn(s, "", func(c *Context[int]) Behavior[int] {
		c.Every(100*time.Microsecond, 1)
		return func(c *Context[int], n int) error {
			if handled.Add(1) == 5 {
				c.Stop()
			}
			return nil
		}
	}))
	waitDone(t, ref.Done(), "stop")
	before := s.DeadLetters()
	time.Sleep(10 * time.Millisecond)
	if d := s.DeadLetters() - before; d != 0 {
		t.Fatalf("%d ticks after stop", d)
	}
}

func TestStashAndBecome(t *testing.T) {
	s := newSys(t)
	out := make(chan string, 10)
	type msg string
	ref := must[Ref[msg]](t)(Spawn(s, "", func(c *Context[msg]) Behavior[msg] {
		var open Behavior[msg]
		closed := func(c *Context[msg], m msg) error {
			if m == "open" {
				out <- fmt.Sprint("unstashed ", c.Unstash())
				c.Become(open)
				return nil
			}
			c.Stash()
			return nil
		}
		open = func(c *Context[msg], m msg) error {
			out <- string(m)
			return nil
		}
		return closed
	}))
	for _, m := range []msg{"a", "b", "open", "c"} {
		ref.Send(m)
	}
	var got []string
	for range 4 {
		got = append(got, <-out)
	}
	if strings.Join(got, ",") != "unstashed 2,a,b,c" {
		t.Fatalf("got %v", got)
	}
}

func TestStashSurvivesRestartAndStopDeadLetters(t *testing.T) {
	s := newSys(t)
	out := make(chan string, 10)
	type msg string
	var starts atomic.Int64
	ref := must[Ref[msg]](t)(Spawn(s, "", func(c *Context[msg]) Behavior[msg] {
		first := starts.Add(1) == 1
		return func(c *Context[msg], m msg) error {
			switch {
			case m == "boom":
				panic("boom")
			case first:
				c.Stash()
			default:
				out <- string(m)
			}
			return nil
		}
	}))
	ref.Send("a")
	ref.Send("b")
	ref.Send("boom") // restart: a and b come back to the new incarnation
	ref.Send("c")
	var got []string
	for range 3 {
		got = append(got, <-out)
	}
	if strings.Join(got, ",") != "a,b,c" {
		t.Fatalf("got %v", got)
	}

	// Stashed messages of a stopping actor are dead letters.
	ref2 := must[Ref[msg]](t)(Spawn(s, "", Stateless(func(c *Context[msg], m msg) error {
		if c.Stashed() < 2 {
			c.Stash()
		}
		return nil
	})))
	dead, cancel := deadCounter(s, ref2)
	defer cancel()
	ref2.Send("x")
	ref2.Send("y")
	ref2.Stop()
	waitDone(t, ref2.Done(), "stop")
	if dead.Load() != 2 {
		t.Fatalf("%d dead letters, want 2", dead.Load())
	}
}

func TestDeadLetterSubscription(t *testing.T) {
	s := newSys(t)
	ref := must[Ref[int]](t)(Spawn(s, "gone", Stateless(func(*Context[int], int) error { return nil })))
	ref.Stop()
	waitDone(t, ref.Done(), "stop")
	var mu sync.Mutex
	var got []DeadLetter
	cancel := s.OnDeadLetter(func(d DeadLetter) {
		mu.Lock()
		got = append(got, d)
		mu.Unlock()
	})
	cancel2 := s.OnDeadLetter(func(DeadLetter) { panic("a faulty subscriber") })
	before := s.DeadLetters()
	if err := ref.Send(7); !errors.Is(err, ErrStopped) {
		t.Fatal(err)
	}
	cancel()
	cancel2()
	ref.Send(8)
	mu.Lock()
	defer mu.Unlock()
	if s.DeadLetters()-before != 2 || len(got) != 1 || got[0].Message != 7 || got[0].Recipient != ref.Any() || got[0].Reason != ErrStopped || !got[0].Sender.IsZero() {
		t.Fatalf("dead letters %+v (count %d)", got, s.DeadLetters()-before)
	}
}

func TestShutdownGraceful(t *testing.T) {
	s, err := NewSystem(WithName("grace"))
	if err != nil {
		t.Fatal(err)
	}
	var handled atomic.Int64
	gate := make(chan struct{})
	parent := must[Ref[int]](t)(Spawn(s, "p", func(c *Context[int]) Behavior[int] {
		child := must[Ref[int]](t)(Spawn(c, "c", Stateless(func(_ *Context[int], n int) error {
			<-gate
			handled.Add(1)
			return nil
		})))
		return func(_ *Context[int], n int) error {
			handled.Add(1)
			return child.Send(n)
		}
	}))
	for i := range 100 {
		parent.Send(i)
	}
	errc := make(chan error, 1)
	var rep ShutdownReport
	go func() {
		var err error
		rep, err = s.Shutdown(context.Background())
		errc <- err
	}()
	close(gate)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	// The parent handled its 100 messages; the child got every one of them
	// that the parent sent before the child's own stop marker.
	if h := handled.Load(); h < 100 || h+int64(rep.Unprocessed) != 200 {
		t.Fatalf("handled %d, unprocessed %d", h, rep.Unprocessed)
	}
	if _, err := Spawn(s, "late", Stateless(func(*Context[int], int) error { return nil })); !errors.Is(err, ErrSystemStopped) {
		t.Fatalf("Spawn after Shutdown: %v", err)
	}
	if _, err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestShutdownDeadline(t *testing.T) {
	s, err := NewSystem()
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	started := make(chan struct{})
	ref := must[Ref[int]](t)(Spawn(s, "stuck", Stateless(func(_ *Context[int], n int) error {
		if n == 0 {
			close(started)
			<-gate
		}
		return nil
	})))
	ref.Send(0)
	<-started
	for i := 1; i <= 10; i++ {
		ref.Send(i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	rep, err := s.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || len(rep.Killed) != 1 || rep.Killed[0] != ref.Address() {
		t.Fatalf("Shutdown = %+v, %v", rep, err)
	}
	dead, cancelDead := deadCounter(s, ref)
	defer cancelDead()
	close(gate)
	waitDone(t, s.Done(), "system done after the kill")
	if dead.Load() != 10 {
		t.Fatalf("%d dead letters, want the 10 queued messages", dead.Load())
	}
}

func TestAddress(t *testing.T) {
	s := newSys(t, WithName("bank"))
	r := must[Ref[int]](t)(Spawn(s, "", Stateless(func(*Context[int], int) error { return nil })))
	a := r.Address()
	if !strings.HasPrefix(a.Path, "/user/$") || a.System != "bank" || a.Name() != fmt.Sprint("$", a.ID) {
		t.Fatalf("generated address %v", a)
	}
	if got, ok := s.Lookup(a.Path); !ok || got != r.Any() {
		t.Fatalf("lookup of a generated name: %v %v", got, ok)
	}
	for _, p := range []string{"", "/user", "/user/", "/system/x", "/user/$zz", "/user//x"} {
		if _, ok := s.Lookup(p); ok {
			t.Errorf("Lookup(%q) found something", p)
		}
	}
	b, err := ParseAddress(a.String())
	if err != nil || b != a {
		t.Fatalf("round trip %v -> %v, %v", a, b, err)
	}
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"actor://s/user/a#1", "actor://nobody", "actor://s/user/$3#3", "x", "actor://s#1", "actor://s/a#b", "actor:///a#1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			if !errors.Is(err, ErrBadAddress) {
				t.Fatalf("error %v does not match ErrBadAddress", err)
			}
			return
		}
		b, err := ParseAddress(a.String())
		if err != nil || b != a {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", s, a, a.String(), b, err)
		}
	})
}

// TestIdleActorsHoldNoGoroutine: an actor owns a goroutine only while it
// has messages; tens of thousands of idle actors leave the goroutine count
// where it was.
func TestIdleActorsHoldNoGoroutine(t *testing.T) {
	s := newSys(t)
	n := 20000
	if testing.Short() {
		n = 2000
	}
	base := runtime.NumGoroutine()
	var started, handled atomic.Int64
	refs := make([]Ref[int], n)
	for i := range refs {
		refs[i] = must[Ref[int]](t)(Spawn(s, "", func(*Context[int]) Behavior[int] {
			started.Add(1)
			return func(*Context[int], int) error { handled.Add(1); return nil }
		}))
	}
	settled := func(what string) {
		eventually(t, what, func() bool { return runtime.NumGoroutine() <= base+2 })
	}
	eventually(t, "setups", func() bool { return started.Load() == int64(n) })
	settled("goroutines to end after setup")
	for _, r := range refs {
		r.Send(1)
	}
	eventually(t, "messages", func() bool { return handled.Load() == int64(n) })
	settled("goroutines to end after the messages")
}

func TestZeroSystem(t *testing.T) {
	var s System
	ref, err := Spawn(&s, "x", Stateless(func(c *Context[int], n int) error { return c.Reply(n + 1) }))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := Ask[int, int](context.Background(), ref, 1); v != 2 || err != nil || s.Name() != "ludus" {
		t.Fatal(v, err, s.Name())
	}
	if _, ok := s.Lookup("/user/x"); !ok {
		t.Fatal("lookup in a zero System")
	}
	if _, err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-s.Done()
	var nilSys *System
	if _, err := Spawn(nilSys, "", Stateless(func(*Context[int], int) error { return nil })); err != ErrNoActor {
		t.Fatalf("Spawn on a nil *System: %v", err)
	}
}
