package actor_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/labludus/ludus/actor"
)

// A bank account owned by an actor: no lock, no lost update.
type account struct {
	deposit int
	balance bool // a request for the balance (answered with Reply)
}

func newAccount(c *actor.Context[account]) actor.Behavior[account] {
	balance := 0
	return func(c *actor.Context[account], m account) error {
		if m.balance {
			actor.Reply(c, balance)
			return nil
		}
		balance += m.deposit
		return nil
	}
}

func Example() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())

	acct, _ := actor.Spawn(sys, "alice", newAccount)
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() { acct.Send(account{deposit: 10}) }) // concurrent senders
	}
	wg.Wait()
	// Every deposit was queued before this request: the balance counts them.
	b, _ := actor.Ask[int](context.Background(), acct, account{balance: true})
	fmt.Println("balance", b)
	// Output: balance 1000
}

func ExampleNewSystem() {
	sys, err := actor.NewSystem(actor.WithName("shop"))
	if err != nil {
		panic(err)
	}
	defer sys.Shutdown(context.Background())
	ref, _ := actor.Spawn(sys, "cart", actor.Stateless(func(*actor.Context[string], string) error { return nil }))
	fmt.Println(sys.Name(), ref.Address().Path)
	// Output: shop /user/cart
}

func ExampleSpawn() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	greeter, _ := actor.Spawn(sys, "greeter", func(c *actor.Context[string]) actor.Behavior[string] {
		greeted := 0 // state, rebuilt on every restart
		return func(c *actor.Context[string], name string) error {
			greeted++
			actor.Reply(c, fmt.Sprintf("hello %s (#%d)", name, greeted))
			return nil
		}
	})
	a, _ := actor.Ask[string](context.Background(), greeter, "ada")
	b, _ := actor.Ask[string](context.Background(), greeter, "alan")
	fmt.Println(a)
	fmt.Println(b)
	// Output:
	// hello ada (#1)
	// hello alan (#2)
}

func ExampleStateless() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	double, _ := actor.Spawn(sys, "", actor.Stateless(func(c *actor.Context[int], n int) error {
		actor.Reply(c, 2*n)
		return nil
	}))
	v, _ := actor.Ask[int](context.Background(), double, 21)
	fmt.Println(v)
	// Output: 42
}

func ExampleAsk() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	silent, _ := actor.Spawn(sys, "silent", actor.Stateless(func(*actor.Context[int], int) error { return nil }))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := actor.Ask[int](ctx, silent, 1)
	fmt.Println(errors.Is(err, actor.ErrTimeout), errors.Is(err, context.DeadlineExceeded))
	// Output: true true
}

func ExampleAskWith() {
	type get struct{ replyTo actor.Ref[string] }
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	store, _ := actor.Spawn(sys, "store", actor.Stateless(func(c *actor.Context[get], g get) error {
		return g.replyTo.Send("value")
	}))
	v, err := actor.AskWith(context.Background(), store, func(r actor.Ref[string]) get { return get{r} })
	fmt.Println(v, err)
	// Output: value <nil>
}

func ExampleRef_Send() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	done := make(chan struct{})
	printer, _ := actor.Spawn(sys, "", actor.Stateless(func(c *actor.Context[string], s string) error {
		fmt.Println(s)
		if s == "c" {
			close(done)
		}
		return nil
	}))
	for _, s := range []string{"a", "b", "c"} {
		printer.Send(s) // from one sender: in order
	}
	<-done
	// Output:
	// a
	// b
	// c
}

func ExampleRef_SendContext() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	gate := make(chan struct{})
	slow, _ := actor.Spawn(sys, "", actor.Stateless(func(*actor.Context[int], int) error { <-gate; return nil }),
		actor.WithMailbox(1, actor.Block))
	slow.Send(1) // being handled
	slow.Send(2) // fills the mailbox
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := slow.SendContext(ctx, 3)
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	close(gate)
	// Output: true
}

