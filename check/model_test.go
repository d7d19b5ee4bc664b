//lint:file-ignore SA2001 goroutines take locks only to hold them or to order against others

package check_test

import (
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/atomic"
	checkrand "github.com/labludus/ludus/check/math/rand/v2"
	"github.com/labludus/ludus/check/sync"
)

// The engine's model of a real program (issue 11): each test here failed
// on the engine before it, where time moved only when nothing could run,
// a new goroutine ran before its parent went on, limits were failures,
// and a zero preemption bound meant three.

// A guard longer than ExternalTime (a second by default) never fires
// during an External call: a file read is not explored as taking a minute;
// ExternalTime(0) lets no time pass during one, and a larger bound lets
// the guard race it again.
func TestExternalTimeBoundsTheJump(t *testing.T) {
	body := func(guard time.Duration) func(t *check.T) {
		return func(t *check.T) {
			done := check.NewChan[int]("done", 1)
			t.Go("reader", func() {
				check.External("read /proc/meminfo", func() {})
				done.Send(1)
			})
			if i, _ := check.Select(done.RecvCase(nil), check.After(guard).RecvCase(nil)); i == 1 {
				t.Errorf("the %v guard fired during the read", guard)
			}
			t.Wait()
		}
	}
	if r := check.Run(body(30 * time.Second)); r.Verdict() != check.Pass {
		t.Errorf("a 30s guard fired during an External call: %+v", r)
	}
	if r := check.Run(body(10*time.Millisecond), check.ExternalTime(0)); r.Verdict() != check.Pass {
		t.Errorf("ExternalTime(0) let time pass: %+v", r)
	}
	if r := check.Run(body(30*time.Second), check.ExternalTime(time.Minute)); r.Failure == nil {
		t.Errorf("ExternalTime(1m) did not let a 30s guard race the call: %+v", r)
	}
}

// A timeout that fires while a goroutine is blocked in a call the checker
// does not control (a real child process) is found: the call's duration
// is unknown, so the clock may jump past the deadline before it returns.
func TestTimeoutBeatsExternalCall(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command")
	}
	r := check.Run(func(t *check.T) {
		done := check.NewChan[error]("done", 1)
		t.Go("runner", func() {
			var err error
			check.External("exec sleep 0.01", func() { err = exec.Command(sleep, "0.01").Run() })
			done.Send(err)
		})
		i, _ := check.Select(done.RecvCase(nil), check.After(time.Second).RecvCase(nil))
		if i == 1 {
			t.Errorf("timed out while the child process ran")
		}
		t.Wait()
	})
	if r.Failure == nil || r.Failure.Kind != check.AssertionFailed || !strings.Contains(r.Failure.String(), "time passes") {
		t.Fatalf("the timeout's schedule was not found: %+v", r)
	}
}

// Without an external call, a timeout guard around quick checked work
// never fires: a thousand steps take a millisecond of virtual time.
func TestTimeoutGuardNoFalseAlarm(t *testing.T) {
	r := check.Run(func(t *check.T) {
		done := check.NewChan[int]("done", 0)
		t.Go("worker", func() {
			var n atomic.Int64
			for range 1000 {
				n.Add(1)
			}
			done.Send(int(n.Load()))
		})
		i, _ := check.Select(done.RecvCase(nil), check.After(time.Second).RecvCase(nil))
		if i != 0 {
			t.Errorf("the one-second guard fired around a thousand steps")
		}
		t.Wait()
	}, check.Exhaustive())
	if r.Verdict() != check.Pass || !r.Exhausted {
		t.Fatalf("%+v", r)
	}
}

// A worker that spins a while looking for work before it parks (as a
// pool's does) does not let a guard timer fire meanwhile: the clock jumps
// for goroutines that only yield once they have spun long, not at once.
func TestBoundedSpinKeepsTheClock(t *testing.T) {
	r := check.Run(func(t *check.T) {
		work := check.NewVar("work", 0)
		wake := check.NewChan[int]("wake", 0)
		done := check.NewChan[int]("done", 0)
		t.Go("worker", func() {
			for range 64 {
				if work.Load() != 0 {
					break
				}
				check.Sleep(0) // runtime.Gosched
			}
			wake.Recv() // parks
			done.Send(1)
		})
		t.Go("closer", func() { wake.Send(1) })
		i, _ := check.Select(done.RecvCase(nil), check.After(10*time.Second).RecvCase(nil))
		if i != 0 {
			t.Errorf("the ten-second guard fired while a worker spun 64 times")
		}
		t.Wait()
	}, check.DetectDataRaces(false))
	if r.Verdict() != check.Pass {
		t.Fatalf("%+v", r)
	}
}

