package pool

// Stats is a snapshot of a pool's state and counters.
//
// Every accepted task ends in exactly one of Succeeded, Failed, Panicked
// and Cancelled; Completed is their sum, so at rest Submitted == Completed.
// A Submit or Group task records its outcome from its worker just before
// the worker is free again, so a snapshot taken at that instant may count
// it both in Running and in Completed.
type Stats struct {
	Capacity int // the worker count: at most this many tasks run at once
	Workers  int // live worker goroutines
	Running  int // tasks running now
	Idle     int // workers parked, waiting for a task
	Queued   int // accepted tasks no worker has taken yet
	Waiting  int // submitters blocked until the pool has room

	Submitted uint64 // tasks accepted
	Completed uint64 // accepted tasks that ended, however: the sum of the four below
	Succeeded uint64 // tasks that returned (Go) or returned a nil error (Submit, Group)
	// Failed counts Submit and Group tasks that returned an error, and
	// tasks that called runtime.Goexit. (Before the Cancelled counter
	// existed, skipped tasks were counted here.)
	Failed   uint64
	Panicked uint64 // tasks that panicked
	// Cancelled counts tasks skipped without running because a context had
	// ended when a worker reached them: the submitter's (Submit), the
	// group's, or the pool's (WithContext).
	Cancelled uint64
	// Dropped counts submissions the pool refused: full (ErrFull), closed
	// (ErrClosed), or the submitter's context ended while it waited for
	// room. A refused task was never accepted: it is not in Submitted.
	Dropped uint64
}

// Stats returns a snapshot of the pool's state.
func (p *Pool) Stats() Stats {
	if p == nil {
		return Stats{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.initLocked(0)
	s := Stats{
		Capacity:  p.max,
		Workers:   p.workers,
		Running:   p.running,
		Idle:      len(p.idle),
		Queued:    p.q.size,
		Waiting:   len(p.waiters),
		Submitted: p.submitted,
		Succeeded: p.plainSucceeded + p.succeeded.Load(),
		Failed:    p.failed.Load(),
		Panicked:  p.panicked.Load(),
		Cancelled: p.cancelled.Load(),
		Dropped:   p.dropped.Load(),
	}
	s.Completed = s.Succeeded + s.Failed + s.Panicked + s.Cancelled
	return s
}
