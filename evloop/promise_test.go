package evloop

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/labludus/ludus/async"
	"github.com/labludus/ludus/panics"
	"github.com/labludus/ludus/pool"
)

// TestOffload: CPU work runs on the pool, its result comes back on the
// loop (the counter below is the loop's own, unsynchronised: a callback
// run anywhere else is a data race), and a panic comes back as an error.
func TestOffload(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		l := running(t, Options{Backend: b})
		p := pool.New(2)
		defer p.Close()
		const n = 100
		sum, errs := 0, 0
		done := make(chan struct{})
		onLoop(t, l, func() {
			got := 0
			for i := range n {
				Offload(l, p, func() (int, error) {
					if i == 7 {
						panic("bad input")
					}
					return i * i, nil
				}, func(v int, err error) {
					got++
					sum += v
					var pe *panics.Error
					if errors.As(err, &pe) && pe.Value == "bad input" {
						errs++
					}
					if got == n {
						close(done)
					}
				})
			}
		})
		<-done
		onLoop(t, l, func() {
			want := 0
			for i := range n {
				if i != 7 {
					want += i * i
				}
			}
			if sum != want || errs != 1 {
				t.Errorf("sum %d (want %d), errors %d", sum, want, errs)
			}
		})
		// A closed pool's refusal reaches then, on the loop.
		p2 := pool.New(1)
		p2.Close()
		refused := make(chan error, 1)
		onLoop(t, l, func() {
			Offload(l, p2, func() (int, error) { return 0, nil }, func(_ int, err error) { refused <- err })
		})
		if err := <-refused; !errors.Is(err, pool.ErrClosed) {
			t.Errorf("closed pool: %v", err)
		}
	})
}

// TestAwaitThen: futures from async come back on the loop, and Then's
// futures compose with async.All.
func TestAwaitThen(t *testing.T) {
	l := running(t, Options{})
	ctx := context.Background()
	onLoopCount := 0 // the loop's own
	fs := make([]*async.Future[int], 3)
	for i := range fs {
		f := async.Go(ctx, func(context.Context) (int, error) { return i + 1, nil })
		fs[i] = Then(l, f, func(v int, err error) (int, error) {
			onLoopCount++
			return v * 10, err
		})
	}
	got, err := async.All(ctx, fs...)
	if err != nil || got[0] != 10 || got[1] != 20 || got[2] != 30 {
		t.Fatalf("All: %v %v", got, err)
	}
	awaited := make(chan string, 1)
	Await(l, async.Go(ctx, func(context.Context) (string, error) {
		time.Sleep(time.Millisecond)
		return "later", nil
	}), func(s string, err error) { onLoopCount++; awaited <- s })
	if s := <-awaited; s != "later" {
		t.Errorf("Await: %q", s)
	}
	onLoop(t, l, func() {
		if onLoopCount != 4 {
			t.Errorf("%d callbacks on the loop", onLoopCount)
		}
	})
	// A panic in a Then callback settles its future with the panic.
	_, err = Then(l, async.Resolved(1), func(int, error) (int, error) { panic("then bug") }).Await(ctx)
	var pe *panics.Error
	if !errors.As(err, &pe) {
		t.Errorf("panicking Then: %v", err)
	}
	// A nil future is an error, not a hang.
	_, err = Then(l, (*async.Future[int])(nil), func(v int, err error) (int, error) { return v, err }).Await(ctx)
	if !errors.Is(err, async.ErrNilFuture) {
		t.Errorf("nil future: %v", err)
	}
}

// TestResultsAfterStop: a result that arrives after the loop stopped is
// dropped and counted; Then's future settles with ErrClosed; nothing leaks.
func TestResultsAfterStop(t *testing.T) {
	l, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = l.Run(context.Background()) }()
	release := make(chan struct{})
	slow := async.Go(context.Background(), func(context.Context) (int, error) { <-release; return 1, nil })
	chained := Then(l, slow, func(v int, err error) (int, error) { return v, err })
	Await(l, slow, func(int, error) { t.Error("ran after stop") })
	if err := l.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(release)
	if _, err := chained.Await(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Then after stop: %v", err)
	}
	// Await's goroutine counts its drop on its own time.
	eventually(t, "both results counted as dropped", func() bool { return l.Stats().ResultsDropped == 2 })
}
