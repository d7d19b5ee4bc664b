package rt

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/internal/engine"
)

// Test explores a test function: func TestX(t *testing.T) { B } is
// rewritten to func TestX(t *testing.T) { rt.Test(t, func(t *testing.T) { B }) }.
// Every execution runs body with the same t; at the end t hears the
// verdict: the printed failing schedule (t.Error), a skip, or a log line.
// Options come from the environment (see docs/check-rewrite.md):
// LUDUS_CHECK_BUDGET, LUDUS_CHECK_REPLAY, LUDUS_CHECK_RESULTS.
func Test(t *testing.T, body func(t *testing.T)) {
	t.Helper()
	cfg, err := readEnv()
	if err != nil {
		writeResult(cfg, Result{Test: t.Name(), Verdict: "error", Message: err.Error()})
		t.Fatalf("ludus check: %v", err)
		return
	}
	restore := snapshot()
	defer restore()
	opts := cfg.options(t.Name())
	skipped := ""
	start := time.Now()
	r := check.Run(func(ct *check.T) {
		restore()
		run := &execRun{}
		top := newScope(t.Name(), nil, run)
		engine.Current().Local = top
		defer func() {
			if run.skip != "" && skipped == "" {
				skipped = run.skip
			}
		}()
		top.exec(t, body)
	}, opts...)
	res := result(t.Name(), r, skipped, time.Since(start))
	if cfg.full && r.Failure != nil {
		res.Trace = r.Failure.FullString()
	}
	writeResult(cfg, res)
	switch res.Verdict {
	case "fail":
		t.Error(res.Trace)
	case "error":
		t.Fatalf("ludus check: %s", res.Message)
	case "skip":
		t.Skip(skipped)
	case "inconclusive":
		t.Logf("ludus check: inconclusive after %d schedules: %s (%s)", r.Executions, res.Message, r.Strategy)
	default:
		t.Logf("ludus check: %d schedules, no failure (%s)", r.Executions, r.Strategy)
	}
}

// config is what the command asked for, through the environment.
type config struct {
	pkg      string        // LUDUS_CHECK_PACKAGE: the import path, echoed in results
	results  string        // LUDUS_CHECK_RESULTS: a file to append JSON lines to
	replay   string        // LUDUS_CHECK_REPLAY: a token to replay
	maxExecs int           // LUDUS_CHECK_BUDGET as a number of executions
	maxTime  time.Duration // LUDUS_CHECK_BUDGET as a duration
	delay    time.Duration // LUDUS_CHECK_DELAY: the delay bound (check.Delay), 0 for none
	full     bool          // LUDUS_CHECK_FULL=1: failing schedules printed whole
}

func readEnv() (config, error) {
	c := config{pkg: os.Getenv("LUDUS_CHECK_PACKAGE"), results: os.Getenv("LUDUS_CHECK_RESULTS"), replay: os.Getenv("LUDUS_CHECK_REPLAY"),
		full: os.Getenv("LUDUS_CHECK_FULL") == "1"}
	if b := os.Getenv("LUDUS_CHECK_BUDGET"); b != "" {
		if n, err := strconv.Atoi(b); err == nil && n > 0 {
			c.maxExecs = n
		} else if d, err := time.ParseDuration(b); err == nil && d > 0 {
			c.maxTime = d
		} else {
			return c, fmt.Errorf("LUDUS_CHECK_BUDGET=%q: want a positive number of executions or a duration such as 5s", b)
		}
	}
	if d := os.Getenv("LUDUS_CHECK_DELAY"); d != "" {
		v, err := time.ParseDuration(d)
		if err != nil || v <= 0 {
			return c, fmt.Errorf("LUDUS_CHECK_DELAY=%q: want a positive duration such as 10ms", d)
		}
		c.delay = v
	}
	return c, nil
}

func (c config) options(test string) []check.Option {
	var opts []check.Option
	if c.maxExecs > 0 {
		opts = append(opts, check.MaxExecutions(c.maxExecs), check.MaxTime(time.Hour))
	}
	if c.maxTime > 0 {
		opts = append(opts, check.MaxTime(c.maxTime), check.MaxExecutions(1<<40))
	}
	if c.delay > 0 {
		opts = append(opts, check.Delay(c.delay))
	}
	if c.replay != "" {
		opts = append(opts, check.Replay(c.replay))
	}
	switch os.Getenv("LUDUS_CHECK_SEARCH") { // for comparing searches: plain DFS, PCT
	case "dfs":
		opts = append(opts, check.NoReduction())
	case "pct":
		opts = append(opts, check.PCT(3, 1, 0))
	}
	if c.results != "" {
		opts = append(opts, check.Progress(func(p check.ProgressInfo) {
			writeLine(c, progress{Type: "progress", Package: c.pkg, Test: test, Schedules: p.Executions, Rate: p.Rate, Bound: p.Bound})
		}))
	}
	return opts
}

