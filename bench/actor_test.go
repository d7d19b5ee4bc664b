package bench

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"

	pactor "github.com/asynkron/protoactor-go/actor"

	"github.com/labludus/ludus/actor"
)

// The actor benchmarks compare ludus/actor with protoactor-go, each used the
// way its documentation shows: ludus with typed messages, protoactor with
// interface{} messages and default props (its default unbounded mailbox).
// Both sides do the same work with the same knowledge (refs/PIDs captured,
// no request/response machinery) so that the runtime is what is measured.

func actorSystem(b *testing.B) *actor.System {
	s, err := actor.NewSystem()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := s.Shutdown(ctx); err != nil {
			b.Error(err)
		}
	})
	return s
}

func protoSystem(b *testing.B) *pactor.ActorSystem {
	s := pactor.NewActorSystem(pactor.WithLoggerFactory(func(*pactor.ActorSystem) *slog.Logger {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}))
	b.Cleanup(s.Shutdown)
	return s
}

func actorMsgsPerSec(b *testing.B, msgs int) {
	b.ReportMetric(float64(msgs)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkActorPingPong bounces one message between two actors: each op is
// one message delivered, and each delivery wakes an idle actor.
func BenchmarkActorPingPong(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		s := actorSystem(b)
		done := make(chan struct{})
		n := b.N
		var ping actor.Ref[int]
		pong, _ := actor.Spawn(s, "pong", actor.Stateless(func(_ *actor.Context[int], m int) error {
			return ping.Send(m + 1)
		}))
		ping, _ = actor.Spawn(s, "ping", actor.Stateless(func(_ *actor.Context[int], m int) error {
			if m >= n {
				close(done)
				return nil
			}
			return pong.Send(m + 1)
		}))
		b.ResetTimer()
		ping.Send(0)
		<-done
		actorMsgsPerSec(b, n)
	})
	b.Run("protoactor", func(b *testing.B) {
		s := protoSystem(b)
		done := make(chan struct{})
		n := b.N
		var ping *pactor.PID
		pong := s.Root.Spawn(pactor.PropsFromFunc(func(c pactor.Context) {
			if m, ok := c.Message().(int); ok {
				c.Send(ping, m+1)
			}
		}))
		ping = s.Root.Spawn(pactor.PropsFromFunc(func(c pactor.Context) {
			if m, ok := c.Message().(int); ok {
				if m >= n {
					close(done)
					return
				}
				c.Send(pong, m+1)
			}
		}))
		b.ResetTimer()
		s.Root.Send(ping, 0)
		<-done
		actorMsgsPerSec(b, n)
	})
}

const actorFanOut = 1000

// BenchmarkActorFanOut: one actor sends a message to each of 1,000 actors,
// which all answer it; an op is one round (2,000 messages).
func BenchmarkActorFanOut(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		s := actorSystem(b)
		done := make(chan struct{})
		var coord actor.Ref[int]
		workers := make([]actor.Ref[int], actorFanOut)
		for i := range workers {
			workers[i], _ = actor.Spawn(s, "", actor.Stateless(func(_ *actor.Context[int], m int) error {
				return coord.Send(m)
			}))
		}
		got := 0
		coord, _ = actor.Spawn(s, "coord", actor.Stateless(func(_ *actor.Context[int], m int) error {
			if m < 0 {
				for i, w := range workers {
					w.Send(i)
				}
				return nil
			}
			if got++; got == actorFanOut {
				got = 0
				done <- struct{}{}
			}
			return nil
		}))
		b.ResetTimer()
		for range b.N {
			coord.Send(-1)
			<-done
		}
		actorMsgsPerSec(b, 2*actorFanOut*b.N)
	})
	b.Run("protoactor", func(b *testing.B) {
		s := protoSystem(b)
		done := make(chan struct{})
		var coord *pactor.PID
		workers := make([]*pactor.PID, actorFanOut)
		for i := range workers {
			workers[i] = s.Root.Spawn(pactor.PropsFromFunc(func(c pactor.Context) {
				if m, ok := c.Message().(int); ok {
					c.Send(coord, m)
				}
			}))
		}
		got := 0
		coord = s.Root.Spawn(pactor.PropsFromFunc(func(c pactor.Context) {
			if m, ok := c.Message().(int); ok {
				if m < 0 {
					for i, w := range workers {
						c.Send(w, i)
					}
					return
				}
				if got++; got == actorFanOut {
					got = 0
					done <- struct{}{}
				}
			}
		}))
		b.ResetTimer()
		for range b.N {
			s.Root.Send(coord, -1)
			<-done
		}
		actorMsgsPerSec(b, 2*actorFanOut*b.N)
	})
}

// Skynet: every actor spawns 10 children until the leaves, which send their
// number up; each parent sums its children and sends the sum up; every
// actor stops itself once it has reported. An op is one whole tree.
const (
	actorSkynetSize = 100_000
	actorSkynetWant = actorSkynetSize * (actorSkynetSize - 1) / 2
)

