package engine

import "unsafe"

// callerFP returns the frame pointer of its caller's frame.
func callerFP() unsafe.Pointer

// bottomReturnPC walks the frame-pointer chain of the calling goroutine to
// its first frame and returns the return address into that frame. It costs
// a few nanoseconds per frame, against a few hundred for runtime.Callers.
// ok is false when the chain looks wrong; callers then use
// runtime.Callers. It is nosplit so the stack cannot move during the walk.
//
//go:nosplit
func bottomReturnPC() (pc uintptr, ok bool) {
	fp := callerFP()
	var ret uintptr
	for i := 0; i < 1024; i++ {
		if fp == nil || uintptr(fp)&7 != 0 {
			return 0, false
		}
		next := *(*unsafe.Pointer)(fp)
		if next == nil {
			return ret, ret != 0
		}
		if uintptr(next) <= uintptr(fp) || uintptr(next)-uintptr(fp) > 1<<20 {
			return 0, false
		}
		ret = *(*uintptr)(unsafe.Add(fp, 8))
		fp = next
	}
	return 0, false
}
