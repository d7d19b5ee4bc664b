package actor

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// records is a slog.Handler that keeps every record as one line of text.
type records struct {
	mu    sync.Mutex
	lines []string
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *records) WithGroup(string) slog.Handler            { return r }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Level.String() + " " + rec.Message)
	rec.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.Key + "=" + a.Value.String())
		return true
	})
	r.mu.Lock()
	r.lines = append(r.lines, b.String())
	r.mu.Unlock()
	return nil
}

func (r *records) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

// TestFailuresLoggedByDefault: with no option at all, a failure that the
// supervisor quietly restarts is a log line on slog.Default() with the
// actor, the error and the directive (issue 14, finding 1).
func TestFailuresLoggedByDefault(t *testing.T) {
	rec := &records{}
	old := slog.Default()
	slog.SetDefault(slog.New(rec))
	defer slog.SetDefault(old)
	s := newSys(t)
	ref := must[Ref[int]](t)(Spawn(s, "fragile", Stateless(func(c *Context[int], n int) error {
		if n < 0 {
			return errors.New("negative")
		}
		Reply(c, n)
		return nil
	})))
	ref.Send(-1)
	if _, err := Ask[int](context.Background(), ref, 1); err != nil {
		t.Fatal(err)
	}
	lines := rec.all()
	if len(lines) != 1 {
		t.Fatalf("log lines %q; want one", lines)
	}
	for _, want := range []string{"WARN actor failed", "actor=actor://ludus/user/fragile#", "error=negative", "directive=restart", "message=int"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line %q lacks %q", lines[0], want)
		}
	}
}

// TestOnFailureReplacesTheLogLine: the user's handler is called instead,
// with the final directive; a Stop is logged at error level otherwise.
func TestOnFailureReplacesTheLogLine(t *testing.T) {
	rec := &records{}
	var seen []Directive
	var mu sync.Mutex
	s := newSys(t, WithLogger(slog.New(rec)), WithChildStrategy(Strategy{Decider: func(error) Directive { return Stop }}),
		WithOnFailure(func(f *Failure, d Directive) { mu.Lock(); seen = append(seen, d); mu.Unlock() }))
	ref := must[Ref[int]](t)(Spawn(s, "", Stateless(func(*Context[int], int) error { return errors.New("x") })))
	ref.Send(1)
	waitDone(t, ref.Done(), "stop")
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != Stop {
		t.Fatalf("OnFailure saw %v", seen)
	}
	if l := rec.all(); len(l) != 0 {
		t.Fatalf("log lines %q with an OnFailure handler installed", l)
	}

	rec2 := &records{}
	s2 := newSys(t, WithLogger(slog.New(rec2)), WithChildStrategy(Strategy{Decider: func(error) Directive { return Stop }}))
	ref2 := must[Ref[int]](t)(Spawn(s2, "", Stateless(func(*Context[int], int) error { return errors.New("x") })))
	ref2.Send(1)
	waitDone(t, ref2.Done(), "stop")
	if l := rec2.all(); len(l) != 1 || !strings.HasPrefix(l[0], "ERROR actor failed") || !strings.Contains(l[0], "directive=stop") {
		t.Fatalf("log lines %q", l)
	}
}

// TestDeadLettersLogged: dead letters are logged while nobody subscribes,
// at most deadLogBurst lines at once; a subscriber silences the log.
func TestDeadLettersLogged(t *testing.T) {
	rec := &records{}
	s := newSys(t, WithLogger(slog.New(rec)))
	ref := must[Ref[string]](t)(Spawn(s, "gone", Stateless(func(*Context[string], string) error { return nil })))
	ref.Stop()
	waitDone(t, ref.Done(), "stop")
	for range 100 {
		ref.Send("late")
	}
	lines := rec.all()
	if len(lines) != deadLogBurst || s.DeadLetters() != 100 {
		t.Fatalf("%d lines for %d dead letters; want %d", len(lines), s.DeadLetters(), deadLogBurst)
	}
	for _, want := range []string{"INFO actor dead letter", "recipient=actor://ludus/user/gone#", "message=string", "reason=actor: stopped"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line %q lacks %q", lines[0], want)
		}
	}
	cancel := s.OnDeadLetter(func(DeadLetter) {})
	s.deadLog.mu.Lock()
	s.deadLog.tokens = deadLogBurst
	s.deadLog.mu.Unlock()
	ref.Send("late")
	cancel()
	if n := len(rec.all()); n != deadLogBurst {
		t.Fatalf("%d lines: a subscriber must silence the log", n)
	}
}

// TestDeadLetterLogRate: the limiter's arithmetic, on made-up times.
func TestDeadLetterLogRate(t *testing.T) {
	var l deadLetterLog
	t0 := time.Unix(1000, 0)
	for i := range deadLogBurst {
		if ok, left := l.allow(t0); !ok || left != 0 {
			t.Fatalf("line %d refused", i)
		}
	}
	for range 5 {
		if ok, _ := l.allow(t0.Add(time.Millisecond)); ok {
			t.Fatal("burst exceeded")
		}
	}
	if ok, left := l.allow(t0.Add(deadLogEvery)); !ok || left != 5 {
		t.Fatalf("after a period: %v, %d left out; want true, 5", ok, left)
	}
	if ok, _ := l.allow(t0.Add(deadLogEvery)); ok {
		t.Fatal("one token per period")
	}
	if ok, left := l.allow(t0.Add(time.Hour)); !ok || left != 1 {
		t.Fatalf("after an hour: %v %d", ok, left)
	}
	for range deadLogBurst - 1 {
		if ok, _ := l.allow(t0.Add(time.Hour)); !ok {
			t.Fatal("refill is capped at the burst, not lost")
		}
	}
	if ok, _ := l.allow(t0.Add(time.Hour)); ok {
		t.Fatal("refill above the burst")
	}
}

// TestWithChildStrategyOnBoth: one option, for an actor's children or for
// the System's top-level actors; invalid strategies are refused by both.
func TestWithChildStrategyOnBoth(t *testing.T) {
	stop := WithChildStrategy(Strategy{Decider: func(error) Directive { return Stop }})
	s := newSys(t, stop, WithLogger(slog.New(slog.DiscardHandler)))
	top := must[Ref[int]](t)(Spawn(s, "", Stateless(func(*Context[int], int) error { return errors.New("x") })))
	top.Send(1)
	waitDone(t, top.Done(), "a top-level actor stopped by the System's strategy")
	kid := make(chan Ref[int], 1)
	boss := must[Ref[int]](t)(Spawn(s, "", func(c *Context[int]) Behavior[int] {
		kid <- must[Ref[int]](t)(Spawn(c, "", Stateless(func(*Context[int], int) error { return errors.New("x") })))
		return func(*Context[int], int) error { return nil }
	}, stop))
	k := <-kid
	k.Send(1)
	waitDone(t, k.Done(), "a child stopped by its parent's strategy")
	select {
	case <-boss.Done():
		t.Fatal("the strategy applies to the children, not to the actor spawned with it")
	default:
	}
	bad := WithChildStrategy(Strategy{Within: -1})
	if _, err := NewSystem(bad); !errors.Is(err, ErrBadOption) {
		t.Fatal(err)
	}
	if _, err := Spawn(s, "", Stateless(func(*Context[int], int) error { return nil }), bad); !errors.Is(err, ErrBadOption) {
		t.Fatal(err)
	}
	if _, err := NewSystem(nil, WithName("nil-options-are-skipped")); err != nil {
		t.Fatal(err)
	}
}
