package lock

import "unsafe"

// stackWatch notices that the calling goroutine's stack moved between
// start and end: its probe lives in the caller's frame, so its address
// changes when the runtime copies the stack. The detector's slow paths
// (asking for the goroutine id, parking, timers) can grow the stack, and
// the hints to the goroutine's state from the old memory must then go
// (stackMoved).
//
//	var w stackWatch
//	w.start()
//	defer w.end()
type stackWatch struct {
	// probe is the byte whose address moves with the stack.
	probe byte
	// at is probe's address when start ran.
	at uintptr
}

func (w *stackWatch) start() { w.at = uintptr(unsafe.Pointer(&w.probe)) }

func (w *stackWatch) end() {
	if uintptr(unsafe.Pointer(&w.probe)) != w.at {
		stackMoved()
	}
}

// blockShift makes 2 KiB stack blocks: the smallest stack, and its
// alignment, so a block belongs to at most one goroutine at a time.
const blockShift = 11

// blockOf returns the stack block of a local variable.
func blockOf(b *byte) uintptr { return uintptr(unsafe.Pointer(b)) >> blockShift }
