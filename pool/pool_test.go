package pool_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labludus/ludus/async"
	"github.com/labludus/ludus/pool"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var errBoom = errors.New("boom")

// eventually polls cond until it holds, failing after a generous bound.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// maxTracker records the highest number of tasks inside at once.
type maxTracker struct{ cur, max atomic.Int64 }

func (m *maxTracker) enter() {
	n := m.cur.Add(1)
	for {
		old := m.max.Load()
		if n <= old || m.max.CompareAndSwap(old, n) {
			return
		}
	}
}
func (m *maxTracker) leave() { m.cur.Add(-1) }

func TestRunsEverything(t *testing.T) {
	for _, opts := range [][]pool.Option{nil, {pool.WithQueue(0)}, {pool.WithQueue(3)}, {pool.WithIdleTimeout(time.Millisecond)}} {
		p := pool.New(4, opts...)
		var n atomic.Int64
		const tasks = 5000
		for range tasks {
			if err := p.Go(func() { n.Add(1) }); err != nil {
				t.Fatal(err)
			}
		}
		p.Close()
		if n.Load() != tasks {
			t.Fatalf("ran %d of %d tasks", n.Load(), tasks)
		}
		s := p.Stats()
		if s.Submitted != tasks || s.Completed != tasks || s.Workers != 0 || s.Running != 0 || s.Queued != 0 {
			t.Fatalf("stats after Close: %+v", s)
		}
	}
}

func TestConcurrencyNeverExceedsWorkers(t *testing.T) {
	for _, opts := range [][]pool.Option{nil, {pool.WithQueue(0)}, {pool.WithQueue(1)}} {
		const workers = 3
		p := pool.New(workers, opts...)
		var m maxTracker
		var wg sync.WaitGroup
		for range 8 { // several submitters
			wg.Go(func() {
				for i := range 300 {
					_ = p.Go(func() {
						m.enter()
						if i%3 == 0 {
							time.Sleep(20 * time.Microsecond)
						} else {
							runtime.Gosched()
						}
						m.leave()
					})
				}
			})
		}
		wg.Wait()
		p.Close()
		if got := m.max.Load(); got > workers {
			t.Fatalf("%d tasks ran at once on %d workers", got, workers)
		}
		if got := m.max.Load(); got < 2 {
			t.Logf("only %d tasks overlapped (slow machine?)", got)
		}
	}
}

func TestPanicDoesNotKillPool(t *testing.T) {
	var handled atomic.Int64
	var gotValue atomic.Value
	p := pool.New(2, pool.WithPanicHandler(func(v any) {
		handled.Add(1)
		gotValue.Store(v)
	}))
	var ran atomic.Int64
	for i := range 100 {
		_ = p.Go(func() {
			if i%2 == 0 {
				panic("task panic")
			}
			ran.Add(1)
		})
	}
	p.Close()
	if ran.Load() != 50 || handled.Load() != 50 {
		t.Fatalf("ran %d, handled %d; want 50, 50", ran.Load(), handled.Load())
	}
	if gotValue.Load() != "task panic" {
		t.Fatalf("handler got %v", gotValue.Load())
	}
	if s := p.Stats(); s.Panicked != 50 || s.Completed != 100 {
		t.Fatalf("stats %+v", s)
	}

	// A panicking handler is contained too.
	q := pool.New(1, pool.WithPanicHandler(func(any) { panic("handler panic") }))
	_ = q.Go(func() { panic("x") })
	var after atomic.Bool
	_ = q.Go(func() { after.Store(true) })
	q.Close()
	if !after.Load() {
		t.Fatal("pool stopped after its panic handler panicked")
	}
}

