package actor

import (
	"errors"
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
