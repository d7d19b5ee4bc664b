package pool_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labludus/ludus/pool"
)

// Issue 14's finding: Go after Wait used to be skipped without a word.
// The group is reusable: tasks given after Wait run, under a fresh context.
func TestGroupGoAfterWaitRuns(t *testing.T) {
	p := pool.New(2)
	defer p.Close()
	g := p.Group(context.Background())
	g.Go(func(context.Context) error { return nil })
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	var ran atomic.Bool
	g.Go(func(ctx context.Context) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ran.Store(true)
		return nil
	})
	if err := g.Wait(); err != nil || !ran.Load() {
		t.Fatalf("Go after Wait: Wait = %v, ran %v", err, ran.Load())
	}
	if s := p.Stats(); s.Cancelled != 0 || s.Succeeded != 2 {
		t.Fatalf("stats %+v", s)
	}
}

// A group that failed stays failed (as errgroup's): later tasks are
// refused, counted as dropped, and Wait says why.
func TestGroupStaysFailed(t *testing.T) {
	p := pool.New(2)
	defer p.Close()
	g := p.Group(context.Background())
	g.Go(func(context.Context) error { return errBoom })
	if err := g.Wait(); err != errBoom {
		t.Fatal(err)
	}
	var ran atomic.Bool
	g.Go(func(context.Context) error { ran.Store(true); return nil })
	if err := g.Wait(); err != errBoom || ran.Load() {
		t.Fatalf("after failure: Wait = %v, ran %v", err, ran.Load())
	}
	if s := p.Stats(); s.Dropped != 1 || s.Submitted != 1 {
		t.Fatalf("the refused task is not counted: %+v", s)
	}
}

// Issue 14's finding: a task that starts a group on its own pool and waits
// for it used to hang when the pool was full. Made from the task's
// context, the group runs its tasks in the waiting worker.
func TestGroupNestedOnFullPoolHelps(t *testing.T) {
	for _, opts := range [][]pool.Option{{pool.WithQueue(0)}, {pool.WithQueue(1)}, nil} {
		for _, workers := range []int{1, 2} {
			p := pool.New(workers, opts...)
			outer := p.Group(context.Background())
			var leaves atomic.Int64
			for range 2 * workers { // every worker runs an outer task
				outer.Go(func(ctx context.Context) error {
					inner := p.Group(ctx)
					for range 4 {
						inner.Go(func(ctx context.Context) error {
							innermost := p.Group(ctx)
							innermost.Go(func(context.Context) error { leaves.Add(1); return nil })
							innermost.Go(func(context.Context) error { leaves.Add(1); return nil })
							return innermost.Wait()
						})
					}
					return inner.Wait()
				})
			}
			done := make(chan error, 1)
			go func() { done <- outer.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("workers %d, opts %d: nested groups deadlocked: %+v", workers, len(opts), p.Stats())
			}
			p.Close()
			if want := int64(2 * workers * 4 * 2); leaves.Load() != want {
				t.Fatalf("ran %d leaves, want %d", leaves.Load(), want)
			}
			if s := p.Stats(); s.Submitted != s.Completed || s.Running != 0 {
				t.Fatalf("stats %+v", s)
			}
		}
	}
}

