package main

import (
	"io"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestChannelDeliversTheValue(t *testing.T) {
	if got, want := run(io.Discard), expensiveCalc(); got != want {
		t.Fatalf("received %d, want %d", got, want)
	}
}
