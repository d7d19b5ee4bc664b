package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/formats"
	"github.com/labludus/ludus/linear/models"
)

// Exit statuses of ludus linear. With several files, the first that
// applies of bad input, not linearizable, unknown.
const (
	exitLinearizable    = 0
	exitNotLinearizable = 1
	exitBadInput        = 2 // and usage errors
	exitUnknown         = 3 // a limit was reached
)

func init() {
	register(&command{
		name:    "linear",
		summary: "check recorded histories for linearizability (exit 0 linearizable, 1 not, 2 bad input, 3 unknown: a limit was reached)",
		usage:   "[flags] FILE... (- reads standard input)",
		// Flags may follow the files: ludus linear a.log --json.
		interspersed: true,
		setup:        setupLinear,
	})
}

// linearOptions are the flags of ludus linear.
type linearOptions struct {
	format      string
	noPartition bool
	all         bool
	timeout     time.Duration
	maxMemory   byteSize
	json        bool
	html        string
}

func setupLinear(fs *flag.FlagSet) func(args []string, stdout, stderr io.Writer) int {
	o := linearOptions{maxMemory: byteSize(linear.DefaultMaxMemory())}
	fs.StringVar(&o.format, "format", "", "history format: jepsen-etcd or porcupine-kv (default: guessed from the first line)")
	fs.BoolVar(&o.noPartition, "no-partition", false, "check a key-value history as one map instead of key by key")
	fs.BoolVar(&o.all, "all", false, "check every key of a key-value history; by default the check stops at the first key that is not linearizable")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up on a history after this long, with verdict unknown (exit 3); 0 for no limit")
	fs.Var(&o.maxMemory, "max-memory", "give up on a history whose check needs more memory than this, with verdict unknown (exit 3), as 512MiB or 6GB; 0 for no limit; the default is a quarter of this machine's memory")
	fs.BoolVar(&o.json, "json", false, `print {"results":[{"file","verdict","ops","check_ns",...}]}`)
	fs.StringVar(&o.html, "html", "", "write a picture of the check to this HTML file (with several inputs, one file each: NAME-INPUT.html)")
	return func(args []string, stdout, stderr io.Writer) int { return runLinear(o, args, stdout, stderr) }
}

// linearStdin is what "-" reads; tests replace it.
var linearStdin io.Reader = os.Stdin

// linearResult is one input's line of --json output.
type linearResult struct {
	File    string `json:"file"`
	Verdict string `json:"verdict,omitempty"` // absent for bad input
	Ops     int    `json:"ops"`
	CheckNS int64  `json:"check_ns"`
	// Parts is the number of parts (keys) checked apart; Failed lists
	// the keys (or part numbers) found not linearizable.
	Parts  int      `json:"parts,omitempty"`
	Failed []string `json:"failed,omitempty"`
	// Limit names the limit an unknown verdict hit: "timeout" or
	// "max-memory".
	Limit string `json:"limit,omitempty"`
	// Error says what is wrong with bad input, or why the verdict is
	// unknown.
	Error  string `json:"error,omitempty"`
	status int
	detail string // the explanation printed under the verdict
}

func runLinear(o linearOptions, files []string, stdout, stderr io.Writer) int {
	switch o.format {
	case "", "jepsen-etcd", "porcupine-kv":
	default:
		fmt.Fprintf(stderr, "ludus linear: unknown format %q (want jepsen-etcd or porcupine-kv)\n", o.format)
		return exitBadInput
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "ludus linear: no history files given (- reads standard input)")
		return exitBadInput
	}
	results := make([]linearResult, 0, len(files))
	for _, file := range files {
		r := linearFile(o, file, len(files) > 1)
		results = append(results, r)
		if r.status == exitBadInput {
			fmt.Fprintln(stderr, r.Error)
		}
		if !o.json && r.Verdict != "" {
			printLinear(stdout, r)
		}
	}
	if o.json {
		if err := json.NewEncoder(stdout).Encode(struct {
			Results []linearResult `json:"results"`
		}{results}); err != nil {
			fmt.Fprintf(stderr, "ludus linear: %v\n", err)
			return exitBadInput
		}
	}
	return linearStatus(results)
}

