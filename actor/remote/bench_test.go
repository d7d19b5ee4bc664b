package remote

import (
	"context"
	"testing"

	"github.com/labludus/ludus/actor"
)

// In-process figures for profiling; the comparisons with other libraries,
// between two processes, are in bench/remote_test.go.

func BenchmarkOneWayInProcess(b *testing.B) {
	sys, _ := cluster(b, Config{Logger: quiet}, "a", "b")
	count := 0
	must[actor.Ref[int]](b)(actor.Spawn(sys[1], "sink", actor.Stateless(func(c *actor.Context[int], m int) error {
		if m < 0 {
			actor.Reply(c, count)
			count = 0
			return nil
		}
		count++
		return nil
	})))
	ref := must[actor.Ref[int]](b)(Lookup[int](context.Background(), sys[0], "b/user/sink"))
	b.ResetTimer()
	for i := range b.N {
		ref.Send(i)
	}
	n, err := actor.Ask[int](context.Background(), ref, -1)
	if err != nil || n != b.N {
		b.Fatal(n, err)
	}
}

func BenchmarkAskInProcess(b *testing.B) {
	sys, _ := cluster(b, Config{Logger: quiet}, "a", "b")
	must[actor.Ref[int]](b)(actor.Spawn(sys[1], "echo", actor.Stateless(func(c *actor.Context[int], m int) error {
		actor.Reply(c, m)
		return nil
	})))
	ref := must[actor.Ref[int]](b)(Lookup[int](context.Background(), sys[0], "b/user/echo"))
	b.ResetTimer()
	for i := range b.N {
		if _, err := actor.Ask[int](context.Background(), ref, i); err != nil {
			b.Fatal(err)
		}
	}
}
