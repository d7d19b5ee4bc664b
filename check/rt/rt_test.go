package rt_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/rt"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pipeline is rewritten-style code (what ludus check makes of ordinary
// Go): a producer, a select with a default, a range over a channel.
func pipeline(out func(int)) {
	ch := rt.Make(make(chan int, 2))
	done := rt.Make(make(chan struct{}))
	rt.Go("producer", func() {
		for i := range 3 {
			rt.Send(ch, i)
		}
		rt.Close(ch)
	})
	rt.Go("consumer", func() {
		for v, ok := rt.Recv2(ch); ok; v, ok = rt.Recv2(ch) {
			out(v)
		}
		rt.Close(done)
	})
	c0 := rt.RecvCase(done)
	switch rt.Select(false, c0) {
	case 0:
		if c0.OK {
			panic("a closed channel delivered a value")
		}
	}
	if rt.Len(ch) != 0 || cap(ch) != 2 {
		panic("the channel is not drained")
	}
}

// Outside an exploration the runtime's calls are the Go operations.
func TestOutside(t *testing.T) {
	var mu sync.Mutex
	var got []int
	pipeline(func(v int) { mu.Lock(); got = append(got, v); mu.Unlock() })
	if len(got) != 3 || got[0] != 0 || got[2] != 2 {
		t.Fatalf("got %v", got)
	}
	x := 1
	rt.Set(&x, "x").To(*rt.R(&x, "x") + 1)
	m := map[int]int{}
	rt.MW(m, "m")[1] = 2
	if x != 2 || rt.MR(m, "m")[1] != 2 || rt.NumGoroutine() < 1 {
		t.Fatalf("x %d, m %v", x, m)
	}
	if rt.Exit1(rt.Enter("f"), 7) != 7 {
		t.Fatal("Exit1")
	}
}

// Inside an exploration: every schedule of the pipeline, its values in
// order, no leak, no race.
func TestInside(t *testing.T) {
	r := check.Run(func(ct *check.T) {
		var got []int
		pipeline(func(v int) { got = append(got, v) })
		if len(got) != 3 || got[0] != 0 || got[1] != 1 || got[2] != 2 {
			ct.Errorf("got %v", got)
		}
	}, check.Exhaustive())
	if r.Verdict() != check.Pass || !r.Exhausted || r.Executions < 2 {
		t.Fatalf("%+v", r)
	}
}

// The guide's lost update, written as rewritten code: a data race, named
// after the source text, with both accesses.
func TestRaceOnSharedMemory(t *testing.T) {
	r := check.Run(func(ct *check.T) {
		balance := 1000
		done := rt.Make(make(chan bool))
		for _, d := range []int{500, -200} {
			rt.Go("deposit", func() {
				rt.Set(&balance, "balance").To(*rt.R(&balance, "balance") + d)
				rt.Send(done, true)
			})
		}
		rt.Recv(done)
		rt.Recv(done)
	})
	if r.Failure == nil || r.Failure.Kind != check.DataRace || !strings.Contains(r.Failure.Message, "on balance") ||
		!strings.Contains(r.Failure.String(), "write balance = ") {
		t.Fatalf("%+v\n%s", r, r.Failure)
	}
}

// A channel made outside the rewritten code is foreign: its operations
// are real ones, run as external calls.
func TestForeignChannel(t *testing.T) {
	foreign := make(chan int, 1)
	r := check.Run(func(ct *check.T) {
		rt.Send(foreign, 1)
		if v := rt.Recv(foreign); v != 1 {
			ct.Errorf("got %d", v)
		}
	})
	if r.Verdict() != check.Pass {
		t.Fatalf("%+v", r)
	}
}

// Outside an exploration a select is reflect.Select: a send delivers its
// value with its static type (a nil error stays an error), a receive fills
// V and OK, a closed channel gives the zero value and OK false.
func TestSelectOutside(t *testing.T) {
	errs := make(chan error, 1)
	s := rt.SendCase(errs, error(nil))
	if k := rt.Select(false, s); k != 0 || len(errs) != 1 {
		t.Fatalf("send case: %d, %d buffered", k, len(errs))
	}
	r := rt.RecvCase(errs)
	if k := rt.Select(true, r); k != 0 || !r.OK || r.V != nil {
		t.Fatalf("receive case: %d, %+v", k, r)
	}
	ints := make(chan int, 1)
	ints <- 7
	ri := rt.RecvCase(ints)
	if k := rt.Select(false, ri); k != 0 || !ri.OK || ri.V != 7 {
		t.Fatalf("receive 7: %d, %+v", k, ri)
	}
	close(ints)
	rc := rt.RecvCase(ints)
	rc.V = 3
	if k := rt.Select(false, rc); k != 0 || rc.OK || rc.V != 0 {
		t.Fatalf("closed channel: %d, %+v", k, rc)
	}
	if k := rt.Select(true, rt.RecvCase(make(chan int))); k != -1 {
		t.Fatalf("default: %d", k)
	}
}