func ExampleRef_SendFrom() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	got := make(chan string)
	echo, _ := actor.Spawn(sys, "echo", actor.Stateless(func(c *actor.Context[string], s string) error {
		actor.Reply(c, s+"!")
		return nil
	}))
	listener, _ := actor.Spawn(sys, "listener", actor.Stateless(func(c *actor.Context[string], s string) error {
		got <- s
		return nil
	}))
	echo.SendFrom(listener, "hi")
	fmt.Println(<-got)
	// Output: hi!
}

func ExampleRef_Stop() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	n := 0
	ref, _ := actor.Spawn(sys, "", actor.Stateless(func(*actor.Context[int], int) error { n++; return nil }))
	for i := range 5 {
		ref.Send(i)
	}
	ref.Stop() // after the five queued messages
	<-ref.Done()
	fmt.Println(n, errors.Is(ref.Send(6), actor.ErrStopped))
	// Output: 5 true
}

func ExampleRef_Kill() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	ref, _ := actor.Spawn(sys, "", actor.Stateless(func(*actor.Context[int], int) error { return nil }))
	ref.Kill()
	<-ref.Done()
	fmt.Println(errors.Is(ref.Send(1), actor.ErrStopped))
	// Output: true
}

func ExampleRefOf() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	actor.Spawn(sys, "n", actor.Stateless(func(c *actor.Context[int], n int) error { actor.Reply(c, n+1); return nil }))
	any, _ := sys.Lookup("/user/n")
	ref, err := actor.RefOf[int](any)
	v, _ := actor.Ask[int](context.Background(), ref, 1)
	_, wrong := actor.RefOf[string](any)
	fmt.Println(v, err, errors.Is(wrong, actor.ErrWrongType))
	// Output: 2 <nil> true
}

func ExampleSystem_Lookup() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	ready := make(chan struct{})
	actor.Spawn(sys, "bank", func(c *actor.Context[int]) actor.Behavior[int] {
		actor.Spawn(c, "alice", actor.Stateless(func(*actor.Context[int], int) error { return nil }))
		close(ready)
		return func(*actor.Context[int], int) error { return nil }
	})
	<-ready
	ref, ok := sys.Lookup("/user/bank/alice")
	fmt.Println(ok, ref.Address().Path)
	// Output: true /user/bank/alice
}

func ExampleSystem_Shutdown() {
	sys, _ := actor.NewSystem()
	handled := 0
	ref, _ := actor.Spawn(sys, "", actor.Stateless(func(*actor.Context[int], int) error { handled++; return nil }))
	for i := range 1000 {
		ref.Send(i)
	}
	rep, err := sys.Shutdown(context.Background()) // queued messages are handled first
	fmt.Println(handled, rep.Unprocessed, err)
	// Output: 1000 0 <nil>
}

func ExampleSystem_OnDeadLetter() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	cancel := sys.OnDeadLetter(func(d actor.DeadLetter) {
		fmt.Println("dead letter:", d.Message, d.Reason)
	})
	defer cancel()
	ref, _ := actor.Spawn(sys, "", actor.Stateless(func(*actor.Context[string], string) error { return nil }))
	ref.Stop()
	<-ref.Done()
	ref.Send("too late")
	fmt.Println(sys.DeadLetters())
	// Output:
	// dead letter: too late actor: stopped
	// 1
}

func ExampleContext_Watch() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	worker, _ := actor.Spawn(sys, "worker", actor.Stateless(func(*actor.Context[int], int) error { return nil }))
	done := make(chan struct{})
	actor.Spawn(sys, "monitor", func(c *actor.Context[string]) actor.Behavior[string] {
		c.Watch(worker, func(t actor.Terminated) string {
			return fmt.Sprintf("%s ended: %v", t.Ref.Address().Path, t.Reason)
		})
		return func(c *actor.Context[string], m string) error {
			fmt.Println(m)
			close(done)
			return nil
		}
	})
	worker.Kill()
	<-done
	// Output: /user/worker ended: actor: killed
}

func ExampleContext_Become() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	door, _ := actor.Spawn(sys, "door", func(c *actor.Context[string]) actor.Behavior[string] {
		var open, closed actor.Behavior[string]
		closed = func(c *actor.Context[string], m string) error {
			if m == "open" {
				c.Become(open)
			}
			actor.Reply(c, "closed")
			return nil
		}
		open = func(c *actor.Context[string], m string) error {
			if m == "close" {
				c.Become(closed)
			}
			actor.Reply(c, "open")
			return nil
		}
		return closed
	})
	for _, m := range []string{"knock", "open", "knock", "close", "knock"} {
		s, _ := actor.Ask[string](context.Background(), door, m)
		fmt.Print(s, " ")
	}
	fmt.Println()
	// Output: closed closed open open closed
}

