package main

import (
	"strings"
	"testing"
)

func TestParseGoal(t *testing.T) {
	g, err := parseGoal("^Map(Get|Set)$ sec/op ludus/benbjohnson <= 0.67 cpu=2")
	if err != nil {
		t.Fatal(err)
	}
	if !g.row.MatchString("MapGet") || g.row.MatchString("MapGetX") || g.unit != "sec/op" || g.num != "ludus" ||
		g.den != "benbjohnson" || !g.atMost || g.bound != 0.67 || g.cpu != 2 {
		t.Errorf("parsed %+v", g)
	}
	for _, bad := range []string{
		"", "x sec/op ludus/sync", "x sec/op ludus/sync < 2", "x sec/op ludus/ <= 2", "x sec/op ludus/sync <= 0",
		"x sec/op ludus/sync <= -1", "x sec/op ludus/sync <= two", "( sec/op a/b <= 1", "x sec/op a/b <= 1 cpu=0",
		"x sec/op a/b <= 1 gpu=1", "x sec/op a/b <= 1 cpu=1 extra", "x sec/op a/b <= +Inf",
	} {
		if _, err := parseGoal(bad); err == nil {
			t.Errorf("parseGoal(%q): no error", bad)
		}
	}
}

func TestJudge(t *testing.T) {
	atMost2, _ := parseGoal("x sec/op a/b <= 2")
	atLeast2, _ := parseGoal("x sec/op a/b >= 2")
	for _, tc := range []struct {
		g    goal
		r    ratio
		want verdict
	}{
		{atMost2, ratio{1.5, 1.4, 1.9, true}, met},
		{atMost2, ratio{2, 1.9, 2, true}, met}, // the bound itself holds
		{atMost2, ratio{2.5, 2.1, 3, true}, missed},
		{atMost2, ratio{1.9, 1.5, 2.4, true}, withinNoise},
		{atMost2, ratio{2.1, 1.9, 2.4, true}, withinNoise},
		{atMost2, ratio{1, 0, 0, false}, tooFewRounds},
		{atLeast2, ratio{2.5, 2.1, 3, true}, met},
		{atLeast2, ratio{1.5, 1.4, 1.9, true}, missed},
		{atLeast2, ratio{2.1, 1.9, 2.4, true}, withinNoise},
	} {
		if got := tc.g.judge(tc.r); got != tc.want {
			t.Errorf("%s on %+v: %v, want %v", tc.g.text, tc.r, got, tc.want)
		}
	}
}

func TestVerdictString(t *testing.T) {
	for v, want := range map[verdict]string{
		met: "met", missed: "missed", withinNoise: "inconclusive (within noise)",
		tooFewRounds: "inconclusive (fewer than 6 rounds)", verdict(0): "verdict(0)",
	} {
		if got := v.String(); got != want {
			t.Errorf("verdict %d: %q, want %q", int(v), got, want)
		}
	}
	if !strings.Contains(missed.String(), "missed") {
		t.Error("missed does not say missed")
	}
}