// Channels made outside any exploration (package variables, init,
// TestMain) start every execution in their real state: one closed in init
// is closed, a semaphore filled outside is full, and explorations leave
// the real channels as they found them.
func TestOutsideChannelState(t *testing.T) {
	closed := rt.Make(make(chan struct{}))
	rt.Close(closed)
	sem := rt.Make(make(chan int, 3))
	for i := range 2 {
		rt.Send(sem, i+1)
	}
	r := check.Run(func(ct *check.T) {
		if _, ok := rt.Recv2(closed); ok {
			ct.Errorf("a channel closed before the exploration delivered a value")
		}
		if n := rt.Len(sem); n != 2 {
			ct.Errorf("len(sem) = %d, want 2", n)
		}
		if v := rt.Recv(sem); v != 1 {
			ct.Errorf("first value %d, want 1", v)
		}
		rt.Send(sem, 9)
		rt.Send(sem, 10) // full again: 2, 9, 10
	})
	if r.Failure != nil || r.Executions < 1 {
		t.Fatalf("%+v", r)
	}
	if len(sem) != 2 || <-sem != 1 || <-sem != 2 {
		t.Fatal("the exploration changed the real channel")
	}
	if _, ok := <-closed; ok {
		t.Fatal("the closed channel reopened")
	}
}

// goleak.VerifyNone in an exploration (rewritten to rt.VerifyNone): the
// other goroutines get a virtual second to end; one blocked forever is a
// leak, named; outside an exploration the call itself runs.
func TestVerifyNone(t *testing.T) {
	r := check.Run(func(ct *check.T) {
		done := rt.Make(make(chan int))
		rt.Go("slow", func() { check.Sleep(50 * time.Millisecond); rt.Close(done) })
		rt.Go("quick", func() {})
		rt.VerifyNone(func() { ct.Errorf("goleak ran inside the exploration") })
	})
	if r.Verdict() != check.Pass {
		t.Fatalf("goroutines that end were called a leak: %+v", r)
	}
	r = check.Run(func(ct *check.T) {
		stuck := rt.Make(make(chan int))
		rt.Go("stuck", func() { rt.Recv(stuck) })
		rt.VerifyNone(func() {})
	})
	if r.Failure == nil || r.Failure.Kind != check.Leak || !strings.Contains(r.Failure.Message, "goleak.VerifyNone: 1 goroutine still alive") ||
		!strings.Contains(r.Failure.Message, "stuck") {
		t.Fatalf("a goroutine blocked forever was not a leak: %+v", r)
	}
	ran := false
	rt.VerifyNone(func() { ran = true })
	if !ran {
		t.Fatal("outside an exploration the call did not run")
	}
}

// A deadline computed on the virtual clock keeps its distance from now on
// the real one; no deadline stays none; outside an exploration nothing
// changes.
func TestRealDeadline(t *testing.T) {
	var got, zero time.Time
	var virtualNow time.Time
	r := check.Run(func(ct *check.T) {
		virtualNow = check.Now()
		got = rt.RealDeadline(virtualNow.Add(300 * time.Millisecond))
		zero = rt.RealDeadline(time.Time{})
	})
	if r.Verdict() != check.Pass {
		t.Fatalf("%+v", r)
	}
	if d := time.Until(got); d <= 0 || d > 300*time.Millisecond || !zero.IsZero() || virtualNow.Year() > 2001 {
		t.Fatalf("real deadline %v from now (want up to 300ms), zero %v, virtual now %v", d, zero, virtualNow)
	}
	if out := time.Unix(5, 0); !rt.RealDeadline(out).Equal(out) {
		t.Fatal("outside an exploration the deadline changed")
	}
}
