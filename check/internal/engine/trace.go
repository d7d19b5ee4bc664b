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
	steps  []TraceStep
	events map[int]int // execution step -> index in steps
}

func (r *recorder) step(g *G, text string) {
	r.steps = append(r.steps, TraceStep{g.Name, text, fmtLoc(g.loc)})
	if r.events == nil {
		r.events = map[int]int{}
	}
	r.events[g.e.execSteps] = len(r.steps) - 1
}

func (r *recorder) note(g *G, text string) {
	loc := callerLocation()
	r.steps = append(r.steps, TraceStep{g.Name, text, fmtLoc(loc)})
}

func (r *recorder) describeStep(step int32) string {
	if i, ok := r.events[int(step)]; ok {
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

// locate captures g's caller location and names an anonymous object after
// the expression the source uses for it.
func (r *recorder) locate(g *G, m model) {
	g.loc = callerLocation()
	if m == nil {
		return
	}
	o := m.base()
	if o.Name == "" {
		if n := nameFromSource(g.loc, g.pend.Kind); n != "" {
			o.Name = n
		}
	}
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
	}
	exprRE = map[Kind]*regexp.Regexp{}
	atomRE = regexp.MustCompile(`atomic\.[A-Za-z0-9]+\(&?([A-Za-z_][A-Za-z0-9_.]*)`)
)

func nameFromSource(l Location, k Kind) string {
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
	line := lines[l.Line-1]
	if m := atomRE.FindStringSubmatch(line); m != nil && (k == KAtomicLoad || k == KAtomicWrite) {
		return m[1]
	}
	ms, ok := methods[k]
	if !ok {
		return ""
	}
	re := exprRE[k]
	if re == nil {
		re = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\.(?:` + ms + `)\(`)
		exprRE[k] = re
	}
	m := re.FindStringSubmatch(line)
	if m == nil {
		return ""
	}
	return strings.TrimPrefix(m[1], "&")
}

func trimStack(b []byte) string {
	// Drop the frames of the engine's own panic handling.
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	out := make([]string, 0, len(lines))
	skip := false
	for i, l := range lines {
		if i == 0 {
			continue // "goroutine N [running]:"
		}
		if !strings.HasPrefix(l, "\t") {
			skip = strings.HasPrefix(l, "runtime/debug.") || strings.HasPrefix(l, "github.com/labludus/ludus/check/internal/engine.") || strings.HasPrefix(l, "panic(")
		}
		if !skip {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// describe says what a blocked goroutine waits for.
func (e *Engine) describe(g *G) string {
	p := &g.pend
	name := "?"
	if p.obj != nil {
		name = p.obj.base().Label()
	}
	switch p.Kind {
	case KLock, KWAnnounce:
		return name + ".Lock()"
	case KWAcquire:
		return name + ".Lock() (waiting for readers)"
	case KRLock:
		return name + ".RLock()"
	case KSend:
		if p.obj == nil {
			return "send on a nil channel"
		}
		return fmt.Sprintf("%s <- %v", name, p.Val)
	case KRecv:
		if p.obj == nil {
			return "receive from a nil channel"
		}
		return "<-" + name
	case KChanWait:
		switch p.Arg {
		case 1:
			if p.obj == nil {
				return "send on a nil channel"
			}
			return fmt.Sprintf("%s <- %v", name, p.Val)
		case 2:
			if p.obj == nil {
				return "receive from a nil channel"
			}
			return "<-" + name
		}
		fallthrough
	case KSelect:
		var parts []string
		for _, c := range p.Cases {
			if c.Chan == nil {
				continue
			}
			if c.Send {
				parts = append(parts, c.Chan.Label()+" <- ...")
			} else {
				parts = append(parts, "<-"+c.Chan.Label())
			}
		}
		if len(parts) == 0 {
			return "select with no cases"
		}
		return "select {" + strings.Join(parts, "; ") + "}"
	case KWGWait:
		return fmt.Sprintf("%s.Wait() (counter %d)", name, p.obj.(*WaitGroup).n)
	case KOnce:
		return name + ".Do()"
	case KCondWait:
		return name + ".Wait() (no Signal came)"
	case KJoin:
		return "Wait() for all goroutines"
	case KSleep:
		return "Sleep"
	}
	return "?"
}

// holders returns who holds the object g waits for, and its name.
func (e *Engine) holders(g *G) ([]int, string) {
	p := &g.pend
	if p.obj == nil {
		return nil, ""
	}
	name := p.obj.base().Label()
	switch m := p.obj.(type) {
	case *Mutex:
		if m.held {
			return []int{m.holder}, name
		}
	case *RWMutex:
		if m.writer >= 0 {
			return []int{m.writer}, name
		}
		if p.Kind == KRLock && m.announced >= 0 {
			return []int{m.announced}, name
		}
		var hs []int
		for r := m.readers; r != 0; r &= r - 1 {
			hs = append(hs, lowest(r))
		}
		return hs, name
	case *Once:
		if m.running >= 0 {
			return []int{m.running}, name
		}
	}
	return nil, name
}

func (e *Engine) blockedList(blocked []*G) string {
	var b strings.Builder
	b.WriteString("\nblocked:")
	w := 0
	for _, g := range blocked {
		w = max(w, len(g.Name))
	}
	descs := make([]string, len(blocked))
	wd := 0
	for i, g := range blocked {
		descs[i] = e.describe(g)
		if hs, _ := e.holders(g); len(hs) > 0 {
			var names []string
			for _, h := range hs {
				names = append(names, e.gs[h].Name)
			}
			descs[i] += ", held by " + strings.Join(names, ", ")
		}
		wd = max(wd, len(descs[i]))
	}
	for i, g := range blocked {
		line := fmt.Sprintf("\n  %-*s  %-*s  %s", w, g.Name, wd, descs[i], fmtLoc(g.loc))
		b.WriteString(strings.TrimRight(line, " "))
	}
	return b.String()
}

func (e *Engine) deadlockMessage(blocked []*G) string {
	if c := e.cycle(blocked); c != "" {
		return c + e.blockedList(blocked)
	}
	return "all goroutines are blocked" + e.blockedList(blocked)
}

// cycle follows "waits for an object held by" edges and describes the
// first cycle it finds, or returns "".
func (e *Engine) cycle(blocked []*G) string {
	for _, start := range blocked {
		var path []*G
		pos := map[int]int{}
		g := start
		for g != nil && !g.done {
			if i, ok := pos[g.ID]; ok {
				return e.cycleText(path[i:])
			}
			pos[g.ID] = len(path)
			path = append(path, g)
			hs, _ := e.holders(g)
			if len(hs) == 0 {
				break
			}
			g = e.gs[hs[0]]
		}
	}
	return ""
}

func (e *Engine) cycleText(cycle []*G) string {
	var parts []string
	for i, g := range cycle {
		prev := cycle[(i+len(cycle)-1)%len(cycle)]
		next := cycle[(i+1)%len(cycle)]
		_, held := e.holders(prev)
		_, want := e.holders(g)
		parts = append(parts, fmt.Sprintf("%s holds %s and waits for %s, held by %s", g.Name, held, want, next.Name))
	}
	return strings.Join(parts, "; ")
}

func (e *Engine) leakMessage(blocked []*G) string {
	n := len(blocked)
	s := "s are"
	if n == 1 {
		s = " is"
	}
	msg := fmt.Sprintf("the body returned but %d goroutine%s still blocked", n, s)
	if c := e.cycle(blocked); c != "" {
		msg += " in a deadlock: " + c
	}
	return msg + e.blockedList(blocked)
}

func (e *Engine) raceMessage(o *Object, other int, otherStep int32, g *G, step int32) string {
	if e.rec != nil {
		a, b := e.rec.describeStep(otherStep), e.rec.describeStep(step)
		if a != "" && b != "" {
			return fmt.Sprintf("on %s: %s and %s are not ordered by happens-before", o.Label(), a, b)
		}
	}
	return fmt.Sprintf("on %s: accesses by %s (step %d) and %s (step %d) are not ordered by happens-before",
		o.Label(), e.gs[other].Name, otherStep, g.Name, step)
}