func ExampleContext_Stash() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	done := make(chan struct{})
	ref, _ := actor.Spawn(sys, "", func(c *actor.Context[string]) actor.Behavior[string] {
		ready := false
		return func(c *actor.Context[string], m string) error {
			switch {
			case m == "ready":
				ready = true
				c.Unstash()
			case !ready:
				c.Stash() // not now: keep it for later
			default:
				fmt.Println(m)
				if m == "c" {
					close(done)
				}
			}
			return nil
		}
	})
	for _, m := range []string{"a", "b", "ready", "c"} {
		ref.Send(m)
	}
	<-done
	// Output:
	// a
	// b
	// c
}

func ExampleContext_Every() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	done := make(chan struct{})
	actor.Spawn(sys, "", func(c *actor.Context[string]) actor.Behavior[string] {
		c.Every(time.Millisecond, "tick")
		c.SendAfter(time.Hour, "never: cancelled when the actor stops")
		n := 0
		return func(c *actor.Context[string], m string) error {
			if n++; n == 3 {
				fmt.Println(n, m+"s")
				c.Stop()
				close(done)
			}
			return nil
		}
	})
	<-done
	// Output: 3 ticks
}

func ExampleWithChildStrategy() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	done := make(chan struct{})
	actor.Spawn(sys, "supervisor", func(c *actor.Context[string]) actor.Behavior[string] {
		worker, _ := actor.Spawn(c, "worker", func(c *actor.Context[int]) actor.Behavior[int] {
			fmt.Println("worker starts")
			return func(c *actor.Context[int], n int) error {
				if n == 0 {
					panic("division by zero")
				}
				fmt.Println(100 / n)
				if n == 5 {
					close(done)
				}
				return nil
			}
		})
		worker.Send(4)
		worker.Send(0) // panics: the worker is restarted with fresh state
		worker.Send(5)
		return func(*actor.Context[string], string) error { return nil }
	}, actor.WithChildStrategy(actor.Strategy{
		Scope:       actor.OneForOne,
		MaxRestarts: 3, Within: time.Minute,
		Decider: func(err error) actor.Directive {
			var p *actor.PanicError
			if errors.As(err, &p) {
				return actor.Restart
			}
			return actor.Resume
		},
	}))
	<-done
	// Output:
	// worker starts
	// 25
	// worker starts
	// 20
}

func ExampleWithMailbox() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	gate := make(chan struct{})
	ref, _ := actor.Spawn(sys, "", actor.Stateless(func(*actor.Context[int], int) error { <-gate; return nil }),
		actor.WithMailbox(2, actor.Fail))
	var errs []error
	for i := range 5 {
		errs = append(errs, ref.Send(i))
	}
	close(gate)
	full := 0
	for _, err := range errs {
		if errors.Is(err, actor.ErrMailboxFull) {
			full++
		}
	}
	fmt.Println(full >= 2) // at most 1 being handled + 2 queued
	// Output: true
}

func ExampleParseAddress() {
	a, err := actor.ParseAddress("actor://bank/user/alice#7")
	fmt.Println(a.System, a.Path, a.ID, a.Name(), err)
	fmt.Println(a)
	// Output:
	// bank /user/alice 7 alice <nil>
	// actor://bank/user/alice#7
}

func ExampleContext_OnStopped() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	ref, _ := actor.Spawn(sys, "db", func(c *actor.Context[string]) actor.Behavior[string] {
		fmt.Println("started: open the connection")
		c.OnStopping(func() { fmt.Println("stopping: children still running") })
		c.OnStopped(func(reason error) { fmt.Println("stopped:", reason) })
		c.OnRestarting(func(cause error) { fmt.Println("restarting after:", cause) })
		return func(c *actor.Context[string], m string) error { return errors.New(m) }
	})
	ref.Send("oops") // fails: the guardian restarts it (the default strategy)
	ref.Stop()
	<-ref.Done()
	// Output:
	// started: open the connection
	// restarting after: actor actor://ludus/user/db#2 failed: oops
	// started: open the connection
	// stopping: children still running
	// stopped: <nil>
}

