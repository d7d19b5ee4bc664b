package panics

import (
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
)

// Error is a recovered panic: the value and where it happened.
type Error struct {
	// Value is what the code passed to panic (a *runtime.PanicNilError for
	// panic(nil) since Go 1.21).
	Value any
	// Stack is the stack of the goroutine that panicked, captured in the
	// deferred function that recovered it, as runtime/debug.Stack formats
	// it. It shows the panicking frames because deferred functions run on
	// top of them.
	Stack []byte
	// site is the first frame outside package runtime below the panic
	// (the line that panicked); its Function is empty when unknown, for
	// example for an Error built by hand.
	site runtime.Frame
}

// New wraps v, a value returned by recover, capturing the current
// goroutine's stack. Call it directly in the deferred function that
// recovered, so that the stack still holds the panicking frames:
//
//	defer func() {
//		if r := recover(); r != nil {
//			err = panics.New(r)
//		}
//	}()
//
// If v is already an *Error (a panic carried up from a nested call that
// recovered and panicked again with its Error), New returns it unchanged,
// so the stack stays the one of the original panic.
func New(v any) *Error {
	if e, ok := v.(*Error); ok {
		return e
	}
	return &Error{Value: v, Stack: debug.Stack(), site: site(3)}
}

// Try calls f and returns the panic it raised as an *Error, or nil when f
// returned normally. A runtime.Goexit in f is not a panic: it goes on
// unwinding the goroutine, and Try does not return.
func Try(f func()) (err *Error) {
	defer func() {
		if r := recover(); r != nil {
			err = New(r)
		}
	}()
	f()
	return nil
}

// Error returns the panic value and the frame that panicked, on one line:
//
//	panic: boom [at main.work (work.go:12)]
func (e *Error) Error() string {
	if e.site.Function == "" {
		return fmt.Sprintf("panic: %v", e.Value)
	}
	return fmt.Sprintf("panic: %v [at %s (%s:%d)]", e.Value,
		e.site.Function, filepath.Base(e.site.File), e.site.Line)
}

// Site returns the frame that panicked: the first frame outside package
// runtime below the panic. ok is false when it is unknown (an Error built
// by hand rather than by New).
func (e *Error) Site() (frame runtime.Frame, ok bool) {
	return e.site, e.site.Function != ""
}

// Unwrap returns the panic value when it is an error, so that errors.Is
// and errors.As see through the panic: after panic(io.EOF),
// errors.Is(err, io.EOF) holds.
func (e *Error) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Format prints Error() for %v and %s, and with %+v the stack after it.
func (e *Error) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('+'):
		io.WriteString(f, e.Error())
		io.WriteString(f, "\n\n")
		f.Write(e.Stack)
	case verb == 'q':
		fmt.Fprintf(f, "%q", e.Error())
	default:
		io.WriteString(f, e.Error())
	}
}

// site finds the frame that panicked in the calling goroutine's stack,
// skipping skip frames (runtime.Callers and site's callers inside this
// package). During a panic the stack reads, from the top: the deferred
// function that recovered, runtime.gopanic, maybe runtime helpers
// (runtime.panicIndex, runtime.mapassign, ...), then the code that
// panicked. Outside a panic the caller itself is the site.
func site(skip int) runtime.Frame {
	var pcs [64]uintptr
	n := runtime.Callers(skip, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	caller, more := frames.Next()
	for panicking := false; more; {
		var f runtime.Frame
		f, more = frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			return f
		}
	}
	return caller
}
