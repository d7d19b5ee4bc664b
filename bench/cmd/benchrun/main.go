// Command benchrun measures a section of bench/RESULTS.md and rewrites it.
//
// Usage, from bench/ (or through bench/run.sh):
//
//	go run ./cmd/benchrun [-results RESULTS.md] [-dry-run] section...
//	go run ./cmd/benchrun -list
//	go run ./cmd/benchrun -index
//	go run ./cmd/benchrun -rerender section...
//
// A section is declared in RESULTS.md by a begin marker holding its
// settings and an end marker (see section.go); benchrun runs its
// benchmarks, ludus and its peers in the same processes, in rounds (see
// measure.go), summarises them with benchstat as medians, ratios of
// medians and goals met or missed, and replaces the text between the
// markers with the figures, the machine, the Go version, GOMAXPROCS, the
// load average and the exact commands. The raw output is kept in
// results/<section>.txt beside RESULTS.md, so that anyone can run
// benchstat on it again, and the run's metadata in results/<section>.json,
// so that -rerender can write the section again (after a change of units
// or goals) without measuring.
//
// To add a section, write its markers where its prose belongs:
//
//	<!-- bench:begin mysection
//	bench: ^BenchmarkMine
//	cpu: 1,2
//	count: 6
//	benchmem: true
//	units: sec/op B/op
//	goal: ^Mine$ sec/op ludus/peer <= 1.2
//	-->
//	<!-- bench:end mysection -->
//
// and run `bench/run.sh mysection`. A benchmark's last name element names
// the implementation (b.Run("ludus", ...), b.Run("sync", ...)); "ludus" is
// divided by every other column, "ludus-..." columns are variants shown
// beside it.
//
// With the markers <!-- bench:index --> and <!-- bench:index-end --> in
// the file, every run (and -index alone) also rewrites between them a table
// of every section's goals and their last verdicts (see index.go).
//
// Exit status: 0 when every section was measured and written, 1 when a
// run failed (nothing is written for that section), 2 for bad usage or a
// malformed RESULTS.md, named by file:line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks errors that exit with status 2.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchrun", flag.ContinueOnError)
	fs.SetOutput(stderr)
	results := fs.String("results", "RESULTS.md", "the results file whose sections are measured")
	list := fs.Bool("list", false, "list the sections and their settings, and exit")
	dry := fs.Bool("dry-run", false, "print the commands a run would take, and exit")
	index := fs.Bool("index", false, "rewrite only the goals index from the sections as they are, and exit")
	rerender := fs.Bool("rerender", false, "write the sections again from their saved runs (results/NAME.txt and .json), without measuring")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: benchrun [-results RESULTS.md] [-dry-run] section...\n       benchrun -list")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	text, err := os.ReadFile(*results)
	if err != nil {
		fmt.Fprintf(stderr, "benchrun: %v\n", err)
		return 2
	}
	secs, err := parseSections(*results, string(text))
	if err != nil {
		fmt.Fprintf(stderr, "benchrun: %v\n", err)
		return 2
	}
	if *list {
		listSections(stdout, secs)
		return 0
	}
	if *index {
		if err := rewrite(*results, func(text string) (string, error) { return spliceIndex(*results, text) }); err != nil {
			fmt.Fprintf(stderr, "benchrun: %v\n", err)
			return 2
		}
		return 0
	}
	chosen, err := choose(secs, fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "benchrun: %v\n", err)
		fs.Usage()
		return 2
	}
	for _, sec := range chosen {
		if *dry {
			printPlan(stdout, sec)
			continue
		}
		if err := measureSection(ctx, *results, sec, *rerender, stderr); err != nil {
			fmt.Fprintf(stderr, "benchrun: %s: %v\n", sec.name, err)
			if errors.Is(err, errUsage) {
				return 2
			}
			return 1
		}
		fmt.Fprintf(stderr, "benchrun: %s: written to %s\n", sec.name, *results)
	}
	return 0
}

