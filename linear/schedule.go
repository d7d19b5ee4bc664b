package linear

import (
	"sync"
	"sync/atomic"
	"time"
)

// The scheduler runs the searches of a check, one per part, on a few
// goroutines by turns: each turn is a slice of at most sliceTime, after
// which the search goes to the back of the queue. Turns keep a part that
// fails quickly from waiting behind a long one (the check stops at the
// first failure).
//
// Each search walks its part in the check's orders, the second joining
// once the first has run for portfolioDelay (see search): most parts are
// decided before that; on those that are not, one order is often several
// times better than the other (on porcupine's 50-client kv history,
// 185,000 configurations against 60,000 on one key, and the reverse on
// others), and the two share their memo, so the second costs little where
// it does not help.

// sliceTime is the length of a turn.
const sliceTime = time.Millisecond

// portfolioDelay is how long a part's first order walks before the second
// joins it. Tests shorten it, and set walkerTurn, the iterations after
// which a walker hands over to the other (0: when its share of the slice
// is over), to make the walkers alternate on small histories.
var (
	portfolioDelay = 5 * time.Millisecond
	walkerTurn     = 0
)

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
	part int
	r    runner
}

// partState is what the scheduler knows of one part.
type partState struct {
	out      searchOut // the search's outcome, or its progress when stopped
	decided  bool      // the search ended (out holds its outcome)
	explored int64     // configurations the search explored
}

// scheduler hands out turns. Its fields are guarded by mu.
type scheduler struct {
	mu       sync.Mutex
	wake     sync.Cond // signalled when the queue or busy changes
	queue    []*task   // FIFO of searches waiting for a turn
	busy     int       // searches having a turn now
	parts    []partState
	spawn    func(part int) runner // starts a search
	stop     *stopFlag
	cause    error // why stop was raised by the scheduler, first reason wins
	allParts bool
	deadline time.Time // zero: none
	timeErr  error     // the error for the deadline
}

// newScheduler prepares the search of parts parts.
func newScheduler(parts int, spawn func(part int) runner, stop *stopFlag) *scheduler {
	s := &scheduler{parts: make([]partState, parts), spawn: spawn, stop: stop}
	s.wake.L = &s.mu
	return s
}

// start creates the search of every part, queued in order: searches fail
// fast on a bad model, before any turn is taken.
func (s *scheduler) start() {
	for p := range s.parts {
		s.queue = append(s.queue, &task{part: p, r: s.spawn(p)})
	}
}

// work runs turns until no search is left.
func (s *scheduler) work() {
	for {
		t := s.take()
		if t == nil {
			return
		}
		ended := t.r.run(time.Now().Add(sliceTime))
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
	if ended {
		s.decide(t)
		return
	}
	if !s.deadline.IsZero() && !time.Now().Before(s.deadline) {
		s.halt(s.timeErr)
	}
	s.queue = append(s.queue, t)
}

// decide records the outcome of a search that ended.
func (s *scheduler) decide(t *task) {
	out := t.r.progress()
	p := &s.parts[t.part]
	switch {
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
	p.explored = out.explored
	t.r.release()
}

// retire frees a search that will not run again, keeping its progress.
func (s *scheduler) retire(t *task) {
	out := t.r.progress()
	p := &s.parts[t.part]
	p.explored = out.explored
	if !p.decided {
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