// Goroutines of one execution never share a runtime goroutine, even when
// one ends before the next starts: code that tells goroutines apart by
// their runtime id (a lock's deadlock detector, runtime.Stack) sees them
// apart, as in a real run.
func TestGoroutinesKeepDistinctRuntimeIDs(t *testing.T) {
	goid := func() string {
		buf := make([]byte, 64)
		buf = buf[:runtime.Stack(buf, false)]
		id, _, _ := strings.Cut(strings.TrimPrefix(string(buf), "goroutine "), " ")
		return id
	}
	r := check.Run(func(t *check.T) {
		var ids []string
		for range 3 {
			done := check.NewChan[string]("done", 0)
			t.Go("g", func() { done.Send(goid()) })
			ids = append(ids, done.Recv())
		}
		if ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2] {
			t.Errorf("runtime ids %v", ids)
		}
	}, check.MaxExecutions(50))
	if r.Verdict() == check.Fail {
		t.Fatalf("%+v", r)
	}
}

// A wait of one hour against a timeout of a day: the work wins in every
// schedule, and an hour of virtual time costs nothing.
func TestHourAgainstDay(t *testing.T) {
	start := time.Now()
	r := check.Run(func(t *check.T) {
		answer := check.NewChan[int]("answer", 1)
		t.Go("work", func() {
			check.Sleep(time.Hour)
			answer.Send(42)
		})
		if i, _ := check.Select(answer.RecvCase(nil), check.After(24*time.Hour).RecvCase(nil)); i != 0 {
			t.Errorf("the day's timeout beat the hour's work")
		}
		t.Wait()
	}, check.Exhaustive())
	if r.Verdict() != check.Pass || time.Since(start) > 5*time.Second {
		t.Fatalf("%+v", r)
	}
}

// A goroutine spinning on a flag that another sets after sleeping ends:
// every step moves the clock, the sleeper wakes, and once the spinner has
// run a whole time slice the switch to the sleeper costs no preemption.
func TestSpinWaitOnSleeperTerminates(t *testing.T) {
	for _, bound := range []int{0, 1} {
		r := check.Run(func(t *check.T) {
			var flag atomic.Bool
			t.Go("sleeper", func() {
				check.Sleep(5 * time.Millisecond)
				flag.Store(true)
			})
			for !flag.Load() {
			}
		}, check.MaxPreemptions(bound), check.MaxTime(time.Second))
		if r.Failure != nil || bound == 0 && r.Verdict() != check.Pass {
			t.Fatalf("bound %d: %+v", bound, r)
		}
	}
}

// Starting a goroutine is a scheduling point: the child's first step can
// come before the parent's next one. The child here reads a plain field
// before its first checked operation; the parent writes it after the go
// statement, under the lock.
func TestSpawnIsASchedulingPoint(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var mu sync.Mutex
		ready := check.NewVar("ready", false)
		saw := check.NewVar("saw", false)
		t.Go("child", func() {
			mu.Lock()
			saw.Store(ready.Load())
			mu.Unlock()
		})
		mu.Lock()
		ready.Store(true)
		mu.Unlock()
		t.Wait()
		if !saw.Load() {
			t.Errorf("the child ran before the parent set ready")
		}
	})
	if r.Failure == nil || r.Failure.Kind != check.AssertionFailed {
		t.Fatalf("the child-first schedule was not found: %+v", r)
	}
}

// Five thousand goroutines in one execution: only live goroutines count
// against the limit, and goroutine sets grow past 64.
func TestFiveThousandGoroutines(t *testing.T) {
	n := 5000
	if check.RaceEnabled {
		n = 1000
	}
	r := check.Run(func(t *check.T) {
		var wg sync.WaitGroup
		var c atomic.Int64
		for range n {
			wg.Add(1)
			t.Go("w", func() {
				defer wg.Done()
				c.AddDiscard(1)
			})
		}
		wg.Wait()
		if got := c.Load(); got != int64(n) {
			t.Errorf("count %d, want %d", got, n)
		}
	}, check.MaxExecutions(3))
	if r.Failure != nil || r.Err != nil || r.Limit == check.GoroutineLimit {
		t.Fatalf("%+v", r)
	}
}

