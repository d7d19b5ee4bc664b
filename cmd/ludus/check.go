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
	"os/exec"
	"os/signal"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/labludus/ludus/check/rewrite"
	"github.com/labludus/ludus/lab"
)

func init() {
	register(&command{
		name:         "check",
		summary:      "explore the interleavings of a package's ordinary Go tests (exit 0: no failure, 1: a test failed, 2: cannot build)",
		usage:        "[-run REGEXP] [-json] [-timeout D] [-budget N|D] [-delay D] [-replay TOKEN] [-full] [-v] [-instrument PATTERN] [PACKAGES]",
		interspersed: true,
		setup: func(fs *flag.FlagSet) func(args []string, stdout, stderr io.Writer) int {
			var o checkOptions
			fs.StringVar(&o.run, "run", "", "explore only the tests matching this regular expression, as go test -run (subtests after a slash)")
			fs.BoolVar(&o.json, "json", false, `print {"results":[{"package","test","verdict","kind","message","schedules","complete","replay","elapsed_ns"}]}`)
			fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "stop a test's exploration after this long and call it inconclusive (0: no limit)")
			fs.StringVar(&o.budget, "budget", "", "per test: a number of executions (1000) or a duration (5s); default: the checker's own bounds")
			fs.DurationVar(&o.delay, "delay", 0, "also explore goroutines descheduled for up to this long, once per schedule (a timing-dependent failure names the delay); 0: never")
			fs.StringVar(&o.replay, "replay", "", "rerun the failing schedule of this token (with -run naming one test)")
			fs.BoolVar(&o.verbose, "v", false, "print each test's output and the go commands run")
			fs.Var(&o.instrument, "instrument", "also rewrite the packages matching this go list pattern (dependencies); repeatable")
			fs.BoolVar(&o.work, "work", false, "print the temporary directory of the rewritten files and keep it")
			fs.BoolVar(&o.full, "full", false, "print failing schedules whole (a long one is shortened to its first 20 and last 40 steps)")
			return func(args []string, stdout, stderr io.Writer) int { return runCheck(o, args, stdout, stderr) }
		},
	})
}

// checkOptions are ludus check's flags.
type checkOptions struct {
	run        string        // -run: the tests to explore
	json       bool          // -json: one JSON document instead of lines
	timeout    time.Duration // -timeout: per test process; 0 for none
	budget     string        // -budget: "N" executions or a duration; "" for the runtime's default
	delay      time.Duration // -delay: the delay bound (check.Delay); 0 for none
	replay     string        // -replay: a token to rerun
	verbose    bool          // -v: tests' output and commands
	instrument checkPatterns // -instrument: more packages to rewrite
	work       bool          // -work: keep the temporary directory
	full       bool          // -full: failing schedules printed whole
	dir        string        // the directory the patterns are relative to; "" for the current one (not a flag: the lab's checks)
}

// checkPatterns is a repeatable string flag.
type checkPatterns []string

func (l *checkPatterns) String() string { return strings.Join(*l, " ") }

func (l *checkPatterns) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("empty pattern")
	}
	*l = append(*l, strings.Fields(s)...)
	return nil
}

// validate checks the options that the flag package cannot.
func (o *checkOptions) validate() (top, sub *regexp.Regexp, err error) {
	if o.budget != "" {
		if err := checkBudget(o.budget); err != nil {
			return nil, nil, err
		}
	}
	if o.delay < 0 {
		return nil, nil, fmt.Errorf("-delay %v: cannot be negative", o.delay)
	}
	runTop, runSub, _ := strings.Cut(o.run, "/")
	if top, err = regexp.Compile(runTop); err != nil {
		return nil, nil, fmt.Errorf("-run: %w", err)
	}
	if runSub != "" {
		if sub, err = regexp.Compile(runSub); err != nil {
			return nil, nil, fmt.Errorf("-run: %w", err)
		}
	}
	if o.replay != "" && o.run == "" {
		return nil, nil, errors.New("-replay needs -run naming the one test to replay")
	}
	return top, sub, nil
}

