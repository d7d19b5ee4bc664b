package rt

import "sync"

// Package state. Each rewritten package registers, from init, a function
// that takes a snapshot of its package-level variables and returns the
// function that restores it. An exploration snapshots every package when it
// starts and restores the snapshot before each execution, so that one
// schedule cannot leak state into the next.

var states struct {
	sync.Mutex
	snapshots []func() func()
}

// State registers a package's snapshot function.
func State(snapshot func() (restore func())) {
	states.Lock()
	states.snapshots = append(states.snapshots, snapshot)
	states.Unlock()
}

// snapshot takes every registered package's snapshot and returns the
// function that restores them all.
func snapshot() func() {
	states.Lock()
	fns := append([]func() func(){}, states.snapshots...)
	states.Unlock()
	restores := make([]func(), 0, len(fns))
	for _, f := range fns {
		restores = append(restores, f())
	}
	return func() {
		for _, r := range restores {
			r()
		}
	}
}

// Restore helpers for the generated snapshot code: a map or slice variable
// is restored to a copy of its snapshot's contents, so that what one
// execution stored in it is gone in the next.

// SaveMap returns a function that sets *p to a fresh copy of *p's current
// contents (nil stays nil).
func SaveMap[M ~map[K]V, K comparable, V any](p *M) func() {
	saved := *p
	if saved == nil {
		return func() { *p = nil }
	}
	c := make(M, len(saved))
	for k, v := range saved {
		c[k] = v
	}
	return func() {
		m := make(M, len(c))
		for k, v := range c {
			m[k] = v
		}
		*p = m
	}
}

// SaveSlice returns a function that sets *p to a fresh copy of *p's
// current contents (nil stays nil).
func SaveSlice[S ~[]E, E any](p *S) func() {
	saved := *p
	if saved == nil {
		return func() { *p = nil }
	}
	c := append(S(nil), saved...)
	return func() { *p = append(S(nil), c...) }
}

// Save returns a function that sets *p back to its current value.
func Save[T any](p *T) func() {
	saved := *p
	return func() { *p = saved }
}
