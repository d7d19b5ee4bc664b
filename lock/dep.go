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
	// wgen counts an RWMutex's write acquisitions and releases, as a
	// Mutex's word does: a write entry names the value its acquisition
	// made, so it goes stale by itself when the lock is released, from any
	// goroutine.
	wgen atomic.Uint64
	// readers counts tracked read acquisitions not yet released. A read
	// entry in a goroutine's held list is live only while it is positive,
	// which forgets entries whose RUnlock ran in another goroutine once the
	// last reader leaves.
	readers atomic.Int32
	// rverified is an epoch (high 32 bits) and the number of verified read
	// entries of this epoch not yet released (low 32 bits): see
	// releaseRead.
	rverified atomic.Uint64
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
	// learn counts the acquisitions of this class still to be made under
	// the goroutine's exact id (see current): only those entries can
	// prove an order, so a class learns its orders exactly while it is new
	// and again whenever an order from it could not be proved.
	learn atomic.Int32
}

var (
	classMu     sync.Mutex
	classByName = map[string]*class{}
	classByPC   = map[uintptr]*class{}
	lastClass   uint64
)

func newClassLocked(name string) *class {
	lastClass++
	c := &class{id: lastClass, name: name}
	c.learn.Store(learnAcquisitions)
	return c
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

// gstate is what one goroutine holds. Its goroutine is the usual user;
// busy makes the others safe: an Unlock from another goroutine, and a
// goroutine that meets a stale hint (see current).
type gstate struct {
	busy   atomic.Uint32
	goid   int64 // set once, when the state is made for goroutine goid
	mapped atomic.Bool
	held   []held
}

// held is one lock in a goroutine's held list.
type held struct {
	d     *dep
	cls   *class
	id    uint64
	lw    *atomic.Uint64 // the lock's word (a Mutex's, or an RWMutex's wgen); nil for a read
	seen  uint64         // the value of *lw that this acquisition made
	key   uint64         // the lock's contribution to chain keys
	chain uint64         // hash of the keys of this entry and all below it
	// vg is the id of the goroutine that pushed the entry, when it was
	// known exactly at the time (0 when the push trusted a stack hint). An
	// order is only ever recorded from an entry whose vg is the goroutine
	// recording it: see slowCheck.
	vg    int64
	epoch uint32 // for a verified read: the lock's rverified epoch
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

// provenBy reports whether the live entry e is certainly a lock that
// goroutine gid holds: gid pushed it, knowing its own id, and has not
// released it since. For a Mutex (or an RWMutex's write side) the second
// half is the lock word, unchanged since gid's acquisition; for a read,
// an RUnlock that cannot tell whose read it ends changes the epoch.
func (e *held) provenBy(gid int64) bool {
	return e.vg == gid && gid != 0 && (!e.read || e.epoch == uint32(e.d.rverified.Load()>>32))
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

// removeAt deletes entry i and rehashes the entries above it.
func (s *gstate) removeAt(i int) {
	if i == len(s.held)-1 {
		s.held[i] = held{}
		s.held = s.held[:i]
		return
	}
	s.held = slices.Delete(s.held, i, i+1)
	s.rehash(i)
}

// topRead returns the index of the topmost read entry for d that ok
// accepts, or -1.
func (s *gstate) topRead(d *dep, ok func(*held) bool) int {
	for i := len(s.held) - 1; i >= 0; i-- {
		if e := &s.held[i]; e.d == d && e.read && ok(e) {
			return i
		}
	}
	return -1
}

func (s *gstate) holds(d *dep) bool {
	for i := range s.held {
		if s.held[i].d == d {
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
// state of the goroutine last seen on it, and a miss pays for the id.
//
// A hint goes stale when its goroutine's stack moves (it grew, or the
// collector shrank it) or the goroutine ends, and the memory goes to
// another goroutine, which then takes the first one's state for its own.
// Nothing cheap can tell, so hints are never trusted with an order:
//
//   - an entry pushed through a hint carries no goroutine id (vg 0); one
//     pushed knowing the id exactly carries it;
//   - orders are recorded only in slowCheck, which asks the runtime for the
//     id, reads that goroutine's own state, and records an order only from
//     entries that goroutine pushed itself (provenBy);
//   - a chain is cached, letting the same held list skip slowCheck, only
//     when every order of it was recorded that way.
//
// A stale hint can therefore put entries in the wrong list, which costs a
// slowCheck or misses an order, but it cannot make one up. To keep orders
// provable, a class's acquisitions use the exact id while the class is new
// (learnAcquisitions) and again after an order from it could not be proved
// (relearnAcquisitions): an order first taken after that is recorded the
// next time it is taken.
const (
	blockShift = 11
	hintBits   = 12

	learnAcquisitions   = 1024
	relearnAcquisitions = 1024
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

// current returns the state to push an acquisition of class cls on, made
// from stack block key, and the caller's goroutine id if it was asked for
// (0 when a hint answered).
func current(cls *class, key uintptr) (*gstate, int64) {
	if cls.learn.Load() > 0 {
		cls.learn.Add(-1)
	} else if !exact.Load() {
		if h := hintSlot(key).Load(); h != nil && h.key == key {
			return h.st, 0
		}
	}
	gid := goid()
	return stateOf(gid, key), gid
}

// rehint is called after a lookup from the frame of local b, made on block
// key: if the stack grew since (asking for the id, or growing a held list,
// takes stack), the next lookup, from the same depth, will come from b's
// new block, so the hint goes there too. Otherwise that block may hold a
// stale hint, and the goroutine's next lock would go on another list.
func rehint(b *byte, key uintptr, st *gstate) {
	if moved := uintptr(unsafe.Pointer(b)) >> blockShift; moved != key && !exact.Load() {
		hintSlot(moved).Store(&hint{moved, st})
	}
}

// hinted is current for a look that pushes nothing.
func hinted() (*gstate, uintptr) {
	var b byte
	key := uintptr(unsafe.Pointer(&b)) >> blockShift
	if !exact.Load() {
		if h := hintSlot(key).Load(); h != nil && h.key == key {
			return h.st, key
		}
	}
	st := stateOf(goid(), key)
	rehint(&b, key, st)
	return st, key
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
		h := hintSlot(key).Load()
		if h == nil || h.key != key || h.st != st {
			hintSlot(key).Store(&hint{key, st})
		}
		if h != nil && h.key == key && h.st != st {
			// The hint was another goroutine's: our last locks may have
			// gone on its list, where they prove nothing; their classes
			// learn again, so that their orders are proved next time.
			h.st.relearnAll()
		}
	}
	return st
}

func (s *gstate) relearnAll() {
	s.lock()
	s.prune()
	for i := range s.held {
		relearn(s.held[i].cls)
	}
	s.unlock()
}

// stackMoved is called when the package sees that the calling goroutine's
// stack moved under it (this slow path made it grow): the hints to its
// state from the old memory are now stale, and another goroutine given
// that memory would push its locks on them, so they are dropped at once.
// This only saves work: stale hints cannot make up an order.
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

// track records that the calling goroutine now holds the lock of d, taken
// by the acquisition that made *lw equal seen (lw nil for a read lock);
// with check set it first records and checks the orders from the locks
// already held. Nothing is written on Unlock: the entry dies when the word
// moves on, and the next acquisition prunes it. skip counts frames up to
// the user's call.
func (d *dep) track(id *lockID, lw *atomic.Uint64, seen uint64, read, check bool, skip int) {
	if !enabled.Load() {
		return
	}
	cls := d.class(skip + 1)
	i := id.get()
	var here byte
	key := uintptr(unsafe.Pointer(&here)) >> blockShift
	st, gid := current(cls, key)
	st.lock()
	st.prune()
	// chain is the new entry's chain hash, kept from the cache lookup
	// while the list cannot have changed (0: compute it in push).
	var chain uint64
	if check && len(st.held) > 0 {
		chain = chainOf(st.held, keyOf(cls, i, read))
		if read && st.holds(d) || !chainSeen(chain) {
			st.unlock()
			st, gid, _ = d.slowCheck(st, key, cls, i, read, true, skip+1)
			st.lock()
			st.prune()
			chain = 0
		}
	}
	if !st.mapped.Load() {
		st.unlock()
		remap(st)
		st.lock()
		chain = 0
	}
	d.push(st, cls, i, chain, lw, seen, read, gid)
	st.unlock()
	rehint(&here, key, st)
}

// check runs before an acquisition waits: a wait is where deadlocks
// happen, so the orders it would add, and a recursive acquisition, are
// reported before it starts.
//
// A recursive acquisition is reported at once if reportRecursive is set.
// Otherwise (a Mutex) it is returned, and the wait reports it once it has
// lasted long enough to be sure (see recursive).
func (d *dep) check(id *lockID, read, reportRecursive bool, skip int) (suspect bool) {
	if !enabled.Load() {
		return false
	}
	cls := d.class(skip + 1)
	st, key := hinted()
	if cls.learn.Load() > 0 && !exact.Load() {
		// While the class learns, its locks are on the goroutine's own
		// list, proved: look there, or a recursive Lock would be missed.
		st = stateOf(goid(), key)
	}
	st.lock()
	st.prune()
	slow := st.holds(d) || len(st.held) > 0 && !chainSeen(chainOf(st.held, keyOf(cls, id.get(), read)))
	st.unlock()
	if slow {
		_, _, suspect = d.slowCheck(st, key, cls, id.get(), read, reportRecursive, skip+1)
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

// lockedW tracks an RWMutex's write acquisition, just made.
func (d *dep) lockedW(id *lockID, check bool, skip int) {
	w := d.wgen.Add(1)
	d.track(id, &d.wgen, w, false, check, skip+1)
}

// unlockedW ends the tracked write acquisition; it runs before the lock is
// released.
func (d *dep) unlockedW() { d.wgen.Add(1) }

// lockedR tracks an RWMutex's read acquisition, just made.
func (d *dep) lockedR(id *lockID, check bool, skip int) {
	if !enabled.Load() {
		return
	}
	d.readers.Add(1)
	d.track(id, nil, 0, true, check, skip+1)
}

func (d *dep) push(st *gstate, cls *class, i, chain uint64, lw *atomic.Uint64, seen uint64, read bool, gid int64) {
	k := keyOf(cls, i, read)
	n := len(st.held)
	if chain == 0 {
		chain = chainOf(st.held, k)
	}
	if n == cap(st.held) {
		st.held = append(st.held, held{})
	} else {
		st.held = st.held[:n+1]
	}
	// Field by field: building the entry on the stack and copying it costs
	// store-forwarding stalls on this hot path.
	e := &st.held[n]
	e.d, e.cls, e.id, e.key, e.read, e.lw, e.seen, e.vg, e.epoch = d, cls, i, k, read, lw, seen, gid, 0
	e.chain = chain
	if read && gid != 0 {
		// Count the verified read, so that its RUnlock looks for it
		// exactly (see releaseRead).
		e.epoch = uint32(d.rverified.Add(1) >> 32)
	}
}

// slowCheck handles a chain not seen before, or a recursive acquisition: it
// asks the runtime who is running, records the orders from the locks that
// goroutine provably holds, reports the cycles they close and caches the
// chain if every order of it was proved. It returns the goroutine's own
// state (unlocked) and id, and whether it holds d already.
//
// st is the state a hint gave, which may be another goroutine's. The
// entries of the goroutine's own state that it did not push knowing its
// id, and every entry of st if it is not that state, may be another
// goroutine's locks: they record no order, and their classes go back to
// exact acquisitions, so that a true order among them is proved the next
// time it is taken.
func (d *dep) slowCheck(st *gstate, key uintptr, cls *class, id uint64, read, reportRecursive bool, skip int) (*gstate, int64, bool) {
	var probe byte
	at := uintptr(unsafe.Pointer(&probe))
	defer func() {
		if uintptr(unsafe.Pointer(&probe)) != at {
			stackMoved()
		}
	}()
	gid := goid()
	own := stateOf(gid, key)
	if own != st {
		st.relearnAll() // in case the hint changed since
	}
	own.lock()
	own.prune()
	before := slices.Clone(own.held)
	own.unlock()

	proved := before[:0:0]
	for i := range before {
		if before[i].provenBy(gid) {
			proved = append(proved, before[i])
		} else {
			relearn(before[i].cls)
		}
	}
	var pcs [32]uintptr
	stack := pcs[:runtime.Callers(skip+1, pcs[:])]
	reports, recursive := addEdges(proved, d, cls, id, gid, stack, reportRecursive)
	if !recursive && len(proved) == len(before) {
		chainAdd(chainOf(before, keyOf(cls, id, read)))
	}
	deliver(reports)
	return own, gid, recursive
}

func relearn(c *class) {
	if c.learn.Load() < relearnAcquisitions {
		c.learn.Store(relearnAcquisitions)
	}
}

// releaseRead ends a tracked read acquisition of d, whichever goroutine
// calls it.
//
// While verified read entries of the current epoch exist, it asks the
// runtime who is running. The reader that pushed the only such entry ends
// it; any other RUnlock, which cannot tell whose read it ends (another
// goroutine's, or an unverified one of its own), starts a new epoch, and
// the older verified reads prove nothing from then on. Without verified
// reads, a hint finds the entry: at worst it stays in the wrong list,
// where it proves nothing either.
func (d *dep) releaseRead() {
	if d.readers.Load() == 0 {
		return // not tracked
	}
	if uint32(d.rverified.Load()) != 0 {
		d.releaseVerifiedRead()
	} else {
		st, _ := hinted()
		st.lock()
		if i := st.topRead(d, func(*held) bool { return true }); i >= 0 {
			st.removeAt(i)
		}
		st.unlock()
	}
	for {
		n := d.readers.Load()
		if n == 0 || d.readers.CompareAndSwap(n, n-1) {
			return
		}
	}
}

func (d *dep) releaseVerifiedRead() {
	var b byte
	gid := goid()
	st := stateOf(gid, uintptr(unsafe.Pointer(&b))>>blockShift)
	st.lock()
	defer st.unlock()
	for {
		s := d.rverified.Load()
		epoch, n := uint32(s>>32), uint32(s)
		i := st.topRead(d, func(e *held) bool { return e.vg == gid && e.epoch == epoch })
		if i >= 0 && n == 1 {
			if d.rverified.CompareAndSwap(s, uint64(epoch)<<32) {
				st.removeAt(i)
				return
			}
			continue
		}
		if d.rverified.CompareAndSwap(s, uint64(epoch+1)<<32) {
			if i = st.topRead(d, func(*held) bool { return true }); i >= 0 {
				st.removeAt(i)
			}
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
