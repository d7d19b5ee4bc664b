package lab

import (
	"context"
	"strings"
	"testing"
)

func TestRemoteActorsVerdict(t *testing.T) {
	ok := rbMeasurements{accounts: 8, transfers: 100, want: 8000, total: 8000, sent: 90, refused: 10, recvd: 90, settled: true, perSec: 5000}
	if c := rbVerdict(ok); c.Verdict != Holds || !strings.Contains(c.Evidence, "stayed 8000") {
		t.Errorf("exact: %s %q", c.Verdict, c.Evidence)
	}
	lost := ok
	lost.settled, lost.recvd = false, 89
	if c := rbVerdict(lost); c.Verdict != Fails || !strings.Contains(c.Evidence, "lost") {
		t.Errorf("lost: %s %q", c.Verdict, c.Evidence)
	}
	wrong := ok
	wrong.total = 7999
	if c := rbVerdict(wrong); c.Verdict != Fails || !strings.Contains(c.Evidence, "7999") {
		t.Errorf("wrong total: %s %q", c.Verdict, c.Evidence)
	}
	broken := rbMeasurements{err: "no second process"}
	if c := rbVerdict(broken); c.Verdict != Inconclusive || !strings.Contains(c.Evidence, "no second process") {
		t.Errorf("could not run: %s %q", c.Verdict, c.Evidence)
	}
}

// TestRemoteActorsRuns runs the experiment for real (two processes: this
// test binary is the second), in quick mode.
func TestRemoteActorsRuns(t *testing.T) {
	res, err := runRemoteActors(context.Background(), &Env{Quick: true})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Claims[0]
	if c.Verdict != Holds {
		t.Fatalf("%s: %s", c.Verdict, c.Evidence)
	}
	t.Log(c.Evidence)
}
