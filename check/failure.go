package check

import (
	"fmt"
	"strings"

	"github.com/labludus/ludus/check/internal/engine"
)

// FailureKind classifies a failure.
type FailureKind int

// Failure kinds.
const (
	// AssertionFailed: T.Errorf or T.Fatalf was called.
	AssertionFailed FailureKind = FailureKind(engine.KindAssertion)
	// Panicked: a managed goroutine panicked.
	Panicked FailureKind = FailureKind(engine.KindPanic)
	// Deadlock: no goroutine can run while some are blocked and the body
	// has not returned.
	Deadlock FailureKind = FailureKind(engine.KindDeadlock)
	// Leak: the body returned while managed goroutines are still blocked,
	// or still running after the leak grace period (LeakGrace).
	Leak FailureKind = FailureKind(engine.KindLeak)
	// DataRace: two accesses to the same memory, one a write, not ordered
	// by happens-before.
	DataRace FailureKind = FailureKind(engine.KindDataRace)
	// StepLimit is no longer a failure: an execution that exceeds MaxSteps
	// makes the report inconclusive (Report.Limit). The constant remains
	// for programs that name it.
	StepLimit FailureKind = FailureKind(engine.KindStepLimit)
	// Nondeterminism: replaying a schedule did not reproduce the same
	// execution, so the program depends on something the checker does not
	// control (maps, real time, randomness, unmanaged goroutines).
	Nondeterminism FailureKind = FailureKind(engine.KindNondeterminism)
	// UncontrolledGoroutine: a goroutine the checker does not manage used
	// a check primitive of the exploration, or the body started one (a
	// plain go statement): what it does was never explored.
	UncontrolledGoroutine FailureKind = FailureKind(engine.KindUncontrolled)
)

// String returns the kind as the printed failure names it: "assertion
// failed", "panic", "deadlock", "goroutine leak", "data race", "step
// limit", "nondeterminism", "uncontrolled goroutine".
func (k FailureKind) String() string {
	if k < 0 || k > 255 {
		return fmt.Sprintf("FailureKind(%d)", int(k))
	}
	if s := engine.FailKind(k).String(); !strings.HasPrefix(s, "FailKind(") {
		return s
	}
	return fmt.Sprintf("FailureKind(%d)", int(k))
}

// Step is one line of a schedule: the goroutine, what it did (with the
// value it read), and where in the source.
type Step struct {
	Goroutine, Op, Location string
}

// Failure is a failing schedule.
type Failure struct {
	Kind    FailureKind
	Message string
	// Trace is the failing schedule, one operation per line, whole.
	// String shortens a long one.
	Trace []Step
	// Replay is the token that reruns this schedule: pass it to Replay or
	// set LUDUS_REPLAY when running the test that uses Explore.
	Replay string

	execution  int
	executions int
	strategy   string
	note       string
}

// Trace lines String prints of a long trace: the first and the last.
const (
	headSteps = 20
	tailSteps = 40
)

// String prints the failure the way the guide draws a race:
//
//	check: assertion failed: balance = 800, want 1300
//	schedule 3 of 4 explored (DPOR, complete up to 3 preemptions); replay: LUDUS_REPLAY=<token>
//	  A  balance.Load() -> 1000      bank_test.go:21
//	  B  balance.Load() -> 1000      bank_test.go:25
//
// A trace longer than 60 lines is shortened to its first 20 and last 40
// lines with "… N steps …" between them; Trace keeps every line, and
// FullString prints them all.
func (f *Failure) String() string { return f.format(true) }

// FullString is String with the whole trace, however long.
func (f *Failure) FullString() string { return f.format(false) }

func (f *Failure) format(shorten bool) string {
	if f == nil {
		return "check: no failure"
	}
	var b strings.Builder
	msg, rest, _ := strings.Cut(f.Message, "\n")
	sep := ": "
	if strings.HasPrefix(msg, "on ") {
		sep = " " // "data race on balance: ..."
	}
	fmt.Fprintf(&b, "check: %s%s%s\n", f.Kind, sep, msg)
	if f.Replay != "" {
		fmt.Fprintf(&b, "schedule %d of %d explored (%s); replay: LUDUS_REPLAY=%s\n", f.execution, f.executions, f.strategy, f.Replay)
	}
	if f.note != "" {
		fmt.Fprintf(&b, "%s\n", f.note)
	}
	writeTrace(&b, f.Trace, shorten)
	if rest != "" {
		b.WriteString(rest)
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}

// writeTrace prints the trace in aligned columns, shortened when long and
// shorten is set.
func writeTrace(b *strings.Builder, trace []Step, shorten bool) {
	shown := trace
	skipped := 0
	if shorten && len(trace) > headSteps+tailSteps {
		skipped = len(trace) - headSteps - tailSteps
		shown = append(append(append([]Step(nil), trace[:headSteps]...), Step{}), trace[len(trace)-tailSteps:]...)
	}
	wg, wo := 0, 0
	for _, s := range shown {
		wg = max(wg, len(s.Goroutine))
		if s.Location != "" {
			wo = max(wo, len(s.Op))
		}
	}
	for _, s := range shown {
		if s == (Step{}) {
			fmt.Fprintf(b, "  … %d steps …\n", skipped)
			continue
		}
		line := fmt.Sprintf("  %-*s  %-*s  %s", wg, s.Goroutine, wo, s.Op, s.Location)
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
	}
}