// checkBudget accepts a positive number of executions or a positive
// duration; zero would explore nothing, so it is an error, not a default.
func checkBudget(b string) error {
	if n, err := strconv.Atoi(b); err == nil {
		if n <= 0 {
			return fmt.Errorf("-budget %s: the number of executions must be positive", b)
		}
		return nil
	}
	d, err := time.ParseDuration(b)
	if err != nil {
		return fmt.Errorf("-budget %q: want a number of executions (1000) or a duration (5s)", b)
	}
	if d <= 0 {
		return fmt.Errorf("-budget %s: the duration must be positive", b)
	}
	return nil
}

// runCheck is ludus check: prepare (rewrite), build, run each test in its
// own process, report.
func runCheck(o checkOptions, patterns []string, stdout, stderr io.Writer) int {
	top, sub, err := o.validate()
	if err != nil {
		fmt.Fprintf(stderr, "ludus check: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c := &checker{opts: o, top: top, sub: sub, stdout: stdout, stderr: stderr}
	c.progress = newCheckProgress(stderr, !o.json)
	results, err := c.explore(ctx, patterns)
	if err != nil {
		return c.loadFailed(err)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "ludus check: interrupted")
		return 2
	}
	return c.finish(results)
}

// explore rewrites and builds the packages and explores each test.
func (c *checker) explore(ctx context.Context, patterns []string) ([]*checkResult, error) {
	start := time.Now()
	prog, err := rewrite.Prepare(ctx, rewrite.Config{Dir: c.opts.dir, Patterns: patterns, Instrument: c.opts.instrument})
	if err != nil {
		return nil, err
	}
	if c.opts.work {
		fmt.Fprintf(c.stderr, "WORK=%s\n", prog.Dir)
	} else {
		defer prog.Close()
	}
	c.prog = prog
	c.logf("rewrote %d files in %v (temporary directory %s)", prog.Files, time.Since(start).Round(time.Millisecond), prog.Dir)
	bins, err := c.build(ctx)
	if err != nil {
		return nil, err
	}
	return c.runAll(ctx, bins), nil
}

// checkFiles is the lab's lab.PlainChecker: ludus check, with its default
// bounds, on a module made of files, written to a temporary directory.
func checkFiles(ctx context.Context, files map[string]string) ([]lab.PlainResult, error) {
	dir, err := os.MkdirTemp("", "ludus-lab-check-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return nil, err
		}
	}
	var errOut bytes.Buffer
	c := &checker{opts: checkOptions{json: true, timeout: time.Minute, dir: dir}, top: regexp.MustCompile(""),
		stdout: io.Discard, stderr: &errOut, progress: newCheckProgress(io.Discard, false)}
	results, err := c.explore(ctx, []string{"./..."})
	if err != nil {
		var le *rewrite.LoadError
		if errors.As(err, &le) {
			return nil, fmt.Errorf("%w: %s", err, strings.Join(le.Msgs, "; "))
		}
		return nil, err
	}
	out := make([]lab.PlainResult, 0, len(results))
	for _, r := range results {
		out = append(out, lab.PlainResult{Test: r.Test, Verdict: r.Verdict, Kind: r.Kind, Message: r.Message,
			Schedules: r.Schedules, Complete: r.Complete, Trace: r.Trace})
	}
	return out, ctx.Err()
}

// loadFailed reports an error that kept the packages from being built.
func (c *checker) loadFailed(err error) int {
	c.progress.clear()
	var le *rewrite.LoadError
	if errors.As(err, &le) {
		for _, m := range le.Msgs {
			fmt.Fprintln(c.stderr, m)
		}
	} else {
		fmt.Fprintf(c.stderr, "ludus check: %v\n", err)
	}
	return 2
}

