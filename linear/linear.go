package linear

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Pending is the Return time of an operation whose outcome is unknown: it was
// called but never answered (a crash, a timeout, a client that gave up). Such
// an operation may take effect at any moment after its call, or never.
const Pending int64 = math.MaxInt64

// Operation is one call of a concurrent object as a client saw it: what it
// asked, what it got, and when (in any monotonic unit). The interval
// [Call, Return] is closed: two operations whose intervals touch are
// concurrent.
type Operation[I, O any] struct {
	Client int
	Input  I
	Output O
	Call   int64
	// Return is Pending when the outcome is unknown; Output is then whatever
	// the producer stored and the model decides what it means.
	Return int64
}

// IsPending reports whether the operation never returned.
func (op Operation[I, O]) IsPending() bool { return op.Return == Pending }

// Model is the sequential specification of an object: the state it starts
// in and how each operation moves it. Step must be a pure function: it may
// not modify the state it is given (return a new one instead), because the
// checker revisits states and caches transitions.
type Model[S, I, O any] struct {
	// Init returns the initial state.
	Init func() S
	// Step reports whether the operation (in, out) is legal in state and, if
	// so, the state after it. For a pending operation out is the stored
	// Output: the model decides what an unknown result allows.
	Step func(state S, in I, out O) (ok bool, next S)
	// Equal compares states; nil means ==, which needs a comparable S.
	Equal func(a, b S) bool
	// Hash, optional, must give Equal states equal hashes. With it the
	// checker identifies states in constant time; without it, it falls back
	// to == on comparable states or a linear scan with Equal.
	Hash func(S) uint64
	// ReadOnly, optional, reports whether an operation leaves the state
	// unchanged in every state where it is legal: a read, a get, a
	// compare-and-set that failed, a dequeue that found the queue empty.
	// Such an operation commutes with everything around it, so once it
	// is legal the checker places it at once without trying other orders
	// (a partial-order reduction); a wrong answer here can make the
	// checker miss a linearization.
	ReadOnly func(in I, out O) bool
	// Partition, optional, splits a history into independent sub-histories
	// (P-compositionality): the history is linearizable if and only if each
	// part is. Each part is checked on its own, in parallel, from Init.
	Partition func(ops []Operation[I, O]) [][]Operation[I, O]
	// Describe and DescribeState, optional, render operations and states
	// in reports; the default is %v.
	Describe      func(in I, out O) string
	DescribeState func(S) string
}

// describe renders an operation with the model's Describe or %v.
func (m Model[S, I, O]) describe(op Operation[I, O]) string {
	if m.Describe != nil {
		return m.Describe(op.Input, op.Output)
	}
	if op.IsPending() {
		return fmt.Sprintf("%v -> ?", op.Input)
	}
	return fmt.Sprintf("%v -> %v", op.Input, op.Output)
}

// describeState renders a state with the model's DescribeState or %v.
func (m Model[S, I, O]) describeState(s S) string {
	if m.DescribeState != nil {
		return m.DescribeState(s)
	}
	return fmt.Sprintf("%v", s)
}

// Verdict is the outcome of a check.
type Verdict uint8

const (
	// Unknown means the check stopped before deciding: timeout,
	// cancellation or an invalid model or history (see Result.Err).
	Unknown Verdict = iota
	// Linearizable means some sequential order of the operations, consistent
	// with real time, explains every result.
	Linearizable
	// NotLinearizable means no such order exists.
	NotLinearizable
)

// String returns "linearizable", "not linearizable" or "unknown".
func (v Verdict) String() string {
	switch v {
	case Linearizable:
		return "linearizable"
	case NotLinearizable:
		return "not linearizable"
	}
	return "unknown"
}

// MarshalText makes a Verdict print as its String in JSON.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// Errors that Result.Err wraps, matchable with errors.Is.
var (
	// ErrInvalidModel: the model lacks Init or Step, or its states cannot be
	// compared.
	ErrInvalidModel = errors.New("linear: invalid model")
	// ErrInvalidHistory: an operation returns before its call.
	ErrInvalidHistory = errors.New("linear: invalid history")
	// ErrStopped: a part was not finished because another part was already
	// found not linearizable (see AllParts).
	ErrStopped = errors.New("linear: stopped after another part failed")
	// ErrMemoryLimit: the check's tables reached the MaxMemory cap. The
	// error names the cap.
	ErrMemoryLimit = errors.New("linear: memory limit reached")
)

