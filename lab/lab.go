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

// Experiment reproduces one section of the guide. Run measures and returns
// one Claim per entry of Claims, in the same order.
type Experiment struct {
	// ID is stable: command-line selection and JSON consumers rely on it.
	ID string
	// Section names the part of the guide the experiment answers.
	Section string
	// Claims are the guide's sentences the experiment tests.
	Claims []string
	Run    func(ctx context.Context, env *Env) (Result, error)
}
