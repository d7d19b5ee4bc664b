package lab

import (
	"strings"
	"testing"

	"github.com/labludus/ludus/immutable"
)

// rounds builds Stats from per-round samples.
func rounds(xs ...float64) Stats { return Summarize(xs) }

func TestImmutableSnapshotsVerdict(t *testing.T) {
	with := func(rw, im Stats) immutableSnapshotsMeasurements {
		return immutableSnapshotsMeasurements{readers: 2, keys: 1000, rwReads: rw, imReads: im,
			rwWriteNs: 300, imWriteNs: 900, rwWrites: 1000, imWrites: 1000}
	}
	for _, tc := range []struct {
		name string
		m    immutableSnapshotsMeasurements
		want Verdict
	}{
		{"snapshots faster", with(rounds(10e6, 11e6, 9e6), rounds(30e6, 28e6, 33e6)), Holds},
		{"snapshots slower", with(rounds(30e6, 31e6, 29e6), rounds(10e6, 12e6, 9e6)), Fails},
		{"about equal", with(rounds(20e6, 20e6, 20e6), rounds(21e6, 20e6, 22e6)), Inconclusive},
		{"no reads", with(rounds(0, 0, 0), rounds(21e6, 20e6, 22e6)), Inconclusive},
		// A busy machine: the median round says 0.85x (fails), but another
		// round says 1.3x: the spread covers the effect.
		{"busy machine", with(rounds(20e6, 20e6, 20e6), rounds(12e6, 17e6, 26e6)), Inconclusive},
		{"one round", with(rounds(10e6), rounds(30e6)), Inconclusive},
	} {
		c := tc.m.verdict()
		if c.Verdict != tc.want {
			t.Errorf("%s: %s, want %s (%s)", tc.name, c.Verdict, tc.want, c.Evidence)
		}
	}
	c := with(rounds(20e6, 20e6, 20e6), rounds(12e6, 17e6, 26e6)).verdict()
	if !strings.Contains(c.Evidence, "ranged from 0.60x to 1.30x") || !strings.Contains(c.Evidence, "would say fails") {
		t.Errorf("a spread that covers the effect is not shown: %q", c.Evidence)
	}
	if c.Measurements["read_ratio_low"] != 0.6 || c.Measurements["read_ratio_high"] != 1.3 {
		t.Errorf("spread not recorded: %v", c.Measurements)
	}
	c = with(rounds(10e6, 10e6, 10e6), rounds(25e6, 25e6, 25e6)).verdict()
	if c.ID != "lock-free-readers" || c.Measurements["read_ratio"] != 2.5 || !strings.Contains(c.Evidence, "(2.50x)") ||
		!strings.Contains(c.Evidence, "median write 300 ns") {
		t.Errorf("id/measurements/evidence: %q %v %q", c.ID, c.Measurements, c.Evidence)
	}
}

func TestImmutableSnapshotsStores(t *testing.T) {
	keys := immutableSnapshotsKeys(20)
	rw := &immutableSnapshotsRW{m: map[string]int{}}
	im := &immutableSnapshotsIM{}
	var empty immutable.Map[string, int]
	im.cur.Store(&empty)
	for i, k := range keys {
		rw.write(k, i)
		im.write(k, i)
	}
	if a, b := rw.read(keys), im.read(keys); a != 190 || b != 190 {
		t.Fatalf("reads: rwmutex %d, immutable %d, want 190", a, b)
	}
}

func TestImmutableSnapshotsQuick(t *testing.T) {
	e := immutableSnapshotsExperiment()
	claims := quickClaims(t, e, CPUs())
	c := claims[0]
	if c.Evidence == "" || c.Measurements["rwmutex_lookups_per_s"] <= 0 || c.Measurements["immutable_writes"] <= 0 {
		t.Fatalf("claim %+v", c)
	}
	t.Logf("%s: %s", c.Verdict, c.Evidence)
}