// The goroutine limit counts live goroutines: many that come and go pass,
// too many alive at once make the report inconclusive, never a failure.
func TestGoroutineLimitCountsLiveOnes(t *testing.T) {
	body := func(alive bool) func(t *check.T) {
		return func(t *check.T) {
			stop := check.NewChan[struct{}]("stop", 0)
			for range 100 {
				t.Go("g", func() {
					if alive {
						stop.Recv()
					}
				})
				if !alive {
					t.Wait()
				}
			}
			stop.Close()
		}
	}
	if r := check.Run(body(false), check.MaxGoroutines(10), check.MaxExecutions(2)); r.Verdict() != check.Pass && r.Limit != check.ExecutionBudget {
		t.Fatalf("goroutines that come and go: %+v", r)
	}
	r := check.Run(body(true), check.MaxGoroutines(10), check.MaxExecutions(2))
	if r.Verdict() != check.Inconclusive || r.Limit != check.GoroutineLimit || r.Failure != nil {
		t.Fatalf("too many alive: %+v", r)
	}
}

// MaxPreemptions(0) means zero: the bank race needs a preemption, so no
// schedule without one finds it.
func TestMaxPreemptionsZero(t *testing.T) {
	r := check.Run(bank, check.DetectDataRaces(false), check.MaxPreemptions(0), check.MaxExecutions(1000))
	if r.Failure != nil || !r.Complete || r.Strategy != "DPOR, complete up to 0 preemptions" {
		t.Fatalf("%+v", r)
	}
	if r := check.Run(bank, check.DetectDataRaces(false), check.MaxPreemptions(1)); r.Failure == nil {
		t.Fatalf("one preemption finds it: %+v", r)
	}
}

// A program that uses math/rand (the checker's drop-in) replays the same
// schedule with the same numbers: the token carries the seed.
func TestRandomProgramReplays(t *testing.T) {
	body := func(t *check.T) {
		x := check.NewVar("x", 0)
		n := 2 + checkrand.IntN(3)
		for i := range n {
			t.Go("w", func() { x.Store(x.Load() + i + checkrand.IntN(10)) })
		}
		t.Wait()
		if x.Load()%7 == 3 {
			t.Errorf("x = %d", x.Load())
		}
	}
	for seed := int64(0); seed < 20; seed++ {
		r := check.Run(body, check.Seed(seed), check.DetectDataRaces(false))
		if r.Failure == nil {
			continue
		}
		again := check.Run(body, check.Replay(r.Failure.Replay), check.DetectDataRaces(false))
		if again.Failure == nil || again.Failure.Message != r.Failure.Message || again.Failure.Kind == check.Nondeterminism {
			t.Fatalf("seed %d: replay gave %+v, want %s", seed, again, r.Failure.Message)
		}
		return
	}
	t.Fatal("no seed failed: the test lost its teeth")
}

// Options: negative values and zeros that cannot mean anything are
// errors; zeros that can are zero.
func TestOptionEdges(t *testing.T) {
	for _, o := range []check.Option{
		check.MaxPreemptions(-1), check.MaxSteps(0), check.MaxSteps(-5), check.MaxExecutions(0),
		check.MaxTime(0), check.MaxGoroutines(0), check.StallTimeout(0), check.StepCost(-1),
		check.TimeSlice(-1), check.LeakGrace(-1), check.Random(1, -1), check.PCT(0, 1, 1),
		check.Delay(-time.Nanosecond), check.ExternalTime(-time.Nanosecond),
	} {
		if r := check.Run(bank, o); r.Verdict() != check.Error || r.Err == nil {
			t.Errorf("an invalid option ran: %+v", r)
		}
	}
	// StepCost(0): time moves only when every goroutine waits.
	r := check.Run(func(t *check.T) {
		var n atomic.Int64
		for range 100 {
			n.Add(1)
		}
		if check.Now() != check.Epoch {
			t.Errorf("time moved: %v", check.Now().Sub(check.Epoch))
		}
	}, check.StepCost(0))
	if r.Verdict() != check.Pass {
		t.Fatalf("StepCost(0): %+v", r)
	}
	// LeakGrace(0): a goroutine still sleeping when the body returns leaks.
	r = check.Run(func(t *check.T) {
		t.Go("late", func() { check.Sleep(time.Millisecond) })
	}, check.LeakGrace(0))
	if r.Failure == nil || r.Failure.Kind != check.Leak {
		t.Fatalf("LeakGrace(0): %+v", r)
	}
	// Delay(0) is the default: the test the delay bound fails passes.
	if r := check.Run(stopper, check.Delay(0)); r.Verdict() != check.Pass {
		t.Fatalf("Delay(0): %+v", r)
	}
	// The default grace lets it finish.
	if r := check.Run(func(t *check.T) {
		t.Go("late", func() { check.Sleep(time.Millisecond) })
	}); r.Verdict() != check.Pass {
		t.Fatalf("default grace: %+v", r)
	}
}

