package async

import (
	"fmt"
	"runtime/debug"
)

// PanicError is the error of a future whose function panicked: the value
// given to panic and the stack of the goroutine at that moment.
type PanicError struct {
	// Value is what the function passed to panic.
	Value any
	// Stack is the panicking goroutine's stack, as runtime/debug.Stack
	// formats it.
	Stack []byte
}

// NewPanicError wraps a value returned by recover, capturing the current
// goroutine's stack; call it from the deferred function that recovered so
// that the stack shows where the panic happened.
func NewPanicError(v any) *PanicError { return newPanicError(v) }

func newPanicError(v any) *PanicError {
	return &PanicError{Value: v, Stack: debug.Stack()}
}

// Error reports the panic value followed by the stack.
func (e *PanicError) Error() string {
	return fmt.Sprintf("panic: %v\n\ngoroutine stack:\n%s", e.Value, e.Stack)
}

// Unwrap returns the panic value when it is an error, so that errors.Is and
// errors.As see through the panic.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}
