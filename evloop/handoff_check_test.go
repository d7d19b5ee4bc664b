//go:build ludus_check

package evloop

import (
	"context"
	"strings"
	"testing"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/atomic"
)

// These tests run the loop's real hand-off (the mailbox, its notified flag,
// the doorbell, Stop's drain, a timer's state word), swapped for the
// checker's drop-ins by the ludus_check tag, under check.Explore:
//
//	go test -tags ludus_check -run Explore ./evloop
//
// The loop is the real Run on the portable backend, whose wait is the
// doorbell: a lost wake-up leaves the loop asleep with work in its mailbox,
// which the checker reports as a deadlock (or, with a stopper, as a posted
// function that never ran).

// newChecked makes a portable loop inside an exploration.
func newChecked(t *check.T) *Loop {
	l, err := New(Options{Backend: BackendPortable})
	if err != nil {
		t.Fatalf("%v", err)
	}
	return l
}

// postBody: posters post, the loop runs until every function has run, and
// the last one stops it. Every interleaving must run them all.
func postBody(posters, per int) func(t *check.T) {
	return func(t *check.T) {
		l := newChecked(t)
		var ran atomic.Int64
		total := int64(posters * per)
		for i := range posters {
			t.Go(string(rune('A'+i)), func() {
				for range per {
					if err := l.Post(func() {
						if ran.Add(1) == total {
							l.Stop()
						}
					}); err != nil {
						t.Errorf("Post: %v", err)
					}
				}
			})
		}
		t.Go("loop", func() {
			if err := l.Run(context.Background()); err != nil {
				t.Errorf("Run: %v", err)
			}
		})
		t.Wait()
		if got := ran.Load(); got != total {
			t.Errorf("ran %d of %d posted functions", got, total)
		}
	}
}

func TestExplorePost(t *testing.T) {
	for _, tc := range []struct{ posters, per int }{{1, 2}, {2, 1}, {2, 2}} {
		r := check.Explore(t, postBody(tc.posters, tc.per), check.MaxPreemptions(2), check.MaxExecutions(5000))
		t.Logf("%d posters x %d: %+v", tc.posters, tc.per, r)
	}
}

// TestExploreFindsBrokenHandOff: with notified cleared after the take
// instead of before, the exploration finds the lost wake-up.
func TestExploreFindsBrokenHandOff(t *testing.T) {
	brokenHandOff = true
	defer func() { brokenHandOff = false }()
	r := check.Run(postBody(1, 2), check.MaxPreemptions(2))
	if r.Failure == nil {
		t.Fatal("the exploration missed the lost wake-up")
	}
	if s := r.Failure.String(); !strings.Contains(s, "deadlock") && !strings.Contains(s, "ran 1 of 2") {
		t.Fatalf("unexpected failure: %s", s)
	}
	t.Logf("found:\n%s", r.Failure)
}

// TestExploreStopWhilePosting: Stop races with posts; each post either
// runs or is refused with ErrClosed, never accepted and lost.
func TestExploreStopWhilePosting(t *testing.T) {
	r := check.Explore(t, func(t *check.T) {
		l := newChecked(t)
		var ran, accepted atomic.Int64
		t.Go("poster", func() {
			for range 2 {
				if l.Post(func() { ran.Add(1) }) == nil {
					accepted.Add(1)
				}
			}
		})
		t.Go("stopper", l.Stop)
		t.Go("loop", func() { _ = l.Run(context.Background()) })
		t.Wait()
		if ran.Load() != accepted.Load() {
			t.Errorf("accepted %d posts, ran %d", accepted.Load(), ran.Load())
		}
	}, check.MaxPreemptions(2), check.MaxExecutions(5000))
	t.Logf("%+v", r)
}

// TestExploreTimerStopRace: Stop from another goroutine races with the
// timer firing on the loop (virtual time): exactly one of them wins.
func TestExploreTimerStopRace(t *testing.T) {
	r := check.Explore(t, func(t *check.T) {
		l := newChecked(t)
		var fired atomic.Int64
		armed := check.NewChan[*Timer]("armed", 1)
		_ = l.Post(func() {
			armed.Send(l.After(0, func() { fired.Add(1) }))
		})
		var stopped atomic.Bool
		t.Go("stopper", func() {
			tm := armed.Recv()
			stopped.Store(tm.Stop())
			l.Stop()
		})
		t.Go("loop", func() { _ = l.Run(context.Background()) })
		t.Wait()
		if n := fired.Load(); (n == 1) == stopped.Load() || n > 1 {
			t.Errorf("fired %d times, Stop reported %v", n, stopped.Load())
		}
	}, check.MaxPreemptions(2), check.MaxExecutions(5000))
	t.Logf("%+v", r)
}