// Result is one test's line in the results file.
type Result struct {
	Type      string `json:"type"` // "result"
	Package   string `json:"package"`
	Test      string `json:"test"`
	Verdict   string `json:"verdict"` // pass, fail, inconclusive, skip, error
	Kind      string `json:"kind"`    // assertion, panic, deadlock, leak, data-race, step-limit, nondeterminism, uncontrolled, or ""
	Message   string `json:"message"`
	Trace     string `json:"trace"` // the printed failing schedule
	Schedules int    `json:"schedules"`
	Complete  string `json:"complete"` // complete, complete up to N preemptions, inconclusive: <limit>
	Strategy  string `json:"strategy"` // DPOR, DFS, random, PCT, replay
	Limit     string `json:"limit"`
	Replay    string `json:"replay"`
	ElapsedNS int64  `json:"elapsed_ns"`
}

type progress struct {
	Type      string  `json:"type"` // "progress"
	Package   string  `json:"package"`
	Test      string  `json:"test"`
	Schedules int     `json:"schedules"`
	Rate      float64 `json:"rate"`
	Bound     int     `json:"bound"`
}

// result turns a report into a result line.
func result(test string, r check.Report, skipped string, elapsed time.Duration) Result {
	res := Result{Type: "result", Test: test, Schedules: r.Executions, Complete: completeness(r), Strategy: strategyName(r.Strategy), ElapsedNS: elapsed.Nanoseconds()}
	switch v := r.Verdict(); {
	case v == check.Error:
		res.Verdict, res.Message = "error", r.Err.Error()
	case r.Failure != nil:
		res.Verdict, res.Kind = "fail", kindName(r.Failure.Kind)
		if v == check.Inconclusive {
			res.Verdict = "inconclusive"
		}
		res.Message, res.Trace, res.Replay = firstLine(r.Failure.Message), r.Failure.String(), r.Failure.Replay
	case skipped != "":
		res.Verdict, res.Message = "skip", skipped
	case v == check.Inconclusive:
		res.Verdict, res.Limit, res.Message = "inconclusive", r.Limit.String(), r.LimitDetail
		switch r.Limit {
		case check.StepLimitHit:
			res.Kind = "step-limit"
		case check.Stalled, check.Uncontrolled:
			res.Kind = "uncontrolled"
		}
	default:
		res.Verdict = "pass"
	}
	return res
}

// completeness says how far the search went, as ludus check prints it.
func completeness(r check.Report) string {
	switch {
	case r.Failure != nil && r.Verdict() == check.Fail:
		return "stopped at the failure"
	case r.Failure != nil:
		return "inconclusive: " + kindName(r.Failure.Kind)
	case r.Limit != check.NoLimit:
		return "inconclusive: " + r.Limit.String()
	case r.Exhausted:
		return "complete"
	case r.Complete:
		if i := strings.Index(r.Strategy, "complete up to "); i >= 0 {
			rest := r.Strategy[i:]
			if j := strings.IndexByte(rest, ','); j >= 0 {
				rest = rest[:j]
			}
			return rest
		}
		return "complete"
	}
	return ""
}

// strategyName is the first word of a report's strategy.
func strategyName(s string) string {
	for i, c := range s {
		if c == ',' || c == ' ' {
			return s[:i]
		}
	}
	return s
}

func kindName(k check.FailureKind) string {
	switch k {
	case check.AssertionFailed:
		return "assertion"
	case check.Panicked:
		return "panic"
	case check.Deadlock:
		return "deadlock"
	case check.Leak:
		return "leak"
	case check.DataRace:
		return "data-race"
	case check.StepLimit:
		return "step-limit"
	case check.Nondeterminism:
		return "nondeterminism"
	case check.UncontrolledGoroutine:
		return "uncontrolled"
	}
	return k.String()
}

func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}

var resultsMu sync.Mutex

func writeResult(c config, r Result) {
	r.Type, r.Package = "result", c.pkg
	writeLine(c, r)
}

// writeLine appends one JSON line to the results file, if there is one.
func writeLine(c config, v any) {
	if c.results == "" {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	resultsMu.Lock()
	defer resultsMu.Unlock()
	f, err := os.OpenFile(c.results, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ludus check: results: %v\n", err)
		return
	}
	f.Write(append(b, '\n'))
	f.Close()
}
