package engine

import (
	"fmt"
	"strings"
)

// describe says what a blocked goroutine waits for.
func (e *Engine) describe(g *G) string {
	p := &g.pend
	name := "?"
	if p.obj != nil {
		name = e.label(g, p.obj.base())
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
		switch p.wait {
		case waitSend:
			if p.obj == nil {
				return "send on a nil channel"
			}
			return fmt.Sprintf("%s <- %v", name, p.Val)
		case waitRecv:
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
		return fmt.Sprintf("Sleep (until %v)", fmtDur(p.Until))
	case KStart:
		return "start"
	case KVarLoad:
		return name + ".Load()"
	case KVarStore:
		return name + ".Store()"
	case KUnlock:
		return name + ".Unlock()"
	case KTryLock:
		return name + ".TryLock()"
	case KRUnlock:
		return name + ".RUnlock()"
	case KTryRLock:
		return name + ".TryRLock()"
	case KClose:
		return "close(" + name + ")"
	case KWGAdd:
		return name + ".Add/Done()"
	case KOnceEnd:
		return name + ".Do() returns"
	case KCondAdd:
		return name + ".Wait()"
	case KSignal:
		return name + ".Signal()"
	case KBroadcast:
		return name + ".Broadcast()"
	case KAtomicLoad:
		return "atomic load of " + name
	case KAtomicWrite:
		return "atomic write of " + name
	case KYield:
		return "Gosched"
	case KSpin:
		return "spin"
	case KTimer:
		return name + ".Stop/Reset()"
	case KFire:
		return "fire"
	case KTick:
		return "time passes"
	case KExternal:
		return p.Text
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
			if m.heldAs != "" {
				name = m.heldAs
			}
			return []int{m.holder}, name
		}
	case *RWMutex:
		if m.writer >= 0 {
			if m.heldAs != "" {
				name = m.heldAs
			}
			return []int{m.writer}, name
		}
		if p.Kind == KRLock && m.announced >= 0 {
			return []int{m.announced}, name
		}
		var hs []int
		for r := m.readers.lowest(); r >= 0; r = m.readers.next(r) {
			hs = append(hs, r)
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
		if g.site != "" && g.pend.obj != nil && g.pend.obj.base().Name == "" {
			want = g.site
		}
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

func (e *Engine) raceMessage(name string, other int, otherMark int32, g *G, mark int32) string {
	if e.rec != nil {
		a, b := e.rec.describeMark(otherMark), e.rec.describeMark(mark)
		if a != "" && b != "" {
			return fmt.Sprintf("on %s: %s and %s are not ordered by happens-before", name, a, b)
		}
	}
	return fmt.Sprintf("on %s: accesses by %s and %s are not ordered by happens-before", name, e.gs[other].Name, g.Name)
}
