//go:build ludus_check

package actor

import (
	"strings"
	"testing"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/atomic"
)

// These tests run the real mailbox hand-off — the MPSC queue, the scheduled
// flag and the goroutine start, swapped for the checker's drop-ins by the
// ludus_check tag — under check.Explore:
//
//	go test -tags ludus_check -run Explore ./actor
//
// Every interleaving of the senders with the actor's own goroutine (up to
// the preemption bound) must end with every message handled and no goroutine
// left behind: a message stranded in the mailbox of an idle actor would show
// up as handled < sent once all goroutines have finished.

func handOffBody(senders, per int) func(t *check.T) {
	return func(t *check.T) {
		s, err := NewSystem()
		if err != nil {
			t.Fatalf("%v", err)
		}
		var handled atomic.Int64
		ref, err := Spawn(s, "a", Stateless(func(_ *Context[int], _ int) error {
			handled.Add(1)
			return nil
		}))
		if err != nil {
			t.Fatalf("%v", err)
		}
		for i := range senders {
			t.Go(string(rune('A'+i)), func() {
				for j := range per {
					ref.Send(j)
				}
			})
		}
		t.Wait() // every goroutine, the actor's included, has finished
		if got := handled.Load(); got != int64(senders*per) {
			t.Errorf("handled %d of %d messages: one was stranded in an idle actor's mailbox", got, senders*per)
		}
	}
}

func TestExploreHandOff(t *testing.T) {
	for _, tc := range []struct{ senders, per int }{{1, 2}, {2, 1}, {2, 2}} {
		r := check.Explore(t, handOffBody(tc.senders, tc.per), check.MaxPreemptions(2), check.MaxExecutions(5000))
		t.Logf("%d senders x %d: %+v", tc.senders, tc.per, r)
	}
}

// TestExploreFindsBrokenHandOff: with the release and the last look in the
// wrong order, the exploration finds the lost wake-up.
func TestExploreFindsBrokenHandOff(t *testing.T) {
	brokenHandOff = true
	defer func() { brokenHandOff = false }()
	r := check.Run(handOffBody(1, 2), check.MaxPreemptions(2))
	if r.Failure == nil {
		t.Fatal("the exploration missed the lost wake-up")
	}
	if !strings.Contains(r.Failure.String(), "stranded") {
		t.Fatalf("unexpected failure: %s", r.Failure)
	}
	t.Logf("found:\n%s", r.Failure)
}

// TestExploreStopWhileSending: a graceful Stop or a Kill racing with a
// sender; in every interleaving each message is handled or dead-lettered.
func TestExploreStopWhileSending(t *testing.T) {
	for _, kill := range []bool{false, true} {
		r := check.Explore(t, func(t *check.T) {
			s, _ := NewSystem()
			var handled atomic.Int64
			ref, _ := Spawn(s, "a", Stateless(func(_ *Context[int], _ int) error {
				handled.Add(1)
				return nil
			}))
			t.Go("sender", func() {
				ref.Send(1)
				ref.Send(2)
			})
			t.Go("stopper", func() {
				if kill {
					ref.Kill()
				} else {
					ref.Stop()
				}
			})
			t.Wait()
			if h, d := handled.Load(), s.DeadLetters(); h+int64(d) != 2 {
				t.Errorf("handled %d + dead letters %d != 2 sent", h, d)
			}
		}, check.MaxPreemptions(2), check.MaxExecutions(5000))
		t.Logf("kill=%v: %+v", kill, r)
	}
}

// TestExploreRestartWhileSending: a failure, the supervisor's restart
// directive and another sender interleave in every way; the message that
// failed is the only one not handled, and the actor restarted exactly once.
func TestExploreRestartWhileSending(t *testing.T) {
	r := check.Explore(t, func(t *check.T) {
		s, _ := NewSystem()
		var handled, starts atomic.Int64
		ref, _ := Spawn(s, "a", func(*Context[int]) Behavior[int] {
			starts.Add(1)
			return func(_ *Context[int], n int) error {
				if n < 0 {
					panic("injected")
				}
				handled.Add(1)
				return nil
			}
		})
		t.Go("A", func() {
			ref.Send(-1)
			ref.Send(1)
		})
		t.Go("B", func() { ref.Send(2) })
		t.Wait()
		if h, st := handled.Load(), starts.Load(); h != 2 || st != 2 {
			t.Errorf("handled %d (want 2), started %d times (want 2)", h, st)
		}
	}, check.MaxPreemptions(2), check.MaxExecutions(3000))
	t.Logf("%+v", r)
}
