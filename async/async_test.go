//lint:file-ignore SA1012 TestNilInputs passes nil contexts on purpose: the API documents them

package async_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/async"
	"github.com/labludus/ludus/panics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var errBoom = errors.New("boom")

// hang blocks until its context ends and returns its error.
func hang[T any](ctx context.Context) (T, error) {
	<-ctx.Done()
	var zero T
	return zero, ctx.Err()
}

func TestGoAwait(t *testing.T) {
	ctx := context.Background()
	f := async.Go(ctx, func(context.Context) (int, error) { return 42, nil })
	if v, err := f.Await(ctx); v != 42 || err != nil {
		t.Fatalf("Await = %v, %v; want 42, nil", v, err)
	}
	g := async.Go(ctx, func(context.Context) (string, error) { return "partial", errBoom })
	if v, err := g.Await(ctx); v != "partial" || !errors.Is(err, errBoom) {
		t.Fatalf("Await = %q, %v; want partial, boom", v, err)
	}
}

func TestManyAwaiters(t *testing.T) {
	release := make(chan struct{})
	f := async.Go(context.Background(), func(context.Context) (int, error) {
		<-release
		return 7, errBoom
	})
	var wg sync.WaitGroup
	var bad atomic.Int64
	for range 200 {
		wg.Go(func() {
			if v, err := f.Await(context.Background()); v != 7 || err != errBoom {
				bad.Add(1)
			}
			<-f.Done()
		})
	}
	close(release)
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d awaiters saw a wrong result", bad.Load())
	}
}

