package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeResults(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "RESULTS.md")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunListAndDryRun(t *testing.T) {
	p := writeResults(t, sample)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-results", p, "-list"}, &out, &errb); code != 0 {
		t.Fatalf("-list: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "lock (line 4)") || !strings.Contains(out.String(), "other (line 18)") {
		t.Errorf("-list printed:\n%s", out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"-results", p, "-dry-run", "lock"}, &out, &errb); code != 0 {
		t.Fatalf("-dry-run: exit %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"then 8 rounds of:",
		"./bench.test -test.run '^$' -test.bench '^BenchmarkLock(Uncontended|Nested)$' -test.count 1 -test.cpu 4 -test.timeout 30m -test.benchtime 200ms -test.benchmem",
		"./bench.test -test.run '^$' -test.bench '^BenchmarkGOMAXPROCS$' -test.benchtime 1000x -test.cpu 1",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-dry-run output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunBadInput(t *testing.T) {
	good := writeResults(t, sample)
	bad := writeResults(t, "x\n<!-- bench:begin a\nbench: .\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-results", good}, "name the sections"},
		{[]string{"-results", good, "nosuch"}, `no section "nosuch"`},
		{[]string{"-results", bad, "a"}, "RESULTS.md:2: section \"a\": settings never closed"},
		{[]string{"-results", filepath.Join(t.TempDir(), "missing.md"), "a"}, "no such file"},
		{[]string{"-nosuchflag"}, "flag provided but not defined"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), tc.args, &out, &errb); code != 2 {
			t.Errorf("%q: exit %d, want 2", tc.args, code)
		}
		if !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%q: stderr %q, want %q", tc.args, errb.String(), tc.want)
		}
	}
}

func fixtureReport(t *testing.T, goals ...string) report {
	t.Helper()
	tables := fixtureTables(t)
	sec := section{name: "lock", settings: settings{bench: "^BenchmarkLockUncontended$", cpu: []int{1, 2}, count: 6, units: []string{"sec/op"}}}
	for _, g := range goals {
		pg, err := parseGoal(g)
		if err != nil {
			t.Fatal(err)
		}
		sec.goals = append(sec.goals, pg)
	}
	m := loadRounds(t)
	m.load = loads{before: 0.5, after: 1.5, during: []float64{0.7, 2.5}}
	m.commands = []string{"bench.test -test.cpu 1", "bench.test -test.cpu 2"}
	return report{
		sec: sec, m: m, tables: tables, statText: []byte("benchstat says"), rawPath: "results/lock.txt",
		mach: machine{cpuModel: "Test CPU", cpus: 2, memory: "1.0 GiB", kernel: "Linux 6", goVer: "go1.26.8", commit: "abc123"},
		date: time.Date(2026, 12, 7, 14, 6, 0, 0, time.UTC),
	}
}

func TestRender(t *testing.T) {
	r := fixtureReport(t,
		"^LockUncontended$ sec/op ludus/sync <= 2",
		"^LockUncontended$ sec/op ludus/sync <= 3",
		"^LockUncontended$ sec/op ludus/go-deadlock <= 0.1 cpu=2",
		"^LockUncontended$ sec/op ludus/sync <= 2.5")
	out, err := r.render()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Measured 2026-12-07 14:06 UTC, ludus commit abc123.",
		"- Machine: Test CPU, 2 logical CPUs, 1.0 GiB, Linux 6.",
		"- Go: go1.26.8.",
		"- Load average (1 min): 0.50 before the run, 0.70 to 2.50 during it, 1.50 after.",
		"  `bench.test -test.cpu 2`",
		"| benchmark | cpu | sync | ludus | ludus-off | ludus-exact | go-deadlock | ludus / sync | ludus / go-deadlock |",
		"| LockUncontended | 1 | 14.9 ns ±62% | 36.9 ns ±58% | 18.5 ns ±137% | 5.25 µs ±78% | 524 ns ±32% | 2.47 | 0.0704 |",
		"| LockUncontended: ludus / sync <= 2.00 (sec/op) | 1 | 2.47 | 2.01 to 2.53 | **missed** |",
		"| LockUncontended: ludus / sync <= 3.00 (sec/op) | 2 | 2.52 |",
		"| LockUncontended: ludus / go-deadlock <= 0.100 (sec/op) | 2 | 0.0700 |",
		"| LockUncontended: ludus / sync <= 2.50 (sec/op) | 1 | 2.47 | 2.01 to 2.53 | **inconclusive (within noise)** |",
		"benchstat says",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("render lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "B/op") {
		t.Error("units: sec/op rendered another unit's table")
	}
	if n := strings.Count(out, "| LockUncontended: ludus / go-deadlock"); n != 1 {
		t.Errorf("the cpu=2 goal has %d rows, want 1", n)
	}
}

func TestRenderGoalMatchingNothing(t *testing.T) {
	for _, g := range []string{
		"^LockNested$ sec/op ludus/sync <= 2",    // no such row
		"^LockUncontended$ B/op ludus/sync <= 2", // unit has the row: B/op is not in the fixture's selection but exists
		"^LockUncontended$ sec/op ludus/nobody <= 2",
		"^LockUncontended$ sec/op ludus/sync <= 2 cpu=4",
	} {
		_, err := fixtureReport(t, g).render()
		if g == "^LockUncontended$ B/op ludus/sync <= 2" {
			if err != nil {
				t.Errorf("goal on an unselected unit: %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "matches no row") {
			t.Errorf("goal %q: error %v, want \"matches no row\"", g, err)
		}
	}
}