// printLinear prints one input's verdict and its explanation.
func printLinear(w io.Writer, r linearResult) {
	fmt.Fprintf(w, "%s: %s, %d ops, checked in %v\n", r.File, r.Verdict, r.Ops, time.Duration(r.CheckNS).Round(time.Microsecond))
	if r.status == exitUnknown && r.Error != "" {
		fmt.Fprintf(w, "  %s\n", r.Error)
	}
	fmt.Fprint(w, r.detail)
}

// linearStatus combines the inputs' exit statuses: bad input, then not
// linearizable, then unknown, then linearizable.
func linearStatus(results []linearResult) int {
	status := exitLinearizable
	rank := map[int]int{exitLinearizable: 0, exitUnknown: 1, exitNotLinearizable: 2, exitBadInput: 3}
	for _, r := range results {
		if rank[r.status] > rank[status] {
			status = r.status
		}
	}
	return status
}

// linearFile reads, parses and checks one input.
func linearFile(o linearOptions, file string, many bool) linearResult {
	name, data, err := readInput(file)
	if err != nil {
		return badInput(file, err)
	}
	format := o.format
	if format == "" {
		if format, err = guessFormat(name, data); err != nil {
			return badInput(name, err)
		}
	}
	html := o.html
	if html != "" && many {
		base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		html = strings.TrimSuffix(html, ".html") + "-" + base + ".html"
	}
	switch format {
	case "jepsen-etcd":
		ops, err := formats.ParseJepsenEtcd(bytes.NewReader(data), name)
		if err != nil {
			return badInput(name, err)
		}
		return checkLinear(name, formats.EtcdModel(), ops, o, nil, html)
	default:
		ops, err := formats.ParsePorcupineKV(bytes.NewReader(data), name)
		if err != nil {
			return badInput(name, err)
		}
		if o.noPartition {
			return checkLinear(name, models.KVMap(), ops, o, nil, html)
		}
		key := func(p linear.Part) string {
			if len(p.Ops) > 0 && p.Ops[0] >= 0 {
				return strconv.Quote(ops[p.Ops[0]].Input.Key)
			}
			return "?"
		}
		return checkLinear(name, models.KV(), ops, o, key, html)
	}
}

// readInput reads a file, or standard input for "-", and the name to
// report it by.
func readInput(file string) (name string, data []byte, err error) {
	if file == "-" {
		data, err = io.ReadAll(linearStdin)
		return "<stdin>", data, err
	}
	data, err = os.ReadFile(file)
	return file, data, err
}

// badInput is the result of an input that is not a history.
func badInput(name string, err error) linearResult {
	msg := err.Error()
	var pe *formats.ParseError
	if !errors.As(err, &pe) && !strings.HasPrefix(msg, name) {
		msg = name + ": " + msg
	}
	return linearResult{File: name, Error: msg, status: exitBadInput}
}

// guessFormat tells the format by the first line that is not blank.
func guessFormat(name string, data []byte) (string, error) {
	n := 0
	for len(data) > 0 {
		n++
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		switch line := bytes.TrimSpace(line); {
		case len(line) == 0:
			continue
		case line[0] == '{':
			return "porcupine-kv", nil
		case bytes.Contains(line, []byte("jepsen.util")):
			return "jepsen-etcd", nil
		}
		return "", &formats.ParseError{File: name, Line: n, Err: errors.New("cannot tell the format from this line: give --format jepsen-etcd or --format porcupine-kv")}
	}
	return "", &formats.ParseError{File: name, Line: max(n, 1), Err: formats.ErrEmpty}
}

// checkLinear checks one parsed history within the limits of o and draws
// it into the file html, if not empty. key, if not nil, names a part in
// the report (a key-value history's key).
func checkLinear[S, I, O any](name string, m linear.Model[S, I, O], ops []linear.Operation[I, O], o linearOptions, key func(linear.Part) string, html string) linearResult {
	opts := []linear.Option{linear.Timeout(o.timeout), linear.MaxMemory(int64(o.maxMemory))}
	if o.maxMemory == 0 {
		opts[1] = linear.MaxMemory(-1)
	}
	if o.all {
		opts = append(opts, linear.AllParts())
	}
	start := time.Now()
	res := linear.Check(m, ops, opts...)
	r := linearResult{File: name, Verdict: res.Verdict.String(), Ops: len(ops), CheckNS: time.Since(start).Nanoseconds(), Parts: len(res.Parts)}
	r.status = exitLinearizable
	switch res.Verdict {
	case linear.NotLinearizable:
		r.status = exitNotLinearizable
		r.Failed, r.detail = explainFailure(m, ops, res, key)
	case linear.Unknown:
		r.status = exitUnknown
		r.Limit, r.Error = limitHit(res.Err, o)
		r.detail = explainProgress(m, ops, res)
	}
	if len(res.Parts) <= 1 {
		r.Parts = 0
	}
	if html != "" {
		if err := writeHTMLFile(html, func(w io.Writer) error { return linear.WriteHTML(w, m, ops, res) }); err != nil {
			r.status, r.Error = exitBadInput, fmt.Sprintf("ludus linear: writing %s: %v", html, err)
		}
	}
	return r
}

