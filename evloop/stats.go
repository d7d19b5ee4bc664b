package evloop

import "sync/atomic"

// Stats are a loop's counters since it was made. Read them from any
// goroutine with Loop.Stats.
type Stats struct {
	// Conns is the number of open connections.
	Conns int64
	// Accepted and Dialed count connections opened by a listener and by
	// Dial; Closed counts connections closed.
	Accepted, Dialed, Closed uint64
	// Posted counts functions accepted by Post, Ran those that ran.
	Posted, Ran uint64
	// TimersFired counts timer callbacks run; TimersDropped counts timers
	// still pending when the loop stopped (they never fired).
	TimersFired, TimersDropped uint64
	// Panics counts callbacks that panicked (each also went to
	// Options.OnPanic).
	Panics uint64
	// AcceptErrors counts failed accepts (each also went to
	// Options.OnError), such as EMFILE when the process is out of file
	// descriptors.
	AcceptErrors uint64
	// ResultsDropped counts Await, Then and Offload results that arrived
	// after the loop stopped, so their callbacks never ran.
	ResultsDropped uint64
	// UnflushedBytes counts output accepted by Write but never sent,
	// because its connection closed first (the peer reset it, a callback
	// panicked, or the drain timeout passed).
	UnflushedBytes uint64
	// ReadPauses counts the times a connection's output passed HighWater
	// and the loop stopped reading it.
	ReadPauses uint64
}

// counters are the atomics behind Stats.
type counters struct {
	conns                                     atomic.Int64
	accepted, dialed, closed, posted, ran     atomic.Uint64
	timersFired, timersDropped, timersStopped atomic.Uint64
	panics, acceptErrors, resultsDropped      atomic.Uint64
	unflushed, readPauses                     atomic.Uint64
}

// Stats returns the loop's counters. It is safe from any goroutine.
func (l *Loop) Stats() Stats {
	c := &l.stats
	return Stats{
		Conns:    c.conns.Load(),
		Accepted: c.accepted.Load(), Dialed: c.dialed.Load(), Closed: c.closed.Load(),
		Posted: c.posted.Load(), Ran: c.ran.Load(),
		TimersFired: c.timersFired.Load(), TimersDropped: c.timersDropped.Load(),
		Panics: c.panics.Load(), AcceptErrors: c.acceptErrors.Load(),
		ResultsDropped: c.resultsDropped.Load(), UnflushedBytes: c.unflushed.Load(),
		ReadPauses: c.readPauses.Load(),
	}
}

// add sums two Stats (a Server's loops).
func (s Stats) add(o Stats) Stats {
	s.Conns += o.Conns
	s.Accepted += o.Accepted
	s.Dialed += o.Dialed
	s.Closed += o.Closed
	s.Posted += o.Posted
	s.Ran += o.Ran
	s.TimersFired += o.TimersFired
	s.TimersDropped += o.TimersDropped
	s.Panics += o.Panics
	s.AcceptErrors += o.AcceptErrors
	s.ResultsDropped += o.ResultsDropped
	s.UnflushedBytes += o.UnflushedBytes
	s.ReadPauses += o.ReadPauses
	return s
}
