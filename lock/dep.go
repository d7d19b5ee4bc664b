//go:build !ludus_nolockdep

package lock

import (
	"bytes"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

const compiledIn = true

// dep is the detection part of a lock.
type dep struct {
	cls atomic.Pointer[class]
	// owner is the state of the goroutine that holds the lock for writing.
	// The lock itself guards it: it is set after acquiring and cleared
	// before releasing.
	owner *gstate
	// readers counts tracked read acquisitions not yet released. A read
	// entry in a goroutine's held list is live only while it is positive,
	// which forgets entries whose RUnlock ran in another goroutine once the
	// last reader leaves.
	readers atomic.Int32
}

// class is a node of the lock-order graph: a name given to NewMutex, or the
// place that created or first locked a lock.
type class struct {
	id   uint64
	name string
	// selfNest is set once two locks of this class were held together; from
	// then on its locks are told apart by instance in chain keys, and
	// orders within the class are kept between instances.
	selfNest atomic.Bool
}

var (
	classMu     sync.Mutex
	classByName = map[string]*class{}
	classByPC   = map[uintptr]*class{}
	lastClass   uint64
)

func newClassLocked(name string) *class {
	lastClass++
	return &class{id: lastClass, name: name}
}

func namedClass(name string) *class {
	classMu.Lock()
	defer classMu.Unlock()
	c := classByName[name]
	if c == nil {
		c = newClassLocked(name)
		classByName[name] = c
	}
	return c
}

// siteClass returns the class of the call skip frames above siteClass.
func siteClass(skip int) *class {
	var pc [1]uintptr
	if runtime.Callers(skip+1, pc[:]) == 0 {
		return namedClass("(unknown site)")
	}
	classMu.Lock()
	c := classByPC[pc[0]]
	classMu.Unlock()
	if c != nil {
		return c
	}
	f, _ := runtime.CallersFrames(pc[:]).Next()
	name := fmt.Sprintf("%s (%s:%d)", f.Function, shortFile(f.File), f.Line)
	classMu.Lock()
	defer classMu.Unlock()
	if c = classByPC[pc[0]]; c == nil {
		c = newClassLocked(name)
		classByPC[pc[0]] = c
	}
	return c
}

func shortFile(f string) string {
	if i := strings.LastIndexByte(f, '/'); i >= 0 {
		if j := strings.LastIndexByte(f[:i], '/'); j >= 0 {
			return f[j+1:]
		}
	}
	return f
}

func (d *dep) setClass(name string, skip int) {
	if name != "" {
		d.cls.Store(namedClass(name))
	} else {
		d.cls.Store(siteClass(skip + 1))
	}
}

func (d *dep) name() string {
	if c := d.cls.Load(); c != nil {
		return c.name
	}
	return "(never locked)"
}

func (d *dep) class(skip int) *class {
	if c := d.cls.Load(); c != nil {
		return c
	}
	return d.firstClass(skip + 1)
}

func (d *dep) firstClass(skip int) *class {
	d.cls.CompareAndSwap(nil, siteClass(skip+1))
	return d.cls.Load()
}

// gstate is what one goroutine holds. Its owner goroutine is the only
// usual user; busy makes the rare others safe: an Unlock from another
// goroutine, and a goroutine that meets a stale hint (see current).
type gstate struct {
	busy   atomic.Uint32
	goid   int64 // guarded by statesMu
	mapped atomic.Bool
	held   []held
}

// held is one lock in a goroutine's held list.
type held struct {
	d     *dep
	cls   *class
	id    uint64
	lw    *atomic.Uint64 // a Mutex's word, nil for an RWMutex
	seen  uint64         // the value of *lw that this acquisition made
	key   uint64         // the lock's contribution to chain keys
	chain uint64         // hash of the keys of this entry and all below it
	read  bool
}

func (e *held) live() bool {
	switch {
	case e.lw != nil:
		return e.lw.Load() == e.seen
	case e.read:
		return e.d.readers.Load() > 0
	}
	return true
}

// prune drops the entries of locks released since: every Mutex unlock,
// and RUnlocks run in other goroutines.
func (s *gstate) prune() {
	n := len(s.held)
	for n > 0 && !s.held[n-1].live() {
		n-- // the usual case: the last locks taken were released
	}
	for i := range n {
		if !s.held[i].live() {
			s.prunePast(i, n)
			return
		}
	}
	s.cut(n)
}

func (s *gstate) prunePast(i, n int) {
	live := i
	for _, e := range s.held[i+1 : n] {
		if e.live() {
			s.held[live] = e
			live++
		}
	}
	s.cut(live)
	s.rehash(i)
}

// cut shortens the held list to n, dropping the references of the rest so
// that released locks can be collected.
func (s *gstate) cut(n int) {
	for j := n; j < len(s.held); j++ {
		e := &s.held[j]
		e.d, e.cls, e.lw = nil, nil, nil
	}
	s.held = s.held[:n]
}

func (s *gstate) lock() {
	for !s.busy.CompareAndSwap(0, 1) {
		runtime.Gosched()
	}
}

func (s *gstate) unlock() { s.busy.Store(0) }

// remove deletes the topmost entry for d (of the given mode) and rehashes
// the entries above it. It reports whether it found one.
func (s *gstate) remove(d *dep, read bool) bool {
	if n := len(s.held) - 1; n >= 0 && s.held[n].d == d && s.held[n].read == read {
		s.held[n] = held{}
		s.held = s.held[:n]
		return true
	}
	for i := len(s.held) - 1; i >= 0; i-- {
		if s.held[i].d == d && s.held[i].read == read {
			s.held = slices.Delete(s.held, i, i+1)
			s.rehash(i)
			return true
		}
	}
	return false
}

func (s *gstate) rehash(from int) {
	for j := from; j < len(s.held); j++ {
		s.held[j].chain = chainOf(s.held[:j], s.held[j].key)
	}
}

const chainSeed = 0x9e3779b97f4a7c15

func mix(h, k uint64) uint64 {
	h ^= k + chainSeed + h<<6 + h>>2
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h | 1 // 0 marks an empty slot of the chain cache
}

func chainOf(below []held, key uint64) uint64 {
	if len(below) == 0 {
		return mix(chainSeed, key)
	}
	return mix(below[len(below)-1].chain, key)
}

// Goroutine identity. Go gives a goroutine no cheap name: runtime.Stack
// prints its id for about a microsecond, and reading the runtime's private
// g struct (what petermattis/goid does in assembly) breaks with its layout.
// What is cheap is the address of a local variable: at any instant a 2 KiB
// block of stack memory belongs to at most one goroutine, because stacks
// are at least 2 KiB and aligned to 2 KiB. So hints maps a block to the
// state of the goroutine last seen on it, and only a miss pays for the id.
// A hint goes stale when the goroutine's stack moves (it grew) and its old
// block is given to another goroutine; every new lock chain and every
// report re-checks the id, so a stale hint cannot make up an edge, and the
// state is handed to the goroutine now running on that memory, which is
// almost always a new goroutine reusing a dead one's stack.
const (
	blockShift = 11
	hintBits   = 12
)

type hint struct {
	key uintptr
	st  *gstate
}

var (
	hints    [1 << hintBits]atomic.Pointer[hint]
	statesMu sync.Mutex
	states   = map[int64]*gstate{}
	swept    = 1024
)

func hintSlot(key uintptr) *atomic.Pointer[hint] {
	return &hints[(uint64(key)*0x9e3779b97f4a7c15)>>(64-hintBits)]
}

func current() (*gstate, uintptr) {
	var b byte
	key := uintptr(unsafe.Pointer(&b)) >> blockShift
	if !exact.Load() {
		if h := hintSlot(key).Load(); h != nil && h.key == key {
			return h.st, key
		}
	}
	return stateOf(goid(), key), key
}

// stateOf returns the state of goroutine gid, now running on block key.
func stateOf(gid int64, key uintptr) *gstate {
	statesMu.Lock()
	st := states[gid]
	if st == nil {
		st = &gstate{goid: gid}
		states[gid] = st
		st.mapped.Store(true)
		sweepLocked()
	}
	statesMu.Unlock()
	if !exact.Load() {
		hintSlot(key).Store(&hint{key, st})
	}
	return st
}

// verify returns the true state of goroutine gid, found through a hint
// that pointed at st.
func verify(st *gstate, gid int64, key uintptr) *gstate {
	statesMu.Lock()
	if st.goid == gid {
		if !st.mapped.Load() {
			states[gid] = st
			st.mapped.Store(true)
		}
		statesMu.Unlock()
		return st
	}
	if own := states[gid]; own != nil {
		statesMu.Unlock()
		hintSlot(key).Store(&hint{key, own})
		return own
	}
	// We run on memory whose last goroutine is, almost surely, gone: take
	// its state over.
	if st.mapped.Load() && states[st.goid] == st {
		delete(states, st.goid)
	}
	st.goid = gid
	states[gid] = st
	st.mapped.Store(true)
	statesMu.Unlock()
	return st
}

// stackMoved is called when the package sees that the calling goroutine's
// stack moved under it (this slow path made it grow): the hints to its
// state from the old memory are now stale, and another goroutine given
// that memory would take them for its own, so they are dropped at once.
// A move in the caller's own code between two locks is not seen (see the
// package documentation).
func stackMoved() {
	gid := goid()
	statesMu.Lock()
	st := states[gid]
	statesMu.Unlock()
	if st == nil {
		return
	}
	for i := range hints {
		if h := hints[i].Load(); h != nil && h.st == st {
			hints[i].CompareAndSwap(h, nil)
		}
	}
}

// sweepLocked forgets the states that hold nothing, once the map doubled,
// so that a program making many short-lived goroutines stays bounded.
func sweepLocked() {
	if len(states) < 2*swept {
		return
	}
	for gid, st := range states {
		st.lock()
		st.prune()
		if len(st.held) == 0 {
			delete(states, gid)
			st.mapped.Store(false)
		}
		st.unlock()
	}
	swept = max(len(states), 1024)
}

func remap(st *gstate) {
	statesMu.Lock()
	if !st.mapped.Load() {
		if _, taken := states[st.goid]; !taken {
			states[st.goid] = st
		}
		st.mapped.Store(true)
	}
	statesMu.Unlock()
}

func goid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	var id int64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + int64(c-'0')
	}
	return id
}

