package check

import (
	"errors"

	"github.com/labludus/ludus/check/internal/engine"
)

// Position is where a Walk stopped: what ran, who can run next, and the
// state of every checked object.
type Position struct {
	Trace   []Step        // what ran so far, one line per operation
	Choices []Choice      // who can run next; empty when the execution ended
	Done    bool          // the execution ended (then Failure tells how)
	Failure *Failure      // the failure the execution ended in, if any
	Objects []ObjectState // every checked object touched so far
}

// Choice is a goroutine that can run at a decision, with the operation it
// will perform if chosen and where it is in the source.
type Choice struct{ Goroutine, Op, Location string }

// ObjectState is a checked object and its state in words: Kind "var",
// "mutex", "chan", ...; State "1000", "locked by A", "2 of 3 buffered".
type ObjectState struct{ Name, Kind, State string }

// Walk runs body along path, the names of the goroutines chosen at each
// decision in order, and stops at the next decision (or at the end of the
// execution): the scheduler driven by hand. It is deterministic: the same
// path gives the same Position. Due timers fire on their own. An error
// means the path names a goroutine that cannot run at that point (it says
// which can), or an option is wrong.
func Walk(body func(*T), path []string, opts ...Option) (Position, error) {
	o := build(opts)
	if err := errors.Join(o.errs...); err != nil {
		return Position{}, err
	}
	w, err := engine.Walk(o.eo, func(g *engine.G) { body(&T{e: g.Engine()}) }, path)
	if err != nil {
		return Position{}, err
	}
	p := Position{Done: w.Done}
	for _, s := range w.Trace {
		p.Trace = append(p.Trace, Step{s.Goroutine, s.Op, s.Location})
	}
	for _, c := range w.Choices {
		p.Choices = append(p.Choices, Choice(c))
	}
	for _, s := range w.Objects {
		p.Objects = append(p.Objects, ObjectState(s))
	}
	if f := w.Failure; f != nil {
		p.Failure = &Failure{Kind: FailureKind(f.Kind), Message: f.Message, Trace: p.Trace}
	}
	return p, nil
}
