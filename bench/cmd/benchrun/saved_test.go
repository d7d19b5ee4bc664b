package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSaveAndLoadRun(t *testing.T) {
	m := loadRounds(t)
	m.load = loads{before: 1.5, during: []float64{2, 3}, after: 2.5}
	m.commands = []string{"bench.test -test.cpu 1"}
	mach := machine{cpuModel: "Test CPU", cpus: 2, memory: "1.0 GiB", kernel: "Linux 6", goVer: "go1.26.8", commit: "abc"}
	date := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	raw, meta := filepath.Join(dir, "lock.txt"), filepath.Join(dir, "lock.json")
	if err := os.WriteFile(raw, m.raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := saveRun(meta, date, mach, m); err != nil {
		t.Fatal(err)
	}
	gotDate, gotMach, got, err := loadRun(raw, meta)
	if err != nil {
		t.Fatal(err)
	}
	if !gotDate.Equal(date) || gotMach != mach || got.load.String() != m.load.String() || len(got.commands) != 1 {
		t.Errorf("loaded %v %+v %v %v", gotDate, gotMach, got.load, got.commands)
	}
	if len(got.rounds) != len(m.rounds) {
		t.Fatalf("%d rounds, want %d", len(got.rounds), len(m.rounds))
	}
	for i := range m.rounds {
		if string(got.rounds[i].out) != string(m.rounds[i].out) || got.rounds[i].cpu != m.rounds[i].cpu {
			t.Errorf("round %d differs", i)
		}
	}
	if _, _, _, err := loadRun(raw, filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a run without metadata loaded")
	}
	if err := os.WriteFile(meta, []byte(`{"rounds":[{"Round":1,"CPU":1,"Start":0,"End":999999999}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := loadRun(raw, meta); err == nil {
		t.Error("a round outside the raw output loaded")
	}
}