// Limits are not verdicts: a check that runs out of time answers Unknown
// with an Err wrapping context.DeadlineExceeded (and naming the timeout),
// one that runs out of memory with ErrMemoryLimit.

// Result is the outcome of Check. Operation numbers in it are indices into
// the history given to Check.
type Result struct {
	Verdict Verdict
	// Err says why the verdict is Unknown: context.DeadlineExceeded,
	// context.Canceled, ErrMemoryLimit, ErrInvalidModel or
	// ErrInvalidHistory (wrapped).
	Err error
	// Parts holds one entry per partition (one in all if the model does not
	// partition), in the order Partition returned them. Unless AllParts is
	// given, the check stops at the first part found not linearizable; the
	// parts it did not finish are Unknown with ErrStopped.
	Parts []Part
	// Explored counts the search configurations visited, over all parts.
	Explored int64
}

// Part is the outcome for one independent sub-history.
type Part struct {
	Verdict Verdict
	// Err is set when the part's Verdict is Unknown.
	Err error
	// Ops are the part's operations (history indices), in the order the
	// partition function returned them. -1 marks an operation the partition
	// function made up (not found in the history).
	Ops []int
	// Linearization is a complete sequential order of the part's completed
	// operations (and of the pending ones that had to take effect) when the
	// part is linearizable; otherwise the longest linearizable prefix found.
	Linearization []int
	// Unplaced, when the part is not linearizable, lists the operations that
	// could not be placed after the longest prefix: every candidate for the
	// next position was illegal or led to a dead end. Its first entry is the
	// earliest-returning one, the operation that forced the dead end.
	Unplaced []int
	// Explored counts the search configurations visited in this part, by
	// every search order that ran on it.
	Explored int64
	// Order is the search order whose search decided the part (see
	// SearchOrders); zero when the part was not decided.
	Order Order
}

// Linearizable reports whether the verdict is Linearizable.
func (r Result) Linearizable() bool { return r.Verdict == Linearizable }

// String summarises the result in one line.
func (r Result) String() string {
	var b strings.Builder
	b.WriteString(r.Verdict.String())
	if r.Err != nil {
		fmt.Fprintf(&b, " (%v)", r.Err)
	}
	var bad []string
	for i, p := range r.Parts {
		if p.Verdict == NotLinearizable {
			bad = append(bad, fmt.Sprintf("part %d: %d of %d operations placed, stuck at %v", i, len(p.Linearization), len(p.Ops), p.Unplaced))
		}
	}
	if len(bad) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(bad, "; "))
	}
	return b.String()
}

// Option configures Check.
type Option func(*config)

type config struct {
	ctx      context.Context
	timeout  time.Duration
	workers  int
	maxMem   int64   // bytes; 0: the default; negative: none
	allParts bool    // check every part, even after one fails
	orders   []Order // the search orders run on each part
}

// Timeout bounds the check's duration; past it the verdict is Unknown with
// the progress made so far. Zero or negative means no limit, the default.
func Timeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// Context stops the check when ctx is done; the verdict is then Unknown.
func Context(ctx context.Context) Option { return func(c *config) { c.ctx = ctx } }

// Parallelism sets how many goroutines search at once (default, and zero
// or negative: GOMAXPROCS). The parts of a history share them by turns, so
// one goroutine still makes progress on every part; a history that does
// not partition is searched on one.
func Parallelism(n int) Option { return func(c *config) { c.workers = n } }

// MaxMemory caps the memory the check holds, in bytes: the memo of
// explored configurations, the transition caches and the model states it
// keeps (their size estimated by sampling). At the cap the verdict is
// Unknown with ErrMemoryLimit. Zero means the default, a quarter of the
// machine's memory (or of the cgroup's limit, if lower); negative means no
// cap.
func MaxMemory(bytes int64) Option { return func(c *config) { c.maxMem = bytes } }

