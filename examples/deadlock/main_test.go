package main

import (
	"bytes"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOppositeOrderDeadlocksAndSameOrderDoesNot(t *testing.T) {
	var out bytes.Buffer
	if !run(&out, true) || !strings.Contains(out.String(), "deadlock detected") {
		t.Fatalf("opposite order: no deadlock detected:\n%s", out.String())
	}
	out.Reset()
	if run(&out, false) || strings.Count(out.String(), "transfer done") != 2 {
		t.Fatalf("same order:\n%s", out.String())
	}
}
