package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
)

// recorder collects the printed schedule while the failing execution is
// re-run; it is the only place source locations are computed.
type recorder struct {
	steps []TraceStep   // the schedule, one line per operation
	marks map[int32]int // access mark -> line, for race reports
}

// TraceStep is one line of a printed schedule.
type TraceStep struct {
	Goroutine, Op, Location string
	g                       int // the goroutine's ID: names are final only at the end
}

func (r *recorder) step(g *G, text string) {
	r.steps = append(r.steps, TraceStep{g.Name, text, fmtLoc(g.loc), g.ID})
}

// names gives every line its goroutine's final name (a goroutine named
// "worker" becomes "worker#1" when a second worker starts). Timers keep
// the name they had: their slots are reused.
func (r *recorder) names(e *Engine) []TraceStep {
	for i := range r.steps {
		if g := r.steps[i].g; g < len(e.gs) && !e.gs[g].pseudo {
			r.steps[i].Goroutine = e.gs[g].Name
		}
	}
	return r.steps
}

// mark adds a line for an access numbered mark (Var, memory), locating it
// at the caller when the goroutine has no pending location.
func (r *recorder) mark(g *G, mark int32, text string) {
	loc := g.loc
	if loc.File == "" || g.pend.Kind != KVarLoad && g.pend.Kind != KVarStore {
		loc = callerLocation()
	}
	r.steps = append(r.steps, TraceStep{g.Name, text, fmtLoc(loc), g.ID})
	if r.marks == nil {
		r.marks = map[int32]int{}
	}
	r.marks[mark] = len(r.steps) - 1
}

func (r *recorder) note(g *G, text string) {
	r.steps = append(r.steps, TraceStep{g.Name, text, fmtLoc(callerLocation()), g.ID})
}

// describeMark says who did the access numbered mark, and where.
func (r *recorder) describeMark(mark int32) string {
	if i, ok := r.marks[mark]; ok {
		s := r.steps[i]
		return fmt.Sprintf("%s %s at %s", s.Goroutine, s.Op, s.Location)
	}
	return ""
}

func fmtLoc(l Location) string {
	if l.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", filepath.Base(l.File), l.Line)
}

// locate captures g's caller location and the expression the source uses
// at that site for the object operated on.
func (r *recorder) locate(g *G, m model) {
	g.loc = callerLocation()
	g.site = ""
	if m != nil {
		g.site = nameFromSource(g.loc, g.pend.Kind)
	}
}

// label names o at g's current operation: the name the user gave it,
// else the expression at this source line, else "kind#N".
func (e *Engine) label(g *G, o *Object) string {
	if o.Name != "" || g == nil || g.site == "" {
		return o.Label()
	}
	return g.site
}

// callerLocation returns the first frame outside the checker's own
// (non-test) files.
func callerLocation() Location {
	var pcs [32]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !internalFrame(f) {
			return Location{f.File, f.Line}
		}
		if !more {
			return Location{}
		}
	}
}

func internalFrame(f runtime.Frame) bool {
	if strings.HasSuffix(f.File, "_test.go") {
		return false
	}
	fn := f.Function
	if strings.HasPrefix(fn, "runtime.") {
		return true
	}
	const mod = "github.com/labludus/ludus/check"
	if !strings.HasPrefix(fn, mod) {
		return false
	}
	rest := fn[len(mod):]
	return strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "/")
}

