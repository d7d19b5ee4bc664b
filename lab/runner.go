package lab

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

// Machine describes where a report was measured.
type Machine struct {
	CPUs   int    `json:"cpus"`
	GOOS   string `json:"goos"`
	GOARCH string `json:"goarch"`
	Go     string `json:"go"`
}

// ThisMachine describes the running process's machine.
func ThisMachine() Machine {
	return Machine{CPUs: CPUs(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Go: runtime.Version()}
}

// Outcome is what became of one experiment: its claims with verdicts, or
// the error that stopped it.
type Outcome struct {
	ID      string  `json:"id"`
	Section string  `json:"section"`
	Claims  []Claim `json:"claims"`
	Error   string  `json:"error,omitempty"`
	// Elapsed is the experiment's wall-clock time; it is not part of the
	// JSON schema, which holds only measurements the experiment chose.
	Elapsed time.Duration `json:"-"`
}

// Report is the result of a lab run. Its JSON form is the schema that
// "ludus lab --json" prints.
type Report struct {
	Machine     Machine   `json:"machine"`
	Experiments []Outcome `json:"experiments"`
}

// Errored reports whether any experiment ended with an error.
func (r *Report) Errored() bool {
	for _, o := range r.Experiments {
		if o.Error != "" {
			return true
		}
	}
	return false
}

// Options configure a Runner.
type Options struct {
	// Quick asks every experiment for a short run (see Env.Quick).
	Quick bool
	// Only, when not empty, selects experiments by ID; they still run in
	// registry order.
	Only []string
	// Timeout bounds each experiment; zero means two minutes. An experiment
	// that overruns is cancelled through its context and reported as an
	// error.
	Timeout time.Duration
	// OnStart, OnStep and OnDone, when not nil, are called as the run
	// progresses, from the goroutine that called Run (OnStep may be called
	// from the experiment's goroutine).
	OnStart func(e Experiment)
	OnStep  func(e Experiment, step string)
	OnDone  func(o Outcome)
	// PlainCheck is handed to the experiments (Env.PlainCheck); the ludus
	// command sets it, nil leaves the claims about plain Go inconclusive.
	PlainCheck PlainChecker
}

// ErrUnknownExperiment is returned (wrapped) by Select for an ID that no
// experiment has.
var ErrUnknownExperiment = errors.New("unknown experiment")

// Select returns the experiments whose IDs are in ids, in the order of exps.
// An empty ids selects all of them.
func Select(exps []Experiment, ids []string) ([]Experiment, error) {
	if len(ids) == 0 {
		return exps, nil
	}
	known := make([]string, 0, len(exps))
	for _, e := range exps {
		known = append(known, e.ID)
	}
	for _, id := range ids {
		if !slices.Contains(known, id) {
			return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownExperiment, id, strings.Join(known, ", "))
		}
	}
	var out []Experiment
	for _, e := range exps {
		if slices.Contains(ids, e.ID) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Run runs the selected experiments one after another and reports each.
// An experiment that returns an error, panics or overruns is reported as
// errored and the others still run. Run returns an error only when the
// selection is invalid or ctx ends; the report then holds what ran.
func Run(ctx context.Context, exps []Experiment, opts Options) (Report, error) {
	rep := Report{Machine: ThisMachine()}
	sel, err := Select(exps, opts.Only)
	if err != nil {
		return rep, err
	}
	for _, e := range sel {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if opts.OnStart != nil {
			opts.OnStart(e)
		}
		o := runOne(ctx, e, opts)
		rep.Experiments = append(rep.Experiments, o)
		if opts.OnDone != nil {
			opts.OnDone(o)
		}
	}
	return rep, nil
}

// runOne isolates one experiment: its panics, its errors, its GOMAXPROCS
// changes and its overruns stay inside its Outcome.
func runOne(ctx context.Context, e Experiment, opts Options) Outcome {
	o := Outcome{ID: e.ID, Section: e.Section}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	env := &Env{Quick: opts.Quick, CPUs: CPUs(), PlainCheck: opts.PlainCheck}
	if opts.OnStep != nil {
		env.Progress = func(step string) { opts.OnStep(e, step) }
	}
	procs := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(procs)

	type ret struct {
		res Result
		err error
	}
	done := make(chan ret, 1)
	start := time.Now()
	go func() {
		var r ret
		defer func() {
			if v := recover(); v != nil {
				r.err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
			}
			done <- r
		}()
		if e.Run == nil {
			r.err = errors.New("experiment has no Run function")
			return
		}
		r.res, r.err = e.Run(ctx, env)
	}()
	var r ret
	select {
	case r = <-done:
	case <-ctx.Done():
		// Give a well-behaved experiment a moment to notice cancellation
		// before declaring it stuck.
		select {
		case r = <-done:
		case <-time.After(5 * time.Second):
			r.err = fmt.Errorf("did not stop within 5s of cancellation: %w", ctx.Err())
		}
	}
	o.Elapsed = time.Since(start)
	if r.err == nil {
		o.Claims, r.err = matchClaims(e.ClaimSpecs(), r.res.Claims)
	}
	if r.err != nil {
		o.Error = r.err.Error()
		// JSON consumers get an empty list, not null, beside the error.
		o.Claims = []Claim{}
	}
	return o
}

// matchClaims pairs each verdict with the claim it names by ID and returns
// them in the order of specs, each with its ID and sentence filled in. A
// verdict without an ID or for an undeclared claim, two for one claim, a
// declared claim without one, a sentence that differs from the declared
// one, or a verdict that is not one of the three is an error: it would
// mislabel a result.
func matchClaims(specs []ClaimSpec, got []Claim) ([]Claim, error) {
	if err := checkSpecs(specs); err != nil {
		return nil, err
	}
	out := make([]Claim, len(specs))
	seen := make([]bool, len(specs))
	for _, c := range got {
		key := c.ID
		i := slices.IndexFunc(specs, func(s ClaimSpec) bool { return s.ID == key })
		switch {
		case key == "":
			return nil, fmt.Errorf("returned a verdict without a claim ID (sentence %q)", c.Claim)
		case i < 0:
			return nil, fmt.Errorf("returned a verdict for claim %q, which it does not declare (declared: %s)", key, specIDs(specs))
		case seen[i]:
			return nil, fmt.Errorf("returned two verdicts for claim %q", key)
		case c.Claim != "" && c.Claim != specs[i].Text:
			return nil, fmt.Errorf("claim %q: the verdict's sentence %q is not the declared %q", key, c.Claim, specs[i].Text)
		case c.Verdict != Holds && c.Verdict != Fails && c.Verdict != Inconclusive:
			return nil, fmt.Errorf("claim %q has verdict %q", key, c.Verdict)
		}
		seen[i] = true
		c.ID, c.Claim = specs[i].ID, specs[i].Text
		out[i] = c
	}
	for i, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("returned no verdict for claim %q (%d verdicts for the %d claims it declares)", specs[i].ID, len(got), len(specs))
		}
	}
	return out, nil
}

// checkSpecs rejects a declaration whose claims cannot be told apart.
func checkSpecs(specs []ClaimSpec) error {
	if len(specs) == 0 {
		return errors.New("declares no claims")
	}
	for i, s := range specs {
		switch {
		case s.ID == "":
			return fmt.Errorf("claim %d has no ID", i)
		case s.Text == "":
			return fmt.Errorf("claim %q has no sentence", s.ID)
		case slices.ContainsFunc(specs[:i], func(o ClaimSpec) bool { return o.ID == s.ID }):
			return fmt.Errorf("declares claim %q twice", s.ID)
		}
	}
	return nil
}

func specIDs(specs []ClaimSpec) string {
	ids := make([]string, len(specs))
	for i, s := range specs {
		ids[i] = fmt.Sprintf("%q", s.ID)
	}
	return strings.Join(ids, ", ")
}
