package async

import "github.com/labludus/ludus/panics"

// PanicError is the error of a future whose function panicked: the value
// given to panic and the stack of the goroutine at that moment. It is
// panics.Error, the one type every ludus package reports panics with, so
// errors.As with a *panics.Error (or a *PanicError) finds it whichever
// package the error came through. Its Error method prints the value and the
// line that panicked; the stack is in its Stack field and printed by %+v.
type PanicError = panics.Error

// NewPanicError wraps a value returned by recover, capturing the current
// goroutine's stack; call it from the deferred function that recovered so
// that the stack shows where the panic happened. It is panics.New.
func NewPanicError(v any) *PanicError { return panics.New(v) }