var (
	srcMu    sync.Mutex
	srcLines = map[string][]string{}
	methods  = map[Kind]string{
		KLock: "Lock", KUnlock: "Unlock", KTryLock: "TryLock", KRLock: "RLock", KRUnlock: "RUnlock",
		KTryRLock: "TryRLock", KWAnnounce: "Lock", KWAcquire: "Lock", KWGAdd: "Add|Done|Go", KWGWait: "Wait",
		KOnce: "Do", KOnceEnd: "Do", KCondAdd: "Wait", KCondWait: "Wait", KSignal: "Signal", KBroadcast: "Broadcast",
		KAtomicLoad: "Load|CompareAndSwap", KAtomicWrite: "Store|Add|Swap|CompareAndSwap|And|Or",
		KTimer: "Stop|Reset",
	}
	exprRE  = map[Kind]*regexp.Regexp{}
	atomRE  = regexp.MustCompile(`atomic\.[A-Za-z0-9]+\(&?([A-Za-z_][A-Za-z0-9_.\[\]]*)`)
	sendRE  = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.]*(?:\[[^\]]*\])?)\s*<-`)
	recvRE  = regexp.MustCompile(`<-\s*([A-Za-z_][A-Za-z0-9_.]*(?:\[[^\]]*\])?)`)
	closeRE = regexp.MustCompile(`close\(\s*([A-Za-z_][A-Za-z0-9_.]*(?:\[[^\]]*\])?)\s*\)`)
)

// nameFromSource returns the expression the source line at l uses for the
// object of an operation of kind k ("from.mu" in "from.mu.Lock()").
func nameFromSource(l Location, k Kind) string {
	line := sourceLine(l)
	if line == "" {
		return ""
	}
	switch k {
	case KSend:
		return submatch(sendRE, line)
	case KRecv:
		return submatch(recvRE, line)
	case KClose:
		return submatch(closeRE, line)
	case KAtomicLoad, KAtomicWrite:
		if m := submatch(atomRE, line); m != "" {
			return m
		}
	}
	ms, ok := methods[k]
	if !ok {
		return ""
	}
	re := exprRE[k]
	if re == nil {
		srcMu.Lock()
		re = exprRE[k]
		if re == nil {
			re = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\.(?:` + ms + `)\(`)
			exprRE[k] = re
		}
		srcMu.Unlock()
	}
	return strings.TrimPrefix(submatch(re, line), "&")
}

func submatch(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// sourceLine returns the text of the line at l ("" if unknown).
func sourceLine(l Location) string {
	if l.File == "" {
		return ""
	}
	srcMu.Lock()
	defer srcMu.Unlock()
	lines, ok := srcLines[l.File]
	if !ok {
		b, err := os.ReadFile(l.File)
		if err == nil {
			lines = strings.Split(string(b), "\n")
		}
		srcLines[l.File] = lines
	}
	if l.Line < 1 || l.Line > len(lines) {
		return ""
	}
	return lines[l.Line-1]
}

// trimStack drops the frames of the engine's own panic handling.
func trimStack(b []byte) string {
	if debugStacks {
		return string(b)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	out := make([]string, 0, len(lines))
	skip := false
	for i, l := range lines {
		if i == 0 {
			continue // "goroutine N [running]:"
		}
		if !strings.HasPrefix(l, "\t") {
			skip = strings.HasPrefix(l, "runtime/debug.") || strings.HasPrefix(l, "panic(") || checkFrame(l)
		}
		if !skip {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// debugStacks keeps the checker's own frames in reported stacks (set
// LUDUS_DEBUG_STACKS=1 when the checker itself panics).
var debugStacks = os.Getenv("LUDUS_DEBUG_STACKS") != ""

// checkFrame reports whether a stack line is a function of the checker's
// own runtime (the engine, check/rt, the drop-ins): not the user's code.
func checkFrame(l string) bool {
	const mod = "github.com/labludus/ludus/check"
	l = strings.TrimPrefix(l, "created by ")
	if !strings.HasPrefix(l, mod) {
		return false
	}
	rest := l[len(mod):]
	return strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "/") && !strings.HasPrefix(rest, "/rewrite")
}

// splitStacks splits a runtime.Stack(all) dump into one string per
// goroutine.
func splitStacks(s string) []string {
	return strings.Split(strings.TrimSpace(s), "\n\n")
}

func (e *Engine) recordf(g *G, format string, args ...any) {
	if e.rec != nil {
		e.rec.step(g, fmt.Sprintf(format, args...))
	}
}

// Record adds the current operation's description to the trace (recording
// mode only; callers check Recording first to avoid building text).
func (e *Engine) Record(g *G, text string) {
	if e.rec != nil {
		e.rec.step(g, text)
	}
}
