package main

import (
	"strings"
	"testing"
)

const sample = `# Results

prose before
<!-- bench:begin lock
bench: ^BenchmarkLock(Uncontended|Nested)$
cpu: 1,2,4
count: 8
benchtime: 200ms
benchmem: true
units: sec/op, B/op
# a comment line
goal: ^LockUncontended$ sec/op ludus/sync <= 2
goal: ^LockNested$ sec/op sync/ludus >= 0.5 cpu=2
-->
old figures
<!-- bench:end lock -->
prose between
<!-- bench:begin other
bench: .
-->
<!-- bench:end other -->
prose after
`

func TestParseSections(t *testing.T) {
	secs, err := parseSections("R.md", sample)
	if err != nil {
		t.Fatal(err)
	}
	if len(secs) != 2 {
		t.Fatalf("got %d sections, want 2", len(secs))
	}
	s := secs[0]
	if s.name != "lock" || s.bench != "^BenchmarkLock(Uncontended|Nested)$" || s.count != 8 || s.benchtime != "200ms" || !s.benchmem {
		t.Errorf("lock settings: %+v", s.settings)
	}
	if got := s.cpu; len(got) != 3 || got[2] != 4 {
		t.Errorf("cpu = %v, want [1 2 4]", got)
	}
	if strings.Join(s.units, "|") != "sec/op|B/op" {
		t.Errorf("units = %q", s.units)
	}
	if len(s.goals) != 2 || s.goals[1].cpu != 2 || s.goals[1].atMost || s.goals[0].num != "ludus" || s.goals[0].den != "sync" {
		t.Errorf("goals = %+v", s.goals)
	}
	if s.beginLine != 4 || s.closeLine != 14 || s.endLine != 16 {
		t.Errorf("lines: begin %d close %d end %d, want 4 14 16", s.beginLine, s.closeLine, s.endLine)
	}
	o := secs[1]
	if o.count != defaultCount || len(o.cpu) != 2 || o.benchmem {
		t.Errorf("defaults: %+v", o.settings)
	}
}

func TestParseSectionsSkipsCodeFences(t *testing.T) {
	text := "How to add one:\n\n```\n<!-- bench:begin example\nbench: .\n-->\n<!-- bench:end example -->\n```\n\n" + sample
	secs, err := parseSections("R.md", text)
	if err != nil {
		t.Fatal(err)
	}
	if len(secs) != 2 || secs[0].name != "lock" {
		t.Fatalf("sections %v, want lock and other only", secs)
	}
	out, err := splice("R.md", text, "lock", "new")
	if err != nil || !strings.Contains(out, "```\n<!-- bench:begin example\nbench: .\n-->\n<!-- bench:end example -->\n```") {
		t.Fatalf("splice touched the example: %v\n%s", err, out)
	}
}

func TestParseSectionsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"no end", "<!-- bench:begin a\nbench: .\n-->\n", "R.md:1: section \"a\" has no end marker"},
		{"unclosed settings", "<!-- bench:begin a\nbench: .\n", "R.md:1: section \"a\": settings never closed"},
		{"no bench", "<!-- bench:begin a\ncpu: 1\n-->\n<!-- bench:end a -->\n", "R.md:1: section \"a\" has no \"bench:\""},
		{"bad cpu", "<!-- bench:begin a\nbench: .\ncpu: 1,x\n-->\n<!-- bench:end a -->\n", "R.md:3: cpu: want a list"},
		{"zero cpu", "<!-- bench:begin a\nbench: .\ncpu: 0\n-->\n<!-- bench:end a -->\n", "R.md:3: cpu: want a list"},
		{"count too small", "<!-- bench:begin a\nbench: .\ncount: 4\n-->\n<!-- bench:end a -->\n", "R.md:3: count: want an integer >= 5"},
		{"unknown key", "<!-- bench:begin a\nbench: .\ncolour: red\n-->\n<!-- bench:end a -->\n", "R.md:3: colour: unknown key"},
		{"bad goal", "<!-- bench:begin a\nbench: .\ngoal: x sec/op ludus <= 2\n-->\n<!-- bench:end a -->\n", "R.md:3: goal: want the ratio as num/den"},
		{"not key value", "<!-- bench:begin a\nbench: .\njust words\n-->\n<!-- bench:end a -->\n", "R.md:3: want \"key: value\""},
		{"bad name", "<!-- bench:begin a b\nbench: .\n-->\n<!-- bench:end a b -->\n", "R.md:1: section name \"a b\""},
		{"stray end", "text\n<!-- bench:end a -->\n", "R.md:2: end marker without a begin marker"},
		{"nested", "<!-- bench:begin a\nbench: .\n-->\n<!-- bench:begin b\n", "R.md:4: section \"a\": want"},
		{"duplicate", "<!-- bench:begin a\nbench: .\n-->\n<!-- bench:end a -->\n<!-- bench:begin a\nbench: .\n-->\n<!-- bench:end a -->\n", "R.md:5: section \"a\" already begins at line 1"},
	} {
		_, err := parseSections("R.md", tc.text)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want prefix %q", tc.name, err, tc.want)
		}
	}
}

func TestSplice(t *testing.T) {
	out, err := splice("R.md", sample, "lock", "new figures\n\nmore\n")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(sample, "-->\nold figures\n<!-- bench:end lock -->", "-->\nnew figures\n\nmore\n<!-- bench:end lock -->", 1)
	if out != want {
		t.Errorf("splice:\n%s\nwant:\n%s", out, want)
	}
	// Splicing again replaces, and an empty section fills.
	again, err := splice("R.md", out, "lock", "third")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(again, "new figures") || !strings.Contains(again, "-->\nthird\n<!-- bench:end lock -->") {
		t.Errorf("second splice:\n%s", again)
	}
	other, err := splice("R.md", sample, "other", "filled")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(other, "bench: .\n-->\nfilled\n<!-- bench:end other -->\nprose after\n") || !strings.Contains(other, "old figures") {
		t.Errorf("splice into the empty section:\n%s", other)
	}
	if _, err := splice("R.md", sample, "gone", "x"); err == nil {
		t.Error("splice into a missing section: no error")
	}
}