// checker runs one ludus check.
type checker struct {
	opts           checkOptions
	top, sub       *regexp.Regexp // -run, split at its first slash
	stdout, stderr io.Writer
	prog           *rewrite.Program
	progress       *checkProgress
}

// logf prints a -v line.
func (c *checker) logf(format string, args ...any) {
	if c.opts.verbose {
		c.progress.clear()
		fmt.Fprintf(c.stderr, "ludus check: "+format+"\n", args...)
	}
}

// testBinary is a built test binary of a package under test.
type testBinary struct {
	pkg  *rewrite.Package
	path string
}

// build compiles a test binary for every package under test that has test
// files, with go test -c and the program's overlay and module file: in one
// go command for all the packages whose binaries' names differ (go test -c
// -o DIR/ names each after the last element of its import path), and one
// more for each package whose name is taken.
func (c *checker) build(ctx context.Context) ([]testBinary, error) {
	var batches [][]*rewrite.Package
	taken := map[string]int{} // binary name -> index of the batch holding it
	for _, p := range c.prog.Packages {
		if p.TestFiles == 0 {
			continue
		}
		name := path.Base(p.ImportPath)
		i := taken[name]
		if i == len(batches) {
			batches = append(batches, nil)
		}
		batches[i] = append(batches[i], p)
		taken[name] = i + 1
	}
	var bins []testBinary
	for i, batch := range batches {
		dir := filepath.Join(c.prog.Dir, "bin", strconv.Itoa(i))
		if err := c.buildBatch(ctx, dir, batch); err != nil {
			return nil, err
		}
		for _, p := range batch {
			bin := filepath.Join(dir, path.Base(p.ImportPath)+".test")
			if _, err := os.Stat(bin); err == nil { // none for a package without tests
				bins = append(bins, testBinary{pkg: p, path: bin})
			}
		}
	}
	return bins, nil
}

// buildBatch runs go test -c -o dir/ on packages whose binary names differ.
func (c *checker) buildBatch(ctx context.Context, dir string, pkgs []*rewrite.Package) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	args := append([]string{"test", "-c", "-vet=off", "-o", dir + string(filepath.Separator)}, c.prog.BuildFlags...)
	for _, p := range pkgs {
		args = append(args, p.ImportPath)
	}
	c.progress.show(fmt.Sprintf("building %d packages", len(pkgs)))
	c.logf("go %s", strings.Join(args, " "))
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = c.prog.ModuleDir
	cmd.Env = c.prog.Env
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &rewrite.LoadError{Msgs: []string{c.prog.Unmap(strings.TrimRight(string(out), "\n"))}}
	}
	c.logf("built in %v", time.Since(start).Round(time.Millisecond))
	return nil
}

// listTests returns the top-level tests of a test binary that -run selects.
func (c *checker) listTests(ctx context.Context, b testBinary) ([]string, error) {
	cmd := exec.CommandContext(ctx, b.path, "-test.list", ".*")
	cmd.Dir = b.pkg.Dir
	cmd.Env = c.prog.Env
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: listing tests: %v\n%s", b.pkg.ImportPath, err, checkStderr(err))
	}
	var tests []string
	for _, name := range strings.Fields(string(out)) {
		if strings.HasPrefix(name, "Test") && c.top.MatchString(name) {
			tests = append(tests, name)
		}
	}
	return tests, nil
}

func checkStderr(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}

