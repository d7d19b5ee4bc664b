//lint:file-ignore SA2001 lock-order and deadlock scenarios take locks only to hold them

package check_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/atomic"
	"github.com/labludus/ludus/check/sync"
)

func traceText(f *check.Failure) string {
	var b strings.Builder
	for _, s := range f.Trace {
		b.WriteString(s.Goroutine + "|" + s.Op + "|" + s.Location + "\n")
	}
	return b.String()
}

func TestReplayDeterminism(t *testing.T) {
	r := check.Run(bank, check.DetectDataRaces(false))
	if r.Failure == nil {
		t.Fatal("no failure")
	}
	want := traceText(r.Failure)
	for i := 0; i < 100; i++ {
		rr := check.Run(bank, check.DetectDataRaces(false), check.Replay(r.Failure.Replay))
		if rr.Failure == nil {
			t.Fatalf("replay %d: no failure", i)
		}
		if got := traceText(rr.Failure); got != want || rr.Failure.Message != r.Failure.Message {
			t.Fatalf("replay %d differs:\n%s\nwant\n%s", i, got, want)
		}
		if rr.Executions != 1 {
			t.Fatalf("replay ran %d executions", rr.Executions)
		}
	}
}

// fakeTB captures Explore's Fatal.
type fakeTB struct {
	testing.TB
	name  string
	fatal string
}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Name() string      { return f.name }
func (f *fakeTB) Fatal(args ...any) { f.fatal = args[0].(string) }

func TestExploreReplayEnv(t *testing.T) {
	tb := &fakeTB{TB: t, name: "TestBank"}
	check.Explore(tb, bank, check.DetectDataRaces(false))
	if tb.fatal == "" {
		t.Fatal("Explore did not fail")
	}
	r := check.Run(bank, check.DetectDataRaces(false))
	_ = r
	i := strings.Index(tb.fatal, "LUDUS_REPLAY=")
	tok := strings.Fields(tb.fatal[i+len("LUDUS_REPLAY="):])[0]
	t.Setenv("LUDUS_REPLAY", tok)
	tb2 := &fakeTB{TB: t, name: "TestBank"}
	rep := check.Explore(tb2, bank, check.DetectDataRaces(false))
	if rep.Strategy != "replay" || tb2.fatal[strings.Index(tb2.fatal, "\n  "):] != tb.fatal[strings.Index(tb.fatal, "\n  "):] {
		t.Fatalf("replay via LUDUS_REPLAY: strategy %q\n%s\nwant\n%s", rep.Strategy, tb2.fatal, tb.fatal)
	}
	// A token made by another test is ignored.
	tb3 := &fakeTB{TB: t, name: "TestOther"}
	rep = check.Explore(tb3, bank, check.DetectDataRaces(false))
	if rep.Strategy == "replay" {
		t.Fatal("token of another test was used")
	}
	os.Unsetenv("LUDUS_REPLAY")
}

func TestSelectExploresEachReadyCase(t *testing.T) {
	seen := map[int]bool{}
	r := check.Run(func(t *check.T) {
		a := check.NewChan[int]("a", 1)
		b := check.NewChan[int]("b", 1)
		a.Send(1)
		b.Send(2)
		var x int
		i, ok := check.Select(a.RecvCase(&x), b.RecvCase(&x))
		if !ok || x != i+1 {
			t.Errorf("case %d got %d", i, x)
		}
		seen[i] = true
	}, check.Exhaustive())
	if r.Failure != nil || !seen[0] || !seen[1] || r.Executions != 2 {
		t.Fatalf("seen %v, report %+v", seen, r)
	}
}

func TestSelectDefaultAndClosed(t *testing.T) {
	r := check.Run(func(t *check.T) {
		c := check.NewChan[string]("c", 0)
		if _, ok := c.TryRecv(); ok {
			t.Errorf("TryRecv on empty channel succeeded")
		}
		if c.TrySend("x") {
			t.Errorf("TrySend without receiver succeeded")
		}
		c.Close()
		v, ok := c.RecvOK()
		if ok || v != "" {
			t.Errorf("receive from closed: %q %v", v, ok)
		}
	}, check.Exhaustive())
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
}

