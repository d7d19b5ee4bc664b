package web

import "github.com/labludus/ludus/check"

// driver is the engine behind the playground: it replays a scenario along
// a path of choices and stops at the next decision, and it explores every
// schedule of a scenario. engine.go implements it with package check's
// Walk and KeepGoing; the playground depends on nothing else of the
// checker's stepping.
type driver interface {
	// walk runs body along path (the goroutine chosen at each decision) and
	// stops at the next decision or at the end. An error means the path
	// names a goroutine that cannot run at that point.
	walk(body func(*check.T), path []string) (position, error)
	// explore runs every schedule of body and counts the failing ones;
	// with reduce, schedules that differ only in the order of independent
	// steps count once (DPOR). An error means it could not run.
	explore(body func(*check.T), reduce bool) (exploration, error)
}

// position is where a walk stopped.
type position struct {
	Trace   []check.Step   // what ran so far
	Choices []check.Step   // who may run next, and what it will do; empty at the end
	Done    bool           // the execution ended
	Failure *check.Failure // how it failed, if it did
	Objects []objectState  // every checked object touched so far
}

// objectState is a checked object as the playground lists it.
type objectState struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`  // "var", "mutex", "chan", ...
	State string `json:"state"` // "1000", "locked by A", ...
}

// exploration is what exploring every schedule found.
type exploration struct {
	Schedules int            // schedules run
	Failed    int            // of those, how many failed
	Complete  bool           // every schedule was run
	Strategy  string         // how the schedules were chosen
	Limit     string         // the limit that cut the search short, in words; "" if none
	Failure   *check.Failure // the first failing schedule, or nil
}
