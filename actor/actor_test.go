package actor

import (
	"context"
	"errors"
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
		<-s.Done()
	})
	return s
}

func waitDone(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestSendAndAsk(t *testing.T) {
	s := newSys(t)
	type msg struct {
		add int
		get bool
	}
	ref, err := Spawn(s, "counter", func(c *Context[msg]) Behavior[msg] {
		n := 0
		return func(c *Context[msg], m msg) error {
			if m.get {
				return c.Reply(n)
			}
			n += m.add
			return nil
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 100; i++ {
		if err := ref.Send(msg{add: i}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Ask[msg, int](context.Background(), ref, msg{get: true})
	if err != nil || got != 5050 {
		t.Fatalf("Ask = %d, %v; want 5050", got, err)
	}
	if ref.Address().Path != "/user/counter" || ref.Address().System != "ludus" {
		t.Fatalf("address %v", ref.Address())
	}
	if r, ok := s.Lookup("/user/counter"); !ok || r != ref.Any() {
		t.Fatalf("lookup: %v %v", r, ok)
	}
	_ = errors.New
	_ = sync.Mutex{}
	_ = atomic.Int64{}
}