// runAll explores every selected test of every binary, one process each.
func (c *checker) runAll(ctx context.Context, bins []testBinary) []*checkResult {
	var results []*checkResult
	total := 0
	for _, b := range bins {
		tests, err := c.listTests(ctx, b)
		if err != nil {
			results = append(results, &checkResult{Package: b.pkg.ImportPath, Verdict: "error", Message: err.Error()})
			continue
		}
		if c.opts.replay != "" && total+len(tests) > 1 {
			results = append(results, &checkResult{Package: b.pkg.ImportPath, Verdict: "error",
				Message: fmt.Sprintf("-replay: -run %q selects more than one test", c.opts.run)})
			return results
		}
		total += len(tests)
		for _, name := range tests {
			if ctx.Err() != nil {
				return results
			}
			r := c.runTest(ctx, b, name)
			results = append(results, r)
			c.printResult(r)
		}
	}
	if total == 0 && ctx.Err() == nil {
		c.progress.clear()
		fmt.Fprintln(c.stderr, "ludus check: no tests to run")
	}
	return results
}

// checkResult is one test's outcome, as -json prints it.
type checkResult struct {
	Package   string `json:"package"`
	Test      string `json:"test"`
	Verdict   string `json:"verdict"` // pass, fail, inconclusive, skip, error
	Kind      string `json:"kind"`    // assertion, panic, deadlock, leak, data-race, step-limit, nondeterminism, uncontrolled; "" unless failed
	Message   string `json:"message"`
	Schedules int64  `json:"schedules"`
	Complete  string `json:"complete"` // complete, complete up to N preemptions, inconclusive: <limit>
	Replay    string `json:"replay"`
	ElapsedNS int64  `json:"elapsed_ns"`
	Trace     string `json:"trace,omitempty"` // the failing schedule, as printed
	output    string // what the test process printed
}

// rtLine is a line the runtime appends to LUDUS_CHECK_RESULTS
// (docs/check-rewrite.md, "The runtime's results").
type rtLine struct {
	Type      string  `json:"type"` // result or progress
	Package   string  `json:"package"`
	Test      string  `json:"test"`
	Verdict   string  `json:"verdict"`
	Kind      string  `json:"kind"`
	Message   string  `json:"message"`
	Trace     string  `json:"trace"`
	Schedules int64   `json:"schedules"`
	Complete  string  `json:"complete"`
	Strategy  string  `json:"strategy"`
	Limit     string  `json:"limit"`
	Replay    string  `json:"replay"`
	ElapsedNS int64   `json:"elapsed_ns"`
	Rate      float64 `json:"rate"`
	Bound     int     `json:"bound"`
}

// runTest explores one test in its own process, so a test stalled in code
// the checker does not control is named and stopped without taking the
// tests after it down.
func (c *checker) runTest(ctx context.Context, b testBinary, name string) *checkResult {
	resFile := filepath.Join(c.prog.Dir, "results", strconv.FormatInt(time.Now().UnixNano(), 36)+".jsonl")
	if err := os.MkdirAll(filepath.Dir(resFile), 0o755); err != nil {
		return &checkResult{Package: b.pkg.ImportPath, Test: name, Verdict: "error", Message: err.Error()}
	}
	runArg := "^" + regexp.QuoteMeta(name) + "$"
	if _, sub, ok := strings.Cut(c.opts.run, "/"); ok {
		runArg += "/" + sub
	}
	args := []string{"-test.run", runArg, "-test.paniconexit0"}
	if c.opts.verbose {
		args = append(args, "-test.v")
	}
	env := append(append([]string(nil), c.prog.Env...),
		"LUDUS_CHECK_RESULTS="+resFile, "LUDUS_CHECK_PACKAGE="+b.pkg.ImportPath,
		"LUDUS_CHECK_BUDGET="+c.opts.budget, "LUDUS_CHECK_REPLAY="+c.opts.replay, "LUDUS_CHECK_DELAY="+delayEnv(c.opts.delay), "LUDUS_CHECK_FULL="+boolEnv(c.opts.full))
	tctx, cancel := ctx, context.CancelFunc(func() {})
	if c.opts.timeout > 0 {
		tctx, cancel = context.WithTimeout(ctx, c.opts.timeout)
	}
	defer cancel()
	cmd := exec.CommandContext(tctx, b.path, args...)
	cmd.Dir, cmd.Env, cmd.WaitDelay = b.pkg.Dir, env, 2*time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	c.logf("%s %s (in %s)", b.path, strings.Join(args, " "), b.pkg.Dir)
	err := c.watch(cmd, name, resFile)
	r := c.result(b, name, resFile, err, out.String(), time.Since(start))
	if tctx.Err() == context.DeadlineExceeded && ctx.Err() == nil && (r.Verdict == "error" || r.Verdict == "") {
		r.Verdict, r.Kind = "inconclusive", ""
		r.Complete = "inconclusive: timeout " + c.opts.timeout.String()
		r.Message = fmt.Sprintf("the test did not finish within -timeout %v (stalled in code the checker does not control?); stopped", c.opts.timeout)
	}
	return r
}