func choose(secs []section, names []string) ([]section, error) {
	if len(names) == 0 {
		return nil, errors.New("name the sections to measure (-list shows them)")
	}
	var out []section
	for _, n := range names {
		i := slices.IndexFunc(secs, func(s section) bool { return s.name == n })
		if i < 0 {
			return nil, fmt.Errorf("no section %q (-list shows them)", n)
		}
		out = append(out, secs[i])
	}
	return out, nil
}

func listSections(w io.Writer, secs []section) {
	for _, s := range secs {
		fmt.Fprintf(w, "%s (line %d): bench %q, cpu %v, count %d", s.name, s.beginLine, s.bench, s.cpu, s.count)
		if s.benchtime != "" {
			fmt.Fprintf(w, ", benchtime %s", s.benchtime)
		}
		fmt.Fprintf(w, ", goals: %d\n", len(s.goals))
	}
}

func printPlan(w io.Writer, sec section) {
	fmt.Fprintf(w, "# %s: go test -c -o bench.test ., then %d rounds of:\n", sec.name, sec.count)
	for _, c := range sec.cpu {
		fmt.Fprintf(w, "./bench.test %s\n", strings.Join(quoteAll(benchArgs(sec, c)), " "))
		fmt.Fprintf(w, "./bench.test %s\n", strings.Join(quoteAll(probeArgs(c)), " "))
	}
}

// measureSection runs one section (or, with rerender, reads its saved run)
// and writes its figures into the results file, keeping the raw output and
// the run's metadata beside it.
func measureSection(ctx context.Context, results string, sec section, rerender bool, log io.Writer) error {
	dir := filepath.Dir(results)
	rawPath := filepath.Join("results", sec.name+".txt")
	metaPath := filepath.Join(dir, "results", sec.name+".json")
	var (
		date time.Time
		mach machine
		m    *measurement
		err  error
	)
	if rerender {
		date, mach, m, err = loadRun(filepath.Join(dir, rawPath), metaPath)
		if err != nil {
			return err
		}
	} else {
		mach = readMachine(ctx, dir)
		if m, err = measure(ctx, dir, sec, log); err != nil {
			return err
		}
		date = time.Now()
		if err := os.MkdirAll(filepath.Join(dir, "results"), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, rawPath), m.raw, 0o644); err != nil {
			return err
		}
		if err := saveRun(metaPath, date, mach, m); err != nil {
			return err
		}
	}
	text, csvOut, err := summarise(ctx, dir, m.raw)
	if err != nil {
		return err
	}
	tables, err := parseCSV(csvOut, sec.cpu)
	if err != nil {
		return err
	}
	body, err := report{sec: sec, m: m, mach: mach, tables: tables, statText: text, rawPath: rawPath, date: date}.render()
	if err != nil {
		return fmt.Errorf("%w: %w (the run is saved: fix the settings, then -rerender %s)", errUsage, err, sec.name)
	}
	return rewrite(results, func(text string) (string, error) {
		out, err := splice(results, text, sec.name, body)
		if err != nil {
			return "", err
		}
		return spliceIndex(results, out)
	})
}

// summarise runs benchstat over the raw output, keyed by implementation:
// its table, for the record, and its csv, for the figures.
func summarise(ctx context.Context, dir string, raw []byte) (text, csvOut []byte, err error) {
	keyed, err := os.CreateTemp("", "benchrun-*.txt")
	if err != nil {
		return nil, nil, err
	}
	defer os.Remove(keyed.Name())
	if _, err := keyed.Write(withImplKey(raw)); err != nil {
		keyed.Close()
		return nil, nil, err
	}
	if err := keyed.Close(); err != nil {
		return nil, nil, err
	}
	if text, err = benchstat(ctx, dir, "-col", "/"+implKey, keyed.Name()); err != nil {
		return nil, nil, err
	}
	csvOut, err = benchstat(ctx, dir, "-format", "csv", "-col", "/"+implKey, keyed.Name())
	return text, csvOut, err
}

// rewrite applies edit to the results file as it is now (others may have
// edited it during the run) and replaces the file in one rename.
func rewrite(results string, edit func(string) (string, error)) error {
	text, err := os.ReadFile(results)
	if err != nil {
		return err
	}
	out, err := edit(string(text))
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(results), ".RESULTS-*.md")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(out); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), results)
}
