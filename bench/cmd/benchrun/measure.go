package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// A run of a section takes count rounds. Each round runs, for each -cpu
// value in turn, one process of the benchmark binary over the section's
// whole pattern with -test.count 1: every benchmark of the section, ludus
// and its peers side by side, is sampled once per round, so a change in
// the machine's load between rounds hits all of them alike, which one
// process with -test.count N (N samples of one benchmark, then N of the
// next) does not do.
//
// Each process is given one -cpu value: bench's TestMain then sets
// GOMAXPROCS to it before any benchmark starts, and every sample runs at
// the GOMAXPROCS its name says (see bench/main_test.go for what goes wrong
// otherwise). A probe process per round and -cpu value checks that with a
// b.Loop benchmark reporting runtime.GOMAXPROCS(0) from inside its loop.

// probeBench is the probe benchmark of bench/procs_test.go.
const probeBench = "^BenchmarkGOMAXPROCS$"

// measurement is what a run produced.
type measurement struct {
	raw      []byte // every benchmark process's output, in order
	rounds   []roundOutput
	load     loads
	probes   map[int][]float64 // -cpu value -> GOMAXPROCS the probe saw
	commands []string          // the benchmark command for each -cpu value, for the record
}

// measure builds the test binary in dir and runs sec's rounds, reporting
// progress to log.
func measure(ctx context.Context, dir string, sec section, log io.Writer) (*measurement, error) {
	tmp, err := os.MkdirTemp("", "benchrun-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bench.test")
	build := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, ".")
	build.Dir, build.Stdout, build.Stderr = dir, log, log
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("building the benchmarks: %w", err)
	}
	m := &measurement{probes: map[int][]float64{}, load: loads{before: loadAverage()}}
	for _, cpu := range sec.cpu {
		m.commands = append(m.commands, "bench.test "+strings.Join(quoteAll(benchArgs(sec, cpu)), " "))
	}
	for round := 1; round <= sec.count; round++ {
		for _, cpu := range sec.cpu {
			fmt.Fprintf(log, "benchrun: %s: round %d/%d, -cpu %d (load average %.2f)\n", sec.name, round, sec.count, cpu, loadAverage())
			out, err := runBinary(ctx, dir, bin, benchArgs(sec, cpu))
			if err != nil {
				return nil, err
			}
			m.raw = append(m.raw, out...)
			m.rounds = append(m.rounds, roundOutput{round: round, cpu: cpu, out: out})
			m.load.during = append(m.load.during, loadAverage())
			probe, err := runBinary(ctx, dir, bin, probeArgs(cpu))
			if err != nil {
				return nil, err
			}
			seen, err := probeProcs(probe)
			if err != nil {
				return nil, err
			}
			m.probes[cpu] = append(m.probes[cpu], seen)
		}
	}
	m.load.after = loadAverage()
	return m, m.checkProbes()
}

// roundOutput is one benchmark process's output.
type roundOutput struct {
	round, cpu int
	out        []byte
}

// benchArgs are the benchmark binary's arguments for one process.
func benchArgs(sec section, cpu int) []string {
	args := []string{"-test.run", "^$", "-test.bench", sec.bench, "-test.count", "1",
		"-test.cpu", strconv.Itoa(cpu), "-test.timeout", "30m"}
	if sec.benchtime != "" {
		args = append(args, "-test.benchtime", sec.benchtime)
	}
	if sec.benchmem {
		args = append(args, "-test.benchmem")
	}
	return args
}

func probeArgs(cpu int) []string {
	return []string{"-test.run", "^$", "-test.bench", probeBench, "-test.benchtime", "1000x",
		"-test.cpu", strconv.Itoa(cpu)}
}

// runBinary runs the benchmark binary in dir and returns its output; a
// failing benchmark is an error carrying the output.
func runBinary(ctx context.Context, dir, bin string, args []string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("bench.test %s: %w\n%s%s", strings.Join(quoteAll(args), " "), err, out, stderr.Bytes())
	}
	if !bytes.Contains(out, []byte("\nBenchmark")) && !bytes.HasPrefix(out, []byte("Benchmark")) {
		return nil, fmt.Errorf("bench.test %s: no benchmark matched\n%s", strings.Join(quoteAll(args), " "), out)
	}
	return out, nil
}

var probeLine = regexp.MustCompile(`(?m)^BenchmarkGOMAXPROCS\S*\s.*\s(\d+(?:\.\d+)?) procs$`)

func probeProcs(out []byte) (float64, error) {
	m := probeLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("the GOMAXPROCS probe printed no procs metric:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// checkProbes fails the run if any process ran its benchmarks at another
// GOMAXPROCS than its -cpu value.
func (m *measurement) checkProbes() error {
	for cpu, seen := range m.probes {
		for _, p := range seen {
			if int(p) != cpu {
				return fmt.Errorf("a -cpu %d process ran its b.Loop probe at GOMAXPROCS %v: figures would be mislabelled", cpu, p)
			}
		}
	}
	return nil
}

// quoteAll quotes the arguments that a shell would split or expand.
func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"$^|()*?[]{}<>&;\\!#~") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return out
}