func TestGoexitInTask(t *testing.T) {
	p := pool.New(1)
	_ = p.Go(func() { runtime.Goexit() })
	var ran atomic.Bool
	_ = p.Go(func() { ran.Store(true) })
	f := pool.Submit(context.Background(), p, func(context.Context) (int, error) { runtime.Goexit(); return 0, nil })
	if _, err := f.Await(context.Background()); !errors.Is(err, async.ErrGoexit) {
		t.Fatalf("Submit Goexit: %v", err)
	}
	g := p.Group(context.Background())
	g.Go(func(context.Context) error { runtime.Goexit(); return nil })
	if err := g.Wait(); !errors.Is(err, async.ErrGoexit) {
		t.Fatalf("Group Goexit: %v", err)
	}
	p.Close()
	if !ran.Load() {
		t.Fatal("the pool did not replace a worker that called Goexit")
	}
	if s := p.Stats(); s.Completed != s.Submitted || s.Workers != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// block fills a pool's workers with tasks that wait for release.
func block(t *testing.T, p *pool.Pool, n int) (release func()) {
	t.Helper()
	ch := make(chan struct{})
	var started sync.WaitGroup
	started.Add(n)
	for range n {
		if err := p.Go(func() { started.Done(); <-ch }); err != nil {
			t.Fatal(err)
		}
	}
	started.Wait()
	return func() { close(ch) }
}

func TestCancelledSubmitterNeverDeadlocks(t *testing.T) {
	for _, q := range []int{0, 2} {
		p := pool.New(1, pool.WithQueue(q))
		release := block(t, p, 1)
		var ran atomic.Int64
		for range q { // fill the queue
			if err := p.Go(func() { ran.Add(1) }); err != nil {
				t.Fatal(err)
			}
		}
		// Many submitters blocked on the full pool; all give up.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		var wg sync.WaitGroup
		var gaveUp atomic.Int64
		for range 20 {
			wg.Go(func() {
				if err := p.GoCtx(ctx, func() { ran.Add(1) }); errors.Is(err, context.DeadlineExceeded) {
					gaveUp.Add(1)
				}
			})
		}
		wg.Wait()
		cancel()
		if gaveUp.Load() != 20 {
			t.Fatalf("queue %d: %d of 20 submitters gave up", q, gaveUp.Load())
		}
		if s := p.Stats(); s.Waiting != 0 {
			t.Fatalf("waiters left behind: %+v", s)
		}
		// An already-ended ctx fails at once even if there is room.
		if err := p.GoCtx(ctx, func() {}); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("GoCtx with ended ctx = %v", err)
		}
		// A submitter still waiting when room appears gets it.
		done := make(chan error)
		go func() { done <- p.GoCtx(context.Background(), func() { ran.Add(1) }) }()
		eventually(t, "a waiting submitter", func() bool { return p.Stats().Waiting == 1 })
		release()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		p.Close()
		if ran.Load() != int64(q)+1 {
			t.Fatalf("queue %d: ran %d", q, ran.Load())
		}
	}
}

// TestWakeupHandedOn cancels submitters that were just woken for room, so a
// wake-up dropped on the floor would leave the last submitter waiting next
// to a free slot.
func TestWakeupHandedOn(t *testing.T) {
	rounds := 200
	if testing.Short() {
		rounds = 50
	}
	for range rounds {
		p := pool.New(1, pool.WithQueue(1))
		release := block(t, p, 1)
		_ = p.Go(func() {})
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { _ = p.GoCtx(ctx, func() {}) })
		}
		last := make(chan error, 1)
		go func() { last <- p.Go(func() {}) }()
		eventually(t, "5 waiters", func() bool { return p.Stats().Waiting == 5 })
		release()
		cancel()
		wg.Wait()
		select {
		case err := <-last:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a submitter slept next to a free slot")
		}
		p.Close()
	}
}

