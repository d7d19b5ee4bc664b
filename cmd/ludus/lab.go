package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/labludus/ludus/lab"
	"github.com/labludus/ludus/web"
)

func init() {
	register(&command{
		name:    "lab",
		summary: "reproduce the guide's claims on this machine and give each a verdict",
		usage:   "[--json] [--only ID,...] [--quick] [--list] [--timeout D] [--serve [--addr HOST:PORT]]",
		// Flags may follow stray arguments too, which are then reported.
		interspersed: true,
		setup:        setupLab,
	})
}

func setupLab(fs *flag.FlagSet) func(args []string, stdout, stderr io.Writer) int {
	asJSON := fs.Bool("json", false, "print the report as JSON (machine, experiments, claims, verdicts, measurements)")
	only := fs.String("only", "", "comma-separated experiment IDs to run (see --list); default all")
	quick := fs.Bool("quick", false, "short runs: smaller inputs and fewer repetitions, to check that everything works")
	list := fs.Bool("list", false, "list the experiments and their claims without running them")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up on an experiment that runs longer than this (more than zero)")
	serve := fs.Bool("serve", false, "serve the lab in the browser instead: experiments, pictures of every trace, the scheduler by hand")
	addr := fs.String("addr", web.DefaultAddr, "with --serve, where to listen; an address beyond loopback is accepted only when given here")
	return func(args []string, stdout, stderr io.Writer) int {
		if len(args) > 0 {
			fmt.Fprintf(stderr, "ludus lab: unexpected argument %q (experiments are chosen with --only)\n", args[0])
			return 2
		}
		if *timeout == 0 {
			fmt.Fprintln(stderr, "ludus lab: --timeout 0 would stop every experiment at once; give it more than zero (default 2m0s)")
			return 2
		}
		exps := lab.Builtin()
		var ids []string
		if *only != "" {
			for _, id := range strings.Split(*only, ",") {
				if id = strings.TrimSpace(id); id != "" {
					ids = append(ids, id)
				}
			}
		}
		sel, err := lab.Select(exps, ids)
		if err != nil {
			fmt.Fprintf(stderr, "ludus lab: %v\n", err)
			return 2
		}
		if *list {
			printList(stdout, sel)
			return 0
		}
		if *serve && *asJSON {
			fmt.Fprintln(stderr, "ludus lab: --json and --serve do not go together (the page's JSON is at /api/report)")
			return 2
		}
		if *serve {
			return serveLab(sel, serveConfigOf(fs, *addr, *quick, *timeout), stdout, stderr)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		return runLab(ctx, sel, lab.Options{Quick: *quick, Timeout: *timeout, PlainCheck: checkFiles}, *asJSON, stdout, stderr)
	}
}

func printList(w io.Writer, exps []lab.Experiment) {
	for _, e := range exps {
		fmt.Fprintf(w, "%s\t%s\n", e.ID, e.Section)
		for _, c := range e.ClaimSpecs() {
			fmt.Fprintf(w, "\t- %s: %s\n", c.ID, c.Text)
		}
	}
}

func runLab(ctx context.Context, exps []lab.Experiment, opts lab.Options, asJSON bool, stdout, stderr io.Writer) int {
	// Human output goes to stdout; with --json the progress, if any, goes
	// to stderr so that stdout stays a valid document.
	progressOut := stdout
	if asJSON {
		progressOut = stderr
	}
	p := newProgress(progressOut, isTerminal(progressOut))
	defer p.stop()
	if !asJSON {
		m := lab.ThisMachine()
		noun := "experiments"
		if len(exps) == 1 {
			noun = "experiment"
		}
		fmt.Fprintf(stdout, "ludus lab: %d %s on %s/%s, %d CPUs, %s%s\n",
			len(exps), noun, m.GOOS, m.GOARCH, m.CPUs, m.Go, map[bool]string{true: " (quick run)"}[opts.Quick])
	}
	total := len(exps)
	n := 0
	opts.OnStart = func(e lab.Experiment) {
		n++
		p.set(fmt.Sprintf("[%d/%d] %s", n, total, e.ID), "")
	}
	opts.OnStep = func(_ lab.Experiment, step string) { p.step(step) }
	opts.OnDone = func(o lab.Outcome) {
		p.clear()
		if !asJSON {
			printOutcome(stdout, o, p.color)
		}
	}
	rep, err := lab.Run(ctx, exps, opts)
	p.stop()
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if encErr := enc.Encode(rep); encErr != nil {
			fmt.Fprintf(stderr, "ludus lab: %v\n", encErr)
			return 1
		}
	} else {
		printSummary(stdout, rep)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ludus lab: %v\n", err)
		return 1
	}
	if rep.Errored() {
		return 1
	}
	return 0
}