// writeHTMLFile creates file and fills it with write.
func writeHTMLFile(file string, write func(io.Writer) error) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// explainFailure names the failing parts and explains them, with call
// times given as line numbers (the parsers' times).
func explainFailure[S, I, O any](m linear.Model[S, I, O], ops []linear.Operation[I, O], res linear.Result, key func(linear.Part) string) (failed []string, detail string) {
	var b strings.Builder
	for i, p := range res.Parts {
		if p.Verdict != linear.NotLinearizable {
			continue
		}
		what := strconv.Itoa(i)
		if key != nil {
			what = key(p)
			fmt.Fprintf(&b, "  key %s (part %d) is not linearizable\n", what, i)
		}
		failed = append(failed, what)
	}
	stopped := 0
	for _, p := range res.Parts {
		if errors.Is(p.Err, linear.ErrStopped) {
			stopped++
		}
	}
	if stopped > 0 {
		fmt.Fprintf(&b, "  %d other parts were not checked to the end (--all checks every one)\n", stopped)
	}
	b.WriteString(indentExplain(linear.Explain(m, ops, res)))
	return failed, b.String()
}

// explainProgress says how far an unknown check got.
func explainProgress[S, I, O any](m linear.Model[S, I, O], ops []linear.Operation[I, O], res linear.Result) string {
	return indentExplain(linear.Explain(m, ops, res))
}

// indentExplain drops Explain's first line (the verdict, printed already)
// and indents the rest, with call times shown as the line numbers they are.
func indentExplain(text string) string {
	_, why, _ := strings.Cut(text, "\n")
	why = strings.TrimSuffix(why, "\n")
	if why == "" {
		return ""
	}
	why = strings.ReplaceAll(why, ", called at ", ", line ")
	return "  " + strings.ReplaceAll(why, "\n", "\n  ") + "\n"
}

// limitHit names the limit behind an unknown verdict and says how to
// raise it.
func limitHit(err error, o linearOptions) (limit, msg string) {
	switch {
	case errors.Is(err, linear.ErrMemoryLimit):
		return "max-memory", fmt.Sprintf("the memory limit of %v was reached (raise it with --max-memory; 0 for none)", o.maxMemory)
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout", fmt.Sprintf("the time limit of %v was reached (raise it with --timeout; 0 for none)", o.timeout)
	case err != nil:
		return "", err.Error()
	}
	return "", ""
}

// byteSize is a flag holding a number of bytes, written with a unit.
type byteSize int64

// String renders the size in the largest binary unit it reaches, with
// one decimal unless it is a whole number of them.
func (b byteSize) String() string {
	n := int64(b)
	units := []struct {
		name string
		size int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}
	for _, u := range units {
		switch {
		case n < u.size:
			continue
		case n%u.size == 0:
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
		return strconv.FormatFloat(float64(n)/float64(u.size), 'f', 1, 64) + u.name
	}
	return strconv.FormatInt(n, 10)
}

// Set reads a number of bytes with an optional unit: B, KB, MB, GB, TB
// (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024).
func (b *byteSize) Set(s string) error {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') && t[i-1] != '.' {
		i--
	}
	mult := map[string]float64{
		"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
		"KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40,
	}[strings.ToUpper(strings.TrimSpace(t[i:]))]
	v, err := strconv.ParseFloat(strings.TrimSpace(t[:i]), 64)
	if err != nil || mult == 0 || v < 0 || v*mult >= 1<<62 {
		return fmt.Errorf("want a number of bytes with an optional unit, as 512MiB or 6GB")
	}
	*b = byteSize(v * mult)
	return nil
}
