package web

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/labludus/ludus/check"
)

// failureView is a checker failure as the pictures need it: the schedule
// step by step and, for a deadlock or a leak, who is blocked on what. It
// comes from a check.Failure (the playground) or from the text a
// check.Failure prints (a lab claim's Detail).
type failureView struct {
	Kind     string       `json:"kind"`    // check.FailureKind's text: "assertion failed", "deadlock", ...
	Message  string       `json:"message"` // the first line of the failure's message
	Schedule string       `json:"schedule,omitempty"`
	Replay   string       `json:"replay,omitempty"` // the LUDUS_REPLAY token
	Steps    []check.Step `json:"steps"`
	Blocked  []blockedG   `json:"blocked,omitempty"`
}

// blockedG is one line of a deadlock's "blocked:" list.
type blockedG struct {
	Goroutine string `json:"goroutine"`
	Waits     string `json:"waits"` // "mu2.Lock(), held by B"
	Location  string `json:"location,omitempty"`
}

// fromFailure builds the view of a failure the engine returned.
func fromFailure(f *check.Failure) failureView {
	first, rest, _ := strings.Cut(f.Message, "\n")
	v := failureView{Kind: f.Kind.String(), Message: first, Replay: f.Replay, Steps: f.Trace}
	v.Blocked = parseBlocked(strings.Split(rest, "\n"))
	return v
}

// failureKinds are the texts of check.FailureKind, longest first, so that
// "check: <kind>: ..." is split on the right kind.
var failureKinds = func() []string {
	var ks []string
	for k := range check.FailureKind(64) {
		if s := k.String(); !strings.HasPrefix(s, "FailureKind(") {
			ks = append(ks, s)
		}
	}
	return ks
}()

var (
	errNotAFailure = errors.New("not a checker failure")
	scheduleLine   = regexp.MustCompile(`^schedule .*; replay: LUDUS_REPLAY=(\S*)$`)
	locationTail   = regexp.MustCompile(`\s{2,}(\S+:\d+)$`)
)

// parseFailure reads the first failure printed in text (check.Failure's
// String: a "check: <kind>: <message>" line, a "schedule ...; replay:"
// line, optional notes, the steps indented by two spaces in aligned
// columns, then the rest of the message, such as the "blocked:" list).
func parseFailure(text string) (failureView, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "check: ") {
		return failureView{}, errNotAFailure
	}
	var v failureView
	head := strings.TrimPrefix(lines[0], "check: ")
	for _, k := range failureKinds {
		if rest, ok := strings.CutPrefix(head, k); ok && (strings.HasPrefix(rest, ": ") || strings.HasPrefix(rest, " on ")) {
			v.Kind, v.Message = k, strings.TrimPrefix(strings.TrimPrefix(rest, ":"), " ")
			break
		}
	}
	m := scheduleLine.FindStringSubmatch(lines[1])
	if v.Kind == "" || m == nil {
		return failureView{}, errNotAFailure
	}
	v.Schedule, v.Replay = strings.TrimSuffix(lines[1], "; replay: LUDUS_REPLAY="+m[1]), m[1]
	i := 2
	for i < len(lines) && !strings.HasPrefix(lines[i], "  ") && lines[i] != "blocked:" {
		i++ // notes
	}
	opCol := -1
	for ; i < len(lines) && strings.HasPrefix(lines[i], "  "); i++ {
		st, col, err := parseStepLine(lines[i])
		if err != nil || (opCol >= 0 && col != opCol) {
			return failureView{}, fmt.Errorf("step %q: %w", lines[i], cmpErr(err, errors.New("columns not aligned")))
		}
		opCol = col
		v.Steps = append(v.Steps, st)
	}
	// What follows is the rest of the message: a "blocked:" list, or a
	// second failure (a claim about two fixes), which is not drawn.
	if i < len(lines) && lines[i] == "blocked:" {
		v.Blocked = parseBlocked(lines[i:])
	}
	return v, nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// parseStepLine splits "  <goroutine>  <op>  <location>": the goroutine
// column is padded to the widest name, so the op starts after the first
// run of two or more spaces. It returns the op's column, which every step
// line of one failure shares.
func parseStepLine(line string) (check.Step, int, error) {
	body := line[2:]
	sep := strings.Index(body, "  ")
	if sep <= 0 {
		// A step without an op cannot be printed by check; a goroutine
		// alone on its line is malformed.
		return check.Step{}, 0, errors.New("no op column")
	}
	name := body[:sep]
	rest := strings.TrimLeft(body[sep:], " ")
	col := 2 + len(body) - len(rest)
	st := check.Step{Goroutine: name, Op: rest}
	if m := locationTail.FindStringSubmatchIndex(rest); m != nil {
		st.Op, st.Location = strings.TrimRight(rest[:m[0]], " "), rest[m[2]:m[3]]
	}
	return st, col, nil
}

// parseBlocked reads a "blocked:" list: lines from "blocked:" on, each
// "  <goroutine>  <what it waits for>  <location>". Anything before the
// "blocked:" line is skipped; the list ends at the first other line.
func parseBlocked(lines []string) []blockedG {
	for len(lines) > 0 && lines[0] != "blocked:" {
		lines = lines[1:]
	}
	if len(lines) == 0 {
		return nil
	}
	var out []blockedG
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "  ") {
			break
		}
		st, _, err := parseStepLine(l)
		if err != nil {
			break
		}
		out = append(out, blockedG{Goroutine: st.Goroutine, Waits: st.Op, Location: st.Location})
	}
	return out
}
