package web

import (
	"fmt"
	"regexp"

	"github.com/labludus/ludus/check"
)

// accessKind classifies what a step did to a checked object, read off the
// text the engine records for it ("balance.Load() -> 1000").
type accessKind uint8

const (
	accNone   accessKind = iota // not an access to a shared object (Sleep, Wait, error: ...)
	accRead                     // a plain or atomic load
	accWrite                    // a plain or atomic store
	accRMW                      // an atomic read-modify-write: Add, Swap, a successful CompareAndSwap
	accLock                     // Lock, RLock, a successful TryLock
	accUnlock                   // Unlock, RUnlock
	accSend                     // a channel send, direct or into the buffer
	accRecv                     // a channel receive
)

func (k accessKind) String() string {
	switch k {
	case accNone:
		return "none"
	case accRead:
		return "read"
	case accWrite:
		return "write"
	case accRMW:
		return "read-modify-write"
	case accLock:
		return "lock"
	case accUnlock:
		return "unlock"
	case accSend:
		return "send"
	case accRecv:
		return "receive"
	}
	return fmt.Sprintf("accessKind(%d)", uint8(k))
}

// access is one step's effect on one object.
type access struct {
	Kind   accessKind
	Object string // the object's name in the trace
	Value  string // the value read, written, sent or received
	Peer   string // a channel hand-off's other goroutine ("(to B)", "(from A)")
	Blocks bool   // a send or receive that had to wait
}

var accessPatterns = []struct {
	re   *regexp.Regexp
	kind accessKind
	// obj, val and peer are submatch indexes; 0 means none.
	obj, val, peer int
	blocks         bool
}{
	{regexp.MustCompile(`^(\S+?)\.Load\(\) -> (.*)$`), accRead, 1, 2, 0, false},
	{regexp.MustCompile(`^atomic\.Load\w*\(&(\S+?)\) -> (.*)$`), accRead, 1, 2, 0, false},
	{regexp.MustCompile(`^(\S+?)\.Store\((.*)\)$`), accWrite, 1, 2, 0, false},
	{regexp.MustCompile(`^atomic\.Store\w*\(&(\S+?), (.*)\)$`), accWrite, 1, 2, 0, false},
	{regexp.MustCompile(`^(\S+?)\.CompareAndSwap\(.*\) -> false$`), accRead, 1, 0, 0, false},
	{regexp.MustCompile(`^atomic\.CompareAndSwap\w*\(&(\S+?), .*\) -> false$`), accRead, 1, 0, 0, false},
	{regexp.MustCompile(`^(\S+?)\.(?:Add|Swap|CompareAndSwap|And|Or)\(.*\) -> (.*)$`), accRMW, 1, 2, 0, false},
	{regexp.MustCompile(`^atomic\.(?:Add|Swap|CompareAndSwap|And|Or)\w*\(&(\S+?), .*\) -> (.*)$`), accRMW, 1, 2, 0, false},
	{regexp.MustCompile(`^(\S+)\.R?Lock\(\)$`), accLock, 1, 0, 0, false},
	{regexp.MustCompile(`^(\S+)\.TryR?Lock\(\) -> true$`), accLock, 1, 0, 0, false},
	{regexp.MustCompile(`^(\S+)\.R?Unlock\(\)$`), accUnlock, 1, 0, 0, false},
	{regexp.MustCompile(`^(?:select -> case \d+: )?(\S+) <- (.*) \(blocks\)$`), accSend, 1, 2, 0, true},
	{regexp.MustCompile(`^(?:select -> case \d+: )?(\S+) <- (.*) \(to (.+)\)$`), accSend, 1, 2, 3, false},
	{regexp.MustCompile(`^(?:select -> case \d+: )?(\S+) <- (.*)$`), accSend, 1, 2, 0, false},
	{regexp.MustCompile(`^<-(\S+) \(blocks\)$`), accRecv, 1, 0, 0, true},
	{regexp.MustCompile(`^(?:select -> case \d+: )?<-(\S+) -> closed$`), accNone, 0, 0, 0, false},
	{regexp.MustCompile(`^(?:select -> case \d+: )?<-(\S+) -> (.*) \(from (.+)\)$`), accRecv, 1, 2, 3, false},
	{regexp.MustCompile(`^(?:select -> case \d+: )?<-(\S+) -> (.*)$`), accRecv, 1, 2, 0, false},
}