func TestUnbufferedRendezvousAllPairings(t *testing.T) {
	got := map[string]bool{}
	r := check.Run(func(t *check.T) {
		c := check.NewChan[string]("c", 0)
		t.Go("S1", func() { c.Send("one") })
		t.Go("S2", func() { c.Send("two") })
		a, b := c.Recv(), c.Recv()
		got[a+","+b] = true
	}, check.Exhaustive())
	if r.Failure != nil || !got["one,two"] || !got["two,one"] {
		t.Fatalf("orders %v report %+v", got, r)
	}
}

func TestPanicReported(t *testing.T) {
	r := check.Run(func(t *check.T) {
		v := check.NewVar("v", 0)
		t.Go("P", func() {
			if v.Load() == 0 {
				panic(errors.New("boom"))
			}
		})
	})
	if r.Failure == nil || r.Failure.Kind != check.Panicked || !strings.Contains(r.Failure.Message, "boom") || !strings.Contains(r.Failure.Message, "primitives_test.go") {
		t.Fatalf("want panic with stack, got %v", r.Failure)
	}
}

func TestFatalfFromGoroutine(t *testing.T) {
	r := check.Run(func(t *check.T) {
		ch := check.NewChan[int]("ch", 0)
		t.Go("F", func() {
			t.Fatalf("stop here")
			ch.Send(1) // never reached
		})
		ch.Recv()
	})
	if r.Failure == nil || r.Failure.Kind != check.AssertionFailed || r.Failure.Message != "stop here" {
		t.Fatalf("got %v", r.Failure)
	}
}

func TestStepLimit(t *testing.T) {
	r := check.Run(func(t *check.T) {
		flag := check.NewVar("flag", false)
		for !flag.Load() {
		}
	}, check.MaxSteps(100))
	if r.Failure != nil || r.Limit != check.StepLimitHit || r.Verdict() != check.Inconclusive || !strings.Contains(r.LimitDetail, "100 steps") {
		t.Fatalf("got %+v", r)
	}
}

func TestUncontrolledGoroutine(t *testing.T) {
	r := check.Run(func(t *check.T) {
		v := check.NewVar("v", 0)
		done := make(chan struct{})
		go func() {
			defer close(done)
			v.Store(1)
		}()
		<-done
	})
	if r.Failure == nil || r.Failure.Kind != check.UncontrolledGoroutine {
		t.Fatalf("got %v", r.Failure)
	}
}

// A program that does not replay the same way (here a counter outside the
// checker) makes the search inconclusive, naming nondeterminism: the
// search goes on (a failure it finds is still real) but cannot be called
// complete, and nondeterminism alone is not a failure of the program.
func TestNondeterminismDetected(t *testing.T) {
	for _, fails := range []bool{false, true} {
		n := 0
		r := check.Run(func(t *check.T) {
			v := check.NewVar("v", 0)
			w := check.NewVar("w", 0)
			n++
			t.Go("A", func() { v.Store(1) })
			t.Go("B", func() { v.Store(3) })
			if n == 2 {
				w.Store(1) // depends on state the checker does not control
			} else {
				v.Store(2)
			}
			if fails && n > 2 && v.Load() == 1 {
				t.Errorf("found after the divergence")
			}
		}, check.DetectDataRaces(false))
		switch {
		case !fails && (r.Verdict() != check.Inconclusive || r.Limit != check.Nondeterministic || r.Complete ||
			!strings.Contains(r.LimitDetail, "behaved differently") || !strings.Contains(r.Strategy, "nondeterminism")):
			t.Fatalf("without a failure: %+v", r)
		case fails && (r.Failure == nil || r.Failure.Kind != check.AssertionFailed):
			t.Fatalf("a failure after a divergence was not reported: %+v", r)
		}
	}
}

