//go:build !race

package lockfree

import (
	"context"
	"testing"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

// The racy ring's bug makes two producers write the same cell, a data race
// on plain memory that the race detector reports before linear can: this
// test runs without -race only (the check exploration catches the same bug
// in every build).

func TestLinearCatchesRacyRing(t *testing.T) {
	push := func(r *racyRing, v int) { r.TryPush(v) }
	rep := linear.RunStress(context.Background(), models.Queue[int](), func() *racyRing { return newRacyRing(64) },
		models.QueueOps(push, func(r *racyRing) (int, bool) { return r.TryPop() }, smallInt), brokenConfig())
	if rep.Err != nil {
		t.Fatal(rep.Err)
	}
	if !rep.Failed {
		t.Fatalf("linear.Stress missed the non-atomic claim in %d runs of %d scenarios", rep.Runs, rep.Scenarios)
	}
	t.Logf("caught after %d runs: %s\n%s", rep.Runs, rep.Problem, rep.Table)
}
