// Package errmode names what a set of concurrent tasks does when some of
// them fail, and collects their errors in a stable order.
//
// Running tasks concurrently raises a question sequential code never asks:
// when one task fails, do the others still matter? FirstError says no: the
// first failure cancels the rest and is the answer (errgroup's way, the
// guide's Promise.all). AllErrors says yes: every task runs, and the answer
// lists every failure (Promise.allSettled's way, conc's ErrorPool). Package
// par (ForCtx, MapCtx) and package pool (Group) both offer the choice with
// this one type.
package errmode

import (
	"errors"
	"slices"
	"sync"
)

// Mode says what a set of concurrent tasks does with their errors.
type Mode uint8

const (
	// FirstError: the first error stops the others and is the result.
	FirstError Mode = iota
	// AllErrors: errors stop nothing; the result joins every error.
	AllErrors
)

func (m Mode) String() string {
	switch m {
	case FirstError:
		return "first error"
	case AllErrors:
		return "all errors"
	}
	return "errmode.Mode(?)"
}

// Collector gathers the errors of concurrent tasks, each with its task's
// number, and joins them in the order of those numbers, whatever order
// they failed in. Its zero value is ready to use; it is safe for
// concurrent use.
type Collector struct {
	mu   sync.Mutex
	errs []numbered // in the order they were added
}

type numbered struct {
	i   int
	err error
}

// Add records err (if not nil) as the error of task i.
func (c *Collector) Add(i int, err error) {
	if err == nil {
		return
	}
	c.mu.Lock()
	c.errs = append(c.errs, numbered{i, err})
	c.mu.Unlock()
}

// Join returns the recorded errors in task order, followed by the non-nil
// errors of last (a cause that concerns no one task, such as a cancelled
// context), joined with errors.Join; nil when there are none.
func (c *Collector) Join(last ...error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	slices.SortStableFunc(c.errs, func(a, b numbered) int { return a.i - b.i })
	errs := make([]error, 0, len(c.errs)+len(last))
	for _, e := range c.errs {
		errs = append(errs, e.err)
	}
	return errors.Join(append(errs, last...)...)
}
