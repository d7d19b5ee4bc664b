package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/formats"
	"github.com/labludus/ludus/linear/models"
)

func init() {
	register(&command{
		name:    "linear",
		summary: "check recorded histories for linearizability (exit 0: all linearizable, 1: some not or unknown, 2: bad input)",
		usage:   "[flags] FILE...",
		// Flags may follow the files: ludus linear a.log --json.
		interspersed: true,
		setup: func(fs *flag.FlagSet) func(args []string, stdout, stderr io.Writer) int {
			var o linearOptions
			fs.StringVar(&o.format, "format", "", "history format: jepsen-etcd or porcupine-kv (default: guessed from the first line)")
			fs.BoolVar(&o.noPartition, "no-partition", false, "check a key-value history as one map instead of key by key")
			fs.DurationVar(&o.timeout, "timeout", 0, "give up on a history after this long (0: no limit); the verdict is then unknown")
			fs.BoolVar(&o.json, "json", false, `print {"results":[{"file","verdict","ops","check_ns"}]}`)
			fs.StringVar(&o.html, "html", "", "write a picture of the check to this HTML file (with several inputs, one file each: NAME-INPUT.html)")
			return func(args []string, stdout, stderr io.Writer) int { return runLinear(o, args, stdout, stderr) }
		},
	})
}

type linearOptions struct {
	format      string
	noPartition bool
	timeout     time.Duration
	json        bool
	html        string
}

// linearResult is one file's line of --json output.
type linearResult struct {
	File    string         `json:"file"`
	Verdict linear.Verdict `json:"verdict"`
	Ops     int            `json:"ops"`
	CheckNS int64          `json:"check_ns"`
	detail  string
}

func runLinear(o linearOptions, files []string, stdout, stderr io.Writer) int {
	switch o.format {
	case "", "jepsen-etcd", "porcupine-kv":
	default:
		fmt.Fprintf(stderr, "ludus linear: unknown format %q (want jepsen-etcd or porcupine-kv)\n", o.format)
		return 2
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "ludus linear: no history files given")
		return 2
	}
	status := 0
	var results []linearResult
	for _, file := range files {
		r, err := linearFile(o, file, len(files) > 1)
		if err != nil {
			fmt.Fprintf(stderr, "ludus linear: %v\n", err)
			status = 2
			continue
		}
		if r.Verdict != linear.Linearizable && status == 0 {
			status = 1
		}
		results = append(results, r)
		if !o.json {
			fmt.Fprintf(stdout, "%s: %v, %d ops, checked in %v\n", r.File, r.Verdict, r.Ops, time.Duration(r.CheckNS).Round(time.Microsecond))
			if r.detail != "" {
				fmt.Fprint(stdout, r.detail)
			}
		}
	}
	if o.json {
		if results == nil {
			results = []linearResult{}
		}
		enc := json.NewEncoder(stdout)
		if err := enc.Encode(struct {
			Results []linearResult `json:"results"`
		}{results}); err != nil {
			fmt.Fprintf(stderr, "ludus linear: %v\n", err)
			return 2
		}
	}
	return status
}

// linearFile parses and checks one file.
func linearFile(o linearOptions, file string, many bool) (linearResult, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return linearResult{}, err
	}
	format := o.format
	if format == "" {
		if format, err = guessFormat(file, data); err != nil {
			return linearResult{}, err
		}
	}
	html := o.html
	if html != "" && many {
		base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		html = strings.TrimSuffix(html, ".html") + "-" + base + ".html"
	}
	switch format {
	case "jepsen-etcd":
		ops, err := formats.ParseJepsenEtcd(bytes.NewReader(data), file)
		if err != nil {
			return linearResult{}, err
		}
		return checkLinear(file, formats.EtcdModel(), ops, o.timeout, html)
	default:
		ops, err := formats.ParsePorcupineKV(bytes.NewReader(data), file)
		if err != nil {
			return linearResult{}, err
		}
		if o.noPartition {
			return checkLinear(file, models.KVMap(), ops, o.timeout, html)
		}
		return checkLinear(file, models.KV(), ops, o.timeout, html)
	}
}

// guessFormat looks at the first non-blank line.
func guessFormat(file string, data []byte) (string, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "{"):
			return "porcupine-kv", nil
		case strings.Contains(line, "jepsen.util"):
			return "jepsen-etcd", nil
		}
		return "", fmt.Errorf("%s:1: cannot tell the format from the first line: give --format", file)
	}
	// An empty file is an empty history, in either format.
	return "jepsen-etcd", nil
}

func checkLinear[S, I, O any](file string, m linear.Model[S, I, O], ops []linear.Operation[I, O], timeout time.Duration, html string) (linearResult, error) {
	start := time.Now()
	res := linear.Check(m, ops, linear.Timeout(timeout))
	elapsed := time.Since(start)
	r := linearResult{File: file, Verdict: res.Verdict, Ops: len(ops), CheckNS: elapsed.Nanoseconds()}
	if res.Verdict != linear.Linearizable {
		// Parsed histories time operations by line number.
		// Explain's first line is the verdict, printed already.
		_, why, _ := strings.Cut(linear.Explain(m, ops, res), "\n")
		if why != "" {
			why = strings.ReplaceAll(strings.TrimSuffix(why, "\n"), "\n", "\n  ")
			r.detail = "  " + strings.ReplaceAll(why, ", called at ", ", line ") + "\n"
		}
		if res.Err != nil && !errors.Is(res.Err, linear.ErrStopped) {
			r.detail = fmt.Sprintf("  %v\n", res.Err) + r.detail
		}
	}
	if html != "" {
		f, err := os.Create(html)
		if err != nil {
			return r, err
		}
		err = linear.WriteHTML(f, m, ops, res)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return r, fmt.Errorf("writing %s: %w", html, err)
		}
	}
	return r, nil
}
