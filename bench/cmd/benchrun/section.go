package main

import (
	"fmt"
	"strconv"
	"strings"
)

// A section is one block of RESULTS.md that benchrun regenerates. It
// starts with a begin marker, an HTML comment holding its settings, one
// "key: value" a line, and ends with an end marker; what lies between the
// two is benchrun's and is replaced on every run:
//
//	<!-- bench:begin lock
//	bench: ^BenchmarkLock(Uncontended|Nested)$
//	goal: ^LockUncontended$ sec/op ludus/sync <= 2
//	-->
//	(generated)
//	<!-- bench:end lock -->
//
// Everything outside the markers is left as it was, so an owner's prose
// (what a goal is, why it is met or missed) lives beside the figures.
type section struct {
	name string
	settings
	// beginLine, closeLine and endLine are the 1-based lines of the begin
	// marker, of the "-->" that closes its settings and of the end marker:
	// the generated part is the lines strictly between the last two.
	beginLine, closeLine, endLine int
}

// settings are a section's keys.
type settings struct {
	// bench is the -test.bench pattern; required.
	bench string
	// cpu is the -test.cpu values, each run in a process of its own.
	cpu []int
	// count is the number of samples of each benchmark at each cpu value,
	// taken in as many rounds (see measure.go).
	count int
	// benchtime is -test.benchtime; empty leaves testing's default.
	benchtime string
	// benchmem asks for B/op and allocs/op.
	benchmem bool
	// units lists the units to tabulate, in benchstat's names (sec/op,
	// B/op, allocs/op, or a custom metric); empty means all it reports.
	units []string
	// goals are checked against the medians on every run.
	goals []goal
}

const (
	beginPrefix = "<!-- bench:begin "
	endPrefix   = "<!-- bench:end "
	commentEnd  = "-->"
	// minCount is the fewest samples a section may ask for; benchstat
	// gives a 95% confidence interval from 6.
	minCount     = 5
	defaultCount = 6
)

var defaultCPU = []int{1, 2}

// parseSections reads every section of a results file. Markers inside
// fenced code blocks (```) are examples, not sections. Errors name
// file:line.
func parseSections(file, text string) ([]section, error) {
	lines := strings.Split(text, "\n")
	var out []section
	seen := map[string]int{}
	inFence := false
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		if strings.HasPrefix(line, endPrefix) {
			return nil, fmt.Errorf("%s:%d: end marker without a begin marker", file, i+1)
		}
		if !strings.HasPrefix(line, beginPrefix) {
			continue
		}
		s, next, err := parseSection(file, lines, i)
		if err != nil {
			return nil, err
		}
		if at, dup := seen[s.name]; dup {
			return nil, fmt.Errorf("%s:%d: section %q already begins at line %d", file, i+1, s.name, at)
		}
		seen[s.name] = i + 1
		out = append(out, s)
		i = next
	}
	return out, nil
}

// parseSection parses the section whose begin marker is lines[at] and
// returns it with the index of its end marker.
func parseSection(file string, lines []string, at int) (section, int, error) {
	s := section{beginLine: at + 1}
	s.name = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[at]), beginPrefix))
	if !validName(s.name) {
		return s, 0, fmt.Errorf("%s:%d: section name %q: use letters, digits, '-' and '_'", file, at+1, s.name)
	}
	var kv []keyValue
	i := at + 1
	for ; i < len(lines) && strings.TrimSpace(lines[i]) != commentEnd; i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, "<!--") {
			return s, 0, fmt.Errorf("%s:%d: want \"key: value\" or the closing -->, got %q", file, i+1, line)
		}
		kv = append(kv, keyValue{strings.TrimSpace(k), strings.TrimSpace(v), i + 1})
	}
	if i == len(lines) {
		return s, 0, fmt.Errorf("%s:%d: section %q: settings never closed by a line \"-->\"", file, at+1, s.name)
	}
	s.closeLine = i + 1
	var err error
	if s.settings, err = parseSettings(file, kv); err != nil {
		return s, 0, err
	}
	if s.bench == "" {
		return s, 0, fmt.Errorf("%s:%d: section %q has no \"bench:\" pattern", file, at+1, s.name)
	}
	end := endPrefix + s.name + " " + commentEnd
	for i++; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == end {
			s.endLine = i + 1
			return s, i, nil
		}
		if strings.HasPrefix(line, beginPrefix) || strings.HasPrefix(line, endPrefix) {
			return s, 0, fmt.Errorf("%s:%d: section %q: want %q before another marker", file, i+1, s.name, end)
		}
	}
	return s, 0, fmt.Errorf("%s:%d: section %q has no end marker %q", file, at+1, s.name, end)
}

type keyValue struct {
	key, value string
	line       int
}

func parseSettings(file string, kv []keyValue) (settings, error) {
	st := settings{cpu: defaultCPU, count: defaultCount}
	for _, e := range kv {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s: %s", file, e.line, e.key, fmt.Sprintf(format, args...))
		}
		switch e.key {
		case "bench":
			st.bench = e.value
		case "cpu":
			st.cpu = nil
			for _, f := range strings.Split(e.value, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(f))
				if err != nil || n <= 0 {
					return st, bad("want a list of positive integers like 1,2, got %q", e.value)
				}
				st.cpu = append(st.cpu, n)
			}
		case "count":
			n, err := strconv.Atoi(e.value)
			if err != nil || n < minCount {
				return st, bad("want an integer >= %d (samples per benchmark), got %q", minCount, e.value)
			}
			st.count = n
		case "benchtime":
			st.benchtime = e.value
		case "benchmem":
			b, err := strconv.ParseBool(e.value)
			if err != nil {
				return st, bad("want true or false, got %q", e.value)
			}
			st.benchmem = b
		case "units":
			for _, u := range strings.Fields(strings.ReplaceAll(e.value, ",", " ")) {
				u, _ = tidyUnit(u)
				st.units = append(st.units, u)
			}
		case "goal":
			g, err := parseGoal(e.value)
			if err != nil {
				return st, bad("%v", err)
			}
			st.goals = append(st.goals, g)
		default:
			return st, bad("unknown key (want bench, cpu, count, benchtime, benchmem, units or goal)")
		}
	}
	return st, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}

// splice returns text with the generated part of section name replaced by
// body. It finds the section again in text, which may have changed since
// the settings were read: others edit the file too.
func splice(file, text, name, body string) (string, error) {
	secs, err := parseSections(file, text)
	if err != nil {
		return "", err
	}
	for _, s := range secs {
		if s.name != name {
			continue
		}
		lines := strings.Split(text, "\n")
		head, tail := lines[:s.closeLine], lines[s.endLine-1:]
		var b strings.Builder
		b.WriteString(strings.Join(head, "\n"))
		b.WriteString("\n")
		b.WriteString(strings.TrimRight(body, "\n"))
		b.WriteString("\n")
		b.WriteString(strings.Join(tail, "\n"))
		return b.String(), nil
	}
	return "", fmt.Errorf("%s: section %q is gone (was it renamed while benchrun ran?)", file, name)
}
