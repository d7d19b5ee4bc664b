package main

import (
	"math"
	"os"
	"testing"
)

func TestMedianInterval(t *testing.T) {
	for _, tc := range []struct {
		xs     []float64
		lo, hi float64
		ok     bool
	}{
		{[]float64{5, 1, 4, 2, 3}, 0, 0, false}, // 5 samples: 2/32 > 5%
		{[]float64{6, 1, 5, 2, 4, 3}, 1, 6, true},
		{[]float64{9, 1, 8, 2, 7, 3, 6, 4, 5, 10}, 2, 9, true},          // n=10: 2*11/1024 <= 5%
		{[]float64{12, 1, 11, 2, 10, 3, 9, 4, 8, 5, 7, 6}, 3, 10, true}, // n=12: 2*79/4096 <= 5%
	} {
		lo, hi, ok := medianInterval(tc.xs)
		if lo != tc.lo || hi != tc.hi || ok != tc.ok {
			t.Errorf("medianInterval(%v) = %v, %v, %v; want %v, %v, %v", tc.xs, lo, hi, ok, tc.lo, tc.hi, tc.ok)
		}
	}
}

// testdata/lock.txt is the raw output of a real run: six rounds at -cpu 1
// and 2 of BenchmarkLockUncontended.
func loadRounds(t *testing.T) *measurement {
	t.Helper()
	raw, err := os.ReadFile("testdata/lock.txt")
	if err != nil {
		t.Fatal(err)
	}
	m := &measurement{raw: raw}
	// Each process's output ends with PASS; they alternate -cpu 1 and 2.
	start, cpu, round := 0, 1, 1
	for i := 0; i+5 <= len(raw); i++ {
		if string(raw[i:i+5]) == "PASS\n" {
			m.rounds = append(m.rounds, roundOutput{round: round, cpu: cpu, out: raw[start : i+5]})
			start = i + 5
			if cpu == 2 {
				round++
			}
			cpu = 3 - cpu
		}
	}
	return m
}

func TestParseRound(t *testing.T) {
	m := loadRounds(t)
	if len(m.rounds) != 12 {
		t.Fatalf("%d processes in testdata/lock.txt, want 12", len(m.rounds))
	}
	v := parseRound(m.rounds[1].out, 2)
	got := v[sampleKey{"LockUncontended", "ludus-off", 2}]
	if math.Abs(got["sec/op"]-18.42e-9) > 1e-15 || got["B/op"] != 0 || got["allocs/op"] != 0 {
		t.Errorf("ludus-off at cpu 2, round 1: %v", got)
	}
	if len(v) != 5 {
		t.Errorf("%d samples in one process, want 5", len(v))
	}
	r := m.pairedRatios("LockUncontended", 1, "sec/op", "ludus", "sync")
	if len(r) != 6 || math.Abs(r[0]-36.11/14.60) > 1e-9 {
		t.Errorf("paired ratios: %v", r)
	}
	if r := m.pairedRatios("LockUncontended", 1, "sec/op", "ludus", "nobody"); len(r) != 0 {
		t.Errorf("ratios against a missing column: %v", r)
	}
}
