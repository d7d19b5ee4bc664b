package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// linearData is porcupine's test data, kept in linear/testdata.
var linearData = filepath.Join("..", "..", "linear", "testdata", "porcupine")

func etcdLog(n string) string { return filepath.Join(linearData, "jepsen", "etcd_"+n+".log") }
func kvLog(n string) string   { return filepath.Join(linearData, "kv", n+".txt") }

// linearJSON is the --json output.
type linearJSON struct {
	Results []struct {
		File    string   `json:"file"`
		Verdict string   `json:"verdict"`
		Ops     int      `json:"ops"`
		CheckNS int64    `json:"check_ns"`
		Parts   int      `json:"parts"`
		Failed  []string `json:"failed"`
		Limit   string   `json:"limit"`
		Error   string   `json:"error"`
	} `json:"results"`
}

func parseLinearJSON(t *testing.T, out string) linearJSON {
	t.Helper()
	var got linearJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return got
}

func TestLinearVerdictsAndExitStatus(t *testing.T) {
	code, out, errOut := runCmd("linear", etcdLog("005"), kvLog("c10-ok"))
	if code != exitLinearizable || strings.Count(out, ": linearizable") != 2 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCmd("linear", "--format", "jepsen-etcd", etcdLog("000"))
	if code != exitNotLinearizable || !strings.Contains(out, "not linearizable") || !strings.Contains(out, "line ") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	// A failing key is named.
	code, out, _ = runCmd("linear", kvLog("c10-bad"))
	if code != exitNotLinearizable || !strings.Contains(out, "key \"") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestLinearJSONAndHTML(t *testing.T) {
	html := filepath.Join(t.TempDir(), "out.html")
	code, out, errOut := runCmd("linear", "--json", "--no-partition", "--html", html, kvLog("c01-bad"))
	if code != exitNotLinearizable {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := parseLinearJSON(t, out)
	if r := got.Results; len(r) != 1 || r[0].Verdict != "not linearizable" || r[0].Ops == 0 || r[0].CheckNS <= 0 {
		t.Fatalf("%+v", got)
	}
	page, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(page), "<!DOCTYPE html>") {
		t.Fatalf("html: %v", err)
	}
	// --all checks every key; by default the check stops at the first
	// that fails.
	code, out, _ = runCmd("linear", "--json", "--all", kvLog("c10-bad"))
	all := parseLinearJSON(t, out)
	if code != exitNotLinearizable || len(all.Results) != 1 || all.Results[0].Parts < 2 || len(all.Results[0].Failed) == 0 {
		t.Fatalf("exit %d: %+v", code, all)
	}
}

// TestLinearFlagsAnywhere: flags may follow the files, and "-" reads
// standard input.
func TestLinearFlagsAnywhere(t *testing.T) {
	code, out, errOut := runCmd("linear", etcdLog("005"), "--json")
	if got := parseLinearJSON(t, out); code != exitLinearizable || len(got.Results) != 1 || got.Results[0].Verdict != "linearizable" {
		t.Fatalf("exit %d %q %q", code, out, errOut)
	}
	data, err := os.ReadFile(etcdLog("000"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { linearStdin = os.Stdin })
	linearStdin = strings.NewReader(string(data))
	code, out, _ = runCmd("linear", "-", "--format", "jepsen-etcd")
	if code != exitNotLinearizable || !strings.HasPrefix(out, "<stdin>: not linearizable") {
		t.Fatalf("stdin: exit %d %q", code, out)
	}
	// After --, a name that looks like a flag is a file.
	code, _, errOut = runCmd("linear", "--", "--json")
	if code != exitBadInput || !strings.Contains(errOut, "--json") {
		t.Fatalf("after --: exit %d %q", code, errOut)
	}
}

// TestLinearBadInput: every kind of bad input is exit 2 with
// file:line: what is wrong, and never a verdict.
func TestLinearBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	etcdCall := "INFO  jepsen.util - 1\t:invoke\t:read\tnil\n"
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"empty file", []string{write("empty.log", "")}, "empty.log:1: no operations"},
		{"dev null as kv", []string{"--format", "porcupine-kv", "/dev/null"}, "/dev/null:1: no operations"},
		{"blank lines", []string{write("blank.txt", "\n\n")}, "blank.txt:2: no operations"},
		{"garbage", []string{write("bad.log", etcdCall+"INFO  jepsen.util - 1\t:ok\t:frob\t3\n")}, "bad.log:2: malformed history"},
		{"cut-off last line", []string{write("cut.log", etcdCall+"INFO  jepsen.util - 1\t:ok\t:read\t3")}, "cut.log:2: the last line has no newline"},
		{"line too long", []string{write("long.log", etcdCall+strings.Repeat("x", 2<<20)+"\n")}, "long.log:2: line longer than 1 MiB"},
		{"unguessable format", []string{write("what.txt", "hello\n")}, "what.txt:1: cannot tell the format"},
		{"kv that is not kv", []string{"--format", "porcupine-kv", write("x.txt", "hello\n")}, "x.txt:1: malformed history"},
		{"missing file", []string{filepath.Join(dir, "missing")}, "missing: no such file"},
		{"unknown format", []string{"--format", "xml", etcdLog("005")}, "unknown format"},
		{"no files", nil, "no history files"},
		{"unknown flag after a file", []string{etcdLog("005"), "--frob"}, "flag provided but not defined"},
		{"stdin empty", []string{"-"}, "<stdin>:1: no operations"},
	}
	t.Cleanup(func() { linearStdin = os.Stdin })
	for _, c := range cases {
		linearStdin = strings.NewReader("")
		code, out, errOut := runCmd(append([]string{"linear"}, c.args...)...)
		if code != exitBadInput || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", c.name, code, errOut, c.want)
		}
		if strings.Contains(out, "linearizable") {
			t.Errorf("%s: a verdict for bad input: %q", c.name, out)
		}
	}
	// One bad file among good ones still makes the exit status 2, and the
	// good ones are checked.
	code, out, _ := runCmd("linear", etcdLog("005"), write("e.log", ""))
	if code != exitBadInput || !strings.Contains(out, "linearizable") {
		t.Errorf("mixed: exit %d %q", code, out)
	}
	code, out, _ = runCmd("linear", "--json", write("e2.log", ""))
	if got := parseLinearJSON(t, out); code != exitBadInput || len(got.Results) != 1 || got.Results[0].Verdict != "" || !strings.Contains(got.Results[0].Error, "e2.log:1:") {
		t.Errorf("json for bad input: exit %d %q", code, out)
	}
}