func TestTimeoutWithAfter(t *testing.T) {
	r := check.Run(func(t *check.T) {
		result := check.NewChan[int]("result", 1)
		t.Go("slow", func() {
			check.Sleep(2 * time.Second)
			result.Send(42)
		})
		start := check.Now()
		var v int
		i, _ := check.Select(result.RecvCase(&v), check.After(time.Second).RecvCase(nil))
		if i != 1 {
			t.Errorf("got result %d before the timeout", v)
		}
		if d := check.Now().Sub(start); d != time.Second {
			t.Errorf("timeout after %v", d)
		}
		t.Wait()
	}, check.Exhaustive(), check.StepCost(0))
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
}

func TestSleepAnHourIsInstant(t *testing.T) {
	start := time.Now()
	r := check.Run(func(t *check.T) {
		for i := 0; i < 24; i++ {
			check.Sleep(time.Hour)
		}
		if got := check.Now().Sub(check.Epoch); got != 24*time.Hour {
			t.Errorf("virtual time %v", got)
		}
	}, check.StepCost(0))
	if r.Failure != nil || time.Since(start) > 5*time.Second {
		t.Fatal(r.Failure)
	}
}

func TestCondLostWakeup(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var mu sync.Mutex
		cond := sync.NewCond(&mu)
		ready := check.NewVar("ready", false)
		t.Go("waiter", func() {
			mu.Lock()
			if !ready.Load() {
				mu.Unlock() // the bug: the check and the wait are not atomic
				mu.Lock()
				cond.Wait()
			}
			mu.Unlock()
		})
		t.Go("signaler", func() {
			mu.Lock()
			ready.Store(true)
			mu.Unlock()
			cond.Signal()
		})
		t.Wait()
	})
	if r.Failure == nil || r.Failure.Kind != check.Deadlock || !strings.Contains(r.Failure.Message, "Wait") {
		t.Fatalf("got %v", r.Failure)
	}
	t.Logf("\n%s", r.Failure)
}

func TestCondCorrect(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var mu sync.Mutex
		cond := sync.NewCond(&mu)
		ready := check.NewVar("ready", false)
		t.Go("waiter", func() {
			mu.Lock()
			for !ready.Load() {
				cond.Wait()
			}
			mu.Unlock()
		})
		t.Go("signaler", func() {
			mu.Lock()
			ready.Store(true)
			mu.Unlock()
			cond.Signal()
		})
		t.Wait()
	}, check.Exhaustive())
	if r.Failure != nil || !r.Exhausted {
		t.Fatalf("%+v", r)
	}
}

func TestWaitGroupMisuse(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var wg sync.WaitGroup
		total := check.NewVar("total", 0)
		for _, name := range []string{"A", "B"} {
			t.Go(name, func() {
				wg.Add(1) // the bug: Add belongs before the go statement
				defer wg.Done()
				total.Store(total.Load() + 1)
			})
		}
		wg.Wait()
		if got := total.Load(); got != 2 {
			t.Errorf("total = %d after Wait, want 2", got)
		}
	})
	if r.Failure == nil {
		t.Fatal("misuse not found")
	}
	t.Logf("\n%s", r.Failure)
}

func TestWaitGroupGo(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var wg sync.WaitGroup
		var n atomic.Int32
		for i := 0; i < 3; i++ {
			wg.Go(func() { n.Add(1) })
		}
		wg.Wait()
		if n.Load() != 3 {
			t.Errorf("n = %d", n.Load())
		}
	}, check.Exhaustive())
	if r.Failure != nil || !r.Exhausted {
		t.Fatalf("%+v", r)
	}
}

func TestBankCASFix(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var balance atomic.Int64
		balance.Store(1000)
		add := func(d int64) {
			for {
				old := balance.Load()
				if balance.CompareAndSwap(old, old+d) {
					return
				}
			}
		}
		t.Go("A", func() { add(500) })
		t.Go("B", func() { add(-200) })
		t.Wait()
		if got := balance.Load(); got != 1300 {
			t.Errorf("balance = %d, want 1300", got)
		}
	}, check.Exhaustive())
	if r.Failure != nil || !r.Exhausted {
		t.Fatalf("%+v", r)
	}
	t.Logf("%+v", r)
}

