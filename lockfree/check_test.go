//go:build ludus_check

package lockfree

import (
	"strings"
	"testing"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

// Built with -tags ludus_check, lockfree's atomics are check/atomic: every
// Load, Store and CompareAndSwap is a scheduling point of the ludus checker.
// These tests explore small scenarios (2-3 goroutines, 2-3 operations each)
// exhaustively with DPOR and check every explored execution's history with
// linear.Check: the two checkers together verify linearizability of each
// interleaving, not just the absence of crashes.
//
//	go test -tags ludus_check -run Check ./lockfree/

// program is one goroutine's operations.
type program[I any] []I

// exploreHistory runs one goroutine per program on a fresh object, records
// the history and fails the execution if m does not linearize it.
func exploreHistory[T, S, I, O any](m linear.Model[S, I, O], newObj func() T, run func(T, I) O, progs []program[I]) func(t *check.T) {
	return func(t *check.T) {
		obj := newObj()
		var rec linear.Recorder[I, O]
		for g, prog := range progs {
			t.Go(string(rune('A'+g)), func() {
				for _, in := range prog {
					id := rec.Call(g, in)
					rec.Return(id, run(obj, in))
				}
			})
		}
		t.Wait()
		if res := linear.Check(m, rec.History()); !res.Linearizable() {
			t.Errorf("history not linearizable: %v", res)
		}
	}
}

func put(v int) models.SeqInput[int] { return models.SeqInput[int]{Op: models.Put, Value: v} }

var take = models.SeqInput[int]{Op: models.Take}

func seqRun[T any](put func(T, int), take func(T) (int, bool)) func(T, models.SeqInput[int]) models.SeqOutput[int] {
	return func(obj T, in models.SeqInput[int]) models.SeqOutput[int] {
		if in.Op == models.Put {
			put(obj, in.Value)
			return models.SeqOutput[int]{}
		}
		v, ok := take(obj)
		return models.SeqOutput[int]{Value: v, OK: ok}
	}
}

// seqScenarios are the queue/stack scenarios explored.
var seqScenarios = map[string][]program[models.SeqInput[int]]{
	"2x(put,take)":       {{put(1), take}, {put(2), take}},
	"put,put|take,take":  {{put(1), put(2)}, {take, take}},
	"put,take|put|take":  {{put(1), take}, {put(2)}, {take}},
	"put,put|put|take,t": {{put(1), put(2)}, {put(3)}, {take, take}},
}

func mustExplore(t *testing.T, body func(*check.T), opts ...check.Option) check.Report {
	t.Helper()
	rep := check.Explore(t, body, append([]check.Option{check.Exhaustive(), check.MaxExecutions(200000)}, opts...)...)
	t.Logf("%d executions, %s", rep.Executions, rep.Strategy)
	if !rep.Exhausted {
		t.Errorf("exploration not exhaustive: %s", rep.Strategy)
	}
	return rep
}

func TestCheckStack(t *testing.T) {
	for name, progs := range seqScenarios {
		t.Run(name, func(t *testing.T) {
			mustExplore(t, exploreHistory(models.Stack[int](), func() *Stack[int] { return new(Stack[int]) },
				seqRun((*Stack[int]).Push, (*Stack[int]).Pop), progs))
		})
	}
}

// newQueue returns an initialised queue: the lazy installation of the dummy
// node is covered by the stress tests, and leaving it out here keeps the
// three-goroutine explorations within budget.
func newQueue() *Queue[int] { q := new(Queue[int]); q.init(); return q }

func TestCheckQueue(t *testing.T) {
	for name, progs := range seqScenarios {
		if name == "put,put|put|take,t" {
			continue // beyond 200000 executions: the queue has more steps per operation
		}
		t.Run(name, func(t *testing.T) {
			mustExplore(t, exploreHistory(models.Queue[int](), newQueue,
				seqRun((*Queue[int]).Enqueue, (*Queue[int]).Dequeue), progs))
		})
	}
}

func bqPush(v int) bqIn { return bqIn{push: true, value: v} }

var bqPop = bqIn{}

var bqClose = bqIn{close: true}

func ringRun[R interface {
	TryPush(int) bool
	TryPop() (int, bool)
	Close()
}](r R, in bqIn) bqOut {
	if in.close {
		r.Close()
		return bqOut{}
	}
	if in.push {
		return bqOut{ok: r.TryPush(in.value)}
	}
	v, ok := r.TryPop()
	return bqOut{value: v, ok: ok}
}

var ringScenarios = map[string][]program[bqIn]{
	"2x(push,pop)":        {{bqPush(1), bqPop}, {bqPush(2), bqPop}},
	"push,push|pop,pop":   {{bqPush(1), bqPush(2)}, {bqPop, bqPop}},
	"push,pop|push|pop":   {{bqPush(1), bqPop}, {bqPush(2)}, {bqPop}},
	"push,push|push|pop":  {{bqPush(1), bqPush(2)}, {bqPush(3)}, {bqPop}},
	"push|push,pop|pop,p": {{bqPush(1)}, {bqPush(2), bqPop}, {bqPop, bqPush(3)}},
	// Close against pushes and pops: no push may succeed after it, no
	// value pushed before it may be lost.
	"push,push|close|pop": {{bqPush(1), bqPush(2)}, {bqClose}, {bqPop}},
	"push,pop|close,push": {{bqPush(1), bqPop}, {bqClose, bqPush(2)}},
	"push|pop,pop|close":  {{bqPush(1)}, {bqPop, bqPop}, {bqClose}},
}

func TestCheckRing(t *testing.T) {
	for _, capacity := range []int{1, 2} {
		for name, progs := range ringScenarios {
			t.Run(name, func(t *testing.T) {
				mustExplore(t, exploreHistory(boundedQueue(capacity), func() *Ring[int] { return mustRingT[int](capacity) },
					ringRun[*Ring[int]], progs))
			})
		}
	}
}

func counterRun[C interface {
	Add(int64)
	Load() int64
}](c C, in models.CounterInput) models.CounterOutput {
	if in.Op == models.Add {
		c.Add(in.Delta)
		return models.CounterOutput{}
	}
	return models.CounterOutput{Value: c.Load()}
}

var (
	inc = models.CounterInput{Op: models.Add, Delta: 1}
	get = models.CounterInput{Op: models.Get}
)

var counterScenarios = map[string][]program[models.CounterInput]{
	"inc,get|inc,get":     {{inc, get}, {inc, get}},
	"inc,inc|inc|get,get": {{inc, inc}, {inc}, {get, get}},
	"inc|inc|inc,get":     {{inc}, {inc}, {inc, get}},
}

func TestCheckCounter(t *testing.T) {
	for name, progs := range counterScenarios {
		t.Run(name, func(t *testing.T) {
			mustExplore(t, exploreHistory(models.Counter(), func() *Counter { return new(Counter) },
				counterRun[*Counter], progs))
		})
		t.Run(name+"/striped", func(t *testing.T) {
			mustExplore(t, exploreHistory(models.Counter(), func() *Counter { c := new(Counter); c.grow(); return c },
				counterRun[*Counter], progs))
		})
	}
}

// The broken variants: check must find a failing interleaving of each.

func mustCatch(t *testing.T, body func(*check.T)) {
	t.Helper()
	rep := check.Run(body, check.Exhaustive())
	if rep.Failure == nil {
		t.Fatalf("checker missed the bug in %d executions (%s)", rep.Executions, rep.Strategy)
	}
	if rep.Failure.Kind != check.AssertionFailed || !strings.Contains(rep.Failure.Message, "not linearizable") {
		t.Fatalf("checker failed for another reason: %v", rep.Failure)
	}
	t.Logf("caught after %d executions:\n%v", rep.Executions, rep.Failure)
}

func TestCheckCatchesRacyStack(t *testing.T) {
	mustCatch(t, exploreHistory(models.Stack[int](), func() *racyStack { return new(racyStack) },
		seqRun((*racyStack).Push, (*racyStack).Pop), []program[models.SeqInput[int]]{{put(1), put(2)}, {take}, {take}}))
}

func TestCheckCatchesRacyCounter(t *testing.T) {
	mustCatch(t, exploreHistory(models.Counter(), func() *racyCounter { return new(racyCounter) },
		counterRun[*racyCounter], []program[models.CounterInput]{{inc, get}, {inc, get}}))
}

func TestCheckCatchesRacyRing(t *testing.T) {
	mustCatch(t, exploreHistory(boundedQueue(2), func() *racyRing { return newRacyRing(2) },
		ringRun[*racyRing], []program[bqIn]{{bqPush(1)}, {bqPush(2)}, {bqPop, bqPop}}))
}
