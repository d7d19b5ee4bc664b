package panics_test

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/panics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// line returns the caller's line number, to name the line a test panics on.
func line() int {
	_, _, l, _ := runtime.Caller(1)
	return l
}

func TestTryReturnsNilWithoutPanic(t *testing.T) {
	if err := panics.Try(func() {}); err != nil {
		t.Fatalf("Try of a normal function = %v, want nil", err)
	}
}

func TestErrorIsOneLineWithTheValueAndThePanickingLine(t *testing.T) {
	var want int
	err := panics.Try(func() {
		want = line() + 1
		panic("boom")
	})
	if err == nil {
		t.Fatal("Try returned nil for a panic")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("Error() spans lines:\n%s", msg)
	}
	wantAt := fmt.Sprintf("panics_test.go:%d)", want)
	if !strings.HasPrefix(msg, "panic: boom [at ") || !strings.HasSuffix(msg, wantAt+"]") {
		t.Errorf("Error() = %q, want %q ... %q", msg, "panic: boom [at ", wantAt+"]")
	}
	if strings.Contains(msg, "goroutine") {
		t.Errorf("Error() prints the stack: %q", msg)
	}
	f, ok := err.Site()
	if !ok || filepath.Base(f.File) != "panics_test.go" || f.Line != want {
		t.Errorf("Site() = %s:%d %v, want panics_test.go:%d", f.File, f.Line, ok, want)
	}
	if !strings.Contains(f.Function, "TestErrorIsOneLine") {
		t.Errorf("Site().Function = %q, want the test's closure", f.Function)
	}
}

// A panic raised inside the runtime (index out of range, nil map write)
// is reported at the user's line, not at a runtime helper.
func TestSiteSkipsRuntimeHelpers(t *testing.T) {
	var want int
	var m map[string]int
	err := panics.Try(func() {
		want = line() + 1
		m["x"] = 1
	})
	f, ok := err.Site()
	if !ok || f.Line != want || strings.HasPrefix(f.Function, "runtime.") {
		t.Errorf("Site() = %s %s:%d, want the test's line %d", f.Function, f.File, f.Line, want)
	}
	var re runtime.Error
	if !errors.As(err, &re) {
		t.Errorf("errors.As(runtime.Error) failed on %v", err)
	}
}

func TestFullStackOnRequest(t *testing.T) {
	err := panics.Try(func() { panic("deep") })
	full := fmt.Sprintf("%+v", err)
	if !strings.HasPrefix(full, err.Error()+"\n\n") {
		t.Errorf("%%+v does not start with Error() and a blank line:\n%s", full)
	}
	if !strings.Contains(full, "goroutine ") || !strings.Contains(full, "TestFullStackOnRequest") {
		t.Errorf("%%+v has no stack:\n%s", full)
	}
	if !strings.Contains(string(err.Stack), "TestFullStackOnRequest") {
		t.Errorf("Stack does not show the panicking function:\n%s", err.Stack)
	}
	if got := fmt.Sprintf("%v|%s", err, err); got != err.Error()+"|"+err.Error() {
		t.Errorf("%%v|%%s = %q", got)
	}
	if got, want := fmt.Sprintf("%q", err), fmt.Sprintf("%q", err.Error()); got != want {
		t.Errorf("%%q = %s, want %s", got, want)
	}
}

func TestUnwrap(t *testing.T) {
	err := panics.Try(func() { panic(fmt.Errorf("reading: %w", io.EOF)) })
	if !errors.Is(err, io.EOF) {
		t.Errorf("errors.Is(%v, io.EOF) = false", err)
	}
	if err := panics.Try(func() { panic(42) }); err.Unwrap() != nil {
		t.Errorf("Unwrap of a non-error value = %v, want nil", err.Unwrap())
	}
}

// errors.As finds the *Error through any wrapping, which is what lets one
// check serve every ludus package.
func TestErrorsAsThroughWrapping(t *testing.T) {
	err := fmt.Errorf("task 3: %w", panics.Try(func() { panic("x") }))
	var pe *panics.Error
	if !errors.As(err, &pe) || pe.Value != "x" {
		t.Fatalf("errors.As = %v, %v", pe, err)
	}
}

func TestPanicNil(t *testing.T) {
	err := panics.Try(func() { panic(nil) })
	var pn *runtime.PanicNilError
	if err == nil || !errors.As(err, &pn) {
		t.Fatalf("Try(panic(nil)) = %v, want a *runtime.PanicNilError inside", err)
	}
}

// New keeps the first capture when a panic is carried up through another
// recover, so the stack and site stay those of the original panic.
func TestNewKeepsAnErrorUnchanged(t *testing.T) {
	inner := panics.Try(func() { panic("first") })
	outer := panics.Try(func() { panic(inner) })
	if outer != inner {
		t.Fatalf("New wrapped an *Error again: %v", outer)
	}
}

func TestHandBuiltError(t *testing.T) {
	e := &panics.Error{Value: "v"}
	if got := e.Error(); got != "panic: v" {
		t.Errorf("Error() = %q, want %q", got, "panic: v")
	}
	if _, ok := e.Site(); ok {
		t.Error("Site() reports a frame for an Error built by hand")
	}
}

// New called outside a panic names its caller.
func TestNewOutsidePanic(t *testing.T) {
	want := line() + 1
	e := panics.New("by hand")
	if f, ok := e.Site(); !ok || f.Line != want {
		t.Errorf("Site() = %s:%d, want line %d", f.File, f.Line, want)
	}
}

// Goexit is not a panic: Try neither reports it nor stops it.
func TestTryDoesNotStopGoexit(t *testing.T) {
	var wg sync.WaitGroup
	returned := false
	wg.Add(1)
	go func() {
		defer wg.Done()
		panics.Try(runtime.Goexit)
		returned = true
	}()
	wg.Wait()
	if returned {
		t.Error("Try returned after runtime.Goexit")
	}
}
