package lock

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
)

// Kind says what a Report found.
type Kind int

const (
	// Cycle means the lock-order graph has a cycle: goroutines taking these
	// locks in the orders seen so far can deadlock, even if no run has yet.
	Cycle Kind = iota + 1
	// Recursive means a goroutine asked for a lock it already holds. Go's
	// locks are not reentrant, so without a timeout it waits forever.
	Recursive
	// LongWait means a goroutine waited for a lock longer than the limit
	// set with SetLongWait: a deadlock, or a lock held far too long.
	LongWait
)

func (k Kind) String() string {
	return enumName("Kind", int(k), "lock-order cycle", "recursive locking", "long wait")
}

// Edge is one "held From while taking To" order of the graph, as first seen.
type Edge struct {
	From, To string
	// Goroutine is the id of the goroutine that first took To while holding
	// From.
	Goroutine int64
	// Stack is where that happened, one "function\n\tfile:line" per frame,
	// innermost first.
	Stack string
}

// Report describes a potential deadlock.
type Report struct {
	Kind Kind
	// Locks names every lock class in the cycle, in order: each is held
	// while the next is taken, and the last is held while the first is
	// taken. Recursive and LongWait reports name one lock.
	Locks []string
	// Edges[i] is the order Locks[i] -> Locks[(i+1)%len(Locks)], with the
	// stack where it was first seen. For LongWait, the one edge's stack is
	// where the goroutine waits.
	Edges []Edge
}

// String formats the report as the default handler prints it.
func (r Report) String() string {
	var b strings.Builder
	if r.Kind == LongWait && len(r.Locks) == 1 && len(r.Edges) == 1 {
		fmt.Fprintf(&b, "lock: POTENTIAL DEADLOCK (long wait): goroutine %d waits for %s at:\n", r.Edges[0].Goroutine, r.Locks[0])
		writeStack(&b, r.Edges[0].Stack)
		return b.String()
	}
	fmt.Fprintf(&b, "lock: POTENTIAL DEADLOCK (%s): %s\n", r.Kind, strings.Join(append(r.Locks[:len(r.Locks):len(r.Locks)], r.Locks[0]), " -> "))
	for _, e := range r.Edges {
		fmt.Fprintf(&b, "  %s held while taking %s, first in goroutine %d at:\n", e.From, e.To, e.Goroutine)
		writeStack(&b, e.Stack)
	}
	return b.String()
}

func writeStack(b *strings.Builder, stack string) {
	for _, line := range strings.Split(strings.TrimRight(stack, "\n"), "\n") {
		b.WriteString("    ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
}

// handler holds the function OnPotentialDeadlock installed; nil means
// print to standard error. It is an atomic pointer so that a Lock on any
// goroutine can deliver without taking a lock of the package's own.
var handler atomic.Pointer[func(Report)]

func printReport(r Report) { fmt.Fprint(os.Stderr, r.String()) }

// OnPotentialDeadlock makes f receive every report from now on, in place of
// printing it to standard error, and returns the previous handler (nil for
// the default). f(nil) restores the default. Each cycle and each recursive
// class is reported once per process. f runs on the goroutine whose Lock
// found the problem, before that Lock waits, holding none of the package's
// internal locks: it may log, count, or panic to stop the program.
func OnPotentialDeadlock(f func(Report)) (previous func(Report)) {
	var old *func(Report)
	if f == nil {
		old = handler.Swap(nil)
	} else {
		old = handler.Swap(&f)
	}
	if old == nil {
		return nil
	}
	return *old
}

// deliver hands reports to the handler. Callers hold none of the
// package's locks (the handler may panic, or lock again).
func deliver(rs []Report) {
	for _, r := range rs {
		if f := handler.Load(); f != nil {
			(*f)(r)
		} else {
			printReport(r)
		}
	}
}