func TestAwaitContextDoesNotCancel(t *testing.T) {
	release := make(chan struct{})
	var sawCancel atomic.Bool
	f := async.Go(context.Background(), func(ctx context.Context) (int, error) {
		select {
		case <-release:
			return 1, nil
		case <-ctx.Done():
			sawCancel.Store(true)
			return 0, ctx.Err()
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Await(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Await on ended ctx = %v; want context.Canceled", err)
	}
	tctx, tcancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer tcancel()
	if _, err := f.Await(tctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Await with timeout = %v; want DeadlineExceeded", err)
	}
	close(release)
	if v, err := f.Await(context.Background()); v != 1 || err != nil {
		t.Fatalf("future was disturbed by its awaiter's context: %v, %v (cancel seen: %v)", v, err, sawCancel.Load())
	}
}

func TestCancel(t *testing.T) {
	f := async.Go(context.Background(), hang[int])
	select {
	case <-f.Done():
		t.Fatal("future settled before Cancel")
	default:
	}
	f.Cancel()
	if _, err := f.Await(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("after Cancel, Await = %v; want context.Canceled", err)
	}
	f.Cancel() // again: harmless
	var nilF *async.Future[int]
	nilF.Cancel()
	if _, err := nilF.Await(context.Background()); !errors.Is(err, async.ErrNilFuture) {
		t.Fatalf("nil future Await = %v", err)
	}
	<-nilF.Done()
}

func TestParentContextPropagates(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := async.Go(ctx, hang[int])
	cancel()
	if _, err := f.Await(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Await = %v; want context.Canceled", err)
	}
}

func TestNilInputs(t *testing.T) {
	f := async.Go[int](nil, nil)
	if _, err := f.Await(nil); !errors.Is(err, async.ErrNilFunc) {
		t.Fatalf("nil fn: %v", err)
	}
	g := async.Go(nil, func(ctx context.Context) (bool, error) { return ctx != nil, nil })
	if ok, _ := g.Await(nil); !ok {
		t.Fatal("nil ctx not replaced by Background")
	}
}

func TestPanic(t *testing.T) {
	f := async.Go(context.Background(), func(context.Context) (int, error) {
		panicHere()
		return 0, nil
	})
	_, err := f.Await(context.Background())
	var pe *async.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v; want *PanicError", err)
	}
	if pe.Value != "kaboom" {
		t.Fatalf("Value = %v", pe.Value)
	}
	if !strings.Contains(string(pe.Stack), "panicHere") {
		t.Fatalf("stack does not show the panic site:\n%s", pe.Stack)
	}
	if !strings.Contains(pe.Error(), "kaboom") {
		t.Fatalf("Error() = %q", pe.Error())
	}
	if pe.Unwrap() != nil {
		t.Fatal("Unwrap of a non-error value should be nil")
	}

	g := async.Go(context.Background(), func(context.Context) (int, error) { panic(errBoom) })
	if _, err := g.Await(context.Background()); !errors.Is(err, errBoom) || !errors.As(err, &pe) {
		t.Fatalf("panic(error) not unwrapped: %v", err)
	}
}

func panicHere() { panic("kaboom") }

func TestGoexit(t *testing.T) {
	f := async.Go(context.Background(), func(context.Context) (int, error) {
		runtime.Goexit()
		return 1, nil
	})
	if _, err := f.Await(context.Background()); !errors.Is(err, async.ErrGoexit) {
		t.Fatalf("err = %v; want ErrGoexit", err)
	}
}

func TestResolvedRejected(t *testing.T) {
	if v, err := async.Resolved("x").Await(context.Background()); v != "x" || err != nil {
		t.Fatalf("Resolved: %v %v", v, err)
	}
	if _, err := async.Rejected[int](errBoom).Await(context.Background()); err != errBoom {
		t.Fatalf("Rejected: %v", err)
	}
	<-async.Resolved(1).Done()
	async.Resolved(1).Cancel()
}

func TestPromise(t *testing.T) {
	f, p := async.NewPromise[int](nil)
	done := f.Done()
	if !p.Resolve(3) {
		t.Fatal("first Resolve reported false")
	}
	if p.Reject(errBoom) || p.Settle(4, nil) {
		t.Fatal("second settlement reported true")
	}
	<-done
	if v, err := f.Await(context.Background()); v != 3 || err != nil {
		t.Fatalf("Await = %v, %v", v, err)
	}
	var zero async.Promise[int]
	if zero.Resolve(1) || zero.Reject(errBoom) {
		t.Fatal("zero Promise settled something")
	}
	if err := zero.Run(context.Background(), func(context.Context) (int, error) { return 0, errBoom }); err != errBoom {
		t.Fatalf("zero Promise Run = %v", err)
	}

	var cancelled atomic.Bool
	f2, p2 := async.NewPromise[int](func() { cancelled.Store(true) })
	f2.Cancel()
	if !cancelled.Load() {
		t.Fatal("Cancel did not call the promise's cancel function")
	}
	if err := p2.Run(context.Background(), nil); !errors.Is(err, async.ErrNilFunc) {
		t.Fatalf("Run(nil) = %v", err)
	}
	if _, err := f2.Await(context.Background()); !errors.Is(err, async.ErrNilFunc) {
		t.Fatalf("Await after Run(nil) = %v", err)
	}
}

func TestAllOrder(t *testing.T) {
	ctx := context.Background()
	const n = 300
	fs := make([]*async.Future[int], n)
	for i := range fs {
		fs[i] = async.Go(ctx, func(context.Context) (int, error) {
			// Settle out of order: later futures often finish first.
			time.Sleep(time.Duration((n-i)%7) * 100 * time.Microsecond)
			return i * i, nil
		})
	}
	got, err := async.All(ctx, fs...)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i*i {
			t.Fatalf("got[%d] = %d; want %d", i, v, i*i)
		}
	}
	if got, err := async.All[int](ctx); err != nil || len(got) != 0 {
		t.Fatalf("All() = %v, %v", got, err)
	}
	if _, err := async.All(ctx, async.Resolved(1), nil); !errors.Is(err, async.ErrNilFuture) {
		t.Fatalf("All with nil = %v", err)
	}
}

func TestAllFailFast(t *testing.T) {
	ctx := context.Background()
	var slow []*async.Future[int]
	for range 20 {
		slow = append(slow, async.Go(ctx, hang[int]))
	}
	failing := async.Go(ctx, func(context.Context) (int, error) { return 0, errBoom })
	// The failure is last in position but first in time: All must not wait
	// for the futures before it.
	_, err := async.All(ctx, append(slow, failing)...)
	if err != errBoom {
		t.Fatalf("All = %v; want boom", err)
	}
	for i, f := range slow {
		if _, err := f.Await(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("future %d not cancelled: %v", i, err)
		}
	}
}

func TestAllContextEnds(t *testing.T) {
	f := async.Go(context.Background(), hang[int])
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if _, err := async.All(ctx, async.Resolved(1), f); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("All = %v", err)
	}
	select {
	case <-f.Done():
		t.Fatal("All cancelled a future when only its own context ended")
	default:
	}
	f.Cancel()
	<-f.Done()
}

func TestAllSettled(t *testing.T) {
	ctx := context.Background()
	pending := async.Go(ctx, hang[string])
	rs := async.AllSettled(ctx,
		async.Go(ctx, func(context.Context) (string, error) { return "a", nil }),
		async.Rejected[string](errBoom),
		nil,
	)
	want := []async.Result[string]{{"a", nil}, {"", errBoom}, {"", async.ErrNilFuture}}
	for i := range want {
		if rs[i].Value != want[i].Value || !errors.Is(rs[i].Err, want[i].Err) {
			t.Fatalf("rs[%d] = %+v; want %+v", i, rs[i], want[i])
		}
	}
	tctx, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
	defer cancel()
	rs = async.AllSettled(tctx, async.Resolved("x"), pending)
	if rs[0].Value != "x" || rs[0].Err != nil || !errors.Is(rs[1].Err, context.DeadlineExceeded) {
		t.Fatalf("AllSettled with ended ctx = %+v", rs)
	}
	pending.Cancel()
	<-pending.Done()
}