func printOutcome(w io.Writer, o lab.Outcome, color bool) {
	fmt.Fprintf(w, "\n%s  (%s)\n  %s\n", o.Section, o.Elapsed.Round(time.Millisecond), o.ID)
	if o.Error != "" {
		// Panics carry a stack: keep its lines under the message.
		fmt.Fprintf(w, "  %s  %s\n", paint("ERROR", "31", color), strings.ReplaceAll(o.Error, "\n", "\n         "))
		return
	}
	for _, c := range o.Claims {
		label := strings.ToUpper(string(c.Verdict))
		code := map[lab.Verdict]string{lab.Holds: "32", lab.Fails: "31", lab.Inconclusive: "33"}[c.Verdict]
		pad := strings.Repeat(" ", len("INCONCLUSIVE")-len(label))
		fmt.Fprintf(w, "  %s%s  %s\n", paint(label, code, color), pad, c.Claim)
		fmt.Fprintf(w, "  %s  %s\n", strings.Repeat(" ", len("INCONCLUSIVE")), c.Evidence)
		if c.Detail != "" {
			fmt.Fprintf(w, "%s\n", indent(strings.TrimRight(c.Detail, "\n"), strings.Repeat(" ", len("INCONCLUSIVE")+4)))
		}
	}
}

func printSummary(w io.Writer, rep lab.Report) {
	counts := map[lab.Verdict]int{}
	errored := 0
	for _, o := range rep.Experiments {
		if o.Error != "" {
			errored++
		}
		for _, c := range o.Claims {
			counts[c.Verdict]++
		}
	}
	fmt.Fprintf(w, "\n%d claims hold, %d fail on this machine, %d inconclusive; %d of %d experiments errored.\n",
		counts[lab.Holds], counts[lab.Fails], counts[lab.Inconclusive], errored, len(rep.Experiments))
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func paint(s, code string, color bool) string {
	if !color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress shows what runs now. On a terminal it is one line, redrawn with
// a spinner and the elapsed time; elsewhere it prints one plain line per
// experiment and nothing else, so logs stay readable.
type progress struct {
	w     io.Writer
	tty   bool
	color bool

	mu       sync.Mutex
	title    string
	detail   string
	started  time.Time
	drawn    bool
	done     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

func newProgress(w io.Writer, tty bool) *progress {
	p := &progress{w: w, tty: tty, color: tty && os.Getenv("NO_COLOR") == "", done: make(chan struct{})}
	if tty {
		p.wg.Go(p.loop)
	}
	return p
}

func (p *progress) set(title, detail string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.title, p.detail, p.started = title, detail, time.Now()
	if !p.tty {
		fmt.Fprintf(p.w, "running %s\n", title)
	}
}

func (p *progress) step(detail string) {
	p.mu.Lock()
	p.detail = detail
	p.mu.Unlock()
}

func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.title = ""
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

func (p *progress) loop() {
	frames := []string{"|", "/", "-", "\\"}
	t := time.NewTicker(120 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-p.done:
			return
		case <-t.C:
		}
		p.mu.Lock()
		if p.title != "" {
			line := fmt.Sprintf("%s %s  %s  %s", frames[i%len(frames)], p.title,
				time.Since(p.started).Round(100*time.Millisecond), p.detail)
			if width, _, err := term.GetSize(int(p.w.(*os.File).Fd())); err == nil && width > 1 && len(line) >= width {
				line = line[:width-1]
			}
			fmt.Fprint(p.w, "\r\x1b[K"+line)
			p.drawn = true
		}
		p.mu.Unlock()
	}
}

func (p *progress) stop() {
	p.stopOnce.Do(func() {
		close(p.done)
		p.wg.Wait()
		p.clear()
	})
}