type config struct{ port int }

func TestDoubleCheckedLockingWrong(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var mu sync.Mutex
		var initialized atomic.Bool
		cfg := check.NewVar[*config]("cfg", nil)
		get := func() *config {
			if !initialized.Load() {
				mu.Lock()
				if !initialized.Load() {
					initialized.Store(true) // the bug: published before cfg is set
					cfg.Store(&config{port: 80})
				}
				mu.Unlock()
			}
			return cfg.Load()
		}
		for _, name := range []string{"A", "B"} {
			t.Go(name, func() {
				if c := get(); c == nil {
					t.Errorf("%s saw a nil config", name)
				}
			})
		}
	})
	if r.Failure == nil {
		t.Fatal("bug not found")
	}
	t.Logf("\n%s", r.Failure)
}

func TestRWMutexReadersAndWriter(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var rw sync.RWMutex
		v := check.NewVar("v", 0)
		t.Go("W", func() {
			rw.Lock()
			v.Store(v.Load() + 1)
			rw.Unlock()
		})
		for _, n := range []string{"R1", "R2"} {
			t.Go(n, func() {
				rw.RLock()
				_ = v.Load()
				rw.RUnlock()
			})
		}
		t.Wait()
	}, check.Exhaustive())
	if r.Failure != nil || !r.Exhausted {
		t.Fatalf("%+v", r)
	}
}

func TestRecursiveRLockDeadlock(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var rw sync.RWMutex
		t.Go("R", func() {
			rw.RLock()
			rw.RLock() // deadlocks when a writer arrived in between
			rw.RUnlock()
			rw.RUnlock()
		})
		t.Go("W", func() {
			rw.Lock()
			rw.Unlock()
		})
		t.Wait()
	})
	if r.Failure == nil || r.Failure.Kind != check.Deadlock {
		t.Fatalf("got %+v", r)
	}
}

func TestOnce(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var once sync.Once
		n := check.NewVar("n", 0)
		for _, name := range []string{"A", "B"} {
			t.Go(name, func() {
				once.Do(func() { n.Store(n.Load() + 1) })
				if n.Load() != 1 {
					t.Errorf("%s sees n = %d", name, n.Load())
				}
			})
		}
	}, check.Exhaustive())
	if r.Failure != nil || !r.Exhausted {
		t.Fatalf("%+v", r)
	}
	get := sync.OnceValue(func() int { return 7 })
	if first, second := get(), get(); first != 7 || second != 7 {
		t.Fatal("OnceValue")
	}
}

func TestIndependentGoroutinesOneExecution(t *testing.T) {
	r := check.Run(func(t *check.T) {
		for i := 0; i < 6; i++ {
			v := check.NewVar("v", 0)
			t.Go("", func() {
				v.Store(1)
				v.Store(v.Load() + 1)
			})
		}
	}, check.Exhaustive())
	if r.Failure != nil || r.Executions != 1 || !r.Exhausted {
		t.Fatalf("%+v", r)
	}
}

func TestRandomAndPCTFindBankRace(t *testing.T) {
	for _, opt := range []check.Option{check.Random(1, 200), check.PCT(2, 1, 200)} {
		r := check.Run(bank, opt, check.DetectDataRaces(false))
		if r.Failure == nil || r.Failure.Kind != check.AssertionFailed {
			t.Fatalf("%s: %+v", r.Strategy, r)
		}
		rr := check.Run(bank, check.DetectDataRaces(false), check.Replay(r.Failure.Replay))
		if rr.Failure == nil || traceText(rr.Failure) != traceText(r.Failure) {
			t.Fatalf("%s: replay differs", r.Strategy)
		}
	}
}