// classify reads one step's access; Kind is accNone for anything else.
func classify(op string) access {
	for _, p := range accessPatterns {
		m := p.re.FindStringSubmatch(op)
		if m == nil {
			continue
		}
		a := access{Kind: p.kind, Blocks: p.blocks}
		if p.obj > 0 {
			a.Object = m[p.obj]
		}
		if p.val > 0 {
			a.Value = m[p.val]
		}
		if p.peer > 0 {
			a.Peer = m[p.peer]
		}
		return a
	}
	return access{}
}

// linkKind says what a link between two lanes shows.
type linkKind uint8

const (
	linkReadsFrom linkKind = iota // a read saw the value another goroutine wrote
	linkLock                      // an unlock let another goroutine's lock through
	linkChan                      // a value passed from a send to a receive
)

func (k linkKind) String() string {
	switch k {
	case linkReadsFrom:
		return "reads-from"
	case linkLock:
		return "lock hand-off"
	case linkChan:
		return "channel"
	}
	return fmt.Sprintf("linkKind(%d)", uint8(k))
}

// link joins two steps of different goroutines; From and To index the
// trace.
type link struct {
	From, To int
	Kind     linkKind
	Label    string
}

// traceAnalysis is what the swimlanes mark on a trace.
type traceAnalysis struct {
	Links []link
	// Lost maps the index of a write that no one ever saw to why: another
	// goroutine overwrote it with a value computed from an older read.
	Lost map[int]string
	// Stale maps the index of the read behind such an overwrite to why.
	Stale map[int]string
	// Notes explain the lost writes in sentences, in trace order.
	Notes []string
}

// analyze links the steps of steps that pass a value or a lock between
// goroutines and finds lost updates: goroutine G reads X, another writes X,
// then G writes X without reading it again, so the other write vanishes.
func analyze(steps []check.Step) traceAnalysis {
	a := traceAnalysis{Lost: map[int]string{}, Stale: map[int]string{}}
	lastWrite := map[string]int{}      // object -> index of its latest write
	lastRead := map[[2]string]int{}    // (goroutine, object) -> index of its latest plain read
	writes := map[string][]int{}       // object -> indexes of every write, in order
	lastUnlock := map[string]int{}     // mutex -> index of its latest unlock
	fifo := map[string][]int{}         // channel -> sends not yet received, in order
	blockedRecv := map[[2]string]int{} // (goroutine, channel) -> its waiting receive
	blockedSend := map[[2]string]int{} // (goroutine, channel) -> its waiting send
	for j, st := range steps {
		acc := classify(st.Op)
		key := [2]string{st.Goroutine, acc.Object}
		switch acc.Kind {
		case accRead, accRMW:
			if w, ok := lastWrite[acc.Object]; ok && steps[w].Goroutine != st.Goroutine {
				a.Links = append(a.Links, link{From: w, To: j, Kind: linkReadsFrom, Label: fmt.Sprintf("%s reads %s, written by %s", st.Goroutine, valueOr(acc.Value, acc.Object), steps[w].Goroutine)})
			}
			if acc.Kind == accRead {
				lastRead[key] = j
				break
			}
			delete(lastRead, key)
			lastWrite[acc.Object] = j
			writes[acc.Object] = append(writes[acc.Object], j)
		case accWrite:
			if r, ok := lastRead[key]; ok {
				a.markLost(steps, r, j, writes[acc.Object])
			}
			delete(lastRead, key)
			lastWrite[acc.Object] = j
			writes[acc.Object] = append(writes[acc.Object], j)
		case accUnlock:
			lastUnlock[acc.Object] = j
		case accLock:
			if u, ok := lastUnlock[acc.Object]; ok && steps[u].Goroutine != st.Goroutine {
				a.Links = append(a.Links, link{From: u, To: j, Kind: linkLock, Label: fmt.Sprintf("%s gets %s after %s unlocks it", st.Goroutine, acc.Object, steps[u].Goroutine)})
			}
		case accSend:
			a.send(steps, j, acc, fifo, blockedRecv, blockedSend)
		case accRecv:
			a.recv(steps, j, acc, fifo, blockedRecv, blockedSend)
		}
	}
	return a
}

