package actor

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// failureCounter is a WithOnFailure option that counts failures.
func failureCounter() (SystemOption, *atomic.Int64) {
	var n atomic.Int64
	return WithOnFailure(func(*Failure, Directive) { n.Add(1) }), &n
}

// deadReasons records the reasons of every dead letter.
func deadReasons(s *System) (func() []error, func()) {
	var mu sync.Mutex
	var got []error
	cancel := s.OnDeadLetter(func(d DeadLetter) {
		mu.Lock()
		got = append(got, d.Reason)
		mu.Unlock()
	})
	return func() []error {
		mu.Lock()
		defer mu.Unlock()
		return append([]error(nil), got...)
	}, cancel
}

// TestReplyWithoutAskerIsADeadLetter is the README's account: a deposit
// sent with Send is answered with Reply, which has no one to go to. The
// reply goes to dead letters; the actor does not fail, is not restarted,
// and keeps its balance (issue 14, finding 1: the Ask used to return -200).
func TestReplyWithoutAskerIsADeadLetter(t *testing.T) {
	onFailure, failures := failureCounter()
	s := newSys(t, onFailure)
	reasons, cancel := deadReasons(s)
	defer cancel()
	acct := must[Ref[int]](t)(Spawn(s, "alice", func(c *Context[int]) Behavior[int] {
		balance := 0
		return func(c *Context[int], delta int) error {
			balance += delta
			Reply(c, balance)
			return nil
		}
	}))
	if err := acct.Send(500); err != nil {
		t.Fatal(err)
	}
	b, err := Ask[int](context.Background(), acct, -200)
	if err != nil || b != 300 {
		t.Fatalf("Ask = %d, %v; want 300", b, err)
	}
	if got := reasons(); len(got) != 1 || !errors.Is(got[0], ErrNoSender) {
		t.Fatalf("dead letters %v; want one ErrNoSender", got)
	}
	if failures.Load() != 0 {
		t.Fatalf("%d failures; a reply without an asker must not fail the actor", failures.Load())
	}
}

// TestWrongReplyTypeFailsTheAsker: the Ask gets ErrWrongType at once; the
// answering actor is not failed and keeps its state; the reply is a dead
// letter with the reason.
func TestWrongReplyTypeFailsTheAsker(t *testing.T) {
	onFailure, failures := failureCounter()
	s := newSys(t, onFailure)
	reasons, cancel := deadReasons(s)
	defer cancel()
	ref := must[Ref[string]](t)(Spawn(s, "", func(c *Context[string]) Behavior[string] {
		n := 0
		return func(c *Context[string], m string) error {
			n++
			Reply(c, n) // an int, whatever the asker wants
			return nil
		}
	}))
	if _, err := Ask[string](context.Background(), ref, "a"); !errors.Is(err, ErrWrongType) {
		t.Fatalf("Ask[string] answered with an int: %v; want ErrWrongType", err)
	}
	n, err := Ask[int](context.Background(), ref, "b")
	if err != nil || n != 2 {
		t.Fatalf("second Ask = %d, %v; want 2 (state kept, no restart)", n, err)
	}
	if got := reasons(); len(got) != 1 || !errors.Is(got[0], ErrWrongType) {
		t.Fatalf("dead letters %v; want one ErrWrongType", got)
	}
	if failures.Load() != 0 {
		t.Fatalf("%d failures; a wrong reply type is the asker's error, not the replier's", failures.Load())
	}
}

