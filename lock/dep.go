//go:build !ludus_nolockdep

package lock

import (
	"runtime"
	"sync/atomic"
)

const compiledIn = true

// dep is a lock's detection part.
type dep struct {
	// cls is the lock's class, set by NewMutex or at the first
	// acquisition, then never changed.
	cls atomic.Pointer[class]
	// wgen is an RWMutex's writer word: it carries the token of the
	// acquisition holding the write lock (see token), as a Mutex's word
	// does. A Mutex does not use it.
	wgen atomic.Uint64
	// readers counts tracked read acquisitions not yet released. A read
	// node is held while it is positive, which forgets reads whose RUnlock
	// ran in another goroutine once the last reader leaves.
	readers atomic.Int32
	// rverified is an epoch (high 32 bits) and the number of verified read
	// nodes of this epoch not yet released (low 32 bits): see releaseRead.
	rverified atomic.Uint64
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

// class returns d's class, naming a zero value's by the call skip frames
// up.
func (d *dep) class(skip int) *class {
	if c := d.cls.Load(); c != nil {
		return c
	}
	d.cls.CompareAndSwap(nil, siteClass(skip+1))
	return d.cls.Load()
}

// writerWord is the word an RWMutex's write acquisitions put their token
// in.
func (d *dep) writerWord() *atomic.Uint64 { return &d.wgen }

// tracker is one acquisition in progress, from begin to acquired. It lives
// in the locking function's frame.
type tracker struct {
	// tok is what the lock word says once the lock is taken; 0 when the
	// acquisition is not tracked.
	tok token
	// suspect is whether the goroutine provably holds the lock already: a
	// recursive Lock, reported if its wait lasts (reportIfStuck).
	suspect bool
	// on is whether detection tracks this acquisition.
	on bool
	// st is the state the acquisition goes on; gid is the goroutine's id
	// if it was asked for, else 0.
	st  *gstate
	gid int64
	// e is the acquisition's entry.
	e entry
	// h is st's path and what it held, as read before the acquisition.
	h held
	// key is the stack block the locking method's local (here, passed to
	// begin and acquired) was on when the hint last pointed there (see
	// rehint). The pointer itself is not kept: a stack pointer in the
	// tracker would make the compiler move it to the heap.
	key uintptr
}

// begin prepares an acquisition of the lock whose detection part is d. It
// finds the goroutine's state and the token to take the lock with, and
// reads what the goroutine holds. For an unbounded acquisition holding
// other locks, a chain not seen before, or a lock the goroutine seems to
// hold, goes to slowCheck, which records the new orders and reports what
// they show before the lock is tried: a deadlock is reported before the
// wait that would hang. here is a local of the locking method's frame:
// its stack block keys the hint, the same block quick used, so that the
// acquisitions a goroutine makes from one frame depth all find the same
// state. skip counts the frames up to the user's call, which names a zero
// value's class.
func (d *dep) begin(t *tracker, a acquire, here *byte, skip int) {
	if !enabled.Load() {
		return
	}
	cls := d.class(skip + 1)
	key := blockOf(here)
	t.on = true
	t.e = entry{d: d, word: a.word, cls: cls, id: a.id.get(), mode: a.mode}
	t.st, t.gid = current(cls, key)
	t.h.read(t.st)
	if a.wait == unbounded && t.h.n > 0 &&
		(t.h.holds(d) || !chainSeen(t.h.chainWith(keyOf(cls, t.e.id, a.mode)))) {
		t.slowCheck(key, a.recursion, skip+1)
	}
	if !t.st.mapped.Load() {
		remap(t.st)
	}
	t.tok = t.st.token(t.gid != 0)
	rehint(here, key, t.st)
	t.key = blockOf(here)
}

// slowCheck handles a chain not seen before, or a lock the goroutine seems
// to hold: it asks the runtime who is running, records the orders from the
// locks that goroutine provably holds, reports the cycles they close and
// caches the chain if every order of it was proved. The acquisition then
// goes on the goroutine's own state, under its exact id.
//
// t.st is the state a hint gave, which may be another goroutine's. The
// held locks of the goroutine's own state whose words do not carry its
// exact token, and every lock of t.st if it is not that state, may be
// another goroutine's: they record no order, and their classes go back to
// exact acquisitions, so that a true order among them is proved the next
// time it is taken.
func (t *tracker) slowCheck(key uintptr, rec recursionReport, skip int) {
	var w stackWatch
	w.start()
	defer w.end()
	gid := goid()
	own := stateOf(gid, key)
	if own != t.st {
		t.st.relearnAll() // in case the hint changed since
		t.st = own
		t.h.read(own)
	}
	t.gid = gid
	var proved []*node
	all := true
	for _, n := range t.h.nodes() {
		if n.provenBy(own, gid) {
			proved = append(proved, n)
		} else {
			all = false
			n.cls.relearn()
		}
	}
	var pcs [32]uintptr
	stack := pcs[:runtime.Callers(skip+1, pcs[:])]
	reports, recursive := addEdges(proved, taking{e: t.e, gid: gid, stack: stack, recursion: rec})
	if !recursive && all {
		chainAdd(t.h.chainWith(keyOf(t.e.cls, t.e.id, t.e.mode)))
	}
	t.suspect = recursive
	deliver(reports)
}

// acquired records that t's lock is now held: its word already carries
// t.tok (lockedW and lockedR do their part first). here is begin's. Taking the same locks
// in the same order as the last time writes nothing.
//
// The stack may have grown since begin (pushing, parking): the hint then
// goes to the block the frame moved to, or the goroutine's next lock from
// the same depth would meet whatever hint that memory holds, maybe a dead
// goroutine's, and go on its path.
func (d *dep) acquired(t *tracker, here *byte) {
	if !t.on {
		return
	}
	if !t.h.revives(t.e) {
		t.h.push(t.st, t.e)
	}
	rehint(here, t.key, t.st)
}

// lockedW records an RWMutex's write acquisition, just made.
func (d *dep) lockedW(t *tracker, here *byte) {
	if !t.on {
		return
	}
	d.wgen.Store(uint64(t.tok | lockedBit))
	d.acquired(t, here)
}

// unlockedW ends the write acquisition in the writer word; it runs before
// the lock is released.
func (d *dep) unlockedW() {
	if d.wgen.Load()&uint64(lockedBit) != 0 {
		d.wgen.And(^uint64(lockedBit))
	}
}

// lockedR records an RWMutex's read acquisition, just made.
func (d *dep) lockedR(t *tracker, here *byte) {
	if !t.on {
		return
	}
	d.readers.Add(1)
	if t.gid != 0 {
		// Count the verified read, so that its RUnlock looks for it
		// exactly (see releaseRead).
		t.e.vg, t.e.epoch = t.gid, uint32(d.rverified.Add(1)>>32)
	}
	d.acquired(t, here)
}

func anyNode(*node) bool { return true }

// releaseRead ends a tracked read acquisition of d, whichever goroutine
// calls it.
//
// While verified read nodes of the current epoch exist, it asks the
// runtime who is running. The reader that pushed the only such node ends
// it; any other RUnlock, which cannot tell whose read it ends (another
// goroutine's, or an unverified one of its own), starts a new epoch, and
// the older verified reads prove nothing from then on. Without verified
// reads, a hint finds the node: at worst it stays in the wrong path, where
// it proves nothing either. here is a local of RUnlock's frame, whose
// block keys the hint as RLock's did.
func (d *dep) releaseRead(here *byte) {
	if d.readers.Load() == 0 {
		return // not tracked
	}
	if uint32(d.rverified.Load()) != 0 {
		d.releaseVerifiedRead(here)
	} else {
		st, _ := hinted(here)
		var h held
		h.read(st)
		h.removeRead(st, d, anyNode)
	}
	for {
		n := d.readers.Load()
		if n == 0 || d.readers.CompareAndSwap(n, n-1) {
			return
		}
	}
}

func (d *dep) releaseVerifiedRead(here *byte) {
	gid := goid()
	st := stateOf(gid, blockOf(here))
	var h held
	h.read(st)
	for {
		s := d.rverified.Load()
		epoch, n := uint32(s>>32), uint32(s)
		mine := func(e *node) bool { return e.vg == gid && e.epoch == epoch }
		if n == 1 && h.has(d, mine) {
			if d.rverified.CompareAndSwap(s, uint64(epoch)<<32) {
				h.removeRead(st, d, mine)
				return
			}
			continue
		}
		if d.rverified.CompareAndSwap(s, uint64(epoch+1)<<32) {
			h.removeRead(st, d, anyNode)
			return
		}
	}
}

// recursive reports that the calling goroutine has waited, long enough to
// be sure, for a Mutex that it holds itself.
func (d *dep) recursive() {
	if cls := d.cls.Load(); cls != nil {
		d.reportOnce(reportKey{kind: Recursive, class: cls.id})
	}
}

// longWait reports that the calling goroutine has waited too long for d.
func (d *dep) longWait() {
	k := reportKey{kind: LongWait}
	if cls := d.cls.Load(); cls != nil {
		k.class = cls.id
	}
	d.reportOnce(k)
}

// quick is the hot path of a Mutex acquisition, taken when the goroutine
// takes locks in an order it took them before: the class has finished
// learning, the hint for the caller's stack block (key) names a state, the
// state's path is regular, and the node for this lock on top of the held
// ones is the next one in the path (then nothing is written) or in the
// state's node cache (then it becomes the top), with a chain already
// proved. The lock is then taken with the state's hinted token. It returns
// the token and true, or false to take the full path (begin).
//
// With detection off it returns token 0 and true: an untracked
// acquisition.
func (d *dep) quick(key uintptr) (token, bool) {
	if !enabled.Load() {
		return 0, true
	}
	cls := d.cls.Load()
	if cls == nil || cls.learn.Load() > 0 || exact.Load() {
		return 0, false
	}
	h := hintSlot(key).Load()
	if h == nil || h.key != key || !h.st.mapped.Load() {
		return 0, false
	}
	st := h.st
	base, next, ok := st.regularTop()
	if !ok {
		return 0, false
	}
	n, move := next, false
	if n == nil || !n.quickFor(d, cls) {
		n, move = st.cache[cacheSlot(base, d, writeAccess)].Load(), true
		if n == nil || n.below != base || !n.quickFor(d, cls) {
			return 0, false
		}
	}
	if base != nil && !chainSeen(n.chain) {
		return 0, false
	}
	if move {
		// Published before the lock is tried: a node of a lock not held,
		// above the held ones, is what a released lock leaves anyway.
		st.top.Store(n)
	}
	return st.token(false), true
}

// regularTop walks s's path down from the top and returns its topmost
// held node (nil if none) and the node above it (the bottom one if none is
// held), if the path is regular: every node below the first held one is
// held too, and made since its class last changed its keys.
func (s *gstate) regularTop() (base, next *node, ok bool) {
	for x := s.top.Load(); x != nil; x = x.below {
		if !x.heldBy(s) {
			next = x
			continue
		}
		base = x
		for ; x != nil; x = x.below {
			if !x.heldBy(s) || !x.fresh() {
				return nil, nil, false
			}
		}
		return base, next, true
	}
	return nil, next, true
}

// quickFor reports whether n is the node a hinted write acquisition of d
// (class cls) would make.
func (n *node) quickFor(d *dep, cls *class) bool {
	return n.d == d && n.mode == writeAccess && n.vg == 0 && n.nest == cls.selfNest.Load()
}
