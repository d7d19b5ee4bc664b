package actor

import (
	"fmt"
	"time"
)

// Directive is a supervisor's answer to a child's failure.
type Directive uint8

const (
	// Restart replaces the failed actor's state by running its setup again;
	// its mailbox (and any stashed messages) survive, its children are
	// stopped first. The failed message is not retried.
	Restart Directive = iota
	// Resume keeps the actor's state and goes on with the next message;
	// the failed message is not retried.
	Resume
	// Stop terminates the actor; its queued messages go to dead letters and
	// its Terminated reason is the *Failure.
	Stop
	// Escalate fails the supervisor itself with the child's failure, so the
	// supervisor's own supervisor decides. At the top of the tree it means
	// Stop.
	Escalate
)

func (d Directive) String() string {
	switch d {
	case Restart:
		return "restart"
	case Resume:
		return "resume"
	case Stop:
		return "stop"
	case Escalate:
		return "escalate"
	}
	return fmt.Sprintf("Directive(%d)", uint8(d))
}

// Scope says which children a directive applies to.
type Scope uint8

const (
	// OneForOne applies the directive to the failed child only.
	OneForOne Scope = iota
	// AllForOne applies Restart and Stop to every child of the supervisor.
	AllForOne
	// RestForOne applies Restart and Stop to the failed child and to the
	// children spawned after it (which usually depend on it).
	RestForOne
)

func (s Scope) String() string {
	switch s {
	case OneForOne:
		return "one-for-one"
	case AllForOne:
		return "all-for-one"
	case RestForOne:
		return "rest-for-one"
	}
	return fmt.Sprintf("Scope(%d)", uint8(s))
}

// Default restart intensity of a Strategy whose fields are zero.
const (
	DefaultMaxRestarts = 10
	DefaultWithin      = 10 * time.Second
)

// Strategy is how an actor supervises its children (set with
// WithChildStrategy, on Spawn for an actor's children, on NewSystem for the
// System's top-level actors). The zero
// Strategy restarts the failed child alone, at most DefaultMaxRestarts times
// within DefaultWithin, immediately.
type Strategy struct {
	Scope Scope
	// Decider maps a failure (a *Failure, whose Err is what the behaviour
	// returned or a *PanicError) to a directive. Nil means always Restart.
	Decider func(err error) Directive
	// MaxRestarts restarts of one child within Within are allowed; one more
	// failure escalates instead. Zero means DefaultMaxRestarts; negative
	// means no limit.
	MaxRestarts int
	// Within is the window of MaxRestarts; zero means DefaultWithin.
	Within time.Duration
	// BackoffMin, when positive, delays the n-th restart within the window by
	// BackoffMin*2^(n-1), capped at BackoffMax (no cap when BackoffMax is
	// zero). The child stays suspended, its mailbox filling, meanwhile.
	BackoffMin time.Duration
	BackoffMax time.Duration
}

func (s *Strategy) decide(err error) (d Directive) {
	if s.Decider == nil {
		return Restart
	}
	defer func() {
		// A panicking decider must not take the supervisor down with it: the
		// safe answer is to let the next level decide.
		if recover() != nil {
			d = Escalate
		}
	}()
	return s.Decider(err)
}

func (s *Strategy) validate() error {
	if s.Scope > RestForOne {
		return fmt.Errorf("%w: scope %d", ErrBadOption, s.Scope)
	}
	if s.Within < 0 || s.BackoffMin < 0 || s.BackoffMax < 0 {
		return fmt.Errorf("%w: negative duration in strategy", ErrBadOption)
	}
	return nil
}

// childStats is a supervisor's memory of one child: its recent restarts and
// the pending delayed restart. Only the supervisor's goroutine touches it.
type childStats struct {
	restarts []time.Time
	timer    *time.Timer
}

// allow records a restart at now and reports whether the intensity limit
// permits it, with the backoff delay to apply.
func (st *childStats) allow(s *Strategy, now time.Time) (time.Duration, bool) {
	limit := s.MaxRestarts
	if limit == 0 {
		limit = DefaultMaxRestarts
	}
	within := s.Within
	if within == 0 {
		within = DefaultWithin
	}
	keep := st.restarts[:0]
	for _, t := range st.restarts {
		if now.Sub(t) < within {
			keep = append(keep, t)
		}
	}
	st.restarts = keep
	if limit > 0 && len(st.restarts) >= limit {
		return 0, false
	}
	st.restarts = append(st.restarts, now)
	if s.BackoffMin <= 0 {
		return 0, true
	}
	d := s.BackoffMin
	for i := 1; i < len(st.restarts); i++ {
		d *= 2
		if s.BackoffMax > 0 && d >= s.BackoffMax {
			return s.BackoffMax, true
		}
	}
	if s.BackoffMax > 0 && d > s.BackoffMax {
		d = s.BackoffMax
	}
	return d, true
}