// TestReplyToActorSender: replies to a SendFrom sender arrive as messages;
// one of the wrong type, or one refused by a full Fail mailbox, is a dead
// letter, not a failure of the replier.
func TestReplyToActorSender(t *testing.T) {
	onFailure, failures := failureCounter()
	s := newSys(t, onFailure)
	reasons, cancel := deadReasons(s)
	defer cancel()
	echo := must[Ref[string]](t)(Spawn(s, "echo", Stateless(func(c *Context[string], m string) error {
		if m == "number" {
			Reply(c, 7)
			return nil
		}
		Reply(c, m)
		return nil
	})))
	got := make(chan string, 1)
	gate := make(chan struct{})
	listener := must[Ref[string]](t)(Spawn(s, "listener", Stateless(func(c *Context[string], m string) error {
		if m == "block" {
			<-gate
			return nil
		}
		got <- m
		return nil
	}), WithMailbox(1, Fail)))
	if err := echo.SendFrom(listener, "hi"); err != nil {
		t.Fatal(err)
	}
	if m := <-got; m != "hi" {
		t.Fatalf("reply %q", m)
	}
	if err := echo.SendFrom(listener, "number"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the wrong-type reply to be dead-lettered", func() bool { return len(reasons()) == 1 })
	if r := reasons(); !errors.Is(r[0], ErrWrongType) {
		t.Fatalf("dead letter reason %v", r[0])
	}
	// Fill the listener's Fail mailbox: the next reply has nowhere to go.
	listener.Send("block")
	eventually(t, "the listener to block", func() bool { return len(listener.p.(*cell[string]).tokens) == 0 })
	listener.Send("queued")
	echo.SendFrom(listener, "refused")
	eventually(t, "the refused reply to be dead-lettered", func() bool { return len(reasons()) == 2 })
	if r := reasons(); !errors.Is(r[1], ErrMailboxFull) {
		t.Fatalf("dead letter reason %v", r[1])
	}
	close(gate)
	if failures.Load() != 0 {
		t.Fatalf("%d failures", failures.Load())
	}
}

// TestTimerIntoFullFailMailbox: a timer message that finds a full Fail
// mailbox used to be returned to a timer that ignored the error; it is a
// dead letter now.
func TestTimerIntoFullFailMailbox(t *testing.T) {
	s := newSys(t)
	reasons, cancel := deadReasons(s)
	defer cancel()
	gate, started := make(chan struct{}), make(chan struct{})
	ref := must[Ref[string]](t)(Spawn(s, "", Stateless(func(c *Context[string], m string) error {
		if m == "block" {
			close(started)
			<-gate
		}
		return nil
	}), WithMailbox(1, Fail)))
	ref.Send("block")
	<-started
	if err := ref.Send("fill"); err != nil {
		t.Fatal(err)
	}
	ref.p.(*cell[string]).ctx.SendAfter(0, "tick") // as the actor itself would
	eventually(t, "the tick to be dead-lettered", func() bool { return len(reasons()) == 1 })
	if r := reasons(); !errors.Is(r[0], ErrMailboxFull) {
		t.Fatalf("reason %v", r[0])
	}
	close(gate)
}

// TestAskInfersTheRequestType: only the reply type is written (issue 14,
// finding 9); AskWith infers both from its build function.
func TestAskInfersTheRequestType(t *testing.T) {
	s := newSys(t)
	type query struct{ n int }
	ref := must[Ref[query]](t)(Spawn(s, "", Stateless(func(c *Context[query], q query) error {
		Reply(c, q.n*2)
		return nil
	})))
	if v, err := Ask[int](context.Background(), ref, query{21}); v != 42 || err != nil {
		t.Fatal(v, err)
	}
	type get struct{ to Ref[int] }
	g := must[Ref[get]](t)(Spawn(s, "", Stateless(func(c *Context[get], m get) error { return m.to.Send(1) })))
	if v, err := AskWith(context.Background(), g, func(r Ref[int]) get { return get{r} }); v != 1 || err != nil {
		t.Fatal(v, err)
	}
	// A reply with an interface type: R written out.
	e := must[Ref[int]](t)(Spawn(s, "", Stateless(func(c *Context[int], n int) error {
		Reply[error](c, errors.New("no"))
		return nil
	})))
	if err, aerr := Ask[error](context.Background(), e, 1); aerr != nil || err == nil || err.Error() != "no" {
		t.Fatal(err, aerr)
	}
}