// watch runs cmd, showing the runtime's progress lines while it runs.
func (c *checker) watch(cmd *exec.Cmd, name, resFile string) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var off int64
	c.progress.show(name)
	for {
		select {
		case err := <-done:
			return err
		case <-tick.C:
			var last *rtLine
			off, last = readCheckProgress(resFile, off)
			if last != nil {
				c.progress.show(fmt.Sprintf("%s  %d schedules  %.0f/s  bound %d", name, last.Schedules, last.Rate, last.Bound))
			}
		}
	}
}

// readCheckProgress reads the results file from offset off and returns the new
// offset and the last progress line among the complete lines read.
func readCheckProgress(file string, off int64) (int64, *rtLine) {
	f, err := os.Open(file)
	if err != nil {
		return off, nil
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return off, nil
	}
	data, _ := io.ReadAll(f)
	end := bytes.LastIndexByte(data, '\n')
	if end < 0 {
		return off, nil
	}
	var last *rtLine
	for _, line := range bytes.Split(data[:end], []byte("\n")) {
		var l rtLine
		if json.Unmarshal(line, &l) == nil && l.Type == "progress" {
			last = &l
		}
	}
	return off + int64(end) + 1, last
}

// readCheckResults returns the result lines of the results file.
func readCheckResults(file string) []rtLine {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var lines []rtLine
	for _, line := range bytes.Split(data, []byte("\n")) {
		var l rtLine
		if json.Unmarshal(line, &l) == nil && l.Type == "result" {
			lines = append(lines, l)
		}
	}
	return lines
}

// result turns what a test process reported into the test's result.
func (c *checker) result(b testBinary, name, resFile string, runErr error, output string, elapsed time.Duration) *checkResult {
	r := &checkResult{Package: b.pkg.ImportPath, Test: name, ElapsedNS: elapsed.Nanoseconds(), output: output}
	var found *rtLine
	for _, l := range readCheckResults(resFile) {
		if l.Test == name {
			found = &l
		}
	}
	if found != nil {
		r.Verdict, r.Kind, r.Message, r.Trace = found.Verdict, found.Kind, found.Message, found.Trace
		r.Schedules, r.Complete, r.Replay = found.Schedules, found.Complete, found.Replay
		if found.ElapsedNS > 0 {
			r.ElapsedNS = found.ElapsedNS
		}
		if r.Verdict == "pass" && runErr != nil {
			r.Verdict = "error"
			r.Message = fmt.Sprintf("the test process failed (%v) after the checker passed it:\n%s", runErr, checkTail(output, 20))
		}
		return r
	}
	switch {
	case runErr == nil && strings.Contains(output, "--- SKIP: "+name):
		r.Verdict, r.Message = "skip", checkTail(output, 5)
	case runErr == nil:
		r.Verdict = "error"
		r.Message = "the test process reported no result (does it run its tests, or was it built without the rewriter?)"
	default:
		r.Verdict = "error"
		r.Message = fmt.Sprintf("the test process failed (%v) without a result from the checker:\n%s", runErr, checkTail(output, 30))
	}
	return r
}

