package remote

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labludus/ludus/actor"
)

func reflectType[T any]() reflect.Type { return reflect.TypeFor[T]() }

// stall makes b's outbound buffer toward a look busy (as while another
// sender publishes), so that sends queue without being published; unstall
// publishes what queued.
func stall(t *testing.T, n *Node, to string) (unstall func()) {
	p, err := n.peerFor(to)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.busy = true
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		p.publishLocked(-1)
		p.mu.Unlock()
	}
}

// TestOutboundPolicies: a full outbound buffer blocks (within the send's
// context), drops to dead letters, or refuses, as the policy says.
func TestOutboundPolicies(t *testing.T) {
	for _, policy := range []actor.Policy{actor.Block, actor.DropNewest, actor.Fail} {
		t.Run(policy.String(), func(t *testing.T) {
			cfg := fastConfig(t)
			cfg.Outbound, cfg.OutboundPolicy = 2, policy
			sys, ns := cluster(t, cfg, "a", "b")
			var mu sync.Mutex
			var got []int
			must[actor.Ref[int]](t)(actor.Spawn(sys[0], "sink", actor.Stateless(func(_ *actor.Context[int], n int) error {
				mu.Lock()
				got = append(got, n)
				mu.Unlock()
				return nil
			})))
			ref := must[actor.Ref[int]](t)(Lookup[int](context.Background(), sys[1], "a/user/sink"))
			var dead []error
			sys[1].OnDeadLetter(func(d actor.DeadLetter) { mu.Lock(); dead = append(dead, d.Reason); mu.Unlock() })
			unstall := stall(t, ns[1], "a")
			for i := 1; i <= 2; i++ {
				if err := ref.Send(i); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			err := ref.SendContext(ctx, 3)
			switch policy {
			case actor.Block:
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("Block: %v", err)
				}
			default:
				if !errors.Is(err, actor.ErrMailboxFull) {
					t.Fatalf("%v: %v", policy, err)
				}
			}
			unstall()
			if err := ref.Send(4); err != nil {
				t.Fatal(err)
			}
			within(t, 5*time.Second, "delivery", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 3 })
			mu.Lock()
			defer mu.Unlock()
			if got[0] != 1 || got[1] != 2 || got[2] != 4 {
				t.Fatalf("delivered %v", got)
			}
			wantDead := 0
			if policy == actor.DropNewest {
				wantDead = 1
			}
			if len(dead) != wantDead {
				t.Fatalf("dead letters %v; want %d", dead, wantDead)
			}
		})
	}
}

// TestSizeLimits: too large to send is the sender's error; too large to
// accept (the receiver's limit is lower) is a dead letter there.
func TestSizeLimits(t *testing.T) {
	small, big := fastConfig(t), fastConfig(t)
	small.MaxMessageSize, big.MaxMessageSize = 1000, 100000
	sa, na := joinSystem(t, "a", small)
	big.URLs = []string{na.URL()}
	sb, nb := joinSystem(t, "b", big)
	waitAll(t, []*Node{na, nb}, []string{"a", "b"})
	must[actor.Ref[string]](t)(actor.Spawn(sa, "s", actor.Stateless(func(*actor.Context[string], string) error { return nil })))
	must[actor.Ref[string]](t)(actor.Spawn(sb, "s", actor.Stateless(func(*actor.Context[string], string) error { return nil })))
	toB := must[actor.Ref[string]](t)(Lookup[string](context.Background(), sa, "b/user/s"))
	if err := toB.Send(strings.Repeat("x", 2000)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("sending over the limit: %v", err)
	}
	dead := make(chan error, 1)
	sa.OnDeadLetter(func(d actor.DeadLetter) { dead <- d.Reason })
	toA := must[actor.Ref[string]](t)(Lookup[string](context.Background(), sb, "a/user/s"))
	if err := toA.Send(strings.Repeat("x", 2000)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-dead:
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("reason %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an oversized message was not dead-lettered")
	}
}

// TestFrameRoundTrip: what appendTell and appendSignal write, next reads
// back, reasons included.
func TestFrameRoundTrip(t *testing.T) {
	to := actor.Address{System: "b", Path: "/user/x", ID: 7}
	from := actor.Address{System: "a", Path: "/temp/$3", ID: 3}
	b := appendHeader(nil, "a", 42)
	b = appendTell(b, to, from, true, "test.ping", []byte{1, 2, 3})
	fail := &actor.Failure{Actor: to, Err: errors.New("boom")}
	b = appendSignal(b, to, actor.Signal{Kind: actor.SignalTerminated, From: from, Reason: fail})
	b = appendSignal(b, to, actor.Signal{Kind: actor.SignalFail, From: actor.Address{}, Reason: actor.ErrWrongType})
	r := reader{b: b}
	if node, inc := r.header(); node != "a" || inc != 42 || r.err != nil {
		t.Fatal(node, inc, r.err)
	}
	f, err := r.next("b")
	if err != nil || f.kind != kindTell || f.to != to || f.from != from || !f.reply || f.name != "test.ping" || string(f.payload) != "\x01\x02\x03" {
		t.Fatalf("tell %+v %v", f, err)
	}
	f, err = r.next("b")
	var got *actor.Failure
	if err != nil || f.signal.Kind != actor.SignalTerminated || !errors.As(f.signal.Reason, &got) || got.Actor != to || got.Err.Error() != "boom" {
		t.Fatalf("signal %+v %v", f, err)
	}
	f, err = r.next("b")
	if err != nil || f.from != (actor.Address{}) || f.signal.Reason != actor.ErrWrongType {
		t.Fatalf("signal %+v %v", f, err)
	}
	if len(r.b) != 0 {
		t.Fatal("bytes left")
	}
}

// FuzzFrames: no input makes the reader panic or loop.
func FuzzFrames(f *testing.F) {
	to := actor.Address{System: "b", Path: "/user/x", ID: 7}
	good := appendTell(appendHeader(nil, "a", 1), to, to, false, "int", []byte{1})
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add(appendSignal(appendHeader(nil, "a", 1), to, actor.Signal{Kind: actor.SignalKill, Reason: errors.New("x")}))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := reader{b: data}
		r.header()
		for i := 0; len(r.b) > 0 && r.err == nil; i++ {
			if _, err := r.next("b"); err != nil {
				return
			}
			if i > len(data) {
				t.Fatal("no progress")
			}
		}
	})
}