func ludusSkynet(parent actor.Ref[int64], num, size int64) func(*actor.Context[int64]) actor.Behavior[int64] {
	return func(c *actor.Context[int64]) actor.Behavior[int64] {
		if size == 1 {
			parent.Send(num)
			c.Stop()
			return func(*actor.Context[int64], int64) error { return nil }
		}
		sub := size / 10
		for i := range int64(10) {
			if _, err := actor.Spawn(c, "", ludusSkynet(c.Self(), num+i*sub, sub)); err != nil {
				panic(err)
			}
		}
		var sum int64
		n := 0
		return func(c *actor.Context[int64], v int64) error {
			sum += v
			if n++; n == 10 {
				parent.Send(sum)
				c.Stop()
			}
			return nil
		}
	}
}

type protoSkynet struct {
	num, size, sum int64
	n              int
	parent         *pactor.PID
}

func (a *protoSkynet) Receive(c pactor.Context) {
	switch m := c.Message().(type) {
	case *pactor.Started:
		if a.size == 1 {
			c.Send(a.parent, a.num)
			c.Stop(c.Self())
			return
		}
		sub, self := a.size/10, c.Self()
		for i := range int64(10) {
			num := a.num + i*sub
			c.Spawn(pactor.PropsFromProducer(func() pactor.Actor { return &protoSkynet{num: num, size: sub, parent: self} }))
		}
	case int64:
		a.sum += m
		if a.n++; a.n == 10 {
			c.Send(a.parent, a.sum)
			c.Stop(c.Self())
		}
	}
}

func BenchmarkActorSkynet(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		s := actorSystem(b)
		result := make(chan int64)
		sink, _ := actor.Spawn(s, "sink", actor.Stateless(func(_ *actor.Context[int64], v int64) error {
			result <- v
			return nil
		}))
		for range b.N {
			if _, err := actor.Spawn(s, "", ludusSkynet(sink, 0, actorSkynetSize)); err != nil {
				b.Fatal(err)
			}
			if v := <-result; v != actorSkynetWant {
				b.Fatalf("sum %d, want %d", v, actorSkynetWant)
			}
		}
	})
	b.Run("protoactor", func(b *testing.B) {
		s := protoSystem(b)
		result := make(chan int64)
		sink := s.Root.Spawn(pactor.PropsFromFunc(func(c pactor.Context) {
			if v, ok := c.Message().(int64); ok {
				result <- v
			}
		}))
		for range b.N {
			s.Root.Spawn(pactor.PropsFromProducer(func() pactor.Actor {
				return &protoSkynet{num: 0, size: actorSkynetSize, parent: sink}
			}))
			if v := <-result; v != actorSkynetWant {
				b.Fatalf("sum %d, want %d", v, actorSkynetWant)
			}
		}
	})
}

const actorIdle = 50_000

func actorHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkActorIdleMemory spawns 50,000 actors that receive nothing and
// reports the live heap they cost, per actor (B/actor). An op is one batch.
func BenchmarkActorIdleMemory(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		var per float64
		for range b.N {
			s, _ := actor.NewSystem()
			started := make(chan struct{}, actorIdle)
			before := actorHeap()
			refs := make([]actor.Ref[int], actorIdle)
			for i := range refs {
				refs[i], _ = actor.Spawn(s, "", func(*actor.Context[int]) actor.Behavior[int] {
					started <- struct{}{}
					return func(*actor.Context[int], int) error { return nil }
				})
			}
			for range actorIdle {
				<-started
			}
			per = float64(actorHeap()-before) / actorIdle
			runtime.KeepAlive(refs)
			s.Shutdown(context.Background())
		}
		b.ReportMetric(per, "B/actor")
	})
	b.Run("protoactor", func(b *testing.B) {
		var per float64
		for range b.N {
			s := pactor.NewActorSystem(pactor.WithLoggerFactory(func(*pactor.ActorSystem) *slog.Logger {
				return slog.New(slog.NewTextHandler(io.Discard, nil))
			}))
			started := make(chan struct{}, actorIdle)
			before := actorHeap()
			pids := make([]*pactor.PID, actorIdle)
			props := pactor.PropsFromFunc(func(c pactor.Context) {
				if _, ok := c.Message().(*pactor.Started); ok {
					started <- struct{}{}
				}
			})
			for i := range pids {
				pids[i] = s.Root.Spawn(props)
			}
			for range actorIdle {
				<-started
			}
			per = float64(actorHeap()-before) / actorIdle
			runtime.KeepAlive(pids)
			for _, p := range pids {
				s.Root.Stop(p)
			}
			s.Shutdown()
		}
		b.ReportMetric(per, "B/actor")
	})
}
