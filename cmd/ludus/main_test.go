package main

import (
	"bytes"
	"encoding/json"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelpExplainsEveryCommand(t *testing.T) {
	code, out, _ := runCmd("help")
	if code != 0 || !strings.Contains(out, "lab") || !strings.Contains(out, "help") {
		t.Fatalf("help: %d %q", code, out)
	}
	for name := range commands {
		code, out, _ := runCmd("help", name)
		if code != 0 || !strings.Contains(out, "Usage: ludus "+name) {
			t.Errorf("help %s: %d %q", name, code, out)
		}
		code, _, errOut := runCmd(name, "-h")
		if code != 0 || !strings.Contains(errOut, "Usage: ludus "+name) {
			t.Errorf("%s -h: %d %q", name, code, errOut)
		}
	}
	if code, out, _ = runCmd("help", "lab"); code != 0 {
		t.Fatalf("help lab: exit %d", code)
	}
	for _, flag := range []string{"-json", "-only", "-quick", "-list", "-timeout"} {
		if !strings.Contains(out, flag) {
			t.Errorf("help lab does not explain %s", flag)
		}
	}
}

// TestTopLevelHelpListsEveryCommand: "ludus -h" lists every command of the
// table with its summary (not the lab's flags), on stdout, exit 0.
func TestTopLevelHelpListsEveryCommand(t *testing.T) {
	for _, h := range []string{"-h", "--help", "-help"} {
		code, out, errOut := runCmd(h)
		if code != 0 || errOut != "" {
			t.Fatalf("ludus %s: exit %d, stderr %q", h, code, errOut)
		}
		for name, c := range commands {
			if !strings.Contains(out, "  "+name+" ") || !strings.Contains(out, c.summary) {
				t.Errorf("ludus %s does not list %s with its summary:\n%s", h, name, out)
			}
		}
		if !strings.Contains(out, "help ") || strings.Contains(out, "-json") {
			t.Errorf("ludus %s: want the command list, not a command's flags:\n%s", h, out)
		}
	}
	// A command added to the table is listed without further work.
	register(&command{name: "zz-test", summary: "a command registered by this test", setup: nil})
	defer delete(commands, "zz-test")
	if _, out, _ := runCmd("-h"); !strings.Contains(out, "zz-test  a command registered by this test") {
		t.Errorf("a newly registered command is not listed:\n%s", out)
	}
}

// TestDocCommentNamesEveryCommand keeps the command's package doc in step
// with the table: each registered command appears as "ludus NAME".
func TestDocCommentNamesEveryCommand(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	doc := f.Doc.Text()
	for name := range commands {
		if !strings.Contains(doc, "ludus "+name) {
			t.Errorf("main.go's doc comment does not mention \"ludus %s\"; add a line for it", name)
		}
	}
}

func TestNegativeDurationsRejected(t *testing.T) {
	code, out, errOut := runCmd("lab", "--list", "--timeout", "-5s")
	if code != 2 || out != "" || !strings.Contains(errOut, "--timeout -5s: a duration must not be negative") {
		t.Errorf("lab --timeout -5s: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, ok := commands["linear"]; ok {
		code, _, errOut = runCmd("linear", "--timeout=-1ms", "history.log")
		if code != 2 || !strings.Contains(errOut, "ludus linear: --timeout -1ms: a duration must not be negative") {
			t.Errorf("linear --timeout=-1ms: exit %d, stderr %q", code, errOut)
		}
	}
	code, _, errOut = runCmd("lab", "--list", "--timeout", "0")
	if code != 2 || !strings.Contains(errOut, "--timeout 0") {
		t.Errorf("lab --timeout 0: exit %d, stderr %q", code, errOut)
	}
	if code, out, _ := runCmd("lab", "--list", "--timeout", "1s"); code != 0 || out == "" {
		t.Errorf("lab --timeout 1s --list: exit %d", code)
	}
}

// TestLabFlagsAfterArguments: the lab parses flags wherever they are, so a
// stray argument is reported as such even with flags after it.
func TestLabFlagsAfterArguments(t *testing.T) {
	code, _, errOut := runCmd("lab", "stray", "--list")
	if code != 2 || !strings.Contains(errOut, `unexpected argument "stray"`) {
		t.Errorf("lab stray --list: exit %d, stderr %q", code, errOut)
	}
	if code, out, _ := runCmd("--only", "deadlock", "--list"); code != 0 || !strings.Contains(out, "deadlock") || strings.Contains(out, "race-condition") {
		t.Errorf("--only deadlock --list: exit %d:\n%s", code, out)
	}
}

func TestUnknownCommandAndBadFlags(t *testing.T) {
	if code, _, errOut := runCmd("nope"); code != 2 || !strings.Contains(errOut, `unknown command "nope"`) {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	if code, _, _ := runCmd("lab", "--no-such-flag"); code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
	if code, _, errOut := runCmd("lab", "--only", "no-such-experiment"); code != 2 || !strings.Contains(errOut, "unknown experiment") {
		t.Errorf("bad --only: %d %q", code, errOut)
	}
	if code, _, _ := runCmd("lab", "extra-arg"); code != 2 {
		t.Errorf("extra argument: exit %d, want 2", code)
	}
}

func TestLabList(t *testing.T) {
	code, out, _ := runCmd("lab", "--list")
	if code != 0 || !strings.Contains(out, "race-condition") || !strings.Contains(out, "- lost-update: Two goroutines") {
		t.Fatalf("--list: %d %q", code, out)
	}
}

func TestLabJSON(t *testing.T) {
	code, out, errOut := runCmd("lab", "--json", "--quick", "--only", "async-await,race-condition")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var rep struct {
		Machine struct {
			CPUs             int
			GOOS, GOARCH, Go string
		}
		Experiments []struct {
			ID, Section string
			Claims      []struct {
				ID, Claim, Verdict, Evidence string
				Measurements                 map[string]float64
			}
			Error string
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if rep.Machine.CPUs < 1 || rep.Machine.GOOS == "" || rep.Machine.Go == "" {
		t.Errorf("machine: %+v", rep.Machine)
	}
	if len(rep.Experiments) != 2 || rep.Experiments[0].ID != "async-await" || rep.Experiments[1].ID != "race-condition" {
		t.Fatalf("experiments: %+v", rep.Experiments)
	}
	for _, e := range rep.Experiments {
		for _, c := range e.Claims {
			if c.ID == "" || c.Claim == "" {
				t.Errorf("%s: a claim without its id or sentence: %+v", e.ID, c)
			}
			switch c.Verdict {
			case "holds", "fails", "inconclusive":
			default:
				t.Errorf("%s: verdict %q", e.ID, c.Verdict)
			}
		}
	}
}

func TestLabPlainOutput(t *testing.T) {
	code, out, _ := runCmd("lab", "--quick", "--only", "deadlock")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	for _, want := range []string{"running [1/1] deadlock", "Deadlock", "claims hold"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("escape codes in output that is not a terminal")
	}
}