// The chain cache: a chain is the keys of the locks a goroutine holds plus
// the one it takes; once its edges are in the graph, the same chain needs
// nothing but this lookup, as in Linux lockdep.
const chainBits = 14

var chains [1 << chainBits]atomic.Uint64

func chainSeen(h uint64) bool {
	for p := uint64(0); p < 8; p++ {
		switch chains[(h+p)&(1<<chainBits-1)].Load() {
		case h:
			return true
		case 0:
			return false
		}
	}
	return false
}

func chainAdd(h uint64) {
	for p := uint64(0); p < 8; p++ {
		s := &chains[(h+p)&(1<<chainBits-1)]
		if s.CompareAndSwap(0, h) || s.Load() == h {
			return
		}
	}
	// Full neighbourhood: the chain stays uncached and is re-checked each
	// time, which is slower but still right.
}

func keyOf(c *class, id uint64, read bool) uint64 {
	k := c.id << 1
	if c.selfNest.Load() {
		k = mix(k, id)
	}
	if read {
		k |= 1
	}
	return k
}

// track records that the calling goroutine now holds the Mutex of word lw,
// taken as acquisition seen; with check set it first records and checks the
// orders from the locks already held. Nothing is written on Unlock: the
// entry dies when the word moves on, and the next acquisition prunes it.
// skip counts frames up to the user's call.
func (d *dep) track(id *lockID, lw *atomic.Uint64, seen uint64, check bool, skip int) {
	if !enabled.Load() {
		return
	}
	cls := d.class(skip + 1)
	st, key := current()
	st.lock()
	st.prune()
	if check && len(st.held) > 0 && !chainSeen(chainOf(st.held, keyOf(cls, id.get(), false))) {
		st.unlock()
		st, _ = d.slowCheck(st, key, cls, id.get(), false, true, skip+1)
		st.lock()
		st.prune()
	}
	if !st.mapped.Load() {
		st.unlock()
		remap(st)
		st.lock()
	}
	d.push(st, cls, id, lw, seen, false)
	st.unlock()
}

