package par

import "github.com/labludus/ludus/panics"

// PanicError is the value a loop panics with, in the calling goroutine,
// when fn panicked in any worker. Recover it with
//
//	defer func() {
//		if pe, ok := recover().(*par.PanicError); ok { ... }
//	}()
//
// It is panics.Error, the one type every ludus package reports panics
// with: the panic value, the stack of the worker that panicked (in its
// Stack field, printed by %+v), and an Error method that names the value
// and the line that panicked on one line.
type PanicError = panics.Error