// A goroutine that keeps running after the body returned (a retry loop on
// a virtual-time backoff) is a leak once the grace period is over, not a
// step limit.
func TestRunawayGoroutineIsALeak(t *testing.T) {
	r := check.Run(func(t *check.T) {
		t.Go("retry", func() {
			for {
				check.Sleep(100 * time.Millisecond)
			}
		})
	})
	if r.Failure == nil || r.Failure.Kind != check.Leak || !strings.Contains(r.Failure.Message, "retry") {
		t.Fatalf("%+v", r)
	}
}

// A body that starts a goroutine with a plain go statement is not
// reported complete: the checker never saw that goroutine's operations.
// (It finds such goroutines by sampling the process's goroutines at its
// decisions and when the body ends; this one outlives the body a little,
// so that the sample cannot miss it on a loaded machine.)
func TestPlainGoStatementIsReported(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var mu sync.Mutex
		done := make(chan bool)
		go func() {
			time.Sleep(time.Millisecond)
			done <- true
			time.Sleep(100 * time.Millisecond)
		}()
		mu.Lock()
		mu.Unlock()
		<-done
	})
	if r.Verdict() != check.Inconclusive || r.Failure != nil || r.Limit != check.Uncontrolled ||
		!strings.Contains(r.LimitDetail, "plain go statement") {
		t.Fatalf("%+v", r)
	}
}

// Long traces print their first and last steps with the count between.
func TestLongTraceIsShortened(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var n atomic.Int64
		for range 500 {
			n.Add(1)
		}
		t.Errorf("n = %d", n.Load())
	})
	s := r.Failure.String()
	if len(r.Failure.Trace) < 500 || !strings.Contains(s, "steps …") || strings.Count(s, "\n") > 80 {
		t.Fatalf("%d steps, printed %d lines:\n%s", len(r.Failure.Trace), strings.Count(s, "\n"), s)
	}
	if full := r.Failure.FullString(); strings.Contains(full, "steps …") || strings.Count(full, "\n") < len(r.Failure.Trace) {
		t.Fatalf("FullString printed %d lines for %d steps", strings.Count(full, "\n"), len(r.Failure.Trace))
	}
}

// Goroutines started at one site are numbered, and select cases are
// numbered as in the source.
func TestNamesInTraces(t *testing.T) {
	r := check.Run(func(t *check.T) {
		a := check.NewChan[int]("a", 1)
		b := check.NewChan[int]("b", 2)
		for i := range 2 {
			t.Go("worker", func() { b.Send(i) })
		}
		t.Wait()
		check.Select(a.RecvCase(nil), b.RecvCase(nil))
		t.Errorf("stop")
	}, check.MaxExecutions(1))
	s := r.Failure.String()
	for _, want := range []string{"worker#1", "worker#2", "select -> case 2"} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q in\n%s", want, s)
		}
	}
}

// cacher is kubernetes#13135 (GoKer) in the checker's own terms: a
// goroutine retakes c and then w in a loop, yielding between rounds, until
// told to stop; another takes w and then c once. The deadlock needs the
// loop to be caught between its two locks just when the other goroutine
// starts: the systematic levels, whose last one the loop makes endless,
// do not get there in the budget, and PCT beside them does.
func cacher(t *check.T) {
	var c, w sync.Mutex
	stop := check.NewChan[struct{}]("stop", 0)
	t.Go("util", func() {
		for {
			if i, _ := check.Select(stop.RecvCase(nil), check.DefaultCase()); i == 0 {
				return
			}
			c.Lock()
			w.Lock()
			w.Unlock()
			c.Unlock()
			check.Sleep(0)
		}
	})
	t.Go("add", func() {
		w.Lock()
		c.Lock()
		c.Unlock()
		w.Unlock()
	})
	t.Go("close", func() { stop.Close() })
}

