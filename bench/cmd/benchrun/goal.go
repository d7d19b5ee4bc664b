package main

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// A goal is a bound on the ratio of two implementations' medians, checked
// on every run, as written in a section's settings:
//
//	goal: ^LockUncontended$ sec/op ludus/sync <= 2
//	goal: ^ParMapHeavy$ sec/op sequential/ludus >= 1.85 cpu=2
//
// that is: the rows whose name matches the pattern, the unit, the
// numerator and denominator columns, the comparison, the bound, and
// optionally the one -cpu value it applies to.
type goal struct {
	text     string // as written, for the table
	row      *regexp.Regexp
	unit     string
	num, den string
	atMost   bool // "<=" (true) or ">=" (false)
	bound    float64
	cpu      int // 0: every -cpu value
}

func parseGoal(s string) (goal, error) {
	f := strings.Fields(s)
	g := goal{text: s}
	if len(f) == 6 {
		c, ok := strings.CutPrefix(f[5], "cpu=")
		n, err := strconv.Atoi(c)
		if !ok || err != nil || n <= 0 {
			return g, fmt.Errorf("want cpu=N as the last field, got %q", f[5])
		}
		g.cpu, f = n, f[:5]
	}
	if len(f) != 5 {
		return g, fmt.Errorf("want \"<row pattern> <unit> <num>/<den> <=|>= <bound> [cpu=N]\", got %q", s)
	}
	var err error
	if g.row, err = regexp.Compile(f[0]); err != nil {
		return g, fmt.Errorf("row pattern: %v", err)
	}
	g.unit, _ = tidyUnit(f[1])
	var ok bool
	if g.num, g.den, ok = strings.Cut(f[2], "/"); !ok || g.num == "" || g.den == "" {
		return g, fmt.Errorf("want the ratio as num/den, like ludus/sync, got %q", f[2])
	}
	switch f[3] {
	case "<=":
		g.atMost = true
	case ">=":
	default:
		return g, fmt.Errorf("want <= or >=, got %q", f[3])
	}
	if g.bound, err = strconv.ParseFloat(f[4], 64); err != nil || g.bound <= 0 || math.IsInf(g.bound, 0) {
		return g, fmt.Errorf("want a positive bound, got %q", f[4])
	}
	return g, nil
}

// verdict is the outcome of a goal on one row.
type verdict int

const (
	// met: the bound holds for the ratio of the medians and across the
	// whole confidence interval of the per-round ratio.
	met verdict = iota + 1
	// missed: the bound fails for both.
	missed
	// withinNoise: the bound lies inside the interval (or the two
	// disagree): the machine's noise decides it.
	withinNoise
	// tooFewRounds: fewer than 6 rounds give no 95% interval.
	tooFewRounds
)

func (v verdict) String() string {
	switch v {
	case met:
		return "met"
	case missed:
		return "missed"
	case withinNoise:
		return "inconclusive (within noise)"
	case tooFewRounds:
		return "inconclusive (fewer than 6 rounds)"
	}
	return "verdict(" + strconv.Itoa(int(v)) + ")"
}

// ratio is a goal's measured ratio: num / den of benchstat's medians, and
// the 95% interval of the per-round ratio (see paired.go).
type ratio struct {
	value  float64
	lo, hi float64
	ok     bool // the interval exists
}

// judge checks the goal on a ratio.
func (g goal) judge(r ratio) verdict {
	if !r.ok {
		return tooFewRounds
	}
	holds := func(x float64) bool {
		if g.atMost {
			return x <= g.bound
		}
		return x >= g.bound
	}
	switch {
	case holds(r.value) && holds(r.lo) && holds(r.hi):
		return met
	case !holds(r.value) && !holds(r.lo) && !holds(r.hi):
		return missed
	}
	return withinNoise
}

func (g goal) op() string {
	if g.atMost {
		return "<="
	}
	return ">="
}