// TestLinearLimits: a limit reached is verdict unknown, exit 3, with the
// limit named; a failure outranks it.
func TestLinearLimits(t *testing.T) {
	code, out, _ := runCmd("linear", "--timeout", "1ns", etcdLog("002"))
	if code != exitUnknown || !strings.Contains(out, "unknown") || !strings.Contains(out, "--timeout") {
		t.Fatalf("timeout: exit %d %q", code, out)
	}
	code, out, _ = runCmd("linear", "--json", "--max-memory", "64KiB", etcdLog("002"))
	got := parseLinearJSON(t, out)
	if code != exitUnknown || got.Results[0].Verdict != "unknown" || got.Results[0].Limit != "max-memory" || !strings.Contains(got.Results[0].Error, "--max-memory") {
		t.Fatalf("max-memory: exit %d %q", code, out)
	}
	if code, _, _ := runCmd("linear", "--timeout", "1ns", etcdLog("002"), etcdLog("000"), "--timeout", "0"); code != exitNotLinearizable {
		t.Fatalf("the last --timeout wins and 0 means none: exit %d", code)
	}
	for _, bad := range [][]string{{"--max-memory", "lots"}, {"--max-memory", "-5MiB"}, {"--timeout", "-1s"}} {
		if code, _, _ := runCmd(append([]string{"linear", etcdLog("002")}, bad...)...); code != exitBadInput {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1024": 1024, "512MiB": 512 << 20, "6GB": 6e9, "1.5GiB": 3 << 29, "2 kib": 2048} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("%q: %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1", "5XB", "1e30"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("%q accepted as %d", in, b)
		}
	}
	for n, want := range map[int64]string{6 << 30: "6GiB", 512 << 20: "512MiB", 1000: "1000", 3 << 29: "1.5GiB", 6170943 << 10: "5.9GiB", 64 << 10: "64KiB"} {
		b := byteSize(n)
		if got := b.String(); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}

// TestLinearREADME runs the README's ludus linear example and compares its
// output with what the README shows (but for the time taken).
func TestLinearREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const prompt = "$ go run ./cmd/ludus linear "
	text := string(readme)
	i := strings.Index(text, prompt)
	if i < 0 {
		t.Fatal("the README has no ludus linear example")
	}
	text = text[i+len(prompt):]
	arg, text, _ := strings.Cut(text, "\n")
	shown, rest, _ := strings.Cut(text, "$ echo $?\n")
	status, _, _ := strings.Cut(rest, "\n")
	code, out, errOut := runCmd("linear", filepath.Join("..", "..", arg))
	if strconv.Itoa(code) != status {
		t.Errorf("exit %d, the README says %s (%s)", code, status, errOut)
	}
	took := regexp.MustCompile(`checked in [0-9.]+[µnm]?s`)
	got := took.ReplaceAllString(strings.ReplaceAll(out, filepath.Join("..", "..")+"/", ""), "checked in T")
	want := took.ReplaceAllString(shown, "checked in T")
	if got != want {
		t.Errorf("output:\n%s\nthe README shows:\n%s", got, want)
	}
}
