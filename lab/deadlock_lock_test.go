package lab

import (
	"testing"

	"github.com/labludus/ludus/lock"
)

func TestDeadlockLockVerdicts(t *testing.T) {
	good := deadlockLockMeasurements{detection: true, transfers: 10, oppositeDone: 20, oppositeReport: 1, namesBoth: true, allDone: 20}
	if v := deadlockLockVerdicts(good); v[0].Verdict != Holds || v[1].Verdict != Holds {
		t.Fatalf("good run: %v", v)
	}
	silent := good
	silent.oppositeReport, silent.namesBoth = 0, false
	if v := deadlockLockVerdicts(silent); v[0].Verdict != Fails || v[1].Verdict != Inconclusive {
		t.Fatalf("silent detector: %v", v)
	}
	noisy := good
	noisy.allReports = 1
	if v := deadlockLockVerdicts(noisy); v[0].Verdict != Holds || v[1].Verdict != Fails {
		t.Fatalf("All reported: %v", v)
	}
	twice := good
	twice.oppositeReport = 2
	if v := deadlockLockVerdicts(twice); v[0].Verdict != Fails {
		t.Fatalf("reported twice: %v", v)
	}
	lost := good
	lost.allDone = 19
	if v := deadlockLockVerdicts(lost); v[1].Verdict != Fails {
		t.Fatalf("lost transfer: %v", v)
	}
	off := good
	off.detection = false
	if v := deadlockLockVerdicts(off); v[0].Verdict != Inconclusive || v[1].Verdict != Inconclusive {
		t.Fatalf("compiled out: %v", v)
	}
	for _, c := range deadlockLockVerdicts(good) {
		if c.Evidence == "" || len(c.Measurements) == 0 {
			t.Fatalf("claim without evidence or numbers: %+v", c)
		}
	}
}

// TestDeadlockLockRun runs the real thing: the graph must report the
// opposite orders that did not deadlock, and stay quiet about lock.All.
func TestDeadlockLockRun(t *testing.T) {
	m := deadlockLockRun(20)
	if !lock.Detection() {
		t.Skip("detection compiled out")
	}
	v := deadlockLockVerdicts(m)
	if v[0].Verdict != Holds || v[1].Verdict != Holds {
		t.Fatalf("measurements %+v gave %v / %v: %s / %s", m, v[0].Verdict, v[1].Verdict, v[0].Evidence, v[1].Evidence)
	}
	// A second run gets fresh classes, so it reports again.
	if m2 := deadlockLockRun(5); m2.oppositeReport != 1 {
		t.Fatalf("second run: %+v", m2)
	}
}