// The same from a Submit task, and a recursive fork-join (Fibonacci) on a
// two-worker pool with no queue: every level waits for the level below.
func TestGroupForkJoinFromSubmit(t *testing.T) {
	p := pool.New(2, pool.WithQueue(0))
	defer p.Close()
	var fib func(ctx context.Context, n int) (int, error)
	fib = func(ctx context.Context, n int) (int, error) {
		if n < 2 {
			return n, nil
		}
		var a, b int
		g := p.Group(ctx)
		g.Go(func(ctx context.Context) (err error) { a, err = fib(ctx, n-1); return err })
		g.Go(func(ctx context.Context) (err error) { b, err = fib(ctx, n-2); return err })
		err := g.Wait()
		return a + b, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	v, err := pool.Submit(ctx, p, func(ctx context.Context) (int, error) { return fib(ctx, 12) }).Await(ctx)
	if err != nil || v != 144 {
		t.Fatalf("fib(12) = %d, %v", v, err)
	}
}

// Helping never runs more tasks at once than the pool has workers.
func TestGroupHelpingKeepsTheBound(t *testing.T) {
	p := pool.New(2, pool.WithQueue(2))
	defer p.Close()
	var m maxTracker
	outer := p.Group(context.Background())
	for range 4 {
		outer.Go(func(ctx context.Context) error {
			inner := p.Group(ctx)
			for range 8 {
				inner.Go(func(context.Context) error {
					m.enter()
					time.Sleep(100 * time.Microsecond)
					m.leave()
					return nil
				})
			}
			return inner.Wait()
		})
	}
	if err := outer.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := m.max.Load(); got > 2 {
		t.Fatalf("%d leaf tasks at once on a pool of 2", got)
	}
}

// In AllErrors mode every task runs, and Wait joins the errors in the
// order the tasks were given, whatever order they failed in; a skipped
// task adds its cause once.
func TestGroupAllErrorsOrder(t *testing.T) {
	p := pool.New(4)
	defer p.Close()
	g := p.Group(context.Background())
	g.SetErrorMode(pool.AllErrors)
	errs := make([]error, 6)
	var ran atomic.Int64
	for i := range errs {
		errs[i] = errors.New(string(rune('a' + i)))
		g.Go(func(context.Context) error {
			time.Sleep(time.Duration(len(errs)-i) * 200 * time.Microsecond) // later tasks fail first
			ran.Add(1)
			return errs[i]
		})
	}
	err := g.Wait()
	if got, want := err.Error(), "a\nb\nc\nd\ne\nf"; got != want || ran.Load() != 6 {
		t.Fatalf("Wait = %q, want %q (ran %d)", got, want, ran.Load())
	}

	ctx, cancel := context.WithCancel(context.Background())
	g = p.Group(ctx)
	g.SetErrorMode(pool.AllErrors)
	cancel()
	for range 3 {
		g.Go(func(context.Context) error { return nil })
	}
	if err := g.Wait(); err == nil || err.Error() != context.Canceled.Error() {
		t.Fatalf("skipped tasks: Wait = %q, want the cause once", err)
	}
	if pool.FirstError.String() != "first error" || pool.AllErrors.String() != "all errors" {
		t.Fatal("ErrorMode.String")
	}
}

// The zero Group runs tasks on goroutines of their own, with no pool.
func TestZeroGroup(t *testing.T) {
	var g pool.Group
	var n atomic.Int64
	for range 50 {
		if !g.TryGo(func(context.Context) error { n.Add(1); return nil }) {
			t.Fatal("TryGo on a zero Group refused")
		}
	}
	g.Go(func(ctx context.Context) error { n.Add(1); return ctx.Err() })
	if err := g.Wait(); err != nil || n.Load() != 51 {
		t.Fatalf("Wait = %v, ran %d", err, n.Load())
	}
	g.Go(nil)
	if err := g.Wait(); !errors.Is(err, pool.ErrNilTask) {
		t.Fatalf("nil task: Wait = %v", err)
	}
}

// A Group of a nil *Pool refuses loudly, never runs tasks unbounded.
func TestGroupOfNilPool(t *testing.T) {
	var p *pool.Pool
	g := p.Group(context.Background())
	var ran atomic.Bool
	if g.TryGo(func(context.Context) error { ran.Store(true); return nil }) {
		t.Fatal("TryGo on a nil pool's group succeeded")
	}
	if err := g.Wait(); !errors.Is(err, pool.ErrClosed) || ran.Load() {
		t.Fatalf("Wait = %v, ran %v", err, ran.Load())
	}
}

// A panic in a helping group's task run in place is that group's error and
// leaves the worker alive.
func TestGroupPanicInline(t *testing.T) {
	p := pool.New(1, pool.WithQueue(0))
	g := p.Group(context.Background())
	g.Go(func(ctx context.Context) error {
		inner := p.Group(ctx)
		inner.Go(func(context.Context) error { panic("inner") })
		err := inner.Wait()
		return err
	})
	if err := g.Wait(); err == nil || err.Error() == "" {
		t.Fatalf("Wait = %v, want the inner panic", err)
	}
	f := pool.Submit(context.Background(), p, func(context.Context) (int, error) { return 1, nil })
	if v, err := f.Await(context.Background()); v != 1 || err != nil {
		t.Fatalf("pool after nested panic: %v %v", v, err)
	}
	p.Close()
}