func TestPassthroughOutsideExploration(t *testing.T) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var n atomic.Int64
	c := check.NewChan[int]("c", 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			n.Add(1)
			mu.Unlock()
			c.Send(1)
		}()
	}
	wg.Wait()
	sum := 0
	for i := 0; i < 4; i++ {
		sum += c.Recv()
	}
	if n.Load() != 4 || sum != 4 {
		t.Fatal(n.Load(), sum)
	}
	v := check.NewVar("v", 1)
	v.Store(v.Load() + 1)
	if v.Load() != 2 {
		t.Fatal("var")
	}
	select {
	case <-time.After(10 * time.Second):
		t.Fatal("After never fired")
	default:
	}
	if i, _ := check.Select(check.After(time.Millisecond).RecvCase(nil)); i != 0 {
		t.Fatal("select")
	}
}

func TestStallOnRealChannel(t *testing.T) {
	real := make(chan int)
	r := check.Run(func(t *check.T) {
		<-real // blocks outside the checker's control
	}, check.StallTimeout(50*time.Millisecond))
	close(real)
	if r.Verdict() != check.Inconclusive || r.Limit != check.Stalled || !strings.Contains(r.LimitDetail, "main made no step") {
		t.Fatalf("got %+v", r)
	}
	// The next exploration is not held up by the stuck goroutine.
	if r := check.Run(bank, check.DetectDataRaces(false)); r.Failure == nil || r.Failure.Kind != check.AssertionFailed {
		t.Fatalf("after a stall: %+v", r)
	}
}

func TestNestedRunIsAnError(t *testing.T) {
	var inner check.Report
	r := check.Run(func(t *check.T) {
		inner = check.Run(func(t *check.T) {})
	})
	if r.Failure != nil || inner.Failure == nil || !strings.Contains(inner.Failure.Message, "inside an exploration") {
		t.Fatalf("outer %+v inner %+v", r, inner)
	}
}

func TestReplayOnAChangedProgramSaysSo(t *testing.T) {
	r := check.Run(bank, check.DetectDataRaces(false))
	changed := func(t *check.T) {
		balance := check.NewVar("balance", 1000)
		t.Go("A", func() { balance.Store(balance.Load() + 500) })
		t.Wait()
	}
	rr := check.Run(changed, check.Replay(r.Failure.Replay))
	if rr.Failure == nil || rr.Failure.Kind != check.Nondeterminism {
		t.Fatalf("%+v", rr)
	}
	for _, tok := range []string{"not a token", "", r.Failure.Replay[:len(r.Failure.Replay)-3]} {
		bad := check.Run(bank, check.Replay(tok))
		if bad.Verdict() != check.Error || !errors.Is(bad.Err, check.ErrBadToken) || bad.Failure != nil {
			t.Fatalf("Replay(%q): %+v", tok, bad)
		}
	}
}

func TestTimerResetAndStop(t *testing.T) {
	r := check.Run(func(t *check.T) {
		start := check.Now()
		tm := check.NewTimer(time.Second)
		check.Sleep(2 * time.Second) // the timer fires meanwhile
		if tm.Stop() {
			t.Errorf("Stop after firing reported pending")
		}
		if _, ok := tm.C.TryRecv(); ok {
			t.Errorf("stale value after Stop")
		}
		tm.Reset(time.Minute)
		at := tm.C.Recv()
		if got := at.Sub(start); got != 2*time.Second+time.Minute {
			t.Errorf("fired at %v", got)
		}
	}, check.Exhaustive(), check.StepCost(0))
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	// and outside an exploration, on the real clock
	tm := check.NewTimer(time.Hour)
	if !tm.Stop() {
		t.Fatal("first Stop of a pending timer returned false")
	}
	if tm.Stop() {
		t.Fatal("second Stop returned true")
	}
	tm.Reset(time.Millisecond)
	tm.C.Recv()
}

