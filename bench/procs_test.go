package bench

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkGOMAXPROCS is the probe for TestMain's -cpu cure: it reports
// the GOMAXPROCS it ran at as the metric "procs". It uses b.Loop, the kind
// of benchmark whose first sample testing used to take at the wrong
// GOMAXPROCS. bench/cmd/benchrun runs it beside every section it measures.
func BenchmarkGOMAXPROCS(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	for b.Loop() {
		if p := runtime.GOMAXPROCS(0); p != procs {
			procs = p // GOMAXPROCS changed under the benchmark
		}
	}
	b.ReportMetric(float64(procs), "procs")
}

// procsLine matches the probe's result lines: the name, with its "-N"
// suffix when GOMAXPROCS is not 1, and the procs metric.
var procsLine = regexp.MustCompile(`^BenchmarkGOMAXPROCS(?:-(\d+))?\s.*\s(\d+(?:\.\d+)?) procs$`)

// TestBenchmarksRunAtTheirCPU runs the probe through this test binary with
// -cpu 1,2 and -count 2, the way a hand run would, and checks that every
// sample ran at the GOMAXPROCS its name says. Without TestMain's cure the
// first "cpu 1" sample runs at the number of cores.
func TestBenchmarksRunAtTheirCPU(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the test binary three times")
	}
	out, err := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^BenchmarkGOMAXPROCS$",
		"-test.benchtime=100x", "-test.count=2", "-test.cpu=1,2").CombinedOutput()
	if err != nil {
		t.Fatalf("probe run: %v\n%s", err, out)
	}
	seen := map[int]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := procsLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		want := 1
		if m[1] != "" {
			want, _ = strconv.Atoi(m[1])
		}
		got, _ := strconv.ParseFloat(m[2], 64)
		if int(got) != want {
			t.Errorf("%q: ran at GOMAXPROCS %v, labelled %d", sc.Text(), got, want)
		}
		seen[want]++
	}
	if seen[1] != 2 || seen[2] != 2 {
		t.Errorf("samples per -cpu value: %v, want 2 at 1 and 2 at 2; output:\n%s", seen, out)
	}
}

func TestWithCPU(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"-test.bench=.", "-test.cpu=1,2", "-test.count=3"}, "-test.bench=. -test.count=3 -test.cpu=2"},
		{[]string{"-test.cpu", "1,2", "-test.bench", "."}, "-test.bench . -test.cpu=2"},
		{[]string{"--test.cpu=1,2"}, "-test.cpu=2"},
		{[]string{"-test.run=cpu", "x"}, "-test.run=cpu x -test.cpu=2"},
	} {
		got := withCPU(tc.in, 2)
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("withCPU(%q, 2) = %q, want %q", tc.in, s, tc.want)
		}
	}
}
