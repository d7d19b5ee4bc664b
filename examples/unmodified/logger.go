package unmodified

import "fmt"

// TestingT is the part of *testing.T a logger writes to, as zaptest's and
// many others' are: the test hands its T over as an interface.
type TestingT interface {
	Logf(format string, args ...any)
}

// Logger writes lines to a test's log.
type Logger struct {
	t TestingT
}

// NewLogger returns a Logger writing to t.
func NewLogger(t TestingT) *Logger { return &Logger{t: t} }

// Printf writes a line.
func (l *Logger) Printf(format string, args ...any) { l.t.Logf("%s", fmt.Sprintf(format, args...)) }

// Watcher checks something in the background and logs what it saw; Start
// does not wait for the check, and nothing waits for it later: a test that
// starts a Watcher can return while the check still has a line to log.
type Watcher struct {
	log *Logger
}

// NewWatcher returns a Watcher that logs to log.
func NewWatcher(log *Logger) *Watcher { return &Watcher{log: log} }

// Start runs one background check.
func (w *Watcher) Start() {
	go func() {
		w.log.Printf("watcher: checked")
	}()
}