// A spin loop that yields (Sleep(0)) lets the goroutine it waits for run,
// even when that one sleeps on the virtual clock.
func TestYieldingSpinLoopTerminates(t *testing.T) {
	for _, nap := range []time.Duration{0, time.Second} {
		r := check.Run(func(t *check.T) {
			flag := check.NewVar("flag", false)
			t.Go("setter", func() {
				if nap > 0 {
					check.Sleep(nap)
				}
				flag.Store(true)
			})
			for !flag.Load() {
				check.Sleep(0)
			}
		}, check.Exhaustive(), check.DetectDataRaces(false), check.MaxSteps(1000))
		if r.Failure != nil || !r.Exhausted {
			t.Fatalf("nap %v: %+v", nap, r)
		}
	}
}

func TestChannelCornerCases(t *testing.T) {
	// a large buffer, filled and drained in order
	r := check.Run(func(t *check.T) {
		c := check.NewChan[int]("big", 100)
		for i := 0; i < 100; i++ {
			c.Send(i)
		}
		if c.Len() != 100 || c.Cap() != 100 || c.TrySend(0) {
			t.Errorf("len %d cap %d", c.Len(), c.Cap())
		}
		for i := 0; i < 100; i++ {
			if v := c.Recv(); v != i {
				t.Fatalf("got %d, want %d", v, i)
			}
		}
	})
	if r.Failure != nil {
		t.Fatal(r.Failure)
	}
	// close wakes a waiting receiver with the zero value
	r = check.Run(func(t *check.T) {
		c := check.NewChan[string]("c", 0)
		t.Go("closer", func() { c.Close() })
		if v, ok := c.RecvOK(); ok || v != "" {
			t.Errorf("got %q %v", v, ok)
		}
	}, check.Exhaustive())
	if r.Failure != nil || !r.Exhausted {
		t.Fatalf("%+v", r)
	}
	// close wakes a waiting sender, which panics
	r = check.Run(func(t *check.T) {
		c := check.NewChan[int]("c", 0)
		t.Go("sender", func() { c.Send(1) })
		check.Sleep(time.Second) // the sender waits by now
		c.Close()
		t.Wait()
	})
	if r.Failure == nil || r.Failure.Kind != check.Panicked || !strings.Contains(r.Failure.Message, "send on closed channel") {
		t.Fatalf("%+v", r.Failure)
	}
	// a nil channel blocks forever; closing it panics
	r = check.Run(func(t *check.T) {
		var c *check.Chan[int]
		t.Go("reader", func() { c.Recv() })
	})
	if r.Failure == nil || r.Failure.Kind != check.Leak || !strings.Contains(r.Failure.Message, "nil channel") {
		t.Fatalf("%+v", r.Failure)
	}
	r = check.Run(func(t *check.T) {
		var c *check.Chan[int]
		c.Close()
	})
	if r.Failure == nil || r.Failure.Kind != check.Panicked {
		t.Fatalf("%+v", r.Failure)
	}
	// a select blocked on two channels is woken by either
	seen := map[int]bool{}
	r = check.Run(func(t *check.T) {
		a, b := check.NewChan[int]("a", 0), check.NewChan[int]("b", 0)
		t.Go("A", func() { a.TrySend(1) })
		t.Go("B", func() { b.TrySend(2) })
		t.Go("S", func() {
			var v int
			i, _ := check.Select(a.RecvCase(&v), b.RecvCase(&v), check.After(time.Second).RecvCase(nil))
			seen[i] = true
		})
		t.Wait()
	}, check.Exhaustive())
	if r.Failure != nil || !seen[0] || !seen[1] || !seen[2] {
		t.Fatalf("seen %v %+v", seen, r)
	}
}

func TestRWTryLocksAndLogf(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var rw sync.RWMutex
		t.Go("R", func() {
			if rw.TryRLock() {
				t.Logf("reader in")
				rw.RUnlock()
			}
		})
		if rw.TryLock() {
			rw.Unlock()
		}
		t.Wait()
		t.Errorf("show the trace")
	})
	if r.Failure == nil || !strings.Contains(r.Failure.String(), "rw.TryRLock() -> ") || !strings.Contains(r.Failure.String(), "rw.TryLock() -> ") {
		t.Fatalf("%v", r.Failure)
	}
}