// tail returns the last n lines of s.
func checkTail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// printResult prints a test's line (and, for a failure, its schedule and
// replay command) unless -json is set.
func (c *checker) printResult(r *checkResult) {
	c.progress.clear()
	if c.opts.json {
		return
	}
	w := c.stdout
	took := time.Duration(r.ElapsedNS).Round(time.Millisecond)
	label := map[string]string{"pass": "ok", "fail": "FAIL", "inconclusive": "INCONCLUSIVE", "skip": "SKIP", "error": "ERROR"}[r.Verdict]
	if label == "" {
		label = strings.ToUpper(r.Verdict)
	}
	line := fmt.Sprintf("--- %-5s %s (%v)", label, r.Test, took)
	if r.Verdict != "skip" && r.Verdict != "error" {
		line += fmt.Sprintf(": %d schedules, %s", r.Schedules, checkOr(r.Complete, "completeness unknown"))
	}
	fmt.Fprintln(w, line)
	if r.Verdict != "pass" {
		msg := r.Message
		if r.Kind != "" && !strings.Contains(msg, r.Kind) {
			msg = r.Kind + ": " + msg
		}
		fmt.Fprintln(w, checkIndent(msg, "    "))
		if r.Trace != "" {
			fmt.Fprintln(w, checkIndent(r.Trace, "    "))
		}
		if r.Replay != "" && r.Verdict == "fail" {
			fmt.Fprintf(w, "    replay: ludus check -run '^%s$' -replay %s %s\n", regexp.QuoteMeta(r.Test), r.Replay, r.Package)
		}
	}
	if c.opts.verbose && r.output != "" {
		fmt.Fprintln(w, checkIndent(strings.TrimRight(r.output, "\n"), "    | "))
	}
}

func checkOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func checkIndent(s, prefix string) string {
	if s == "" {
		return ""
	}
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

// finish prints the summary (or the JSON document) and returns the exit
// status: 1 when a test failed or could not run, 0 otherwise (an
// inconclusive test is listed with its limit but fails nothing).
func (c *checker) finish(results []*checkResult) int {
	c.progress.clear()
	counts := map[string]int{}
	for _, r := range results {
		counts[r.Verdict]++
	}
	status := 0
	if counts["fail"] > 0 || counts["error"] > 0 {
		status = 1
	}
	if c.opts.json {
		if results == nil {
			results = []*checkResult{}
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Results []*checkResult `json:"results"`
		}{results}); err != nil {
			fmt.Fprintf(c.stderr, "ludus check: %v\n", err)
			return 2
		}
		return status
	}
	summary := fmt.Sprintf("%d passed, %d failed", counts["pass"], counts["fail"])
	for _, v := range []string{"inconclusive", "skip", "error"} {
		if counts[v] > 0 {
			name := map[string]string{"inconclusive": "inconclusive", "skip": "skipped", "error": "errors"}[v]
			summary += fmt.Sprintf(", %d %s", counts[v], name)
		}
	}
	fmt.Fprintln(c.stdout, summary)
	return status
}

// checkProgress is the line that shows, on a terminal, what is being explored;
// elsewhere it prints nothing (the result lines are the plain output).
type checkProgress struct {
	w     io.Writer
	on    bool // a terminal, and not -json
	shown bool // a line is on the screen
}

func newCheckProgress(w io.Writer, enabled bool) *checkProgress {
	f, ok := w.(*os.File)
	return &checkProgress{w: w, on: enabled && ok && term.IsTerminal(int(f.Fd()))}
}

func (p *checkProgress) show(s string) {
	if !p.on {
		return
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", s)
	p.shown = true
}

func (p *checkProgress) clear() {
	if p.on && p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// boolEnv is an environment flag: "1" or empty.
func boolEnv(b bool) string {
	if b {
		return "1"
	}
	return ""
}

// delayEnv is LUDUS_CHECK_DELAY for a -delay value: empty for none.
func delayEnv(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return d.String()
}
