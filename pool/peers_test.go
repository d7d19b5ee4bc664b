package pool_test

// The scenarios of the test suites of golang.org/x/sync/errgroup,
// github.com/sourcegraph/conc/pool and github.com/alitto/pond/v2, written
// again against ludus's pool (each test names the one it follows). Where
// ludus's design differs (a panic is an error, not a re-panic; a group's
// error mode is a setting), the scenario is kept and the expectation is
// ludus's, as documented.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labludus/ludus/async"
	"github.com/labludus/ludus/panics"
	"github.com/labludus/ludus/pool"
)

var (
	errOne = errors.New("pool_test: 1")
	errTwo = errors.New("pool_test: 2")
)

// errgroup TestZeroGroup: the zero Group works, Wait may be called after
// every Go, and the first error stays the group's error.
func TestPeerErrgroupZeroGroup(t *testing.T) {
	cases := [][]error{{}, {nil}, {errOne}, {errOne, nil}, {errOne, nil, errTwo}}
	for _, errs := range cases {
		var g pool.Group
		var first error
		for i, err := range errs {
			g.Go(func(context.Context) error { return err })
			if first == nil {
				first = err
			}
			if got := g.Wait(); got != first {
				t.Errorf("errs %v, after Go %d: Wait = %v, want %v", errs, i, got, first)
			}
		}
	}
}

// errgroup TestWithContext and TestCancelCause: Wait returns the first
// error, and the context the tasks saw is done afterwards, with that error
// as its cause (context.Canceled when there was none).
func TestPeerErrgroupWithContext(t *testing.T) {
	p := pool.New(4)
	defer p.Close()
	cases := [][]error{{}, {nil}, {errOne}, {errOne, nil}}
	for _, errs := range cases {
		g := p.Group(context.Background())
		var seen atomic.Pointer[context.Context]
		var want error
		for _, err := range errs {
			if want == nil {
				want = err
			}
			g.Go(func(ctx context.Context) error { seen.Store(&ctx); return err })
		}
		if got := g.Wait(); got != want {
			t.Errorf("errs %v: Wait = %v, want %v", errs, got, want)
		}
		if want == nil {
			want = context.Canceled
		}
		if c := seen.Load(); c != nil {
			if (*c).Err() == nil {
				t.Errorf("errs %v: task context not done after Wait", errs)
			}
			if cause := context.Cause(*c); cause != want {
				t.Errorf("errs %v: cause %v, want %v", errs, cause, want)
			}
		}
	}
}

// errgroup TestTryGo: with every worker busy TryGo fails without blocking;
// once they are free it succeeds again, also after Wait.
func TestPeerErrgroupTryGo(t *testing.T) {
	const n = 42
	p := pool.New(n, pool.WithQueue(0))
	defer p.Close()
	g := p.Group(context.Background())
	ch := make(chan struct{})
	fn := func(context.Context) error { ch <- struct{}{}; return nil }
	for i := range n {
		if !g.TryGo(fn) {
			t.Fatalf("TryGo %d failed with free workers", i)
		}
	}
	if g.TryGo(fn) {
		t.Fatal("TryGo succeeded with every worker busy")
	}
	go func() {
		for range n {
			<-ch
		}
	}()
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "free workers", func() bool { return p.Stats().Running == 0 })
	if !g.TryGo(fn) {
		t.Fatal("TryGo failed after Wait with free workers")
	}
	<-ch
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if s := p.Stats(); s.Dropped != 1 {
		t.Fatalf("the refused TryGo is not counted as dropped: %+v", s)
	}
}