// AllParts checks every part of a partitioned history to the end. By
// default the check stops as soon as one part is found not linearizable:
// the history is then not linearizable, and the other parts are left
// Unknown with ErrStopped.
func AllParts() Option { return func(c *config) { c.allParts = true } }

// SearchOrders chooses the orders in which each part is searched, the
// first alone at first and the second (as a portfolio) once the first has
// run 5 ms without deciding; the default is ReturnsFirst then CallOrder.
// The two walk by turns and share their memo of explored configurations,
// so on a part that fails the second costs little, and on one that is
// linearizable the first to find a linearization decides. Unknown orders
// and repeats are ignored; none means the default.
func SearchOrders(orders ...Order) Option {
	return func(c *config) { c.orders = orders }
}

// Order is the order in which a search tries the operations that may come
// next. Every order tries every candidate, so all give the same verdict;
// they differ in how soon they find a linearization, and no single order
// is best on every history.
type Order uint8

const (
	// ReturnsFirst tries first the operation whose return comes first (it
	// must be linearized before anything returns: Lowe's just-in-time
	// choice), then the other completed operations in call order, then
	// the pending ones (which need never take effect), and searches only
	// one order of interchangeable operations (twins: equal input and
	// output, one within the other's interval).
	ReturnsFirst Order = iota + 1
	// CallOrder tries the candidates in the order they were called,
	// pending ones included: the order of porcupine's search.
	CallOrder
)

// String returns "returns-first" or "call-order".
func (o Order) String() string {
	switch o {
	case ReturnsFirst:
		return "returns-first"
	case CallOrder:
		return "call-order"
	case 0:
		return "none"
	}
	return fmt.Sprintf("Order(%d)", uint8(o))
}

// Explain renders a result for a person: the verdict; for each part left
// undecided, the progress made; and for each part that is not
// linearizable, how many operations the longest linearizable
// prefix placed, the state it left, and the operations that did not fit
// after it (the first one, marked *, is the one whose return forced the
// dead end). Operations show as the model describes them, with their
// client and call time. history and res must belong together.
func Explain[S, I, O any](m Model[S, I, O], history []Operation[I, O], res Result) (text string) {
	var b strings.Builder
	defer func() {
		if v := recover(); v != nil {
			text = b.String() + fmt.Sprintf("\n(the model panicked while describing: %v)\n", v)
		}
	}()
	b.WriteString(res.Verdict.String())
	if res.Err != nil && !errors.Is(res.Err, ErrStopped) {
		fmt.Fprintf(&b, " (%v)", res.Err)
	}
	b.WriteString("\n")
	valid := func(i int) bool { return i >= 0 && i < len(history) }
	for p, part := range res.Parts {
		if part.Verdict == Unknown && part.Err != nil && !errors.Is(part.Err, ErrStopped) {
			fmt.Fprintf(&b, "part %d: undecided after %d configurations; the longest linearizable prefix so far places %d of %d operations\n",
				p, part.Explored, len(part.Linearization), len(part.Ops))
		}
		if part.Verdict != NotLinearizable {
			continue
		}
		fmt.Fprintf(&b, "part %d: the longest linearizable prefix places %d of %d operations", p, len(part.Linearization), len(part.Ops))
		state, ok := m.Init(), true
		for _, i := range part.Linearization {
			if !valid(i) {
				ok = false
				break
			}
			if ok, state = safeStep(m, state, history[i]); !ok {
				break
			}
		}
		if ok {
			fmt.Fprintf(&b, ", leaving state %s", clip(m.describeState(state), maxStateText))
		}
		b.WriteString("; then none of these fits:\n")
		for k, i := range part.Unplaced {
			mark := " "
			if k == 0 {
				mark = "*"
			}
			if valid(i) {
				op := history[i]
				fmt.Fprintf(&b, "  %s %s (client %d, called at %d)\n", mark, m.describe(op), op.Client, op.Call)
			}
		}
	}
	return b.String()
}
