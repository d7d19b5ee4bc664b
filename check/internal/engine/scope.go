package engine

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
)

// What the checker cannot see. A goroutine started with a plain go
// statement runs outside the engine: its operations are not scheduling
// points, so a search that never saw it proves nothing about it. The first
// execution of every exploration is checked for such goroutines: the
// engine counts the process's goroutines at its decisions, and when there
// are more than the managed ones it reads every goroutine's stack and
// looks for those created by a managed one; at the end of that execution it
// reads them once more whatever the count (see scope).

// watchScope samples the goroutine count during the first execution.
func (e *Engine) watchScope() {
	if !e.scanning || e.strayStack != "" || e.strayScans >= 3 {
		return
	}
	if e.extraGoroutines(e.baseline + int(e.nworkers.Load())) {
		// More goroutines than the managed ones: read every stack (a few
		// times at most: goroutines on their way out count too).
		e.strayScans++
		e.strayStack = e.strays()
	}
}

// extraGoroutines reports whether the process has more than n goroutines,
// after letting goroutines that are on their way out (managed ones that
// finished, an earlier exploration's) exit: reading every stack stops the
// world, so it is worth a few yields to avoid.
func (e *Engine) extraGoroutines(n int) bool {
	for i := 0; i < 4; i++ {
		if runtime.NumGoroutine() <= n {
			return false
		}
		runtime.Gosched()
	}
	return true
}

// strays returns the stack of a goroutine created by a managed goroutine,
// or "". The workers that run managed goroutines are recognized in the
// dump itself (their bottom frame is trampoline), so no goroutine's ID
// needs reading as it starts.
func (e *Engine) strays() string {
	buf := e.stackBuf
	for {
		if buf == nil {
			buf = make([]byte, 64<<10)
		}
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			e.stackBuf, buf = buf, buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	stacks := splitStacks(string(buf))
	workers := map[int64]bool{}
	for _, s := range stacks {
		if strings.Contains(s, "check/internal/engine.trampoline") {
			if id, ok := goroutineID(s); ok {
				workers[id] = true
			}
		}
	}
	for _, s := range stacks {
		if strings.Contains(s, "check/internal/engine.trampoline") || strings.Contains(s, "check/internal/engine.startG") {
			continue // a worker, maybe on its way out
		}
		if creator, ok := createdIn(s); ok && workers[creator] {
			return s
		}
	}
	return ""
}

// goroutineID returns the ID in a stack's header ("goroutine 7 [running]:").
func goroutineID(s string) (int64, bool) {
	rest, ok := strings.CutPrefix(s, "goroutine ")
	if !ok {
		return 0, false
	}
	return leadingInt(rest)
}

// leadingInt parses the decimal number s starts with.
func leadingInt(s string) (int64, bool) {
	j := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	id, err := strconv.ParseInt(s[:j], 10, 64)
	return id, err == nil
}

// createdIn returns the ID of the goroutine that created the goroutine
// whose stack s is ("created by f in goroutine 7").
func createdIn(s string) (int64, bool) {
	i := strings.LastIndex(s, " in goroutine ")
	if i < 0 {
		return 0, false
	}
	return leadingInt(s[i+len(" in goroutine "):])
}

// scope is called after the first execution: it returns what it found of
// goroutines the body started outside the checker ("" if none). They do
// not stop the search (a bug in the goroutines the checker does see can
// still be found), but a search that did not see every goroutine proves
// nothing: with no failure, the result is inconclusive.
func (x *explorer) scope() string {
	e := x.e
	e.scanning = false
	st := e.strayStack
	if st == "" && e.createdOutside() {
		st = e.strays()
	}
	if st == "" {
		return ""
	}
	who := "a plain go statement"
	if c := creator(st); isStd(c) {
		who = "the standard library (" + c + ")"
	} else if c != "" {
		who += " in " + c
	}
	return fmt.Sprintf("a goroutine the checker does not manage ran beside the body, started by %s: its operations are not scheduling points, so none of its interleavings was explored; start goroutines with T.Go or check.Go (ludus check rewrites go statements, but not the libraries it does not rewrite: see -instrument)\n\n%s", who, trimStack([]byte(st)))
}

// creator returns the function a goroutine's stack says created it.
func creator(stack string) string {
	i := strings.LastIndex(stack, "created by ")
	if i < 0 {
		return ""
	}
	rest := stack[i+len("created by "):]
	if j := strings.IndexAny(rest, " \n"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// isStd reports whether function name fn belongs to the standard library
// (its package path has no dot before the first slash).
func isStd(fn string) bool {
	path := fn
	if i := strings.LastIndex(path, "/"); i >= 0 {
		if j := strings.IndexByte(path[i:], '.'); j >= 0 {
			path = path[:i+j]
		}
	} else if j := strings.IndexByte(path, '.'); j >= 0 {
		path = path[:j]
	}
	first := path
	if i := strings.IndexByte(first, '/'); i >= 0 {
		first = first[:i]
	}
	return !strings.Contains(first, ".")
}

// createdOutside reports whether goroutines other than the engine's own
// workers may have been created during the first execution, so that every
// stack must be read. The count of live goroutines cannot say it:
// goroutines of earlier tests ending since the baseline can hide a stray
// from it (CI saw a plain go statement reported complete under load). The
// runtime's count of goroutines created can: more than the workers the
// engine started means someone else started some. Where the runtime has
// no such count, every stack is read.
func (e *Engine) createdOutside() bool {
	now, ok := goroutinesCreated()
	return !ok || now-e.created0 > uint64(e.started.Load())
}

// goroutinesCreated returns the number of goroutines the process has
// created, where the runtime counts them (Go 1.26 and later).
func goroutinesCreated() (uint64, bool) {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0, false
	}
	return s[0].Value.Uint64(), true
}
