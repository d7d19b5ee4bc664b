package main

import (
	"io"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRaceLosesUpdatesAndMutexDoesNot(t *testing.T) {
	// With 100µs between read and write, two goroutines started together
	// overlap in nearly every trial; one lost update in 50 is certain in
	// practice.
	if lost := run(io.Discard, 50); lost == 0 {
		t.Fatal("no trial lost an update without a lock")
	}
	b := &safeBalance{v: 1000}
	for range 50 {
		trial(b.add)
	}
	if want := int64(1000 + 50*300); b.v != want {
		t.Fatalf("mutex balance = %d, want %d", b.v, want)
	}
}