// The default strategy samples with PCT beside its last level once it has
// run a few dozen executions: the deadlock above is found, reported as
// found by PCT, and its token replays it.
func TestPortfolioFindsDeepBug(t *testing.T) {
	r := check.Run(cacher)
	if r.Failure == nil {
		t.Fatalf("no failure: %s (%d executions, limit %v)", r.Strategy, r.Executions, r.Limit)
	}
	if !strings.Contains(r.Strategy, "PCT") {
		t.Errorf("strategy %q does not say PCT found it", r.Strategy)
	}
	again := check.Run(cacher, check.Replay(r.Failure.Replay))
	if again.Failure == nil || again.Failure.Kind != r.Failure.Kind {
		t.Errorf("replay: %+v, want a %v", again.Failure, r.Failure.Kind)
	}
	// With a bound given the search is the bounded levels alone.
	b := check.Run(cacher, check.MaxPreemptions(1), check.MaxTime(200*time.Millisecond))
	if strings.Contains(b.Strategy, "PCT") {
		t.Errorf("MaxPreemptions(1) sampled: %q", b.Strategy)
	}
}

// A program whose schedules all fit in the systematic search is proved
// correct without a single sampled execution.
func TestPortfolioLeavesSmallProofsAlone(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var mu sync.Mutex
		n := check.NewVar("n", 0)
		for _, name := range []string{"A", "B", "C"} {
			t.Go(name, func() { mu.Lock(); n.Store(n.Load() + 1); mu.Unlock() })
		}
	})
	if !r.Exhausted || r.Strategy != "DPOR, complete" {
		t.Errorf("got %q, exhausted %v after %d executions", r.Strategy, r.Exhausted, r.Executions)
	}
}

// stopper is cockroach#4407 (GoKer) in the checker's terms: the test
// starts two goroutines that each Add to a WaitGroup, sleeps a millisecond
// "to let them start", and Waits. If a goroutine is descheduled past the
// millisecond, its Add races with the Wait, which package sync forbids
// and the race detector reports.
func stopper(t *check.T) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := 0; i < 2; i++ {
		t.Go("gossip", func() {
			mu.Lock()
			wg.Add(1)
			t.Go("worker", func() { defer wg.Done() })
			mu.Unlock()
		})
	}
	check.Sleep(time.Millisecond)
	wg.Wait()
}

// The delay bound finds the bug only a descheduled goroutine shows, says
// it is timing-dependent and how long a delay it needs, and replays it;
// without the bound (the default) and with a bound shorter than the sleep
// the same test passes, proved over every schedule.
func TestDelayFindsDescheduling(t *testing.T) {
	if r := check.Run(stopper); r.Verdict() != check.Pass {
		t.Fatalf("without a delay bound: %v %s %v", r.Verdict(), r.Strategy, r.Failure)
	}
	if r := check.Run(stopper, check.Delay(500*time.Microsecond)); r.Verdict() != check.Pass {
		t.Fatalf("with a bound below the sleep: %v %v", r.Verdict(), r.Failure)
	}
	r := check.Run(stopper, check.Delay(10*time.Millisecond))
	if r.Failure == nil {
		t.Fatalf("with Delay(10ms): no failure (%s)", r.Strategy)
	}
	s := r.Failure.String()
	for _, want := range []string{"timing-dependent", "descheduled for", "delay bound 10ms"} {
		if !strings.Contains(s, want) {
			t.Errorf("failure lacks %q:\n%s", want, s)
		}
	}
	again := check.Run(stopper, check.Replay(r.Failure.Replay))
	if again.Failure == nil || again.Failure.Kind != r.Failure.Kind {
		t.Errorf("the token does not replay the failure: %+v", again.Failure)
	}
}

// A one-second timeout around quick checked work never fires, whatever the
// delay bound below it: the delay is a deschedule, not a slow machine.
func TestDelayKeepsTimeoutGuards(t *testing.T) {
	r := check.Run(func(t *check.T) {
		done := check.NewChan[int]("done", 1)
		t.Go("worker", func() {
			n := check.NewVar("n", 0)
			for i := 0; i < 100; i++ {
				n.Store(n.Load() + 1)
			}
			done.Send(n.Load())
		})
		i, _ := check.Select(done.RecvCase(nil), check.After(time.Second).RecvCase(nil))
		if i == 1 {
			t.Errorf("the timeout fired")
		}
	}, check.Delay(100*time.Millisecond))
	if r.Verdict() != check.Pass {
		t.Fatalf("%v: %v", r.Verdict(), r.Failure)
	}
}
