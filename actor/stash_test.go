package actor

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
)

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
