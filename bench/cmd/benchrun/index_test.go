package main

import (
	"strings"
	"testing"
)

func TestSpliceIndex(t *testing.T) {
	text := "# R\n\n" + indexBegin + "\nold\n" + indexEnd + "\n\n" +
		"<!-- bench:begin lock\nbench: .\n-->\n" +
		"Measured 2026-12-07 14:06 UTC, ludus commit abc.\n\n" +
		"| goal | cpu | ratio of medians | per-round ratio, 95% interval | verdict |\n|---|---:|---:|---|---|\n" +
		"| LockUncontended: ludus / sync <= 2.00 | 1 | 1.80 | 1.7 to 1.9 | **met** |\n" +
		"| LockUncontended: ludus / sync <= 2.00 | 2 | 2.10 | 2.0 to 2.2 | **missed** |\n\n" +
		"<!-- bench:end lock -->\n" +
		"<!-- bench:begin empty\nbench: .\n-->\n<!-- bench:end empty -->\n"
	out, err := spliceIndex("R.md", text)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| lock | 2026-12-07 14:06 UTC | LockUncontended: ludus / sync <= 2.00 | 1 | 1.80 | **met** |",
		"| lock | 2026-12-07 14:06 UTC | LockUncontended: ludus / sync <= 2.00 | 2 | 2.10 | **missed** |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("index lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\nold\n") {
		t.Error("the old index stayed")
	}
	again, err := spliceIndex("R.md", out)
	if err != nil || again != out {
		t.Errorf("splicing twice changed the file: %v", err)
	}
	if same, _ := spliceIndex("R.md", "no index here\n"); same != "no index here\n" {
		t.Error("a file without an index changed")
	}
	for _, bad := range []string{indexEnd + "\n" + indexBegin + "\n", indexBegin + "\n" + indexBegin + "\n" + indexEnd + "\n", indexBegin + "\n"} {
		if _, err := spliceIndex("R.md", bad); err == nil {
			t.Errorf("spliceIndex(%q): no error", bad)
		}
	}
}
