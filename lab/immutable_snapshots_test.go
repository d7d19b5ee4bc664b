package lab

import (
	"context"
	"strings"
	"testing"

	"github.com/labludus/ludus/immutable"
)

func TestImmutableSnapshotsVerdict(t *testing.T) {
	with := func(rw, im float64) immutableSnapshotsMeasurements {
		return immutableSnapshotsMeasurements{readers: 2, keys: 1000, rwReadsPerSec: rw, imReadsPer: im,
			rwWriteNs: 300, imWriteNs: 900, rwWrites: 1000, imWrites: 1000}
	}
	for _, tc := range []struct {
		name string
		m    immutableSnapshotsMeasurements
		want Verdict
	}{
		{"snapshots faster", with(10e6, 30e6), Holds},
		{"snapshots slower", with(30e6, 10e6), Fails},
		{"about equal", with(20e6, 21e6), Inconclusive},
		{"no reads", with(0, 21e6), Inconclusive},
	} {
		c := tc.m.verdict()
		if c.Verdict != tc.want {
			t.Errorf("%s: %s, want %s (%s)", tc.name, c.Verdict, tc.want, c.Evidence)
		}
	}
	c := with(10e6, 25e6).verdict()
	if c.Measurements["read_ratio"] != 2.5 || !strings.Contains(c.Evidence, "(2.50x)") ||
		!strings.Contains(c.Evidence, "median write 300 ns") {
		t.Errorf("measurements/evidence: %v %q", c.Measurements, c.Evidence)
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
	res, err := e.Run(context.Background(), &Env{Quick: true, CPUs: CPUs()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Claims) != len(e.Claims) {
		t.Fatalf("%d claims for %d", len(res.Claims), len(e.Claims))
	}
	c := res.Claims[0]
	if c.Evidence == "" || c.Measurements["rwmutex_lookups_per_s"] <= 0 || c.Measurements["immutable_writes"] <= 0 {
		t.Fatalf("claim %+v", c)
	}
	t.Logf("%s: %s", c.Verdict, c.Evidence)
}