// check runs before a Mutex acquisition waits: a wait is where deadlocks
// happen, so the orders it would add, and a recursive acquisition, are
// reported before it starts.
//
// A recursive acquisition of a Mutex is not reported here but returned:
// the goroutine really holds the lock only if the wait that follows never
// ends, so the wait confirms it before reporting (see recursive). This
// keeps a stale stack hint (see the package documentation) from producing
// a false report.
func (d *dep) check(id *lockID, lw *atomic.Uint64, skip int) (suspect bool) {
	if !enabled.Load() {
		return false
	}
	cls := d.class(skip + 1)
	st, key := current()
	st.lock()
	st.prune()
	slow := false
	for i := range st.held {
		slow = slow || st.held[i].d == d
	}
	slow = slow || len(st.held) > 0 && !chainSeen(chainOf(st.held, keyOf(cls, id.get(), false)))
	st.unlock()
	if slow {
		_, suspect = d.slowCheck(st, key, cls, id.get(), false, false, skip+1)
	}
	return suspect
}

// recursive reports that the calling goroutine has waited, long enough to
// be sure, for a Mutex that it holds itself.
func (d *dep) recursive() {
	cls := d.cls.Load()
	if cls == nil {
		return
	}
	d.reportOnce("R"+strconv.FormatUint(cls.id, 10), Recursive)
}

