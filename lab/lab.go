// Package lab turns the guide's claims into experiments that measure them
// on this machine and give each a verdict: holds, fails, or inconclusive.
//
// An Experiment declares its claims (ClaimSpec: a stable ID and the guide's
// sentence) and returns one Claim per ID, with the verdict, the evidence in
// a sentence and the measurements behind it. Run runs experiments one at a
// time, isolates their panics, errors and overruns, and matches each
// verdict to its claim by ID, so that reordering or renaming claims can
// never attach a verdict to the wrong sentence.
//
// A measurement is only as good as the machine's noise allows. Timings are
// taken in rounds, the variants of one comparison taking turns within each
// round (TimeInterleaved), and Judge decides from the median while the
// spread between rounds has the last word: when some round says the
// opposite of the median (a busy machine, another process taking a core),
// the verdict is inconclusive and the evidence shows the spread, because
// noise as large as the effect proves nothing either way. Limits (a retry
// budget, a time-out) are likewise never verdicts.
package lab

import (
	"context"
	"fmt"
)

// Verdict is what a machine says about one claim of the guide.
type Verdict string

const (
	// Holds means the measurements support the claim on this machine.
	Holds Verdict = "holds"
	// Fails means the measurements contradict the claim on this machine.
	Fails Verdict = "fails"
	// Inconclusive means the measurements cannot decide: too noisy, too few
	// cores, or too few trials.
	Inconclusive Verdict = "inconclusive"
)

// Claim is one sentence of the guide, the verdict this machine gives it, and
// the numbers behind that verdict.
type Claim struct {
	// ID names the claim within its experiment (see ClaimSpec). An
	// experiment sets it, and the runner matches the verdict to the
	// declared claim by it and fills in Claim.
	ID           string             `json:"id"`
	Claim        string             `json:"claim"`
	Verdict      Verdict            `json:"verdict"`
	Evidence     string             `json:"evidence"`
	Measurements map[string]float64 `json:"measurements"`
	// Detail is optional multi-line text printed under the evidence (for
	// example the checker's interleaving). JSON consumers get it verbatim.
	Detail string `json:"detail,omitempty"`
}

// Result is what one run of an experiment produced.
type Result struct {
	Claims []Claim
}

// Env is what the runner hands to an experiment.
type Env struct {
	// Quick asks for a short run: fewer repetitions and smaller inputs, enough
	// to exercise every code path (tests use it) but not to measure well.
	Quick bool
	// CPUs is the number of logical CPUs usable by this process.
	CPUs int
	// Progress, if not nil, receives a short description of what the
	// experiment is doing now; the command shows it on a progress line.
	Progress func(step string)
	// PlainCheck, if not nil, runs "ludus check" on a module of plain Go
	// code (see PlainChecker); without it the claims about plain Go are
	// inconclusive.
	PlainCheck PlainChecker
}

// Step reports what the experiment does now. It is safe on a nil Env or an
// Env without a Progress function.
func (e *Env) Step(format string, args ...any) {
	if e == nil || e.Progress == nil {
		return
	}
	e.Progress(fmt.Sprintf(format, args...))
}

// Scale returns quick when the run is quick and full otherwise: the one
// place where an experiment chooses its sizes.
func (e *Env) Scale(full, quick int) int {
	if e != nil && e.Quick {
		return quick
	}
	return full
}

// ClaimSpec declares one claim of an experiment.
type ClaimSpec struct {
	// ID names the claim within its experiment ("sum-of-latencies"). It is
	// stable: verdicts are matched to claims by it, never by position, and
	// JSON consumers and links rely on it.
	ID string
	// Text is the guide's sentence.
	Text string
}

// Experiment reproduces one section of the guide. Run measures and returns
// one Claim per declared claim, each naming its claim by ID (in any order:
// the runner puts them in the order of the declaration).
type Experiment struct {
	// ID is stable: command-line selection and JSON consumers rely on it.
	ID string
	// Section names the part of the guide the experiment answers.
	Section string
	// Specs declare the claims the experiment tests.
	Specs []ClaimSpec
	Run   func(ctx context.Context, env *Env) (Result, error)
}

// ClaimSpecs returns the claims e declares.
func (e Experiment) ClaimSpecs() []ClaimSpec { return e.Specs }

// NewClaim starts the verdict for the claim e declares under id: a Claim
// with its ID, its sentence and an empty measurement map. An id that e does
// not declare gives a Claim the runner rejects (it names the id).
func (e Experiment) NewClaim(id string) Claim {
	c := Claim{ID: id, Measurements: map[string]float64{}}
	for _, s := range e.ClaimSpecs() {
		if s.ID == id {
			c.Claim = s.Text
		}
	}
	return c
}
