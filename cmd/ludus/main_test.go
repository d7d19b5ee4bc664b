package main

import (
	"bytes"
	"encoding/json"
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
	if code != 0 || !strings.Contains(out, "race-condition") || !strings.Contains(out, "- ") {
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
				Claim, Verdict, Evidence string
				Measurements             map[string]float64
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
