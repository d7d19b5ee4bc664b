package actor

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

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
	ref, err := Spawn(&s, "x", Stateless(func(c *Context[int], n int) error { Reply(c, n+1); return nil }))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := Ask[int](context.Background(), ref, 1); v != 2 || err != nil || s.Name() != "ludus" {
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