func ExampleWithChildStrategy_system() {
	sys, _ := actor.NewSystem(actor.WithChildStrategy(actor.Strategy{
		Decider: func(error) actor.Directive { return actor.Stop },
	}))
	defer sys.Shutdown(context.Background())
	ref, _ := actor.Spawn(sys, "fragile", actor.Stateless(func(*actor.Context[int], int) error {
		return errors.New("broken")
	}))
	ref.Send(1)
	<-ref.Done() // stopped by its supervisor
	fmt.Println(errors.Is(ref.Send(2), actor.ErrStopped))
	// Output: true
}

func ExampleAnyRef_Send() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	got := make(chan int)
	actor.Spawn(sys, "n", actor.Stateless(func(_ *actor.Context[int], n int) error { got <- n; return nil }))
	r, _ := sys.Lookup("/user/n")
	fmt.Println(errors.Is(r.Send("not an int"), actor.ErrWrongType))
	r.Send(7)
	fmt.Println(<-got)
	// Output:
	// true
	// 7
}

func ExampleContext_Children() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	boss, _ := actor.Spawn(sys, "boss", func(c *actor.Context[string]) actor.Behavior[string] {
		for _, name := range []string{"a", "b"} {
			actor.Spawn(c, name, actor.Stateless(func(*actor.Context[int], int) error { return nil }))
		}
		return func(c *actor.Context[string], m string) error {
			w, ok := c.Child(m)
			actor.Reply(c, fmt.Sprint(len(c.Children()), " children; ", m, ": ", ok, " ", w.Address().Path))
			return nil
		}
	})
	s, _ := actor.Ask[string](context.Background(), boss, "b")
	fmt.Println(s)
	// Output: 2 children; b: true /user/boss/b
}

func ExampleTimer_Stop() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	ref, _ := actor.Spawn(sys, "", func(c *actor.Context[string]) actor.Behavior[string] {
		reminder := c.SendAfter(time.Hour, "remind")
		return func(c *actor.Context[string], m string) error {
			actor.Reply(c, reminder.Stop())
			return nil // true: cancelled before it fired
		}
	})
	v, _ := actor.Ask[bool](context.Background(), ref, "cancel")
	fmt.Println(v)
	// Output: true
}

func ExampleWithOnFailure() {
	sys, _ := actor.NewSystem(actor.WithOnFailure(func(f *actor.Failure, d actor.Directive) {
		fmt.Printf("%s failed on %v: %v -> %v\n", f.Actor.Path, f.Message, f.Err, d)
	}))
	defer sys.Shutdown(context.Background())
	ref, _ := actor.Spawn(sys, "parser", actor.Stateless(func(c *actor.Context[string], s string) error {
		if s == "" {
			return errors.New("empty input")
		}
		actor.Reply(c, len(s))
		return nil
	}))
	ref.Send("")
	n, _ := actor.Ask[int](context.Background(), ref, "abc")
	fmt.Println(n)
	// Output:
	// /user/parser failed on : empty input -> restart
	// 3
}

// The README's account: Send is a tell (no one waits for an answer), Ask
// waits for the Reply. The reply to the Send has no one to go to: it is a
// dead letter, which the System logs, and the actor goes on.
func Example_account() {
	sys, _ := actor.NewSystem()
	defer sys.Shutdown(context.Background())
	acct, _ := actor.Spawn(sys, "alice", func(c *actor.Context[int]) actor.Behavior[int] {
		balance := 0 // owned by the actor: no lock
		return func(c *actor.Context[int], delta int) error {
			balance += delta
			actor.Reply(c, balance) // to an Ask; after a Send, a dead letter
			return nil
		}
	})
	acct.Send(500)                                           // tell: never blocks
	b, _ := actor.Ask[int](context.Background(), acct, -200) // only the reply type is written
	fmt.Println(b, sys.DeadLetters())
	// Output: 300 1
}
