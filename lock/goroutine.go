//go:build !ludus_nolockdep

package lock

import (
	"bytes"
	"runtime"
	"sync"
	"sync/atomic"
)

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
//   - an acquisition made through a hint writes a token without exactBit;
//     one made knowing the goroutine's id writes exactBit;
//   - orders are recorded only in slowCheck, which asks the runtime for the
//     id, reads that goroutine's own state, and records an order only from
//     locks whose words carry that state's exact token (node.provenBy);
//   - a chain is cached, letting the same held locks skip slowCheck, only
//     when every order of it was recorded that way.
//
// A stale hint can therefore put a lock in the wrong path, which costs a
// slowCheck or misses an order, but it cannot make one up. To keep orders
// provable, a class's acquisitions use the exact id while the class is new
// and again after an order from it could not be proved (class.learn): an
// order first taken after that is recorded the next time it is taken.
const hintBits = 12 // 4096 hint slots

// hint says that the goroutine last seen on stack block key has state st.
type hint struct {
	key uintptr
	st  *gstate
}

var (
	// hints is a direct-mapped table of hints by block; a slot holds the
	// last hint stored for any block that hashes to it.
	hints [1 << hintBits]atomic.Pointer[hint]
	// statesMu guards states and swept.
	statesMu sync.Mutex
	// states holds each goroutine's state by goroutine id: the exact way
	// to a state, which hints only shortcut.
	states = map[int64]*gstate{}
	// swept is the size of states after the last sweep; the next sweep
	// runs when the map has doubled.
	swept = 1024
)

func hintSlot(key uintptr) *atomic.Pointer[hint] {
	return &hints[(uint64(key)*0x9e3779b97f4a7c15)>>(64-hintBits)]
}

// current returns the state to record an acquisition of class cls on,
// made from stack block key, and the caller's goroutine id if it asked the
// runtime for it (0 when a hint answered).
func current(cls *class, key uintptr) (*gstate, int64) {
	if !cls.exactNow() {
		if h := hintSlot(key).Load(); h != nil && h.key == key {
			return h.st, 0
		}
	}
	gid := goid()
	return stateOf(gid, key), gid
}

// rehint is called after a lookup from the frame of local b, made on block
// key: if the stack grew since (asking for the id takes stack), the next
// lookup, from the same depth, will come from b's new block, so the hint
// goes there too. Otherwise that block may hold a stale hint, and the
// goroutine's next lock would go on another path.
func rehint(b *byte, key uintptr, st *gstate) {
	if moved := blockOf(b); moved != key && !exact.Load() {
		hintSlot(moved).Store(&hint{moved, st})
	}
}

// hinted is current for a look that records nothing, from the frame of
// local b.
func hinted(b *byte) (*gstate, uintptr) {
	key := blockOf(b)
	if !exact.Load() {
		if h := hintSlot(key).Load(); h != nil && h.key == key {
			return h.st, key
		}
	}
	st := stateOf(goid(), key)
	rehint(b, key, st)
	return st, key
}

// stateOf returns the state of goroutine gid, now running on block key,
// and points the block's hint at it.
func stateOf(gid int64, key uintptr) *gstate {
	statesMu.Lock()
	st := states[gid]
	if st == nil {
		st = newState(gid)
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
			// gone on its path, where they prove nothing; their classes
			// learn again, so that their orders are proved next time.
			h.st.relearnAll()
		}
	}
	return st
}

// relearnAll sends the classes of the locks held through s back to exact
// acquisitions.
func (s *gstate) relearnAll() {
	var h held
	h.read(s)
	for _, n := range h.nodes() {
		n.cls.relearn()
	}
}

// stackMoved is called when the package sees that the calling goroutine's
// stack moved under it (its slow path made it grow): the hints to its
// state from the old memory are now stale, and another goroutine given
// that memory would record its locks through them, so they are dropped at
// once. This only saves work: stale hints cannot make up an order.
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
// so that a program making many short-lived goroutines stays bounded. A
// goroutine still using a swept state (through a hint) maps it back when
// it next takes a lock (remap).
func sweepLocked() {
	if len(states) < 2*swept {
		return
	}
	for gid, st := range states {
		var h held
		h.read(st)
		if h.n == 0 {
			delete(states, gid)
			st.mapped.Store(false)
		}
	}
	swept = max(len(states), 1024)
}

// remap puts a swept state back in states, unless its goroutine has been
// given a new one since.
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

// goidBufs recycles goid's buffers: runtime.Stack's buffer escapes, and
// exact acquisitions (a class's first 1024) would allocate one each.
var goidBufs = sync.Pool{New: func() any { return new([64]byte) }}

// goid asks the runtime for the calling goroutine's id.
func goid() int64 {
	buf := goidBufs.Get().(*[64]byte)
	defer goidBufs.Put(buf)
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