// The trap of pond #61 and #138: tasks whose context ends while they are
// queued must still be accounted for, or Close and Wait hang.
func TestQueuedTasksWithEndedContext(t *testing.T) {
	p := pool.New(1, pool.WithQueue(100))
	release := block(t, p, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Int64
	var fs []*async.Future[int]
	for range 50 {
		fs = append(fs, pool.Submit(ctx, p, func(context.Context) (int, error) { ran.Add(1); return 1, nil }))
	}
	g := p.Group(ctx)
	for range 40 { // bulk submission to a group, then cancel
		g.Go(func(context.Context) error { ran.Add(1); return nil })
	}
	cancel()
	release()
	if err := g.Wait(); !errors.Is(err, context.Canceled) {
		t.Fatalf("group Wait = %v", err)
	}
	for _, f := range fs {
		if _, err := f.Await(context.Background()); !errors.Is(err, context.Canceled) {
			t.Fatalf("future = %v", err)
		}
	}
	p.Close()
	if ran.Load() != 0 {
		t.Fatalf("%d tasks ran after their context ended", ran.Load())
	}
	if s := p.Stats(); s.Completed != 91 || s.Cancelled != 90 || s.Succeeded != 1 || s.Failed != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestCloseIsLossless(t *testing.T) {
	rounds := 20
	if testing.Short() {
		rounds = 5
	}
	for r := range rounds {
		opts := []pool.Option{pool.WithQueue(r % 4)}
		p := pool.New(1+r%3, opts...)
		var accepted, completed atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 16 {
			wg.Go(func() {
				<-start
				for {
					err := p.Go(func() { completed.Add(1) })
					if err != nil {
						if !errors.Is(err, pool.ErrClosed) {
							t.Errorf("Go = %v", err)
						}
						return
					}
					accepted.Add(1)
				}
			})
		}
		close(start)
		time.Sleep(time.Millisecond)
		p.Close()
		// Close returned: everything accepted so far must have run, and
		// nothing can be accepted any more.
		if c, a := completed.Load(), accepted.Load(); c != a {
			// accepted is incremented after Go returns, so it may lag; the
			// converse (a task completed that was never accepted) is the bug.
			if c < a {
				t.Fatalf("round %d: %d accepted, %d completed at Close", r, a, c)
			}
		}
		wg.Wait()
		if c, a := completed.Load(), accepted.Load(); c != a || a == 0 {
			t.Fatalf("round %d: %d accepted, %d completed", r, a, c)
		}
		if s := p.Stats(); s.Submitted != uint64(accepted.Load()) || s.Completed != s.Submitted {
			t.Fatalf("round %d: stats %+v, accepted %d", r, s, accepted.Load())
		}
	}
}

func TestClosedAndFull(t *testing.T) {
	p := pool.New(1, pool.WithQueue(1), pool.WithNonBlocking())
	release := block(t, p, 1)
	if err := p.Go(func() {}); err != nil {
		t.Fatal(err)
	}
	if err := p.Go(func() {}); !errors.Is(err, pool.ErrFull) {
		t.Fatalf("Go on full pool = %v", err)
	}
	if _, err := pool.Submit(context.Background(), p, func(context.Context) (int, error) { return 1, nil }).Await(context.Background()); !errors.Is(err, pool.ErrFull) {
		t.Fatalf("Submit on full pool = %v", err)
	}
	g := p.Group(context.Background())
	g.Go(func(context.Context) error { return nil })
	if err := g.Wait(); !errors.Is(err, pool.ErrFull) {
		t.Fatalf("Group on full pool = %v", err)
	}
	if err := p.Go(nil); !errors.Is(err, pool.ErrNilTask) {
		t.Fatalf("Go(nil) = %v", err)
	}
	release()
	p.Close()
	if err := p.Go(func() {}); !errors.Is(err, pool.ErrClosed) {
		t.Fatalf("Go after Close = %v", err)
	}
	if _, err := pool.Submit(context.Background(), p, func(context.Context) (int, error) { return 1, nil }).Await(context.Background()); !errors.Is(err, pool.ErrClosed) {
		t.Fatalf("Submit after Close = %v", err)
	}
	p.Close() // twice is fine

	h := pool.New(1, pool.WithQueue(0), pool.WithNonBlocking())
	release = block(t, h, 1)
	if err := h.Go(func() {}); !errors.Is(err, pool.ErrFull) {
		t.Fatalf("hand-off Go with no free worker = %v", err)
	}
	release()
	h.Close()

	var nilPool *pool.Pool
	if err := nilPool.Go(func() {}); !errors.Is(err, pool.ErrClosed) {
		t.Fatalf("nil pool Go = %v", err)
	}
	nilPool.Close()
	nilPool.Resize(3)
	_ = nilPool.Stats()
}

func TestBlockedSubmitterGetsErrClosed(t *testing.T) {
	p := pool.New(1, pool.WithQueue(0))
	release := block(t, p, 1)
	errc := make(chan error)
	go func() { errc <- p.Go(func() { t.Error("a task refused by Close ran") }) }()
	eventually(t, "a waiting submitter", func() bool { return p.Stats().Waiting == 1 })
	closed := make(chan struct{})
	go func() { p.Close(); close(closed) }()
	if err := <-errc; !errors.Is(err, pool.ErrClosed) {
		t.Fatalf("blocked Go during Close = %v", err)
	}
	select {
	case <-closed:
		t.Fatal("Close returned while a task was running")
	default:
	}
	release()
	<-closed
}

func TestHandOff(t *testing.T) {
	p := pool.New(2, pool.WithQueue(0))
	release := block(t, p, 2)
	accepted := make(chan struct{})
	go func() {
		_ = p.Go(func() {})
		close(accepted)
	}()
	eventually(t, "a waiting submitter", func() bool { return p.Stats().Waiting == 1 })
	select {
	case <-accepted:
		t.Fatal("hand-off Go returned with no free worker")
	default:
	}
	if s := p.Stats(); s.Queued != 0 {
		t.Fatalf("hand-off pool queued a task: %+v", s)
	}
	release()
	<-accepted
	p.Close()
}

func TestShutdownReportsUnfinished(t *testing.T) {
	p := pool.New(2, pool.WithQueue(10))
	release := block(t, p, 2)
	var ran atomic.Int64
	for range 3 {
		_ = p.Go(func() { ran.Add(1) })
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	err := p.Shutdown(ctx)
	var se *pool.ShutdownError
	if !errors.As(err, &se) || se.Unfinished != 5 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown = %v", err)
	}
	if err := p.Go(func() {}); !errors.Is(err, pool.ErrClosed) {
		t.Fatalf("Go after Shutdown = %v", err)
	}
	release()
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ran.Load() != 3 {
		t.Fatalf("queued tasks dropped: ran %d of 3", ran.Load())
	}
	if se.Error() == "" {
		t.Fatal("empty error text")
	}
}

func TestResizeUnderLoad(t *testing.T) {
	p := pool.New(1)
	ch := make(chan struct{})
	var cur atomic.Int64
	var m maxTracker
	task := func() { m.enter(); cur.Add(1); <-ch; cur.Add(-1); m.leave() }
	for range 8 {
		_ = p.Go(task)
	}
	eventually(t, "1 running", func() bool { return cur.Load() == 1 })
	p.Resize(4)
	eventually(t, "4 running after growing", func() bool { return cur.Load() == 4 })
	if s := p.Stats(); s.Capacity != 4 || s.Running != 4 || s.Queued != 4 {
		t.Fatalf("stats %+v", s)
	}
	p.Resize(2)
	m.max.Store(0)
	// Let the four running tasks go; the next ones start at most two at a time.
	for range 4 {
		ch <- struct{}{}
	}
	eventually(t, "2 running after shrinking", func() bool { return cur.Load() == 2 })
	close(ch)
	p.Close()
	if got := m.max.Load(); got > 4 {
		t.Fatalf("max concurrency %d", got)
	}

	// Shrinking with idle workers lets them go.
	q := pool.New(8)
	release := block(t, q, 8)
	release()
	eventually(t, "8 idle", func() bool { return q.Stats().Idle == 8 })
	q.Resize(3)
	eventually(t, "3 workers", func() bool { return q.Stats().Workers == 3 })
	q.Resize(0) // GOMAXPROCS
	if s := q.Stats(); s.Capacity != runtime.GOMAXPROCS(0) {
		t.Fatalf("Resize(0) capacity %d", s.Capacity)
	}
	q.Close()
}

// TestResizeStress shrinks and grows while many submitters run, checking
// the bound against the capacity in force and that nothing is lost.
func TestResizeStress(t *testing.T) {
	p := pool.New(4, pool.WithQueue(8))
	var m maxTracker
	var done atomic.Int64
	var wg sync.WaitGroup
	const perSubmitter = 500
	for range 4 {
		wg.Go(func() {
			for range perSubmitter {
				_ = p.Go(func() { m.enter(); runtime.Gosched(); m.leave(); done.Add(1) })
			}
		})
	}
	for i := range 50 {
		p.Resize(1 + i%6)
		time.Sleep(50 * time.Microsecond)
	}
	wg.Wait()
	p.Close()
	if done.Load() != 4*perSubmitter {
		t.Fatalf("ran %d", done.Load())
	}
	if m.max.Load() > 6 {
		t.Fatalf("max concurrency %d above the largest size 6", m.max.Load())
	}
}

func TestIdleTimeoutAndRegrowth(t *testing.T) {
	p := pool.New(4, pool.WithIdleTimeout(2*time.Millisecond))
	release := block(t, p, 4)
	release()
	eventually(t, "idle workers to exit", func() bool { return p.Stats().Workers == 0 })
	var n atomic.Int64
	release = block(t, p, 4) // regrows to four
	if s := p.Stats(); s.Workers != 4 || s.Running != 4 {
		t.Fatalf("after regrowth %+v", s)
	}
	release()
	for range 100 {
		_ = p.Go(func() { n.Add(1) })
	}
	p.Close()
	if n.Load() != 100 {
		t.Fatalf("ran %d", n.Load())
	}
}

func TestZeroPool(t *testing.T) {
	var p pool.Pool
	var n atomic.Int64
	for range 100 {
		if err := p.Go(func() { n.Add(1) }); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	if n.Load() != 100 || p.Stats().Capacity != runtime.GOMAXPROCS(0) {
		t.Fatalf("zero pool: ran %d, %+v", n.Load(), p.Stats())
	}
}

func TestSubmit(t *testing.T) {
	p := pool.New(2)
	defer p.Close()
	ctx := context.Background()
	var fs []*async.Future[int]
	for i := range 100 {
		fs = append(fs, pool.Submit(ctx, p, func(context.Context) (int, error) { return i * 2, nil }))
	}
	vs, err := async.All(ctx, fs...)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if v != i*2 {
			t.Fatalf("vs[%d] = %d", i, v)
		}
	}
	f := pool.Submit(ctx, p, func(context.Context) (int, error) { panic("submit panic") })
	var pe *async.PanicError
	if _, err := f.Await(ctx); !errors.As(err, &pe) || pe.Value != "submit panic" {
		t.Fatalf("Submit panic = %v", err)
	}
	if _, err := pool.Submit[int](ctx, p, nil).Await(ctx); !errors.Is(err, pool.ErrNilTask) {
		t.Fatalf("Submit(nil) = %v", err)
	}
	// Cancel reaches the task's context.
	started := make(chan struct{})
	f = pool.Submit(ctx, p, func(ctx context.Context) (int, error) { close(started); <-ctx.Done(); return 0, ctx.Err() })
	<-started
	f.Cancel()
	if _, err := f.Await(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Submit = %v", err)
	}
	if _, err := pool.Submit(ctx, p, func(context.Context) (int, error) { return 0, errBoom }).Await(ctx); err != errBoom {
		t.Fatalf("Submit error = %v", err)
	}
	eventually(t, "counters", func() bool { s := p.Stats(); return s.Panicked == 1 && s.Failed == 2 })
}

func TestGroupFailFast(t *testing.T) {
	p := pool.New(2, pool.WithQueue(100))
	defer p.Close()
	g := p.Group(context.Background())
	var started, cancelled atomic.Int64
	for i := range 50 {
		g.Go(func(ctx context.Context) error {
			started.Add(1)
			if i == 1 {
				return errBoom
			}
			select {
			case <-ctx.Done():
				cancelled.Add(1)
				return ctx.Err()
			case <-time.After(10 * time.Second):
				return nil
			}
		})
	}
	if err := g.Wait(); err != errBoom {
		t.Fatalf("Wait = %v; want boom", err)
	}
	if started.Load() >= 50 {
		t.Fatalf("all %d tasks started despite the failure", started.Load())
	}
	if cancelled.Load() != started.Load()-1 {
		t.Fatalf("started %d, cancelled %d", started.Load(), cancelled.Load())
	}

	g = p.Group(context.Background())
	g.Go(func(context.Context) error { panic(errBoom) })
	var pe *async.PanicError
	if err := g.Wait(); !errors.As(err, &pe) || !errors.Is(err, errBoom) {
		t.Fatalf("group panic = %v", err)
	}
	g = p.Group(context.Background())
	g.Go(nil)
	if err := g.Wait(); !errors.Is(err, pool.ErrNilTask) {
		t.Fatalf("group nil task = %v", err)
	}
	g = p.Group(context.Background())
	for range 10 {
		g.Go(func(context.Context) error { return nil })
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestGroupOnFullPoolNoDeadlock is conc #88's shape: a group whose tasks
// wait for cancellation, more tasks than workers, and a failing task among
// those that start. Group.Go blocked on the full pool must return once the
// group has failed. (Had the failing task been one that cannot start
// because every worker waits for the failure, nothing could help: that
// wait is the tasks' own cycle.)
func TestGroupOnFullPoolNoDeadlock(t *testing.T) {
	p := pool.New(10, pool.WithQueue(0))
	defer p.Close()
	g := p.Group(context.Background())
	for i := range 90 {
		g.Go(func(ctx context.Context) error {
			if i == 5 {
				return errBoom
			}
			<-ctx.Done()
			return nil
		})
	}
	if err := g.Wait(); err != errBoom {
		t.Fatalf("Wait = %v", err)
	}
}
