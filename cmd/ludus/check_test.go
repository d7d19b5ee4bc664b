package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// unmodifiedDir is examples/unmodified: ordinary Go tests, no ludus import.
func unmodifiedDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", "unmodified"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

type checkJSON struct {
	Results []checkResult `json:"results"`
}

// TestCheckUnmodified runs ludus check on examples/unmodified and checks
// each test's verdict and kind: the guide's lost update, its deadlock, a
// leak and a double close are found; the correct code passes.
func TestCheckUnmodified(t *testing.T) {
	t.Chdir(unmodifiedDir(t))
	code, out, errOut := runCmd("check", "-json", ".")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (tests failed)\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	var doc checkJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("bad -json output: %v\n%s", err, out)
	}
	want := map[string][2]string{
		"TestLostUpdate":     {"fail", "data-race"},
		"TestSafeDeposit":    {"pass", ""},
		"TestTransfer":       {"fail", "deadlock"},
		"TestFirstReply":     {"fail", "leak"},
		"TestStopTwice":      {"fail", "panic"},
		"TestPoolCancel":     {"pass", ""},
		"TestAtomicCounter":  {"pass", ""},
		"TestHourAgainstDay": {"pass", ""},
		"TestLogAfterReturn": {"fail", "panic"},
	}
	seen := map[string]bool{}
	for _, r := range doc.Results {
		seen[r.Test] = true
		w, ok := want[r.Test]
		if !ok {
			t.Errorf("unexpected test %s", r.Test)
			continue
		}
		if r.Verdict != w[0] || r.Kind != w[1] {
			t.Errorf("%s: verdict %q kind %q, want %q %q (%s)", r.Test, r.Verdict, r.Kind, w[0], w[1], r.Message)
		}
		if r.Package != "example.com/unmodified" || r.Schedules < 1 || r.Complete == "" || r.ElapsedNS <= 0 {
			t.Errorf("%s: incomplete result %+v", r.Test, r)
		}
		if r.Verdict == "fail" && (r.Replay == "" || r.Message == "") {
			t.Errorf("%s: a failure without a message or a replay token: %+v", r.Test, r)
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("no result for %s", name)
		}
	}
}

// TestCheckReplay: a failure's token reruns its schedule, and the human
// output prints the schedule and the command that replays it.
func TestCheckReplay(t *testing.T) {
	t.Chdir(unmodifiedDir(t))
	code, out, errOut := runCmd("check", "-run", "Transfer", ".")
	if code != 1 || !strings.Contains(out, "--- FAIL  TestTransfer") || !strings.Contains(out, "0 passed, 1 failed") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	i := strings.Index(out, "-replay ")
	if i < 0 {
		t.Fatalf("no replay command:\n%s", out)
	}
	token := strings.Fields(out[i+len("-replay "):])[0]
	code, out, errOut = runCmd("check", ".", "-json", "-run", "^TestTransfer$", "-replay", token) // flags after the package
	var doc checkJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 1 || len(doc.Results) != 1 {
		t.Fatalf("replay: exit %d, %v\nstdout:\n%s\nstderr:\n%s", code, err, out, errOut)
	}
	if r := doc.Results[0]; r.Verdict != "fail" || r.Kind != "deadlock" {
		t.Errorf("replay: %+v, want the deadlock again", r)
	}
}

// TestCheckBadInput: options and packages that cannot be checked exit 2
// with a message naming the problem, before or instead of any test.
func TestCheckBadInput(t *testing.T) {
	broken := t.TempDir()
	writeCheckFile(t, filepath.Join(broken, "go.mod"), "module example.com/broken\n\ngo 1.21\n")
	writeCheckFile(t, filepath.Join(broken, "b.go"), "package broken\n\nfunc F() int { return \"x\" }\n")
	writeCheckFile(t, filepath.Join(broken, "b_test.go"), "package broken\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) { F() }\n")
	noModule := t.TempDir()
	for _, tc := range []struct {
		name, dir string
		args      []string
		want      string
	}{
		{"zero budget", broken, []string{"-budget", "0"}, "must be positive"},
		{"bad budget", broken, []string{"-budget", "lots"}, "want a number of executions"},
		{"negative timeout", broken, []string{"-timeout", "-1s"}, "must not be negative"},
		{"negative delay", broken, []string{"-delay", "-1ms"}, "negative"},
		{"replay without run", broken, []string{"-replay", "AAAA"}, "-replay needs -run"},
		{"bad run", broken, []string{"-run", "("}, "-run"},
		{"type error", broken, []string{"."}, "b.go:3:"},
		{"no module", noModule, []string{"."}, "go.mod"},
		{"no such package", broken, []string{"./nothing"}, "nothing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(tc.dir)
			code, out, errOut := runCmd(append([]string{"check"}, tc.args...)...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, want 2 with %q\nstdout:\n%s\nstderr:\n%s", code, tc.want, out, errOut)
			}
		})
	}
}

func writeCheckFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sleepyTest starts two goroutines that Add to a WaitGroup and sleeps a
// millisecond "to let them start" before Wait: correct unless a goroutine
// is descheduled past the millisecond.
const sleepyTest = `package sleepy

import (
	"sync"
	"testing"
	"time"
)

func TestSleepThenWait(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		go func() {
			wg.Add(1)
			defer wg.Done()
		}()
	}
	time.Sleep(time.Millisecond)
	wg.Wait()
}
`

// TestCheckDelay: -delay explores goroutines descheduled for a while; the
// failure it finds says it is timing-dependent, and its replay command
// carries the delay in the token.
func TestCheckDelay(t *testing.T) {
	dir := t.TempDir()
	writeCheckFile(t, filepath.Join(dir, "go.mod"), "module example.com/sleepy\n\ngo 1.21\n")
	writeCheckFile(t, filepath.Join(dir, "sleepy_test.go"), sleepyTest)
	t.Chdir(dir)
	if code, out, errOut := runCmd("check", "."); code != 0 {
		t.Fatalf("without -delay: exit %d, want 0\n%s\n%s", code, out, errOut)
	}
	code, out, errOut := runCmd("check", "-delay", "10ms", ".")
	if code != 1 || !strings.Contains(out, "timing-dependent") || !strings.Contains(out, "Add that starts from zero") {
		t.Fatalf("with -delay 10ms: exit %d, want 1 with a timing-dependent race\n%s\n%s", code, out, errOut)
	}
	m := regexp.MustCompile(`-replay (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no replay command in\n%s", out)
	}
	code, out, _ = runCmd("check", "-run", "^TestSleepThenWait$", "-replay", m[1], ".")
	if code != 1 || !strings.Contains(out, "timing-dependent") {
		t.Errorf("replay without -delay: exit %d, want the failure again\n%s", code, out)
	}
}

// tInterfaceTest hands the test's T to code as an interface: through a
// struct field and through a channel.
const tInterfaceTest = `package cv

import (
	"sync"
	"testing"
)

type logT interface{ Errorf(string, ...any) }

type worker struct {
	log logT
	mu  sync.Mutex
	n   int
}

func (w *worker) add() {
	v := w.n
	w.n = v + 1
}

// TestStructField: the test's T reaches the code as a field of interface
// type; a lost update is reported through it.
func TestStructField(t *testing.T) {
	w := &worker{log: t}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); w.add() }()
	}
	wg.Wait()
	if w.n != 2 {
		w.log.Errorf("n = %d", w.n)
	}
}

func TestSend(t *testing.T) {
	ch := make(chan logT, 1)
	ch <- t
	l := <-ch
	done := make(chan bool)
	go func() { l.Errorf("late"); done <- true }()
	<-done
}
`

// TestCheckTInterface: a failure reported through an interface that holds
// the test's T (a field, a value received from a channel) is the
// schedule's failure, with its trace, not a test failing outside the
// checker.
func TestCheckTInterface(t *testing.T) {
	dir := t.TempDir()
	writeCheckFile(t, filepath.Join(dir, "go.mod"), "module example.com/cv\n\ngo 1.22\n")
	writeCheckFile(t, filepath.Join(dir, "cv_test.go"), tInterfaceTest)
	t.Chdir(dir)
	code, out, errOut := runCmd("check", ".")
	if code != 1 || !strings.Contains(out, "--- FAIL  TestStructField") || !strings.Contains(out, "data race on w.n") ||
		!strings.Contains(out, "--- FAIL  TestSend") || strings.Contains(out, "ERROR") {
		t.Fatalf("exit %d, want both tests failed by the checker\n%s\n%s", code, out, errOut)
	}
}

// TestCheckOwnPackages runs ludus check on this module's own packages, as
// a user would on theirs. async's function contexts (a context.Context type
// of its own, with an AfterFunc method, and a Done channel closed in init
// for contexts cancelled before anyone asked) are explored: this found Err
// reporting a cancelled context whose Done was still open (fixed in
// async/taskctx.go), which go test -race never showed. csp's test calls
// goleak.VerifyNone, which the checker answers in the exploration.
func TestCheckOwnPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("explores about 40,000 schedules (-short)")
	}
	t.Chdir(filepath.Join("..", ".."))
	for _, tc := range []struct{ run, pkg, want string }{
		{"^TestFunctionContext", "./async", "3 passed, 0 failed"},
		{"^TestRunPanicInLoopLeavesNothing$", "./csp", "1 passed, 0 failed"},
	} {
		code, out, errOut := runCmd("check", "-run", tc.run, tc.pkg)
		if code != 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%s %s: exit %d, want 0 with %q\n%s\n%s", tc.pkg, tc.run, code, tc.want, out, errOut)
		}
	}
}
