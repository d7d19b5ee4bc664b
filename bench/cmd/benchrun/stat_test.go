package main

import (
	"math"
	"os"
	"strings"
	"testing"
)

func TestWithImplKey(t *testing.T) {
	in := "goos: linux\nBenchmarkA/x/ludus-2 \t 10\t 5 ns/op\nBenchmarkB-2 \t 10\t 5 ns/op\nBenchmarkC/n=3 \t 1\t 1 ns/op\nPASS\n"
	want := "goos: linux\nBenchmarkA/x/impl=ludus-2 \t 10\t 5 ns/op\nBenchmarkB-2 \t 10\t 5 ns/op\nBenchmarkC/n=3 \t 1\t 1 ns/op\nPASS\n"
	if got := string(withImplKey([]byte(in))); got != want {
		t.Errorf("withImplKey:\n%s\nwant:\n%s", got, want)
	}
}

// fixtureTables parses testdata/lock.csv, benchstat's csv (-col /impl) of
// testdata/lock.txt.
func fixtureTables(t *testing.T) []table {
	t.Helper()
	data, err := os.ReadFile("testdata/lock.csv")
	if err != nil {
		t.Fatal(err)
	}
	tables, err := parseCSV(data, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

func TestParseCSV(t *testing.T) {
	tables := fixtureTables(t)
	if len(tables) != 3 || tables[0].unit != "sec/op" || tables[1].unit != "B/op" || tables[2].unit != "allocs/op" {
		t.Fatalf("tables: %+v", tables)
	}
	tb := tables[0]
	if strings.Join(tb.cols, ",") != "sync,ludus,ludus-off,ludus-exact,go-deadlock" {
		t.Errorf("columns %q", tb.cols)
	}
	if len(tb.rows) != 2 || tb.rows[0].name != "LockUncontended" || tb.rows[0].cpu != 1 || tb.rows[1].cpu != 2 {
		t.Fatalf("rows %+v", tb.rows)
	}
	c := tb.rows[0].cells["ludus"]
	if math.Abs(c.median-36.9e-9) > 1e-12 || math.Abs(c.ci-0.58) > 1e-9 {
		t.Errorf("ludus at cpu 1: %+v", c)
	}
	if got := tables[1].rows[1].cells["go-deadlock"].median; got != 24 {
		t.Errorf("go-deadlock B/op at cpu 2: %v", got)
	}
}

func TestParseCSVErrors(t *testing.T) {
	for _, bad := range []string{
		"",
		"goos: linux\n",
		"X,1,2\n",
		",a,,b,,,\n,sec/op,CI,sec/op,CI,vs base,P\nRow,abc,1%,2,1%,~,p\n",
		",a,,b,,,\n,sec/op,CI,sec/op,CI,vs base,P\nRow,1,zz,2,1%,~,p\n",
	} {
		if _, err := parseCSV([]byte(bad), []int{1, 2}); err == nil {
			t.Errorf("parseCSV(%q): no error", bad)
		}
	}
}

func TestParseRowKeepsNonCPUSuffix(t *testing.T) {
	// "-8" is not one of the -cpu values, so it is part of the name.
	rw, err := parseRow([]string{"Pool/workers-8", "1e-9", "1%"}, map[int]string{1: "x"}, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if rw.name != "Pool/workers-8" || rw.cpu != 1 {
		t.Errorf("row %+v", rw)
	}
}

func TestParseCI(t *testing.T) {
	for in, want := range map[string]float64{"∞": math.Inf(1), "": math.Inf(1), "±3%": 0.03, "62%": 0.62, "0%": 0} {
		got, err := parseCI(in)
		if err != nil || got != want {
			t.Errorf("parseCI(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseCI("lots"); err == nil {
		t.Error("parseCI(lots): no error")
	}
}
