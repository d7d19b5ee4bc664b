package actor

import (
	"errors"
	"sync"
	"testing"
)

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
