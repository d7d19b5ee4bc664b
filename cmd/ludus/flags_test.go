package main

import (
	"bytes"
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
	"time"
)

// testFlags is a flag set with one flag of each kind parseInterspersed
// must tell apart: boolean (no value) and valued.
type testFlags struct {
	fs      *flag.FlagSet
	out     *bytes.Buffer
	json    *bool
	format  *string
	timeout *time.Duration
}

func newTestFlags() testFlags {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	return testFlags{
		fs:      fs,
		out:     &out,
		json:    fs.Bool("json", false, "json"),
		format:  fs.String("format", "", "format"),
		timeout: fs.Duration("timeout", time.Minute, "timeout"),
	}
}

func TestParseInterspersed(t *testing.T) {
	cases := []struct {
		args    []string
		pos     []string
		json    bool
		format  string
		timeout time.Duration
	}{
		{nil, []string{}, false, "", time.Minute},
		{[]string{"a.log"}, []string{"a.log"}, false, "", time.Minute},
		{[]string{"a.log", "--json"}, []string{"a.log"}, true, "", time.Minute},
		{[]string{"--json", "a.log", "b.log"}, []string{"a.log", "b.log"}, true, "", time.Minute},
		{[]string{"a.log", "-format", "kv", "b.log"}, []string{"a.log", "b.log"}, false, "kv", time.Minute},
		{[]string{"a.log", "--format=kv", "b.log", "-json=false"}, []string{"a.log", "b.log"}, false, "kv", time.Minute},
		{[]string{"a.log", "--timeout", "0", "b.log"}, []string{"a.log", "b.log"}, false, "", 0},
		// "-" is standard input, a positional argument.
		{[]string{"-", "--json"}, []string{"-"}, true, "", time.Minute},
		// A valued flag takes the next argument even if it looks like a flag.
		{[]string{"--format", "-", "x"}, []string{"x"}, false, "-", time.Minute},
		{[]string{"--format", "--json"}, []string{}, false, "--json", time.Minute},
		// "--" ends the flags.
		{[]string{"a", "--", "--json", "-"}, []string{"a", "--json", "-"}, false, "", time.Minute},
		{[]string{"--json", "--", "--"}, []string{"--"}, true, "", time.Minute},
		{[]string{"--"}, []string{}, false, "", time.Minute},
		// A boolean flag never takes the next argument.
		{[]string{"--json", "false"}, []string{"false"}, true, "", time.Minute},
	}
	for _, c := range cases {
		f := newTestFlags()
		pos, err := parseInterspersed(f.fs, c.args)
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if !slices.Equal(pos, c.pos) || *f.json != c.json || *f.format != c.format || *f.timeout != c.timeout {
			t.Errorf("%q: positional %q json %v format %q timeout %v; want %q %v %q %v",
				c.args, pos, *f.json, *f.format, *f.timeout, c.pos, c.json, c.format, c.timeout)
		}
	}
}

func TestParseInterspersedErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"a", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"a", "--format"}, "flag needs an argument: -format"},
		{[]string{"--timeout", "soon", "a"}, `invalid value "soon" for flag -timeout`},
		{[]string{"a", "---json"}, "bad flag syntax: ---json"},
	}
	for _, c := range cases {
		f := newTestFlags()
		pos, err := parseInterspersed(f.fs, c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %q, %v; want an error containing %q", c.args, pos, err, c.want)
		}
		if pos != nil {
			t.Errorf("%q: positional %q returned with an error", c.args, pos)
		}
		if !strings.Contains(f.out.String(), c.want) {
			t.Errorf("%q: the flag set did not report %q: %q", c.args, c.want, f.out.String())
		}
	}
	f := newTestFlags()
	if _, err := parseInterspersed(f.fs, []string{"a", "-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h after an argument: %v, want flag.ErrHelp", err)
	}
}

// TestParseInterspersedVisit checks that the flag set knows which flags
// were set, as after a normal Parse.
func TestParseInterspersedVisit(t *testing.T) {
	f := newTestFlags()
	if _, err := parseInterspersed(f.fs, []string{"x", "--timeout=2s", "y", "-json"}); err != nil {
		t.Fatal(err)
	}
	var set []string
	f.fs.Visit(func(fl *flag.Flag) { set = append(set, fl.Name) })
	if !slices.Equal(set, []string{"json", "timeout"}) {
		t.Fatalf("set flags %v", set)
	}
}
