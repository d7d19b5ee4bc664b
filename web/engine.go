package web

import (
	"time"

	"github.com/labludus/ludus/check"
)

// checkDriver is the playground's driver on package check: Walk for a
// step, Run with KeepGoing for the counts.
type checkDriver struct{}

// Bounds of one exploration, so that a request stays short: the scenarios
// have a few hundred interleavings at most.
const (
	exploreExecutions = 100_000
	exploreTime       = 10 * time.Second
)

func (checkDriver) walk(body func(*check.T), path []string) (position, error) {
	p, err := check.Walk(body, path)
	if err != nil {
		return position{}, err
	}
	pos := position{Trace: p.Trace, Done: p.Done, Failure: p.Failure}
	for _, c := range p.Choices {
		pos.Choices = append(pos.Choices, check.Step(c))
	}
	for _, o := range p.Objects {
		pos.Objects = append(pos.Objects, objectState(o))
	}
	return pos, nil
}

func (checkDriver) explore(body func(*check.T), reduce bool) (exploration, error) {
	opts := []check.Option{check.KeepGoing(), check.Exhaustive(), check.MaxExecutions(exploreExecutions), check.MaxTime(exploreTime)}
	if !reduce {
		opts = append(opts, check.NoReduction())
	}
	r := check.Run(body, opts...)
	if r.Err != nil {
		return exploration{}, r.Err
	}
	return exploration{Schedules: r.Executions, Failed: r.Failed, Complete: r.Complete, Strategy: r.Strategy,
		Limit: r.LimitDetail, Failure: r.Failure}, nil
}
