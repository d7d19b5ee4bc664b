package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// linearData is ../shared/data/porcupine beside the repository root.
func linearData(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "data", "porcupine")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared data set absent (%v)", err)
	}
	return dir
}

func TestLinearVerdictsAndExitStatus(t *testing.T) {
	d := linearData(t)
	code, out, errOut := runCmd("linear", filepath.Join(d, "jepsen", "etcd_005.log"), filepath.Join(d, "kv", "c10-ok.txt"))
	if code != 0 || strings.Count(out, ": linearizable") != 2 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCmd("linear", "--format", "jepsen-etcd", filepath.Join(d, "jepsen", "etcd_000.log"))
	if code != 1 || !strings.Contains(out, "not linearizable") || !strings.Contains(out, "line ") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestLinearJSONAndHTML(t *testing.T) {
	d := linearData(t)
	html := filepath.Join(t.TempDir(), "out.html")
	code, out, errOut := runCmd("linear", "--json", "--no-partition", "--html", html, filepath.Join(d, "kv", "c01-bad.txt"))
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Results []struct {
			File    string `json:"file"`
			Verdict string `json:"verdict"`
			Ops     int    `json:"ops"`
			CheckNS int64  `json:"check_ns"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got.Results) != 1 || got.Results[0].Verdict != "not linearizable" || got.Results[0].Ops == 0 || got.Results[0].CheckNS <= 0 {
		t.Fatalf("%+v", got)
	}
	page, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(page), "<!DOCTYPE html>") {
		t.Fatalf("html: %v", err)
	}
}

func TestLinearBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.log")
	os.WriteFile(bad, []byte("INFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:ok\t:frob\t3\n"), 0o644)
	code, _, errOut := runCmd("linear", bad)
	if code != 2 || !strings.Contains(errOut, "bad.log:2") {
		t.Fatalf("exit %d: %q", code, errOut)
	}
	for _, args := range [][]string{{"linear"}, {"linear", "--format", "xml", bad}, {"linear", filepath.Join(dir, "missing")}} {
		if code, _, _ := runCmd(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	unknown := filepath.Join(dir, "what.txt")
	os.WriteFile(unknown, []byte("hello\n"), 0o644)
	if code, _, errOut := runCmd("linear", unknown); code != 2 || !strings.Contains(errOut, "--format") {
		t.Errorf("unguessable format: exit %d %q", code, errOut)
	}
}
