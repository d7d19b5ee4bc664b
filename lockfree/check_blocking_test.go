//go:build ludus_check

package lockfree

import (
	"context"
	"slices"
	"testing"

	"github.com/labludus/ludus/check"
)

// Under ludus_check the parking protocol of Push and Pop runs on check/sync
// and a checked channel, so the explorations below cover blocking: a lost
// wake-up would leave a goroutine asleep forever, which the checker reports
// as a deadlock.

func TestCheckRingBlocking(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		producers [][]int
		consumers []int // how many values each consumer pops
	}{
		{"1 producer x2, 1 consumer x2", [][]int{{1, 2}}, []int{2}},
		{"2 producers, 1 consumer x2", [][]int{{1}, {2}}, []int{2}},
		{"1 producer x2, 2 consumers", [][]int{{1, 2}}, []int{1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustExplore(t, func(ct *check.T) {
				r := mustRingT[int](1)
				got := make([][]int, len(tc.consumers))
				for i, vals := range tc.producers {
					ct.Go("P"+string(rune('0'+i)), func() {
						for _, v := range vals {
							if err := r.Push(ctx, v); err != nil {
								ct.Errorf("Push: %v", err)
							}
						}
					})
				}
				for i, n := range tc.consumers {
					ct.Go("C"+string(rune('0'+i)), func() {
						for range n {
							v, err := r.Pop(ctx)
							if err != nil {
								ct.Errorf("Pop: %v", err)
							}
							got[i] = append(got[i], v)
						}
					})
				}
				ct.Wait()
				var all []int
				for _, g := range got {
					if !slices.IsSorted(g) && len(tc.producers) == 1 {
						ct.Errorf("one producer's values out of order: %v", g)
					}
					all = append(all, g...)
				}
				slices.Sort(all)
				var want []int
				for _, p := range tc.producers {
					want = append(want, p...)
				}
				slices.Sort(want)
				if !slices.Equal(all, want) {
					ct.Errorf("popped %v, pushed %v", all, want)
				}
			})
		})
	}
}

// lostWakeupPop registers as a waiter only after its failed attempt and
// does not try again before sleeping: a Push between the two notifies
// nobody, and the consumer sleeps forever.
func lostWakeupPop(r *Ring[int]) int {
	for {
		if v, ok := r.TryPop(); ok {
			return v
		}
		sig := r.notEmpty.register() // BUG: no re-check after registering
		_ = sig.Wait(context.Background())
		r.notEmpty.unregister()
	}
}

func TestCheckCatchesLostWakeup(t *testing.T) {
	rep := check.Run(func(ct *check.T) {
		r := mustRingT[int](1)
		ct.Go("P", func() { _ = r.Push(context.Background(), 1) })
		ct.Go("C", func() { lostWakeupPop(r) })
		ct.Wait()
	}, check.Exhaustive())
	if rep.Failure == nil {
		t.Fatalf("checker missed the lost wake-up in %d executions", rep.Executions)
	}
	if rep.Failure.Kind != check.Deadlock {
		t.Fatalf("checker failed for another reason: %v", rep.Failure)
	}
	t.Logf("caught after %d executions:\n%v", rep.Executions, rep.Failure)
}