// acquire records that the calling goroutine is about to take the RWMutex
// of d (of id and mode read), checking its orders first when check is set.
// The entry is pushed before waiting, as lockdep does; acquired,
// acquiredRead or abort finish it. It returns nil when detection is off.
func (d *dep) acquire(id *lockID, read, check bool, skip int) *gstate {
	if !enabled.Load() {
		return nil
	}
	cls := d.class(skip + 1)
	st, key := current()
	st.lock()
	st.prune()
	if check && len(st.held) > 0 {
		slow := false
		for i := range st.held {
			slow = slow || st.held[i].d == d
		}
		if slow || !chainSeen(chainOf(st.held, keyOf(cls, id.get(), read))) {
			st.unlock()
			st, _ = d.slowCheck(st, key, cls, id.get(), read, true, skip+1)
			st.lock()
			st.prune()
		}
	}
	if !st.mapped.Load() {
		st.unlock()
		remap(st)
		st.lock()
	}
	d.push(st, cls, id, nil, 0, read)
	st.unlock()
	return st
}

func (d *dep) push(st *gstate, cls *class, id *lockID, lw *atomic.Uint64, seen uint64, read bool) {
	i := id.get()
	k := keyOf(cls, i, read)
	n := len(st.held)
	if n == cap(st.held) {
		st.held = append(st.held, held{})
	} else {
		st.held = st.held[:n+1]
	}
	// Field by field: building the entry on the stack and copying it costs
	// store-forwarding stalls on this hot path.
	e := &st.held[n]
	e.d, e.cls, e.id, e.key, e.read, e.lw, e.seen = d, cls, i, k, read, lw, seen
	e.chain = chainOf(st.held[:n], k)
}

// slowCheck handles a chain not seen before, or a recursive acquisition: it
// confirms who is running, records the new edges, reports what they close
// and caches the chain. It returns the goroutine's true state, unlocked.
func (d *dep) slowCheck(st *gstate, key uintptr, cls *class, id uint64, read, reportRecursive bool, skip int) (*gstate, bool) {
	var probe byte
	at := uintptr(unsafe.Pointer(&probe))
	defer func() {
		if uintptr(unsafe.Pointer(&probe)) != at {
			stackMoved()
		}
	}()
	gid := goid()
	st = verify(st, gid, key)
	st.lock()
	st.prune()
	before := slices.Clone(st.held)
	st.unlock()

	var pcs [32]uintptr
	stack := pcs[:runtime.Callers(skip+1, pcs[:])]
	reports, recursive := addEdges(before, d, cls, id, gid, stack, reportRecursive)
	if !recursive {
		chainAdd(chainOf(before, keyOf(cls, id, read)))
	}
	deliver(reports)
	return st, recursive
}

// acquired finishes a write acquisition.
func (d *dep) acquired(st *gstate) { d.owner = st }

// acquiredRead finishes a read acquisition.
func (d *dep) acquiredRead(st *gstate) {
	if st != nil {
		d.readers.Add(1)
	}
}

// abort forgets an acquisition that gave up waiting.
func (d *dep) abort(st *gstate) {
	if st == nil {
		return
	}
	st.lock()
	for i := len(st.held) - 1; i >= 0; i-- {
		if st.held[i].d == d {
			st.held = slices.Delete(st.held, i, i+1)
			st.rehash(i)
			break
		}
	}
	st.unlock()
}

func (d *dep) release() {
	st := d.owner
	if st == nil {
		return
	}
	d.owner = nil
	st.lock()
	st.remove(d, false)
	st.unlock()
}

func (d *dep) releaseRead() {
	if d.readers.Load() == 0 {
		return // not tracked
	}
	st, _ := current()
	st.lock()
	st.remove(d, true)
	st.unlock()
	for {
		n := d.readers.Load()
		if n == 0 || d.readers.CompareAndSwap(n, n-1) {
			return
		}
	}
}

// longWait reports that the calling goroutine has waited too long for d.
func (d *dep) longWait() { d.reportOnce("W"+d.name(), LongWait) }

