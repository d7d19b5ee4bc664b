//lint:file-ignore SA2001 lock-order scenarios take locks only to hold them

//lint:file-ignore SA9010 OnPotentialDeadlock returns the previous handler, which the deferred call restores

//go:build !ludus_nolockdep

package lock

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// The helpers of the detection tests: reports collects what the handler
// is given, checkCycle checks a cycle report.

var freshNames atomic.Int64

// fresh makes a class name unique to this run of the test: the graph
// reports a cycle once per process, and -count reruns tests in one.
func fresh(name string) string {
	return fmt.Sprintf("%s#%d", name, freshNames.Add(1))
}

// reports makes the handler collect reports for the rest of the test.
func reports(t *testing.T) func() []Report {
	t.Helper()
	var mu sync.Mutex
	var rs []Report
	old := OnPotentialDeadlock(func(r Report) {
		mu.Lock()
		rs = append(rs, r)
		mu.Unlock()
	})
	t.Cleanup(func() { OnPotentialDeadlock(old) })
	return func() []Report {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(rs)
	}
}

// inGoroutine runs f in a new goroutine and waits for it, so that orders
// are taken by different goroutines at different times.
func inGoroutine(f func()) {
	var wg sync.WaitGroup
	wg.Go(f)
	wg.Wait()
}

func nested(outer, inner *Mutex) func() {
	return func() {
		outer.Lock()
		inner.Lock()
		inner.Unlock()
		outer.Unlock()
	}
}

func checkCycle(t *testing.T, got []Report, names ...string) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("got %d reports, want 1: %v", len(got), got)
	}
	r := got[0]
	if r.Kind != Cycle {
		t.Fatalf("kind = %v, want Cycle", r.Kind)
	}
	gotNames := slices.Sorted(slices.Values(r.Locks))
	if !slices.Equal(gotNames, slices.Sorted(slices.Values(names))) {
		t.Fatalf("locks = %v, want %v", r.Locks, names)
	}
	if len(r.Edges) != len(names) {
		t.Fatalf("%d edges, want %d", len(r.Edges), len(names))
	}
	for i, e := range r.Edges {
		if e.From != r.Locks[i] || e.To != r.Locks[(i+1)%len(r.Locks)] {
			t.Fatalf("edge %d = %s -> %s, out of order with %v", i, e.From, e.To, r.Locks)
		}
		if !strings.Contains(e.Stack, "nested") || e.Goroutine == 0 {
			t.Fatalf("edge %d lacks where it was first seen: goroutine %d, stack\n%s", i, e.Goroutine, e.Stack)
		}
	}
	s := r.String()
	for _, n := range names {
		if !strings.Contains(s, n) {
			t.Fatalf("report text misses %s:\n%s", n, s)
		}
	}
}

func checkCycleKinds(t *testing.T, rs []Report) {
	t.Helper()
	if len(rs) != 1 || rs[0].Kind != Cycle {
		t.Fatalf("reports = %v, want one cycle", rs)
	}
}

// grow uses stack, so that goroutines' stacks move.
func grow(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return grow(n-1) + int(pad[n%256])
}

func TestDefaultHandler(t *testing.T) {
	prev := OnPotentialDeadlock(nil)
	defer OnPotentialDeadlock(prev)
	if OnPotentialDeadlock(nil) != nil {
		t.Fatal("default handler is not reported as nil")
	}
	r := Report{Kind: Cycle, Locks: []string{"x", "y"}, Edges: []Edge{{From: "x", To: "y", Goroutine: 7, Stack: "f\n\tf.go:1\n"}, {From: "y", To: "x", Goroutine: 8, Stack: "g\n\tg.go:2\n"}}}
	s := r.String()
	for _, want := range []string{"POTENTIAL DEADLOCK", "x -> y -> x", "goroutine 7", "f.go:1", "g.go:2"} {
		if !strings.Contains(s, want) {
			t.Fatalf("report text misses %q:\n%s", want, s)
		}
	}
	if Kind(9).String() == "" || Recursive.String() == Cycle.String() {
		t.Fatal("Kind strings")
	}
}
