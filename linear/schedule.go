package linear

import (
	"sync"
	"sync/atomic"
	"time"
)

// The scheduler runs the searches of a check, one per part and search
// order, on a few goroutines by turns: each turn is a slice of at most
// sliceTime, after which the search goes to the back of the queue. Turns
// keep a part that fails quickly from waiting behind a long one (the check
// stops at the first failure).
//
// A part's other orders (the portfolio) join when its first order did not
// finish in one turn and a goroutine is idle: racing then costs no time,
// only a core that had nothing to do. On a part that is not linearizable
// every order must search everything, so racing on a busy goroutine would
// double the time; the other orders join a busy goroutine only once the
// first has run for portfolioDelay, as insurance against a history on
// which the first order is far worse than the second.

// sliceTime is the length of a turn.
const sliceTime = time.Millisecond

// portfolioDelay is how long a part's first order runs before the other
// orders join it even though no goroutine is idle.
const portfolioDelay = time.Second

// helperDelay is how long the caller's goroutine works alone before
// helpers join: waking a thread costs more than checking most small
// histories.
const helperDelay = 200 * time.Microsecond

// stopFlag is raised to stop every search of a check: the time limit, the
// caller's cancellation, the memory cap, or a part found not linearizable.
// The searches poll it.
type stopFlag struct{ atomic.Bool }

func (f *stopFlag) raised() bool { return f.Load() }

// runner is a search as the scheduler sees it.
type runner interface {
	// run works until the search ends (true) or the slice ends (false).
	run(until time.Time) bool
	// progress is the outcome of an ended search, or the progress so far.
	progress() searchOut
	// release frees the search's memory.
	release()
}

// task is a search waiting for or having a turn.
type task struct {
	part   int
	r      runner
	slices int           // turns taken
	ran    time.Duration // the time those turns took
}

// partState is what the scheduler knows of one part.
type partState struct {
	out      searchOut // the deciding search's outcome, or the best progress
	decided  bool      // a search of the part ended (out holds its outcome)
	explored int64     // configurations over the part's retired searches
	spawned  bool      // the part's other orders were started
}

// scheduler hands out turns. Its fields are guarded by mu.
type scheduler struct {
	mu       sync.Mutex
	wake     sync.Cond // signalled when the queue or busy changes
	queue    []*task   // FIFO of searches waiting for a turn
	busy     int       // searches having a turn now
	workers  int       // goroutines taking turns
	parts    []partState
	orders   []Order
	spawn    func(part int, order Order) runner // starts a search
	stop     *stopFlag
	cause    error // why stop was raised by the scheduler, first reason wins
	allParts bool
	deadline time.Time // zero: none
	timeErr  error     // the error for the deadline
}

// newScheduler queues the first order's search of every part, in order.
func newScheduler(parts int, orders []Order, spawn func(part int, order Order) runner, stop *stopFlag) *scheduler {
	s := &scheduler{parts: make([]partState, parts), orders: orders, spawn: spawn, stop: stop}
	s.wake.L = &s.mu
	return s
}

// start creates the first search of every part: searches fail fast on a
// bad model, before any turn is taken.
func (s *scheduler) start() {
	for p := range s.parts {
		s.queue = append(s.queue, &task{part: p, r: s.spawn(p, s.orders[0])})
	}
}

// work runs turns until no search is left.
func (s *scheduler) work() {
	for {
		t := s.take()
		if t == nil {
			return
		}
		start := time.Now()
		ended := t.r.run(start.Add(sliceTime))
		t.ran += time.Since(start)
		s.give(t, ended)
	}
}

// take waits for a search to run; nil when every search is over. Searches
// of decided parts, or every search once the check is stopped, are retired
// instead.
func (s *scheduler) take() *task {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		for len(s.queue) == 0 && s.busy > 0 {
			s.wake.Wait()
		}
		if len(s.queue) == 0 {
			return nil
		}
		t := s.queue[0]
		s.queue = s.queue[1:]
		if s.parts[t.part].decided || s.stop.raised() {
			s.retire(t)
			continue
		}
		s.busy++
		return t
	}
}

// give takes back a search after its turn.
func (s *scheduler) give(t *task, ended bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.wake.Broadcast()
	s.busy--
	t.slices++
	if ended {
		s.decide(t)
		return
	}
	if !s.deadline.IsZero() && !time.Now().Before(s.deadline) {
		s.halt(s.timeErr)
	}
	s.queue = append(s.queue, t)
	s.joinPortfolio(t)
}

// joinPortfolio starts the part's other orders after a turn of its first
// one, if a goroutine is idle or the first has run for portfolioDelay.
func (s *scheduler) joinPortfolio(t *task) {
	p := &s.parts[t.part]
	if p.spawned || s.stop.raised() || len(s.orders) < 2 {
		return
	}
	idle := s.busy+len(s.queue) < s.workers
	if !idle && t.ran < portfolioDelay {
		return
	}
	p.spawned = true
	for _, o := range s.orders[1:] {
		s.queue = append(s.queue, &task{part: t.part, r: s.spawn(t.part, o)})
	}
}

// decide records the outcome of a search that ended.
func (s *scheduler) decide(t *task) {
	out := t.r.progress()
	p := &s.parts[t.part]
	switch {
	case p.decided:
	case out.verdict != Unknown:
		p.decided = true
		p.out = out
		if out.verdict == NotLinearizable && !s.allParts {
			s.halt(ErrStopped)
		}
	case out.err != nil:
		// A model that panics, or the memory cap: no order can finish.
		p.decided = true
		p.out = out
		if s.stopsAll(out.err) {
			s.halt(out.err)
		}
	}
	p.explored += out.explored
	t.r.release()
}

// retire frees a search that will not run again, keeping its progress.
func (s *scheduler) retire(t *task) {
	out := t.r.progress()
	p := &s.parts[t.part]
	p.explored += out.explored
	if !p.decided && len(out.lin) >= len(p.out.lin) {
		p.out.lin = out.lin
	}
	t.r.release()
}

// halt stops every search, recording why if it is the first reason.
func (s *scheduler) halt(cause error) {
	if s.cause == nil {
		s.cause = cause
	}
	s.stop.Store(true)
}

// stopsAll reports whether a search's error ends the whole check: the
// memory cap is shared by every search.
func (s *scheduler) stopsAll(err error) bool { return isMemoryErr(err) }

// run works through every search, on workers goroutines: the caller's,
// and helpers that join after helperDelay if the check lasts.
func (s *scheduler) run(workers int) {
	s.mu.Lock()
	s.workers = workers
	s.mu.Unlock()
	if workers <= 1 {
		s.work()
		return
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		closed bool
	)
	timer := time.AfterFunc(helperDelay, func() {
		mu.Lock()
		defer mu.Unlock()
		if closed {
			return
		}
		for range workers - 1 {
			wg.Go(s.work)
		}
	})
	s.work()
	timer.Stop()
	mu.Lock()
	closed = true
	mu.Unlock()
	wg.Wait()
}