// markLost records that the writes to the object strictly between read r
// and write w, by goroutines other than w's, are lost.
func (a *traceAnalysis) markLost(steps []check.Step, r, w int, writes []int) {
	g := steps[w].Goroutine
	rv := classify(steps[r].Op).Value
	for _, i := range writes {
		if i <= r || i >= w || steps[i].Goroutine == g {
			continue
		}
		a.Lost[i] = fmt.Sprintf("lost: %s overwrote it at step %d with a value computed from the %s it read at step %d, before this write", g, w+1, rv, r+1)
		a.Stale[r] = fmt.Sprintf("stale: %s writes back at step %d a value computed from this read, after %s wrote at step %d", g, w+1, steps[i].Goroutine, i+1)
		a.Notes = append(a.Notes, fmt.Sprintf("Step %d, %s's %s, is lost: at step %d %s wrote %s, computed from the %s it had read at step %d, before %s's write.",
			i+1, steps[i].Goroutine, steps[i].Op, w+1, g, valueOr(classify(steps[w].Op).Value, "its value"), rv, r+1, steps[i].Goroutine))
	}
}

func (a *traceAnalysis) send(steps []check.Step, j int, acc access, fifo map[string][]int, blockedRecv, blockedSend map[[2]string]int) {
	switch {
	case acc.Peer != "":
		// Handed straight to a receiver that was waiting.
		if k, ok := blockedRecv[[2]string{acc.Peer, acc.Object}]; ok {
			delete(blockedRecv, [2]string{acc.Peer, acc.Object})
			a.Links = append(a.Links, link{From: j, To: k, Kind: linkChan, Label: fmt.Sprintf("%s hands %s to %s, waiting on %s", steps[j].Goroutine, acc.Value, acc.Peer, acc.Object)})
		}
	case acc.Blocks:
		blockedSend[[2]string{steps[j].Goroutine, acc.Object}] = j
		fifo[acc.Object] = append(fifo[acc.Object], j)
	default:
		fifo[acc.Object] = append(fifo[acc.Object], j)
	}
}

func (a *traceAnalysis) recv(steps []check.Step, j int, acc access, fifo map[string][]int, blockedRecv, blockedSend map[[2]string]int) {
	g := steps[j].Goroutine
	if acc.Blocks {
		blockedRecv[[2]string{g, acc.Object}] = j
		return
	}
	from := -1
	if acc.Peer != "" {
		// Taken straight from a sender that was waiting.
		if k, ok := blockedSend[[2]string{acc.Peer, acc.Object}]; ok {
			delete(blockedSend, [2]string{acc.Peer, acc.Object})
			from = k
			q := fifo[acc.Object]
			for i, s := range q {
				if s == k {
					fifo[acc.Object] = append(q[:i:i], q[i+1:]...)
					break
				}
			}
		}
	} else if q := fifo[acc.Object]; len(q) > 0 {
		from, fifo[acc.Object] = q[0], q[1:]
		delete(blockedSend, [2]string{steps[from].Goroutine, acc.Object})
	}
	if from >= 0 && steps[from].Goroutine != g {
		a.Links = append(a.Links, link{From: from, To: j, Kind: linkChan, Label: fmt.Sprintf("%s receives %s from %s through %s", g, acc.Value, steps[from].Goroutine, acc.Object)})
	}
}

func valueOr(v, alt string) string {
	if v == "" {
		return alt
	}
	return v
}