func TestAny(t *testing.T) {
	ctx := context.Background()
	loser := async.Go(ctx, hang[int])
	v, err := async.Any(ctx,
		async.Rejected[int](errBoom),
		loser,
		async.Go(ctx, func(context.Context) (int, error) { return 9, nil }),
	)
	if v != 9 || err != nil {
		t.Fatalf("Any = %v, %v", v, err)
	}
	if _, err := loser.Await(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("loser not cancelled: %v", err)
	}

	errA, errB := errors.New("a"), errors.New("b")
	_, err = async.Any(ctx,
		async.Go(ctx, func(context.Context) (int, error) { time.Sleep(time.Millisecond); return 0, errA }),
		async.Rejected[int](errB),
	)
	var agg *async.AggregateError
	if !errors.As(err, &agg) || !errors.Is(err, errA) || !errors.Is(err, errB) {
		t.Fatalf("Any all failed = %v", err)
	}
	if len(agg.Errors) != 2 || agg.Errors[0] != errA || agg.Errors[1] != errB {
		t.Fatalf("errors not in input order: %v", agg.Errors)
	}
	if !strings.Contains(err.Error(), "all 2 futures failed") {
		t.Fatalf("Error() = %q", err.Error())
	}
	if _, err := async.Any[int](ctx); err != async.ErrNoFutures {
		t.Fatalf("Any() = %v", err)
	}
	if _, err := async.Any(ctx, nil, async.Resolved(1)); !errors.Is(err, async.ErrNilFuture) {
		t.Fatalf("Any(nil) = %v", err)
	}
	tctx, cancel := context.WithTimeout(ctx, 2*time.Millisecond)
	defer cancel()
	f := async.Go(ctx, hang[int])
	if _, err := async.Any(tctx, f); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Any with ended ctx = %v", err)
	}
	f.Cancel()
	<-f.Done()
}

func TestRace(t *testing.T) {
	ctx := context.Background()
	loser := async.Go(ctx, hang[int])
	if _, err := async.Race(ctx, loser, async.Go(ctx, func(context.Context) (int, error) { return 0, errBoom })); err != errBoom {
		t.Fatalf("Race = %v; want the first settlement (boom)", err)
	}
	if _, err := loser.Await(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("loser not cancelled: %v", err)
	}
	if v, err := async.Race(ctx, async.Resolved(5)); v != 5 || err != nil {
		t.Fatalf("Race = %v %v", v, err)
	}
	if _, err := async.Race[int](ctx); err != async.ErrNoFutures {
		t.Fatalf("Race() = %v", err)
	}
	if _, err := async.Race(ctx, async.Resolved(5), nil); !errors.Is(err, async.ErrNilFuture) {
		t.Fatalf("Race(nil) = %v", err)
	}
	tctx, cancel := context.WithTimeout(ctx, 2*time.Millisecond)
	defer cancel()
	f := async.Go(ctx, hang[int])
	if _, err := async.Race(tctx, f); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Race with ended ctx = %v", err)
	}
	f.Cancel()
	<-f.Done()
}

// TestCombinatorStress runs many combinators at once over futures that
// settle concurrently with the subscriptions, and several combinators over
// the same futures, so that a lost notification would hang or misreport.
func TestCombinatorStress(t *testing.T) {
	ctx := context.Background()
	rounds := 200
	if testing.Short() {
		rounds = 50
	}
	for r := range rounds {
		n := 1 + r%17
		fs := make([]*async.Future[int], n)
		for i := range fs {
			fs[i] = async.Go(ctx, func(context.Context) (int, error) {
				runtime.Gosched()
				if r%5 == 0 && i == n/2 {
					return 0, errBoom
				}
				return i, nil
			})
		}
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				vs, err := async.All(ctx, fs...)
				if r%5 == 0 {
					if err != errBoom {
						t.Errorf("round %d: All = %v; want boom", r, err)
					}
					return
				}
				if err != nil {
					t.Errorf("round %d: All = %v", r, err)
					return
				}
				for i, v := range vs {
					if v != i {
						t.Errorf("round %d: vs[%d] = %d", r, i, v)
					}
				}
			})
			wg.Go(func() {
				rs := async.AllSettled(ctx, fs...)
				if len(rs) != n {
					t.Errorf("round %d: %d results", r, len(rs))
				}
			})
		}
		wg.Wait()
	}
}

// Error() is one line: the value and the line that panicked, never the
// stack (which every log line would otherwise carry); %+v adds the stack.
func TestPanicErrorIsOneLine(t *testing.T) {
	_, err := async.Go(context.Background(), func(context.Context) (int, error) {
		panicHere()
		return 0, nil
	}).Await(context.Background())
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "panic: kaboom [at ") ||
		!strings.Contains(msg, "panicHere") {
		t.Fatalf("Error() = %q, want one line naming the value and panicHere", msg)
	}
	if full := fmt.Sprintf("%+v", err); !strings.Contains(full, "goroutine ") {
		t.Fatalf("%%+v has no stack:\n%s", full)
	}
	if pe := async.NewPanicError(errBoom); !errors.Is(pe, errBoom) || len(pe.Stack) == 0 {
		t.Fatalf("NewPanicError = %v", pe)
	}
	// The one panics.Error type: errors.As with it finds an async panic.
	var pe *panics.Error
	if !errors.As(err, &pe) || pe.Value != "kaboom" {
		t.Fatalf("errors.As(*panics.Error) = %v", err)
	}
}
