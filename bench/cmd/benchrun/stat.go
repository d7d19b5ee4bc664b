package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// benchstatVersion pins the benchstat that summarises every section, so
// that two runs compare like with like.
const benchstatVersion = "v0.0.0-20260908200009-22c9c6c9d4da"

const benchstatPkg = "golang.org/x/perf/cmd/benchstat@" + benchstatVersion

// implKey is the name key benchrun gives each benchmark's last name
// element, its implementation ("ludus", "sync", ...), so that benchstat
// can make it the column: -col /impl.
const implKey = "impl"

// benchLine matches a result line: the name, then the rest.
var benchLine = regexp.MustCompile(`^(Benchmark\S+)(\s.*)$`)

// withImplKey rewrites raw benchmark output so that the last element of
// each name is keyed: BenchmarkX/a/ludus-2 becomes BenchmarkX/a/impl=ludus-2.
// A name without sub-benchmarks is left alone (its column is empty).
func withImplKey(raw []byte) []byte {
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := benchLine.FindStringSubmatch(line); m != nil {
			if i := strings.LastIndexByte(m[1], '/'); i >= 0 && !strings.Contains(m[1][i:], "=") {
				line = m[1][:i+1] + implKey + "=" + m[1][i+1:] + m[2]
			}
		}
		out.WriteString(line)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// benchstat runs the pinned benchstat on file with args and returns its
// standard output.
func benchstat(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", append([]string{"run", benchstatPkg}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("benchstat %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out, nil
}

// cell is one implementation's summary on one row, as benchstat gives it.
type cell struct {
	median float64
	// ci is the half-width of the median's 95% confidence interval, as a
	// fraction of the median (benchstat's "± x%"); +Inf when benchstat
	// had too few samples to give one.
	ci float64
}

// row is one benchmark at one -cpu value.
type row struct {
	name  string // benchstat's row name without the -N suffix
	cpu   int
	cells map[string]cell // by column (implementation)
}

// table is benchstat's table for one unit.
type table struct {
	unit string
	cols []string // columns in benchstat's order
	rows []row
}

// parseCSV reads the tables of `benchstat -format csv`. Each table is a
// row of column names, a row that gives the unit at each column's value
// field (followed by its CI field, and after the first column by "vs base"
// and P fields), then one row per benchmark and a geomean row. encoding/csv drops the blank lines
// between tables, so a table starts at a row whose first field is empty
// that does not follow another such row.
func parseCSV(data []byte, cpus []int) ([]table, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	var (
		out      []table
		cur      *table
		names    []string // the pending header row
		colIndex map[int]string
		line     int
	)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("benchstat csv: %w", err)
		}
		line++
		switch {
		case len(rec) < 2:
			continue // file configuration ("goos: linux")
		case rec[0] == "" && names == nil:
			names = rec
		case rec[0] == "" && names != nil:
			out = append(out, table{})
			cur = &out[len(out)-1]
			colIndex = map[int]string{}
			// Value columns are where the unit row names the unit.
			for i := 1; i < len(rec); i++ {
				if rec[i] == rec[1] && i < len(names) {
					colIndex[i] = names[i]
					cur.cols = append(cur.cols, names[i])
				}
			}
			cur.unit = rec[1]
			names = nil
		case cur == nil:
			return nil, fmt.Errorf("benchstat csv, record %d: data before any header: %q", line, rec)
		case rec[0] == "geomean":
			continue
		default:
			rw, err := parseRow(rec, colIndex, cpus)
			if err != nil {
				return nil, fmt.Errorf("benchstat csv, record %d: %w", line, err)
			}
			cur.rows = append(cur.rows, rw)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("benchstat printed no table: no benchmark results?")
	}
	return out, nil
}

var procsSuffix = regexp.MustCompile(`^(.*)-(\d+)$`)

func parseRow(rec []string, colIndex map[int]string, cpus []int) (row, error) {
	rw := row{name: rec[0], cpu: 1, cells: map[string]cell{}}
	if m := procsSuffix.FindStringSubmatch(rec[0]); m != nil {
		n, _ := strconv.Atoi(m[2])
		if isCPU(n, cpus) {
			rw.name, rw.cpu = m[1], n
		}
	}
	for i, col := range colIndex {
		if i >= len(rec) || rec[i] == "" {
			continue // this implementation has no such benchmark
		}
		v, err := strconv.ParseFloat(rec[i], 64)
		if err != nil {
			return rw, fmt.Errorf("column %q: value %q: %v", col, rec[i], err)
		}
		c := cell{median: v, ci: math.Inf(1)}
		if i+1 < len(rec) {
			if c.ci, err = parseCI(rec[i+1]); err != nil {
				return rw, fmt.Errorf("column %q: %w", col, err)
			}
		}
		rw.cells[col] = c
	}
	return rw, nil
}

func isCPU(n int, cpus []int) bool {
	for _, c := range cpus {
		if c == n {
			return true
		}
	}
	return false
}

// parseCI reads benchstat's confidence interval: "∞", or "±3%" (csv may
// drop the "±").
func parseCI(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "∞" || s == "" {
		return math.Inf(1), nil
	}
	p, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(s, "±"), "%"), 64)
	if err != nil {
		return 0, fmt.Errorf("confidence interval %q: %v", s, err)
	}
	return p / 100, nil
}
