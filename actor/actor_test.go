package actor

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newSys returns a System shut down (and checked to be empty) when the test
// ends.
func newSys(t testing.TB, opts ...SystemOption) *System {
	t.Helper()
	s, err := NewSystem(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		waitDone(t, s.Done(), "system done")
	})
	return s
}

func waitDone(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// deadCounter counts the dead letters addressed to one actor.
func deadCounter(s *System, to Target) (*atomic.Int64, func()) {
	var n atomic.Int64
	cancel := s.OnDeadLetter(func(d DeadLetter) {
		if d.Recipient.Address() == to.Address() {
			n.Add(1)
		}
	})
	return &n, cancel
}

type counterMsg struct {
	add int
	get bool
}

func counter(c *Context[counterMsg]) Behavior[counterMsg] {
	n := 0
	return func(c *Context[counterMsg], m counterMsg) error {
		if m.get {
			Reply(c, n)
			return nil
		}
		n += m.add
		return nil
	}
}

func TestSendAndAsk(t *testing.T) {
	s := newSys(t)
	ref := must[Ref[counterMsg]](t)(Spawn(s, "counter", counter))
	for i := 1; i <= 100; i++ {
		if err := ref.Send(counterMsg{add: i}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Ask[int](context.Background(), ref, counterMsg{get: true})
	if err != nil || got != 5050 {
		t.Fatalf("Ask = %d, %v; want 5050", got, err)
	}
	if a := ref.Address(); a.Path != "/user/counter" || a.System != "ludus" || a.Name() != "counter" {
		t.Fatalf("address %v", a)
	}
	if r, ok := s.Lookup("/user/counter"); !ok || r != ref.Any() {
		t.Fatalf("lookup: %v %v", r, ok)
	}
	back, err := RefOf[counterMsg](ref.Any())
	if err != nil || back != ref {
		t.Fatalf("RefOf: %v %v", back, err)
	}
	if _, err := RefOf[string](ref.Any()); !errors.Is(err, ErrWrongType) {
		t.Fatalf("RefOf wrong type: %v", err)
	}
	if err := ref.Any().Send("nope"); !errors.Is(err, ErrWrongType) {
		t.Fatalf("AnyRef.Send wrong type: %v", err)
	}
	if err := ref.Any().Send(counterMsg{add: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := Ask[string](context.Background(), ref, counterMsg{get: true}); !errors.Is(err, ErrWrongType) {
		t.Fatalf("Ask with a wrong reply type: %v", err)
	}
}

func TestZeroRefs(t *testing.T) {
	var r Ref[int]
	if !r.IsZero() || r.Send(1) != ErrNoActor || r.SendFrom(nil, 1) != ErrNoActor || r.Address() != (Address{}) {
		t.Fatal("zero Ref misbehaves")
	}
	r.Stop()
	r.Kill()
	<-r.Done()
	if _, err := Ask[int](context.Background(), r, 1); err != ErrNoActor {
		t.Fatal(err)
	}
	var a AnyRef
	if !a.IsZero() || a.Send(1) != ErrNoActor || a.String() != "actor://nobody" {
		t.Fatal("zero AnyRef misbehaves")
	}
	if _, err := Spawn[int](nil, "", Stateless(func(*Context[int], int) error { return nil })); err != ErrNoActor {
		t.Fatal(err)
	}
}

func TestSpawnValidation(t *testing.T) {
	s := newSys(t)
	nop := Stateless(func(*Context[int], int) error { return nil })
	for _, name := range []string{"a/b", "$x", "a#b"} {
		if _, err := Spawn(s, name, nop); !errors.Is(err, ErrBadName) {
			t.Errorf("name %q: %v", name, err)
		}
	}
	if _, err := Spawn[int](s, "x", nil); !errors.Is(err, ErrNilBehavior) {
		t.Error(err)
	}
	for _, o := range []SpawnOption{WithMailbox(-1, Block), WithMailbox(1, Policy(9)), WithThroughput(0), WithChildStrategy(Strategy{Scope: 7}), WithChildStrategy(Strategy{Within: -1})} {
		if _, err := Spawn(s, "", nop, o); !errors.Is(err, ErrBadOption) {
			t.Errorf("option: %v", err)
		}
	}
	if _, err := NewSystem(WithName("a/b")); !errors.Is(err, ErrBadName) {
		t.Error(err)
	}
	if _, err := NewSystem(WithChildStrategy(Strategy{BackoffMin: -1})); !errors.Is(err, ErrBadOption) {
		t.Error(err)
	}
	a := must[Ref[int]](t)(Spawn(s, "a", nop))
	if _, err := Spawn(s, "a", nop); !errors.Is(err, ErrNameTaken) {
		t.Fatal(err)
	}
	a.Stop()
	waitDone(t, a.Done(), "a")
	// The name is free once the actor has terminated.
	if _, err := Spawn(s, "a", nop); err != nil {
		t.Fatal(err)
	}
}

func TestNilBehaviorFromSetupIsAFailure(t *testing.T) {
	s := newSys(t, WithChildStrategy(Strategy{Decider: func(error) Directive { return Stop }}))
	r := must[Ref[int]](t)(Spawn(s, "", func(*Context[int]) Behavior[int] { return nil }))
	waitDone(t, r.Done(), "actor")
	var got Terminated
	w := must[Ref[Terminated]](t)(Spawn(s, "", func(c *Context[Terminated]) Behavior[Terminated] {
		c.Watch(r, func(t Terminated) Terminated { return t })
		return func(c *Context[Terminated], m Terminated) error { got = m; c.Stop(); return nil }
	}))
	waitDone(t, w.Done(), "watcher")
	if !errors.Is(got.Reason, ErrNilBehavior) || got.Ref != r.Any() {
		t.Fatalf("Terminated = %+v", got)
	}
}

// TestFIFOPerSender: messages from one sender arrive in send order, whatever
// the other senders do, in unbounded and bounded mailboxes.
func TestFIFOPerSender(t *testing.T) {
	for _, opt := range []struct {
		name string
		o    []SpawnOption
	}{{"unbounded", nil}, {"bounded-block", []SpawnOption{WithMailbox(8, Block)}}, {"throughput-1", []SpawnOption{WithThroughput(1)}}} {
		t.Run(opt.name, func(t *testing.T) {
			s := newSys(t)
			const senders, per = 8, 3000
			type m struct{ from, seq int }
			var bad atomic.Int64
			var got atomic.Int64
			done := make(chan struct{})
			ref := must[Ref[m]](t)(Spawn(s, "", func(*Context[m]) Behavior[m] {
				last := make([]int, senders)
				return func(_ *Context[m], x m) error {
					if x.seq != last[x.from]+1 {
						bad.Add(1)
					}
					last[x.from] = x.seq
					if got.Add(1) == senders*per {
						close(done)
					}
					return nil
				}
			}, opt.o...))
			var wg sync.WaitGroup
			for f := range senders {
				wg.Go(func() {
					for i := 1; i <= per; i++ {
						if err := ref.Send(m{f, i}); err != nil {
							t.Error(err)
							return
						}
						if i%64 == 0 {
							runtime.Gosched() // let the actor go idle now and then
						}
					}
				})
			}
			wg.Wait()
			waitDone(t, done, "all messages")
			if bad.Load() != 0 {
				t.Fatalf("%d messages out of order", bad.Load())
			}
		})
	}
}

// TestHandOffStress hammers the moment an actor goes idle while messages
// arrive: many short-lived bursts into many actors; every message must be
// handled (none stranded in the mailbox of an idle actor).
func TestHandOffStress(t *testing.T) {
	s := newSys(t)
	actors, rounds := 64, 300
	if testing.Short() {
		rounds = 50
	}
	var handled atomic.Int64
	refs := make([]Ref[int], actors)
	for i := range refs {
		refs[i] = must[Ref[int]](t)(Spawn(s, "", Stateless(func(_ *Context[int], n int) error {
			handled.Add(1)
			return nil
		})))
	}
	var sent atomic.Int64
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range rounds {
				ref := refs[r.IntN(actors)]
				for range 1 + r.IntN(3) {
					ref.Send(1)
					sent.Add(1)
				}
				if r.IntN(4) == 0 {
					runtime.Gosched()
				}
			}
		})
	}
	wg.Wait()
	// Every actor answers an Ask only after the messages before it: once all
	// have answered, everything sent has been handled.
	for _, ref := range refs {
		_ = ref // an Ask needs a reply; use a barrier actor-by-actor instead
	}
	deadline := time.Now().Add(20 * time.Second)
	for handled.Load() != sent.Load() {
		if time.Now().After(deadline) {
			t.Fatalf("handled %d of %d messages: some were stranded", handled.Load(), sent.Load())
		}
		time.Sleep(time.Millisecond)
	}
}

// TestPingPongHandOff: two actors bounce a message, so each goes idle after
// every message and is woken by the other: the hand-off at every step.
func TestPingPongHandOff(t *testing.T) {
	s := newSys(t)
	const pairs, hops = 8, 2000
	var wg sync.WaitGroup
	type ball struct {
		n    int
		back Ref[any]
	}
	for range pairs {
		done := make(chan struct{})
		pong := must[Ref[ball]](t)(Spawn(s, "", Stateless(func(c *Context[ball], b ball) error {
			return b.back.Send(b.n + 1)
		})))
		ping := must[Ref[any]](t)(Spawn(s, "", Stateless(func(c *Context[any], m any) error {
			n := m.(int)
			if n >= hops {
				close(done)
				return nil
			}
			return pong.Send(ball{n, c.Self()})
		})))
		wg.Go(func() {
			ping.Send(0)
			waitDone(t, done, "ping-pong")
		})
	}
	wg.Wait()
}

func TestAskTimeoutAndLateReply(t *testing.T) {
	s := newSys(t)
	late := make(chan DeadLetter, 1)
	cancel := s.OnDeadLetter(func(d DeadLetter) {
		if errors.Is(d.Reason, ErrLateReply) {
			late <- d
		}
	})
	defer cancel()
	type req struct {
		release bool
	}
	// The actor stashes requests and answers them when released.
	ref := must[Ref[req]](t)(Spawn(s, "slow", Stateless(func(c *Context[req], r req) error {
		if !r.release {
			c.Stash()
			return nil
		}
		c.Unstash()
		c.Become(func(c *Context[req], r req) error { Reply(c, 42); return nil })
		return nil
	})))
	ctx, cancelCtx := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelCtx()
	_, err := Ask[int](ctx, ref, req{})
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Ask error = %v; want ErrTimeout and DeadlineExceeded", err)
	}
	ref.Send(req{release: true})
	select {
	case d := <-late:
		if d.Message != 42 {
			t.Fatalf("late reply %v", d.Message)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("late reply never reached dead letters")
	}
	// After Become the actor answers at once.
	if v, err := Ask[int](context.Background(), ref, req{}); v != 42 || err != nil {
		t.Fatal(v, err)
	}
	// An Ask whose context is already over does not send.
	if _, err := Ask[int](ctx, ref, req{}); !errors.Is(err, ErrTimeout) {
		t.Fatal(err)
	}
}

func TestAskFailsFast(t *testing.T) {
	s := newSys(t, WithChildStrategy(Strategy{Decider: func(error) Directive { return Resume }}))
	boom := errors.New("boom")
	ref := must[Ref[int]](t)(Spawn(s, "", Stateless(func(c *Context[int], n int) error {
		if n < 0 {
			return boom
		}
		Reply(c, n*2)
		return nil
	})))
	if _, err := Ask[int](context.Background(), ref, -1); !errors.Is(err, boom) {
		t.Fatalf("Ask on a failing request = %v", err)
	}
	var f *Failure
	if _, err := Ask[int](context.Background(), ref, -1); !errors.As(err, &f) || f.Actor != ref.Address() || f.Message != -1 {
		t.Fatalf("Ask failure = %v", err)
	}
	if v, err := Ask[int](context.Background(), ref, 21); v != 42 || err != nil {
		t.Fatal(v, err)
	}
	ref.Stop()
	waitDone(t, ref.Done(), "stop")
	if _, err := Ask[int](context.Background(), ref, 1); !errors.Is(err, ErrStopped) {
		t.Fatalf("Ask to a stopped actor = %v", err)
	}
	// A request still queued when the actor is killed fails its Ask.
	gate := make(chan struct{})
	blocked := make(chan struct{})
	ref2 := must[Ref[int]](t)(Spawn(s, "", Stateless(func(c *Context[int], n int) error {
		if n == 0 {
			close(blocked)
			<-gate
		}
		Reply(c, n)
		return nil
	})))
	ref2.Send(0)
	<-blocked
	errc := make(chan error, 1)
	go func() {
		_, err := Ask[int](context.Background(), ref2, 1)
		errc <- err
	}()
	for ref2.p.(*cell[int]).userq.tail.next.Load() == nil {
		runtime.Gosched() // until the request is queued
	}
	ref2.Kill()
	close(gate)
	if err := <-errc; !errors.Is(err, ErrStopped) {
		t.Fatalf("Ask of a request dead-lettered by Kill = %v", err)
	}
}

func TestAskWith(t *testing.T) {
	s := newSys(t)
	type get struct{ reply Ref[string] }
	ref := must[Ref[get]](t)(Spawn(s, "", Stateless(func(c *Context[get], g get) error {
		return g.reply.Send("hello")
	})))
	v, err := AskWith(context.Background(), ref, func(r Ref[string]) get { return get{r} })
	if v != "hello" || err != nil {
		t.Fatal(v, err)
	}
	if _, err := AskWith[string, get](context.Background(), ref, nil); !errors.Is(err, ErrBadOption) {
		t.Fatal(err)
	}
	s.OnDeadLetter(nil)() // ignored, and its cancel works
}

// gated spawns an actor that blocks on gate while handling its first
// message and records what it handles.
func gated(t *testing.T, s *System, opts ...SpawnOption) (ref Ref[int], started, gate chan struct{}, handled *[]int, mu *sync.Mutex) {
	started, gate = make(chan struct{}), make(chan struct{})
	handled, mu = new([]int), new(sync.Mutex)
	first := true
	ref = must[Ref[int]](t)(Spawn(s, "", Stateless(func(c *Context[int], n int) error {
		if first {
			first = false
			close(started)
			<-gate
		}
		mu.Lock()
		*handled = append(*handled, n)
		mu.Unlock()
		return nil
	}), opts...))
	return
}

func TestBoundedPolicies(t *testing.T) {
	s := newSys(t)
	for _, tc := range []struct {
		policy Policy
		dead   int64 // DropNewest dead-letters the refused message; Fail hands it back
	}{{Fail, 0}, {DropNewest, 1}} {
		t.Run(tc.policy.String(), func(t *testing.T) {
			ref, started, gate, handled, mu := gated(t, s, WithMailbox(2, tc.policy))
			ref.Send(0)
			<-started
			dead, cancel := deadCounter(s, ref)
			defer cancel()
			ref.Send(1)
			ref.Send(2)
			if err := ref.Send(3); !errors.Is(err, ErrMailboxFull) {
				t.Fatalf("Send to a full mailbox = %v", err)
			}
			close(gate)
			ref.Stop()
			waitDone(t, ref.Done(), "stop")
			mu.Lock()
			defer mu.Unlock()
			if fmt.Sprint(*handled) != "[0 1 2]" || dead.Load() != tc.dead {
				t.Fatalf("handled %v, %d dead letters", *handled, dead.Load())
			}
		})
	}
	t.Run("block", func(t *testing.T) {
		ref, started, gate, handled, mu := gated(t, s, WithMailbox(2, Block))
		ref.Send(0)
		<-started
		ref.Send(1)
		ref.Send(2)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		if err := ref.SendContext(ctx, 3); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("SendContext to a full mailbox = %v", err)
		}
		sent := make(chan error)
		go func() { sent <- ref.Send(4) }() // blocks until there is room
		close(gate)
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
		ref.Stop()
		waitDone(t, ref.Done(), "stop")
		mu.Lock()
		defer mu.Unlock()
		if fmt.Sprint(*handled) != "[0 1 2 4]" {
			t.Fatalf("handled %v", *handled)
		}
	})
}

// TestKillOvertakesMailbox: Kill is a system message; it is handled before
// the queued user messages, which go to dead letters.
func TestKillOvertakesMailbox(t *testing.T) {
	s := newSys(t)
	ref, started, gate, handled, mu := gated(t, s)
	dead, cancel := deadCounter(s, ref)
	defer cancel()
	ref.Send(0)
	<-started
	for i := 1; i <= 100; i++ {
		ref.Send(i)
	}
	ref.Kill()
	close(gate)
	waitDone(t, ref.Done(), "kill")
	mu.Lock()
	defer mu.Unlock()
	if len(*handled) != 1 || dead.Load() != 100 {
		t.Fatalf("handled %v, %d dead letters; want [0] and 100", *handled, dead.Load())
	}
	if err := ref.Send(1); !errors.Is(err, ErrStopped) {
		t.Fatal(err)
	}
}

// TestGracefulStop: Stop lets the queued messages through first.
func TestGracefulStop(t *testing.T) {
	s := newSys(t)
	ref, started, gate, handled, mu := gated(t, s)
	dead, cancel := deadCounter(s, ref)
	defer cancel()
	ref.Send(0)
	<-started
	for i := 1; i <= 100; i++ {
		ref.Send(i)
	}
	ref.Stop()
	ref.Send(101) // after the stop: dead letter
	close(gate)
	waitDone(t, ref.Done(), "stop")
	mu.Lock()
	defer mu.Unlock()
	if len(*handled) != 101 || dead.Load() != 1 {
		t.Fatalf("handled %d, %d dead letters; want 101 and 1", len(*handled), dead.Load())
	}
}

// TestStopUnderConcurrentSenders: every message is either handled or
// dead-lettered; none vanishes.
func TestStopUnderConcurrentSenders(t *testing.T) {
	for _, stop := range []string{"stop", "kill", "self"} {
		for _, opts := range [][]SpawnOption{nil, {WithMailbox(16, Block)}, {WithMailbox(16, DropNewest)}} {
			t.Run(fmt.Sprint(stop, len(opts)), func(t *testing.T) {
				s := newSys(t)
				var handled atomic.Int64
				ref := must[Ref[int]](t)(Spawn(s, "", Stateless(func(c *Context[int], n int) error {
					handled.Add(1)
					if n == -1 {
						c.Stop()
					}
					return nil
				}), opts...))
				dead, cancel := deadCounter(s, ref)
				defer cancel()
				const senders, per = 4, 5000
				var sent, refused atomic.Int64
				var wg sync.WaitGroup
				for range senders {
					wg.Go(func() {
						for i := range per {
							err := ref.Send(i)
							sent.Add(1)
							if err != nil && !errors.Is(err, ErrStopped) && !errors.Is(err, ErrMailboxFull) {
								t.Error(err)
							}
							if err != nil {
								refused.Add(1)
							}
						}
					})
				}
				time.Sleep(time.Millisecond)
				switch stop {
				case "stop":
					ref.Stop()
				case "kill":
					ref.Kill()
				case "self":
					// A full DropNewest mailbox may drop the request: retry.
					for {
						err := ref.Send(-1)
						sent.Add(1)
						if err == nil {
							break
						}
						refused.Add(1)
					}
				}
				wg.Wait()
				waitDone(t, ref.Done(), "termination")
				// Stragglers queued after termination are dead-lettered by the
				// actor's own loop: wait for the books to balance.
				deadline := time.Now().Add(10 * time.Second)
				for handled.Load()+dead.Load() != sent.Load() && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				if h, d, n := handled.Load(), dead.Load(), sent.Load(); h+d != n {
					t.Fatalf("handled %d + dead %d != sent %d", h, d, n)
				}
				if refused.Load() > dead.Load() {
					t.Fatalf("%d sends refused but only %d dead letters", refused.Load(), dead.Load())
				}
			})
		}
	}
}

func TestLifecycleHooksAndChildren(t *testing.T) {
	s := newSys(t, WithChildStrategy(Strategy{Decider: func(error) Directive { return Restart }}))
	var mu sync.Mutex
	var log []string
	rec := func(f string, a ...any) {
		mu.Lock()
		log = append(log, fmt.Sprintf(f, a...))
		mu.Unlock()
	}
	type msg string
	parent := must[Ref[msg]](t)(Spawn(s, "parent", func(c *Context[msg]) Behavior[msg] {
		rec("parent started")
		c.OnStopping(func() { rec("parent stopping") })
		c.OnStopped(func(r error) { rec("parent stopped %v", r) })
		c.OnRestarting(func(r error) { rec("parent restarting %v", r) })
		_, err := Spawn(c, "child", func(c *Context[msg]) Behavior[msg] {
			rec("child started")
			c.OnStopped(func(r error) { rec("child stopped %v", r) })
			return func(c *Context[msg], m msg) error { Reply(c, "child"); return nil }
		})
		if err != nil {
			rec("spawn child: %v", err)
		}
		return func(c *Context[msg], m msg) error {
			switch m {
			case "fail":
				return errors.New("boom")
			case "children":
				names := []string{}
				for _, k := range c.Children() {
					names = append(names, k.Address().Path)
				}
				Reply(c, strings.Join(names, ","))
				return nil
			}
			return nil
		}
	}))
	ask := func() string {
		v, err := Ask[string](context.Background(), parent, "children")
		if err != nil {
			t.Fatal(err)
		}
		// Wait for the child to have started, so that the log order is fixed.
		r, ok := s.Lookup("/user/parent/child")
		if !ok {
			t.Fatal("no child")
		}
		if _, err := Ask[string](context.Background(), must[Ref[msg]](t)(RefOf[msg](r)), "hi"); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := ask(); got != "/user/parent/child" {
		t.Fatalf("children %q", got)
	}
	if r, ok := s.Lookup("/user/parent/child"); !ok || r.Address().Path != "/user/parent/child" {
		t.Fatal("lookup of the child failed")
	}
	if _, ok := s.Lookup("/user/parent/nobody"); ok {
		t.Fatal("lookup of a missing child succeeded")
	}
	parent.Send("fail")
	// After the restart the (new) child exists again under the same name.
	if got := ask(); got != "/user/parent/child" {
		t.Fatalf("children after restart %q", got)
	}
	parent.Stop()
	waitDone(t, parent.Done(), "parent")
	mu.Lock()
	defer mu.Unlock()
	want := []string{
		"parent started", "child started",
		"parent restarting actor actor://ludus/user/parent#2 failed: boom",
		"child stopped actor actor://ludus/user/parent#2 failed: boom",
		"parent started", "child started",
		"parent stopping", "child stopped <nil>", "parent stopped <nil>",
	}
	if strings.Join(log, "\n") != strings.Join(want, "\n") {
		t.Fatalf("hooks ran as\n%s\nwant\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
}

func TestWatch(t *testing.T) {
	s := newSys(t, WithChildStrategy(Strategy{Decider: func(error) Directive { return Stop }}))
	boom := errors.New("boom")
	mk := func() Ref[int] {
		return must[Ref[int]](t)(Spawn(s, "", Stateless(func(c *Context[int], n int) error {
			if n == 1 {
				return boom
			}
			return nil
		})))
	}
	stopped, killed, failed, dead := mk(), mk(), mk(), mk()
	dead.Stop()
	waitDone(t, dead.Done(), "dead")
	got := make(chan Terminated, 4)
	w := must[Ref[Terminated]](t)(Spawn(s, "watcher", func(c *Context[Terminated]) Behavior[Terminated] {
		for _, r := range []Ref[int]{stopped, killed, failed, dead} {
			if err := c.Watch(r, func(t Terminated) Terminated { return t }); err != nil {
				panic(err)
			}
		}
		if err := c.Watch(c.Self(), func(t Terminated) Terminated { return t }); !errors.Is(err, ErrBadOption) {
			panic("watching oneself must fail")
		}
		return func(c *Context[Terminated], m Terminated) error { got <- m; return nil }
	}))
	stopped.Stop()
	killed.Kill()
	failed.Send(1)
	reasons := map[AnyRef]error{}
	for range 4 {
		select {
		case m := <-got:
			reasons[m.Ref] = m.Reason
		case <-time.After(10 * time.Second):
			t.Fatal("missing Terminated")
		}
	}
	var f *Failure
	if reasons[stopped.Any()] != nil || reasons[killed.Any()] != ErrKilled || !errors.As(reasons[failed.Any()], &f) || !errors.Is(f, boom) || reasons[dead.Any()] != nil {
		t.Fatalf("reasons %v", reasons)
	}
	w.Stop()
}

func TestUnwatch(t *testing.T) {
	s := newSys(t)
	target := must[Ref[int]](t)(Spawn(s, "", Stateless(func(*Context[int], int) error { return nil })))
	got := make(chan string, 2)
	w := must[Ref[string]](t)(Spawn(s, "", func(c *Context[string]) Behavior[string] {
		c.Watch(target, func(Terminated) string { return "terminated" })
		return func(c *Context[string], m string) error {
			if m == "unwatch" {
				c.Unwatch(target)
				Reply(c, "ok")
				return nil
			}
			got <- m
			return nil
		}
	}))
	if _, err := Ask[string](context.Background(), w, "unwatch"); err != nil {
		t.Fatal(err)
	}
	target.Stop()
	waitDone(t, target.Done(), "target")
	w.Send("after")
	if m := <-got; m != "after" {
		t.Fatalf("got %q after Unwatch", m)
	}
}

// TestAskLeaksNothing: asks that time out leave no goroutine behind.
func TestAskLeaksNothing(t *testing.T) {
	s := newSys(t)
	silent := must[Ref[int]](t)(Spawn(s, "", Stateless(func(*Context[int], int) error { return nil })))
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	<-ctx.Done()
	for range 1000 {
		if _, err := Ask[int](ctx, silent, 1); !errors.Is(err, ErrTimeout) {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
			defer cancel()
			if _, err := Ask[int](ctx, silent, 1); !errors.Is(err, ErrTimeout) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	eventually(t, "goroutines back to the base", func() bool { return runtime.NumGoroutine() <= base+1 })
}
