package lockfree

import "github.com/labludus/ludus/lockfree/internal/atomics"

// Stack is an unbounded last-in, first-out stack after R. K. Treiber (1986):
// a singly linked list whose top pointer is swung by compare-and-swap.
//
// Progress: lock-free. A Push or Pop retries only when another operation's
// CAS succeeded in between, so some goroutine always completes.
//
// ABA: every Push allocates a fresh node and no node is ever reused, so a
// node's address cannot come back while any goroutine still holds it (the
// garbage collector keeps it alive); the CAS on the top pointer is therefore
// immune to the ABA problem that forces C implementations to use tagged
// pointers or hazard pointers.
//
// The zero value is an empty stack ready to use. A Stack must not be copied
// after first use.
type Stack[T any] struct {
	_   noCopy
	top atomics.Pointer[stackNode[T]]
}

type stackNode[T any] struct {
	value T
	// next is written once, before the node is published by the CAS, and
	// never again: readers that loaded the node may follow it without
	// synchronisation.
	next *stackNode[T]
}

// Push puts v on top of the stack.
func (s *Stack[T]) Push(v T) {
	n := &stackNode[T]{value: v}
	for {
		top := s.top.Load()
		n.next = top
		if s.top.CompareAndSwap(top, n) {
			return
		}
	}
}

// Pop removes and returns the value on top of the stack. ok is false if the
// stack was empty.
func (s *Stack[T]) Pop() (v T, ok bool) {
	for {
		top := s.top.Load()
		if top == nil {
			return v, false
		}
		if s.top.CompareAndSwap(top, top.next) {
			return top.value, true
		}
	}
}

// Peek returns the value on top of the stack without removing it. ok is
// false if the stack was empty.
func (s *Stack[T]) Peek() (v T, ok bool) {
	top := s.top.Load()
	if top == nil {
		return v, false
	}
	return top.value, true
}

// Empty reports whether the stack held no value at the moment of the call.
func (s *Stack[T]) Empty() bool { return s.top.Load() == nil }

// noCopy makes go vet's copylocks check flag copies of the structures that
// embed it: a copied Stack, Queue, Ring or Counter would share some state with
// the original and not other state.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