// errgroup TestGoLimit and conc "limit": never more tasks at once than
// workers.
func TestPeerLimit(t *testing.T) {
	for _, limit := range []int{1, 10, 100} {
		p := pool.New(limit)
		g := p.Group(context.Background())
		var active atomic.Int64
		for range limit * 10 {
			g.Go(func(context.Context) error {
				if n := active.Add(1); n > int64(limit) {
					return fmt.Errorf("saw %d active tasks; want <= %d", n, limit)
				}
				time.Sleep(time.Microsecond)
				active.Add(-1)
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			t.Fatal(err)
		}
		p.Close()
	}
}

// conc "basic" and "is reusable": every task runs, round after round.
func TestPeerConcReusable(t *testing.T) {
	p := pool.New(4)
	defer p.Close()
	g := p.Group(context.Background())
	for round := range 3 {
		var n atomic.Int64
		for range 100 {
			g.Go(func(context.Context) error { n.Add(1); return nil })
		}
		if err := g.Wait(); err != nil || n.Load() != 100 {
			t.Fatalf("round %d: Wait = %v, ran %d of 100", round, err, n.Load())
		}
	}
}

// conc ErrorPool "wait error is all returned errors" and "reuse": in
// AllErrors mode Wait joins every error, and the next round reports only
// its own.
func TestPeerConcAllErrors(t *testing.T) {
	p := pool.New(2)
	defer p.Close()
	g := p.Group(context.Background())
	g.SetErrorMode(pool.AllErrors)
	g.Go(func(context.Context) error { return errOne })
	g.Go(func(context.Context) error { return nil })
	g.Go(func(context.Context) error { return errTwo })
	err := g.Wait()
	if !errors.Is(err, errOne) || !errors.Is(err, errTwo) {
		t.Fatalf("Wait = %v, want both errors", err)
	}
	g.Go(func(context.Context) error { return errTwo })
	err2 := g.Wait()
	if !errors.Is(err2, errTwo) || errors.Is(err2, errOne) {
		t.Fatalf("second round Wait = %v, want only the second round's error", err2)
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("Wait with no tasks = %v", err)
	}
}

// conc ErrorPool "propagates panics" and "panics do not exhaust
// goroutines": a panic is the group's error, and a one-worker pool keeps
// running after many.
func TestPeerConcPanics(t *testing.T) {
	p := pool.New(1)
	defer p.Close()
	g := p.Group(context.Background())
	g.SetErrorMode(pool.AllErrors)
	for i := range 10 {
		g.Go(func(context.Context) error {
			if i%2 == 1 {
				panic(fmt.Sprint("fatal ", i))
			}
			return nil
		})
	}
	err := g.Wait()
	var pe *panics.Error
	if !errors.As(err, &pe) || pe.Value != "fatal 1" {
		t.Fatalf("Wait = %v, want the panics, first fatal 1", err)
	}
	var fs []*async.Future[int]
	for range 10 {
		fs = append(fs, pool.Submit(context.Background(), p, func(context.Context) (int, error) { panic("x") }))
	}
	for _, r := range async.AllSettled(context.Background(), fs...) {
		if !errors.As(r.Err, &pe) {
			t.Fatalf("future = %v, want a panic", r.Err)
		}
	}
	if s := p.Stats(); s.Panicked != 15 || s.Succeeded != 5 {
		t.Fatalf("stats %+v", s)
	}
}

// conc ContextPool "context error propagates": a parent context that is
// cancelled or times out is the group's error; a group that returns first
// has none.
func TestPeerConcContextError(t *testing.T) {
	p := pool.New(2)
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	g := p.Group(ctx)
	g.Go(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	cancel()
	if err := g.Wait(); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: Wait = %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	g = p.Group(ctx)
	g.Go(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	if err := g.Wait(); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timed out: Wait = %v", err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	g = p.Group(ctx)
	g.Go(func(ctx context.Context) error { return ctx.Err() })
	if err := g.Wait(); err != nil {
		t.Fatalf("returned before the timeout: Wait = %v", err)
	}
}

// conc ContextPool "WithCancelOnError" and "no WithCancelOnError": the
// first error cancels the others in FirstError mode, and nothing is
// cancelled in AllErrors mode.
func TestPeerConcCancelOnError(t *testing.T) {
	p := pool.New(2)
	defer p.Close()
	g := p.Group(context.Background())
	g.Go(func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	g.Go(func(context.Context) error { return errOne })
	if err := g.Wait(); err != errOne {
		t.Fatalf("FirstError: Wait = %v, want the first error only", err)
	}

	g = p.Group(context.Background())
	g.SetErrorMode(pool.AllErrors)
	started := make(chan struct{})
	var cancelled atomic.Bool
	g.Go(func(ctx context.Context) error {
		close(started)
		select {
		case <-ctx.Done():
			cancelled.Store(true)
		case <-time.After(20 * time.Millisecond):
		}
		return nil
	})
	<-started
	g.Go(func(context.Context) error { return errOne })
	if err := g.Wait(); !errors.Is(err, errOne) || cancelled.Load() {
		t.Fatalf("AllErrors: Wait = %v, sibling cancelled %v", err, cancelled.Load())
	}
}

// pond TestPoolWithQueueSizeOne, and issue 14's finding: with one worker
// and a queue of one, the first task runs and the second waits in the
// queue; a third is refused only then.
func TestPeerPondQueueSizeOne(t *testing.T) {
	p := pool.New(1, pool.WithQueue(1), pool.WithNonBlocking())
	release := make(chan struct{})
	var ran atomic.Int64
	for i := range 2 {
		if err := p.Go(func() { <-release; ran.Add(1) }); err != nil {
			t.Fatalf("task %d refused: %v (one worker + a queue of one hold two)", i+1, err)
		}
	}
	if err := p.Go(func() {}); !errors.Is(err, pool.ErrFull) {
		t.Fatalf("third task = %v, want ErrFull", err)
	}
	close(release)
	p.Close()
	if s := p.Stats(); ran.Load() != 2 || s.Submitted != 2 || s.Dropped != 1 || s.Succeeded != 2 {
		t.Fatalf("ran %d, stats %+v", ran.Load(), s)
	}

	// The blocking form: tasks 3 and 4 wait for room and all four run,
	// 1 and 2 first.
	q := pool.New(1, pool.WithQueue(1))
	release1, release2 := make(chan struct{}), make(chan struct{})
	order := make(chan int, 4)
	_ = q.Go(func() { <-release1; order <- 1 })
	_ = q.Go(func() { <-release2; order <- 2 })
	var wg sync.WaitGroup
	for _, k := range []int{3, 4} {
		wg.Go(func() { _ = q.Go(func() { order <- k }) })
	}
	eventually(t, "two blocked submitters", func() bool { return q.Stats().Waiting == 2 })
	close(release1)
	close(release2)
	wg.Wait()
	q.Close()
	close(order)
	var got []int
	for k := range order {
		got = append(got, k)
	}
	if len(got) != 4 || got[0] != 1 || got[1] != 2 || got[2]+got[3] != 7 {
		t.Fatalf("order %v, want 1 2 then 3 and 4", got)
	}
}

// pond TestPoolWithQueueSizeAndNonBlocking: ten workers busy, ten queued,
// the next is dropped and counted.
func TestPeerPondQueueAndNonBlocking(t *testing.T) {
	p := pool.New(10, pool.WithQueue(10), pool.WithNonBlocking())
	started := make(chan struct{}, 10)
	wait := make(chan struct{})
	for range 10 {
		_ = p.Go(func() { started <- struct{}{}; <-wait })
	}
	for range 10 {
		<-started
	}
	if s := p.Stats(); s.Running != 10 || s.Submitted != 10 || s.Queued != 0 {
		t.Fatalf("stats %+v", s)
	}
	for i := range 10 {
		if err := p.Go(func() { time.Sleep(time.Millisecond) }); err != nil {
			t.Fatalf("queued task %d refused: %v", i, err)
		}
	}
	f := pool.Submit(context.Background(), p, func(context.Context) (int, error) { return 0, nil })
	if _, err := f.Await(context.Background()); !errors.Is(err, pool.ErrFull) {
		t.Fatalf("over capacity = %v", err)
	}
	close(wait)
	p.Close()
	if s := p.Stats(); s.Dropped != 1 || s.Completed != 20 {
		t.Fatalf("stats %+v", s)
	}
}

// pond TestPoolWithQueueSizeZero: with no queue a second task waits for
// the busy worker, a non-blocking attempt is dropped, and both tasks run.
func TestPeerPondQueueSizeZero(t *testing.T) {
	p := pool.New(1, pool.WithQueue(0))
	firstStarted, releaseFirst := make(chan struct{}), make(chan struct{})
	_ = p.Go(func() { close(firstStarted); <-releaseFirst })
	<-firstStarted
	secondSubmitted, secondRan := make(chan error, 1), make(chan struct{})
	go func() { secondSubmitted <- p.Go(func() { close(secondRan) }) }()
	eventually(t, "a blocked submitter", func() bool { return p.Stats().Waiting == 1 })
	select {
	case <-secondSubmitted:
		t.Fatal("Go returned with no queue and the worker busy")
	default:
	}
	g := p.Group(context.Background())
	if g.TryGo(func(context.Context) error { return nil }) {
		t.Fatal("TryGo succeeded with no queue and the worker busy")
	}
	close(releaseFirst)
	if err := <-secondSubmitted; err != nil {
		t.Fatal(err)
	}
	<-secondRan
	p.Close()
	if s := p.Stats(); s.Submitted != 2 || s.Succeeded != 2 || s.Dropped != 1 || s.Queued != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// pond TestPoolResize: the running and waiting counts follow the worker
// count up and down.
func TestPeerPondResize(t *testing.T) {
	p := pool.New(1, pool.WithQueue(10))
	started := make(chan struct{}, 10)
	finish := make(chan struct{}, 10)
	for range 10 {
		_ = p.Go(func() { <-started; <-finish })
	}
	waitFor := func(queued, running int) {
		t.Helper()
		eventually(t, fmt.Sprintf("%d queued, %d running", queued, running), func() bool {
			s := p.Stats()
			return s.Queued == queued && s.Running == running
		})
	}
	for range 3 {
		started <- struct{}{}
	}
	waitFor(9, 1)
	p.Resize(3)
	for range 3 {
		started <- struct{}{}
	}
	waitFor(7, 3)
	p.Resize(2)
	for range 3 {
		finish <- struct{}{}
	}
	for range 4 {
		started <- struct{}{}
	}
	waitFor(5, 2)
	close(finish)
	close(started)
	p.Close()
}

// Issue 14's finding: right after Resize(1) a non-blocking pool whose
// workers are all idle accepts a task, although the surplus workers have
// not left yet.
func TestResizeDownAcceptsAtOnce(t *testing.T) {
	for _, queue := range []int{0, 1} {
		p := pool.New(4, pool.WithQueue(queue), pool.WithNonBlocking())
		release := block(t, p, 4)
		release()
		eventually(t, "4 idle workers", func() bool { return p.Stats().Idle == 4 })
		p.Resize(1)
		ran := make(chan struct{})
		if err := p.Go(func() { close(ran) }); err != nil {
			t.Fatalf("queue %d: Go right after Resize(1) = %v", queue, err)
		}
		<-ran
		p.Close()
	}
}

// pond TestTaskInvokesGoexitAndPoolRecovers and TestStopAndWaitWithGoexit,
// and issue 14's finding: a task that calls runtime.Goexit neither loses
// the task behind it nor hangs Close, whether the task came through Go,
// Submit or a Group.
func TestPeerPondGoexit(t *testing.T) {
	ctx := context.Background()
	kinds := map[string]func(p *pool.Pool) func() error{
		"Go": func(p *pool.Pool) func() error {
			_ = p.Go(runtime.Goexit)
			return func() error { return nil }
		},
		"Submit": func(p *pool.Pool) func() error {
			f := pool.Submit(ctx, p, func(context.Context) (int, error) { runtime.Goexit(); return 0, nil })
			return func() error { _, err := f.Await(ctx); return err }
		},
		"Group": func(p *pool.Pool) func() error {
			g := p.Group(ctx)
			g.Go(func(context.Context) error { runtime.Goexit(); return nil })
			return g.Wait
		},
	}
	for name, start := range kinds {
		for range 20 {
			p := pool.New(1)
			first := start(p)
			second := pool.Submit(ctx, p, func(context.Context) (int, error) { return 2, nil })
			closed := make(chan struct{})
			go func() { p.Close(); close(closed) }()
			select {
			case <-closed:
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: Close hangs after a Goexit: %+v", name, p.Stats())
			}
			select {
			case <-second.Done():
			default:
				t.Fatalf("%s: the task behind the Goexit never ran: %+v", name, p.Stats())
			}
			if v, err := second.Await(ctx); v != 2 || err != nil {
				t.Fatalf("%s: second task = %v, %v", name, v, err)
			}
			if err := first(); name != "Go" && !errors.Is(err, async.ErrGoexit) {
				t.Fatalf("%s: Goexit task = %v", name, err)
			}
			if s := p.Stats(); s.Submitted != 2 || s.Completed != 2 || s.Failed != 1 || s.Succeeded != 1 || s.Workers != 0 {
				t.Fatalf("%s: stats %+v", name, s)
			}
		}
	}
}

// pond TestPoolMetrics: ten thousand tasks, half failing.
func TestPeerPondMetrics(t *testing.T) {
	p := pool.New(100)
	ctx := context.Background()
	var ran atomic.Int64
	var fs []*async.Future[int]
	for i := range 10_000 {
		fs = append(fs, pool.Submit(ctx, p, func(context.Context) (int, error) {
			ran.Add(1)
			if i%2 == 0 {
				return 0, nil
			}
			return 0, errOne
		}))
	}
	p.Close()
	async.AllSettled(ctx, fs...)
	s := p.Stats()
	if ran.Load() != 10_000 || s.Submitted != 10_000 || s.Completed != 10_000 ||
		s.Succeeded != 5_000 || s.Failed != 5_000 || s.Dropped != 0 || s.Running != 0 {
		t.Fatalf("ran %d, stats %+v", ran.Load(), s)
	}
}

// pond TestPoolWithContextCanceled and
// TestPoolStopAndWaitShouldNotDeadlockWhenContextCanceledWithQueuedTasks:
// the end of the pool's context stops the pool; queued tasks are skipped
// and counted, their futures get the context's error, Close does not hang.
func TestPeerPondPoolContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := pool.New(1, pool.WithContext(ctx))
	started := make(chan struct{})
	first := pool.Submit(context.Background(), p, func(ctx context.Context) (int, error) {
		close(started)
		<-ctx.Done() // the pool's context reaches the running task's
		return 0, ctx.Err()
	})
	second := pool.Submit(context.Background(), p, func(context.Context) (int, error) { return 0, nil })
	var plainRan atomic.Bool
	_ = p.Go(func() { plainRan.Store(true) })
	<-started
	cancel()
	closed := make(chan struct{})
	go func() { p.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs after the pool's context ended with tasks queued")
	}
	for i, f := range []*async.Future[int]{first, second} {
		if _, err := f.Await(context.Background()); !errors.Is(err, context.Canceled) {
			t.Fatalf("task %d = %v, want context.Canceled", i+1, err)
		}
	}
	if plainRan.Load() {
		t.Fatal("a queued Go task ran after the pool's context ended")
	}
	if err := p.Go(func() {}); !errors.Is(err, pool.ErrClosed) {
		t.Fatalf("Go after the pool's context ended = %v", err)
	}
	if p.Context().Err() == nil {
		t.Fatal("Pool.Context is not done")
	}
	if s := p.Stats(); s.Submitted != 3 || s.Completed != 3 || s.Failed != 1 || s.Cancelled != 2 || s.Dropped != 1 {
		t.Fatalf("stats %+v", s)
	}
}

// pond TestTaskGroupWaitShouldNotDeadlockWhenPoolContextCanceledWithQueuedTasks
// and TestTaskGroupCanceledShouldSkipRemainingTasks: a group's queued
// tasks are skipped when the pool's context ends, and Wait returns.
func TestPeerPondGroupPoolContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := pool.New(1, pool.WithContext(ctx))
	defer p.Close()
	g := p.Group(context.Background())
	started, release := make(chan struct{}), make(chan struct{})
	g.Go(func(context.Context) error { close(started); <-release; return nil })
	var ran atomic.Int64
	for range 5 {
		g.Go(func(context.Context) error { ran.Add(1); return nil })
	}
	<-started
	cancel()
	close(release)
	waited := make(chan error, 1)
	go func() { waited <- g.Wait() }()
	select {
	case err := <-waited:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait hangs after the pool's context ended")
	}
	if ran.Load() != 0 {
		t.Fatalf("%d skipped tasks ran", ran.Load())
	}
}

// pond TestTaskGroupWithStoppedPool and TestPoolSubmitWhileStopping: a
// closed pool refuses with ErrClosed, also from inside one of its tasks
// while Close waits.
func TestPeerPondClosedPool(t *testing.T) {
	p := pool.New(4)
	closing := make(chan struct{})
	inside := make(chan error, 1)
	_ = p.Go(func() {
		<-closing
		for p.Go(func() {}) == nil { // until Close has begun
			time.Sleep(100 * time.Microsecond)
		}
		inside <- p.Go(func() {})
	})
	close(closing)
	p.Close()
	if err := <-inside; !errors.Is(err, pool.ErrClosed) {
		t.Fatalf("Go while closing = %v", err)
	}
	g := p.Group(context.Background())
	g.Go(func(context.Context) error { return nil })
	if err := g.Wait(); !errors.Is(err, pool.ErrClosed) {
		t.Fatalf("group on a closed pool: Wait = %v", err)
	}
}

// pond TestPoolSubmitWhileStoppingHasNoRace: many submitters racing Close.
func TestPeerPondSubmitWhileClosing(t *testing.T) {
	p := pool.New(0)
	var wg sync.WaitGroup
	wg.Go(func() {
		time.Sleep(500 * time.Microsecond)
		p.Close()
	})
	var accepted, ran atomic.Int64
	for range 2_000 {
		wg.Go(func() {
			if p.Go(func() { ran.Add(1) }) == nil {
				accepted.Add(1)
			}
		})
	}
	wg.Wait()
	p.Close()
	if ran.Load() != accepted.Load() {
		t.Fatalf("accepted %d, ran %d", accepted.Load(), ran.Load())
	}
	if s := p.Stats(); s.Submitted+s.Dropped != 2_000 {
		t.Fatalf("stats %+v: every submission is accepted or dropped", s)
	}
}

// A pool's memory is its queue: with the default capacity a pool of two
// workers that ran 100k tasks allocated under 2.3 KiB in all (the figure
// of ants, which keeps no queue, in bench/RESULTS.md), and nothing per
// task. The least of five runs is taken, so that an allocation by another
// goroutine does not count. Under the race detector sync.Pool drops a
// quarter of what it is given, so recycled waiters are made again: there
// only "nothing per task" is checked, with a bound (a quarter of a byte
// per task) that no per-task allocation could meet.
func TestPoolMemoryIsBounded(t *testing.T) {
	const tasks = 100_000
	many, one := poolBytes(tasks), poolBytes(1)
	slack := uint64(1024)
	if raceEnabled {
		slack = tasks / 4
	} else if many > 2300 {
		t.Fatalf("a pool of 2 workers and %d tasks allocated %d bytes, want <= 2300", tasks, many)
	}
	if many > one+slack {
		t.Fatalf("%d tasks allocated %d bytes, 1 task %d: the pool allocates per task", tasks, many, one)
	}
}

// poolBytes returns the least of five measures of the bytes allocated to
// make a pool of two workers, run tasks tiny tasks and close it.
func poolBytes(tasks int) uint64 {
	var n atomic.Int64
	task := func() { n.Add(1) }
	least := uint64(math.MaxUint64)
	for range 5 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		p := pool.New(2)
		for range tasks {
			_ = p.Go(task)
		}
		p.Close()
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	return least
}
