//go:build !ludus_nolockdep

package lock

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// The lock-order graph: an edge from → to says that some goroutine took a
// lock of to while it held one of from. A cycle means the goroutines taking
// those locks in the orders seen so far can deadlock.

// vertex is a node of the graph: a class, or one instance of a class whose
// locks are held two at a time (see class.selfNest).
type vertex struct {
	cls *class
	// inst is 0 for the class itself, or the lock's id for an instance.
	inst uint64
}

func (v vertex) String() string {
	if v.inst == 0 {
		return v.cls.name
	}
	return fmt.Sprintf("%s [lock #%d]", v.cls.name, v.inst)
}

// edgeInfo is where an edge was first seen, for the report.
type edgeInfo struct {
	gid   int64     // the goroutine that first took the order
	stack []uintptr // its stack then
}

// reportKey names a report so that each is delivered once per process.
type reportKey struct {
	kind Kind
	// class is the class a Recursive or LongWait report is about.
	class uint64
	// cycle is a Cycle's vertices, from where cycleKey starts it.
	cycle string
}

var (
	// graphMu guards graph and reported. It is taken only by slowCheck
	// and the reports, never on a cached chain.
	graphMu sync.Mutex
	// graph holds the edges, by source and target.
	graph = map[vertex]map[vertex]*edgeInfo{}
	// reported holds the reports delivered so far.
	reported = map[reportKey]bool{}
)

// taking is the acquisition that slowCheck records orders to.
type taking struct {
	e entry
	// gid is the goroutine taking it, known exactly.
	gid int64
	// stack is where it takes it.
	stack     []uintptr
	recursion recursionReport
}

// addEdges records held → taken for every proved held lock, and returns
// the reports of the cycles these edges close; recursive is whether the
// goroutine holds the lock it takes.
func addEdges(proved []*node, t taking) (out []Report, recursive bool) {
	graphMu.Lock()
	defer graphMu.Unlock()
	for _, h := range proved {
		if h.d == t.e.d {
			recursive = true
			key := reportKey{kind: Recursive, class: t.e.cls.id}
			if t.recursion == reportAtOnce && !reported[key] {
				reported[key] = true
				n := vertex{cls: t.e.cls}.String()
				out = append(out, Report{Kind: Recursive, Locks: []string{n}, Edges: []Edge{{From: n, To: n, Goroutine: t.gid, Stack: formatStack(t.stack)}}})
			}
			continue
		}
		from, to := vertex{cls: h.cls}, vertex{cls: t.e.cls}
		if h.cls == t.e.cls {
			// Two locks of one class held together: order them by
			// instance, so that the same-class cycles of, say, bank
			// accounts are still seen.
			t.e.cls.selfNest.Store(true)
			from.inst, to.inst = h.id, t.e.id
		}
		out = append(out, addEdgeLocked(from, to, t.gid, t.stack)...)
	}
	return out, recursive
}

func addEdgeLocked(from, to vertex, gid int64, stack []uintptr) []Report {
	succ := graph[from]
	if succ == nil {
		succ = map[vertex]*edgeInfo{}
		graph[from] = succ
	}
	if succ[to] != nil {
		return nil
	}
	succ[to] = &edgeInfo{gid: gid, stack: slices.Clone(stack)}
	path := pathLocked(to, from)
	if path == nil {
		return nil
	}
	// path runs to ... from; the cycle is from -> to -> ... -> from.
	cycle := append([]vertex{from}, path[:len(path)-1]...)
	key := reportKey{kind: Cycle, cycle: cycleKey(cycle)}
	if reported[key] {
		return nil
	}
	reported[key] = true
	r := Report{Kind: Cycle}
	for i, v := range cycle {
		next := cycle[(i+1)%len(cycle)]
		ei := graph[v][next]
		r.Locks = append(r.Locks, v.String())
		r.Edges = append(r.Edges, Edge{From: v.String(), To: next.String(), Goroutine: ei.gid, Stack: formatStack(ei.stack)})
	}
	return []Report{r}
}

// pathLocked returns a shortest path from a to b (both included), or nil.
func pathLocked(a, b vertex) []vertex {
	prev := map[vertex]vertex{a: a}
	queue := []vertex{a}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if v == b {
			var path []vertex
			for ; v != a; v = prev[v] {
				path = append(path, v)
			}
			path = append(path, a)
			slices.Reverse(path)
			return path
		}
		for next := range graph[v] {
			if _, seen := prev[next]; !seen {
				prev[next] = v
				queue = append(queue, next)
			}
		}
	}
	return nil
}

// cycleKey names a cycle independently of where it was entered.
func cycleKey(c []vertex) string {
	start := 0
	for i, v := range c {
		m := c[start]
		if v.cls.id < m.cls.id || v.cls.id == m.cls.id && v.inst < m.inst {
			start = i
		}
	}
	var b strings.Builder
	for i := range c {
		v := c[(start+i)%len(c)]
		fmt.Fprintf(&b, "%d.%d,", v.cls.id, v.inst)
	}
	return b.String()
}

// formatStack renders program counters as Edge.Stack does, leaving out
// the package's own frames, which say nothing to the reader.
func formatStack(pcs []uintptr) string {
	var b strings.Builder
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		internal := strings.HasPrefix(f.Function, "github.com/labludus/ludus/lock.") && !strings.HasSuffix(f.File, "_test.go")
		if !internal && f.Function != "" {
			fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Function, f.File, f.Line)
		}
		if !more {
			break
		}
	}
	return b.String()
}

// reportOnce reports the lock d that the calling goroutine waits for, with
// its stack, once per key.
func (d *dep) reportOnce(key reportKey) {
	name := d.name()
	graphMu.Lock()
	first := !reported[key]
	reported[key] = true
	graphMu.Unlock()
	if !first {
		return
	}
	var pcs [48]uintptr
	stack := formatStack(pcs[:runtime.Callers(2, pcs[:])])
	deliver([]Report{{Kind: key.kind, Locks: []string{name}, Edges: []Edge{{From: name, To: name, Goroutine: goid(), Stack: stack}}}})
}
