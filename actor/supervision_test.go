package actor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labludus/ludus/panics"
)

// eventually polls cond until it holds or a generous deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

type ctl struct {
	op string // "inc", "get", "fail", "panic"
}

// statefulWorker counts "inc"; it fails on "fail" and panics on "panic".
// starts counts its setups (its incarnations).
func statefulWorker(starts *atomic.Int64) func(*Context[ctl]) Behavior[ctl] {
	return func(c *Context[ctl]) Behavior[ctl] {
		starts.Add(1)
		n := 0
		return func(c *Context[ctl], m ctl) error {
			switch m.op {
			case "inc":
				n++
			case "get":
				Reply(c, n)
				return nil
			case "fail":
				return errors.New("fail")
			case "panic":
				panic("kaboom")
			}
			return nil
		}
	}
}

func get(t testing.TB, r Ref[ctl]) int {
	t.Helper()
	v, err := Ask[int](context.Background(), r, ctl{"get"})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRestartResumeStop(t *testing.T) {
	var seen []error
	var mu sync.Mutex
	s := newSys(t, WithChildStrategy(Strategy{Decider: func(err error) Directive {
		mu.Lock()
		seen = append(seen, err)
		mu.Unlock()
		var p *PanicError
		if errors.As(err, &p) {
			return Restart
		}
		if strings.Contains(err.Error(), "fail") {
			return Resume
		}
		return Stop
	}}))
	var starts atomic.Int64
	w := must[Ref[ctl]](t)(Spawn(s, "w", statefulWorker(&starts)))
	w.Send(ctl{"inc"})
	w.Send(ctl{"inc"})
	w.Send(ctl{"fail"}) // resume: state kept
	w.Send(ctl{"inc"})
	if n := get(t, w); n != 3 {
		t.Fatalf("after resume n = %d, want 3", n)
	}
	w.Send(ctl{"panic"}) // restart: state reset
	w.Send(ctl{"inc"})
	if n := get(t, w); n != 1 || starts.Load() != 2 {
		t.Fatalf("after restart n = %d starts = %d, want 1 and 2", n, starts.Load())
	}
	mu.Lock()
	var p *PanicError
	var f *Failure
	if len(seen) != 2 || !errors.As(seen[1], &p) || !errors.As(seen[1], &f) || f.Actor != w.Address() || f.Message != (ctl{"panic"}) {
		t.Fatalf("decider saw %v", seen)
	}
	if p.Value != "kaboom" || !strings.Contains(string(p.Stack), "statefulWorker") {
		t.Fatalf("panic value %v, stack lacks the behaviour:\n%s", p.Value, p.Stack)
	}
	mu.Unlock()
}

func TestRestartIntensityEscalates(t *testing.T) {
	s := newSys(t)
	var starts atomic.Int64
	sup := must[Ref[string]](t)(Spawn(s, "sup", func(c *Context[string]) Behavior[string] {
		w := must[Ref[ctl]](t)(Spawn(c, "w", statefulWorker(&starts)))
		return func(c *Context[string], m string) error {
			return w.Send(ctl{m})
		}
	}, WithChildStrategy(Strategy{MaxRestarts: 3, Within: time.Hour})))
	got := make(chan Terminated, 1)
	must[Ref[Terminated]](t)(Spawn(s, "", func(c *Context[Terminated]) Behavior[Terminated] {
		c.Watch(sup, func(t Terminated) Terminated { return t })
		return func(_ *Context[Terminated], m Terminated) error { got <- m; return nil }
	}))
	// The guardian has the default strategy (restart): the 4th failure of w
	// within the window escalates to sup, which the guardian restarts, and
	// the restarted sup spawns a fresh w.
	for i := range 4 {
		sup.Send("panic")
		eventually(t, fmt.Sprintf("restart %d", i+1), func() bool { return starts.Load() == int64(i+2) })
	}
	select {
	case m := <-got:
		t.Fatalf("sup terminated: %+v", m)
	default:
	}
	// A guardian that may restart only once stops sup at the next escalation.
	s2 := newSys(t, WithChildStrategy(Strategy{MaxRestarts: -1, Decider: func(error) Directive { return Escalate }}))
	var starts2 atomic.Int64
	sup2 := must[Ref[string]](t)(Spawn(s2, "sup", func(c *Context[string]) Behavior[string] {
		w := must[Ref[ctl]](t)(Spawn(c, "w", statefulWorker(&starts2)))
		return func(c *Context[string], m string) error { return w.Send(ctl{m}) }
	}, WithChildStrategy(Strategy{MaxRestarts: 1, Within: time.Hour})))
	sup2.Send("panic")
	eventually(t, "first restart", func() bool { return starts2.Load() == 2 })
	sup2.Send("panic")
	waitDone(t, sup2.Done(), "sup2 stopped by escalation at the top")
	if starts2.Load() != 2 {
		t.Fatalf("starts = %d", starts2.Load())
	}
}

func TestEscalationChain(t *testing.T) {
	var mu sync.Mutex
	var top error
	s := newSys(t, WithChildStrategy(Strategy{Decider: func(err error) Directive {
		mu.Lock()
		top = err
		mu.Unlock()
		return Restart
	}}))
	var supStarts, wStarts atomic.Int64
	var w Ref[ctl]
	var wSet int // how many times w was set: the new child's Ref once it is 2
	var wMu sync.Mutex
	sup := must[Ref[ctl]](t)(Spawn(s, "sup", func(c *Context[ctl]) Behavior[ctl] {
		supStarts.Add(1)
		child := must[Ref[ctl]](t)(Spawn(c, "w", statefulWorker(&wStarts)))
		wMu.Lock()
		w = child
		wSet++
		wMu.Unlock()
		return func(c *Context[ctl], m ctl) error { return child.Send(m) }
	}, WithChildStrategy(Strategy{Decider: func(error) Directive { return Escalate }})))
	sup.Send(ctl{"inc"})
	sup.Send(ctl{"panic"})
	// The new child can start before its supervisor stores its Ref: wait
	// for both (ludus check found the old, stopped child asked when only
	// the starts were waited for).
	eventually(t, "sup restarted", func() bool {
		wMu.Lock()
		defer wMu.Unlock()
		return supStarts.Load() == 2 && wStarts.Load() == 2 && wSet == 2
	})
	mu.Lock()
	defer mu.Unlock()
	var outer, inner *Failure
	if !errors.As(top, &outer) || outer.Actor != sup.Address() || !errors.As(outer.Err, &inner) || !strings.HasSuffix(inner.Actor.Path, "/sup/w") {
		t.Fatalf("guardian saw %v", top)
	}
	wMu.Lock()
	defer wMu.Unlock()
	if n := get(t, w); n != 0 {
		t.Fatalf("the new child has n = %d", n)
	}
}

// TestScopes: all-for-one restarts every sibling, rest-for-one those
// spawned after the failed one.
func TestScopes(t *testing.T) {
	for _, tc := range []struct {
		scope Scope
		want  [3]int64
	}{{OneForOne, [3]int64{1, 2, 1}}, {AllForOne, [3]int64{2, 2, 2}}, {RestForOne, [3]int64{1, 2, 2}}} {
		t.Run(tc.scope.String(), func(t *testing.T) {
			s := newSys(t)
			var starts [3]atomic.Int64
			kids := make(chan []Ref[ctl], 1)
			sup := must[Ref[ctl]](t)(Spawn(s, "sup", func(c *Context[ctl]) Behavior[ctl] {
				var ks []Ref[ctl]
				for i := range 3 {
					ks = append(ks, must[Ref[ctl]](t)(Spawn(c, fmt.Sprint("k", i), statefulWorker(&starts[i]))))
				}
				kids <- ks
				return func(*Context[ctl], ctl) error { return nil }
			}, WithChildStrategy(Strategy{Scope: tc.scope})))
			ks := <-kids
			ks[1].Send(ctl{"panic"})
			// Wait for every restart the scope makes: the supervisor sends
			// them one child after another, so k1 may restart (and be
			// seen restarted) before the supervisor reaches k2 (ludus
			// check found an Ask to k2 answered before its restart when
			// only k1 was waited for).
			eventually(t, "the scope's restarts", func() bool {
				for i := range starts {
					if starts[i].Load() != tc.want[i] {
						return false
					}
				}
				return true
			})
			// None more: an Ask to each child comes after its restart.
			for i, k := range ks {
				get(t, k)
				if got := starts[i].Load(); got != tc.want[i] {
					t.Fatalf("k%d started %d times, want %d", i, got, tc.want[i])
				}
			}
			sup.Stop()
		})
	}
}

func TestBackoffDelays(t *testing.T) {
	s := &Strategy{MaxRestarts: 5, Within: time.Minute, BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond}
	var st childStats
	now := time.Unix(1000, 0)
	var got []time.Duration
	for range 6 {
		d, ok := st.allow(s, now)
		if !ok {
			got = append(got, -1)
			continue
		}
		got = append(got, d)
	}
	if fmt.Sprint(got) != "[10ms 20ms 40ms 50ms 50ms -1ns]" {
		t.Fatalf("delays %v", got)
	}
	// Outside the window the count starts again.
	if d, ok := st.allow(s, now.Add(2*time.Minute)); !ok || d != 10*time.Millisecond {
		t.Fatalf("after the window: %v %v", d, ok)
	}
	// Unlimited restarts keep only the window's history.
	u := &Strategy{MaxRestarts: -1, Within: time.Second}
	var su childStats
	for i := range 1000 {
		if _, ok := su.allow(u, now.Add(time.Duration(i)*time.Second)); !ok {
			t.Fatal("unlimited strategy refused")
		}
	}
	if len(su.restarts) > 2 {
		t.Fatalf("history grew to %d", len(su.restarts))
	}
}

func TestBackoffRestartHappens(t *testing.T) {
	s := newSys(t, WithChildStrategy(Strategy{BackoffMin: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond}))
	var starts atomic.Int64
	w := must[Ref[ctl]](t)(Spawn(s, "", statefulWorker(&starts)))
	for i := range 3 {
		w.Send(ctl{"panic"})
		w.Send(ctl{"inc"}) // queued while the restart is delayed: kept
		eventually(t, "delayed restart", func() bool { return starts.Load() == int64(i+2) })
	}
	if n := get(t, w); n != 1 {
		t.Fatalf("n = %d", n)
	}
}

func TestPanickingDeciderEscalates(t *testing.T) {
	s := newSys(t, WithChildStrategy(Strategy{Decider: func(error) Directive { panic("bad decider") }}))
	var starts atomic.Int64
	w := must[Ref[ctl]](t)(Spawn(s, "", statefulWorker(&starts)))
	w.Send(ctl{"fail"})
	waitDone(t, w.Done(), "stop at the top")
}

// TestRandomPanicsInATree injects random failures into a two-level tree
// (an all-for-one and a rest-for-one supervisor with four workers each)
// and checks that no accepted message is lost or handled twice and that
// every worker was restarted exactly as often as its supervisor's scope
// says.
func TestRandomPanicsInATree(t *testing.T) {
	const perGroup = 4
	msgs := 6000
	if testing.Short() {
		msgs = 1000
	}
	s := newSys(t)
	type job struct {
		id int
		op int // 0 ok, 1 error (resume), 2 panic (restart)
	}
	seen := make([]atomic.Int32, msgs)
	var ok, failed atomic.Int64
	var starts [2][perGroup]atomic.Int64
	var panics [2][perGroup]atomic.Int64
	worker := func(g, i int) func(*Context[job]) Behavior[job] {
		return func(c *Context[job]) Behavior[job] {
			starts[g][i].Add(1)
			return func(c *Context[job], j job) error {
				seen[j.id].Add(1)
				switch j.op {
				case 1:
					failed.Add(1)
					return errors.New("soft")
				case 2:
					failed.Add(1)
					panics[g][i].Add(1)
					panic("hard")
				}
				ok.Add(1)
				return nil
			}
		}
	}
	decider := func(err error) Directive {
		var p *PanicError
		if errors.As(err, &p) {
			return Restart
		}
		return Resume
	}
	refs := make(chan []Ref[job], 2)
	for g, scope := range []Scope{AllForOne, RestForOne} {
		_, err := Spawn(s, fmt.Sprint("group", g), func(c *Context[struct{}]) Behavior[struct{}] {
			var ws []Ref[job]
			for i := range perGroup {
				ws = append(ws, must[Ref[job]](t)(Spawn(c, fmt.Sprint("w", i), worker(g, i))))
			}
			refs <- ws
			return func(*Context[struct{}], struct{}) error { return nil }
		}, WithChildStrategy(Strategy{Scope: scope, MaxRestarts: -1, Decider: decider}))
		if err != nil {
			t.Fatal(err)
		}
	}
	groups := [2][]Ref[job]{<-refs, <-refs}
	// The two groups may have reported in either order.
	if !strings.Contains(groups[0][0].Address().Path, "group0") {
		groups[0], groups[1] = groups[1], groups[0]
	}
	deadBefore := s.DeadLetters()
	var wg sync.WaitGroup
	const senders = 4
	for sd := range senders {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(sd), 7))
			for id := sd; id < msgs; id += senders {
				op := 0
				if x := r.IntN(100); x < 3 {
					op = 2
				} else if x < 8 {
					op = 1
				}
				g := groups[r.IntN(2)]
				if err := g[r.IntN(perGroup)].Send(job{id, op}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	eventually(t, "every message handled", func() bool { return ok.Load()+failed.Load() == int64(msgs) })
	for id := range seen {
		if n := seen[id].Load(); n != 1 {
			t.Fatalf("message %d handled %d times", id, n)
		}
	}
	want := func(g, i int) int64 {
		var n int64
		for j := range perGroup {
			if g == 0 || j <= i { // all-for-one: every sibling; rest-for-one: earlier ones and itself
				n += panics[g][j].Load()
			}
		}
		return 1 + n
	}
	eventually(t, "restart counts", func() bool {
		for g := range 2 {
			for i := range perGroup {
				if starts[g][i].Load() != want(g, i) {
					return false
				}
			}
		}
		return true
	})
	for g := range 2 {
		for i := range perGroup {
			if got := starts[g][i].Load(); got != want(g, i) {
				t.Fatalf("group %d worker %d started %d times, want %d", g, i, got, want(g, i))
			}
		}
	}
	if n := s.DeadLetters() - deadBefore; n != 0 {
		t.Fatalf("%d dead letters", n)
	}
}

func TestOnFailureSeesFinalDirective(t *testing.T) {
	var mu sync.Mutex
	var got []string
	s := newSys(t, WithChildStrategy(Strategy{MaxRestarts: 1, Within: time.Hour}), WithOnFailure(func(f *Failure, d Directive) {
		mu.Lock()
		got = append(got, fmt.Sprint(f.Message, ":", d))
		mu.Unlock()
		panic("a faulty observer") // must not break supervision
	}))
	var starts atomic.Int64
	w := must[Ref[ctl]](t)(Spawn(s, "", statefulWorker(&starts)))
	w.Send(ctl{"fail"})
	w.Send(ctl{"panic"}) // the second failure exceeds the intensity: escalated, stopped at the top
	waitDone(t, w.Done(), "stop")
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, ",") != "{fail}:restart,{panic}:stop" {
		t.Fatalf("observer saw %v", got)
	}
}

// TestPanicIsPanicsError: a panic in a behaviour reaches the supervisor as
// the shared *panics.Error, with a one-line Error naming the frame.
func TestPanicIsPanicsError(t *testing.T) {
	got := make(chan error, 1)
	s := newSys(t, WithOnFailure(func(f *Failure, _ Directive) { got <- f }))
	ref := must[Ref[int]](t)(Spawn(s, "", Stateless(func(*Context[int], int) error { panic("boom") })))
	ref.Send(1)
	err := <-got
	var pe *panics.Error
	if !errors.As(err, &pe) || pe.Value != "boom" || len(pe.Stack) == 0 {
		t.Fatalf("failure %v is not a *panics.Error", err)
	}
	if msg := pe.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "supervision_test.go") {
		t.Fatalf("Error() = %q; want one line with the panicking frame", msg)
	}
}

// TestGracefulStopOfParentWithSuspendedChild: a child waiting for a
// delayed restart handles no user message, so the graceful stop of its
// parent used to wait forever for it; it is stopped at once now.
func TestGracefulStopOfParentWithSuspendedChild(t *testing.T) {
	s := newSys(t, WithLogger(slog.New(slog.DiscardHandler)))
	failed := make(chan struct{}, 1)
	parent := must[Ref[int]](t)(Spawn(s, "", func(c *Context[int]) Behavior[int] {
		kid := must[Ref[int]](t)(Spawn(c, "", Stateless(func(*Context[int], int) error {
			failed <- struct{}{}
			return errors.New("x")
		})))
		kid.Send(1)
		return func(*Context[int], int) error { return nil }
	}, WithChildStrategy(Strategy{BackoffMin: time.Hour})))
	<-failed
	time.Sleep(10 * time.Millisecond) // the parent schedules the delayed restart
	parent.Stop()
	waitDone(t, parent.Done(), "the parent of a child in restart backoff to stop")
}
