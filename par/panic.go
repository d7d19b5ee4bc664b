package par

import "fmt"

// PanicError is the value a loop panics with, in the calling goroutine,
// when fn panicked in any worker. Recover it with
//
//	defer func() {
//		if pe, ok := recover().(*par.PanicError); ok { ... }
//	}()
type PanicError struct {
	// Value is what fn passed to panic.
	Value any
	// Stack is the stack of the goroutine that panicked, captured while it
	// was panicking (as runtime/debug.Stack formats it).
	Stack []byte
}

// Error returns the panic value followed by the worker's stack, so that an
// unrecovered PanicError prints where the panic happened, not only where
// it was raised again.
func (e *PanicError) Error() string {
	return fmt.Sprintf("par: panic in worker: %v\n\nworker stack:\n%s", e.Value, e.Stack)
}

// Unwrap returns the panic value when it is an error, so that errors.Is
// and errors.As see through the PanicError.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