// reportOnce reports d with the caller's stack, once per key.
func (d *dep) reportOnce(key string, kind Kind) {
	name := d.name()
	graphMu.Lock()
	first := !reported[key]
	reported[key] = true
	graphMu.Unlock()
	if !first {
		return
	}
	var pcs [48]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs[:])])
	var b strings.Builder
	for {
		f, more := frames.Next()
		// The package's own frames say nothing to the reader.
		internal := strings.HasPrefix(f.Function, "github.com/labludus/ludus/lock.") && !strings.HasSuffix(f.File, "_test.go")
		if !internal && f.Function != "" {
			fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Function, f.File, f.Line)
		}
		if !more {
			break
		}
	}
	deliver([]Report{{Kind: kind, Locks: []string{name}, Edges: []Edge{{From: name, To: name, Goroutine: goid(), Stack: b.String()}}}})
}

// The graph.
type node struct {
	cls  *class
	inst uint64 // 0 for the class node; a lock id for instance nodes
}

func (n node) String() string {
	if n.inst == 0 {
		return n.cls.name
	}
	return fmt.Sprintf("%s [lock #%d]", n.cls.name, n.inst)
}

type edgeInfo struct {
	gid   int64
	stack []uintptr
}

var (
	graphMu  sync.Mutex
	graph    = map[node]map[node]*edgeInfo{}
	reported = map[string]bool{}
)

// addEdges records held -> taken for every lock held and returns the
// reports of the cycles these edges close.
func addEdges(before []held, d *dep, cls *class, id uint64, gid int64, stack []uintptr, reportRecursive bool) (out []Report, recursive bool) {
	graphMu.Lock()
	defer graphMu.Unlock()
	for _, e := range before {
		if e.d == d {
			recursive = true
			key := "R" + strconv.FormatUint(cls.id, 10)
			if reportRecursive && !reported[key] {
				reported[key] = true
				n := node{cls: cls}.String()
				out = append(out, Report{Kind: Recursive, Locks: []string{n}, Edges: []Edge{{From: n, To: n, Goroutine: gid, Stack: formatStack(stack)}}})
			}
			continue
		}
		from, to := node{cls: e.cls}, node{cls: cls}
		if e.cls == cls {
			// Two locks of one class held together: order them by
			// instance, so that the same-class cycles of, say, bank
			// accounts are still seen.
			cls.selfNest.Store(true)
			from.inst, to.inst = e.id, id
		}
		out = append(out, addEdgeLocked(from, to, gid, stack)...)
	}
	return out, recursive
}

func addEdgeLocked(from, to node, gid int64, stack []uintptr) []Report {
	succ := graph[from]
	if succ == nil {
		succ = map[node]*edgeInfo{}
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
	cycle := append([]node{from}, path[:len(path)-1]...)
	key := cycleKey(cycle)
	if reported[key] {
		return nil
	}
	reported[key] = true
	r := Report{Kind: Cycle}
	for i, n := range cycle {
		next := cycle[(i+1)%len(cycle)]
		ei := graph[n][next]
		r.Locks = append(r.Locks, n.String())
		r.Edges = append(r.Edges, Edge{From: n.String(), To: next.String(), Goroutine: ei.gid, Stack: formatStack(ei.stack)})
	}
	return []Report{r}
}

// pathLocked returns a shortest path from a to b (both included), or nil.
func pathLocked(a, b node) []node {
	prev := map[node]node{a: a}
	queue := []node{a}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n == b {
			var path []node
			for ; n != a; n = prev[n] {
				path = append(path, n)
			}
			path = append(path, a)
			slices.Reverse(path)
			return path
		}
		for next := range graph[n] {
			if _, seen := prev[next]; !seen {
				prev[next] = n
				queue = append(queue, next)
			}
		}
	}
	return nil
}

// cycleKey names a cycle independently of where it was entered.
func cycleKey(c []node) string {
	start := 0
	for i, n := range c {
		m := c[start]
		if n.cls.id < m.cls.id || n.cls.id == m.cls.id && n.inst < m.inst {
			start = i
		}
	}
	var b strings.Builder
	for i := range c {
		n := c[(start+i)%len(c)]
		fmt.Fprintf(&b, "%d.%d,", n.cls.id, n.inst)
	}
	return b.String()
}

func formatStack(pcs []uintptr) string {
	var b strings.Builder
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		if f.Function != "" {
			fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Function, f.File, f.Line)
		}
		if !more {
			break
		}
	}
	return b.String()
}
