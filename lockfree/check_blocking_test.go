//go:build ludus_check

package lockfree

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

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
		bounded   bool  // too many schedules for exhaustive: up to 1 preemption
	}{
		{"1 producer x2, 1 consumer x2", [][]int{{1, 2}}, []int{2}, false},
		{"2 producers, 1 consumer x2", [][]int{{1}, {2}}, []int{2}, false},
		{"1 producer x2, 2 consumers", [][]int{{1, 2}}, []int{1, 1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			explore := mustExplore
			if tc.bounded {
				explore = mustExploreBounded
			}
			explore(t, func(ct *check.T) {
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

// mustExploreBounded explores every schedule with up to 2 preemptions
// (DPOR, complete within that bound).
func mustExploreBounded(t *testing.T, body func(*check.T), _ ...check.Option) check.Report {
	t.Helper()
	rep := check.Explore(t, body, check.MaxPreemptions(1), check.MaxExecutions(10000), check.MaxTime(20*time.Second))
	t.Logf("%d executions, %s", rep.Executions, rep.Strategy)
	if !strings.Contains(rep.Strategy, "complete") {
		t.Errorf("exploration not complete within its bound: %s", rep.Strategy)
	}
	return rep
}

// lostWakeupPop goes to sleep without marking the cell it waits for, so
// the producer's publishing Swap finds no mark and wakes nobody: if the
// push lands between the failed attempt and the sleep, the consumer sleeps
// forever.
func lostWakeupPop(r *Ring[int]) int {
	for {
		if v, ok := r.TryPop(); ok {
			return v
		}
		sig := r.notEmpty.register()
		if v, ok := r.TryPop(); ok { // the re-check alone is not enough
			return v
		}
		_ = sig.Wait(context.Background()) // BUG: no markEmpty before sleeping
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

// TestCheckRingClose explores Close against parked Push and Pop: in every
// interleaving each blocked operation wakes (a sleeper left behind is a
// deadlock to the checker), a Pop returns ErrClosed only when the value is
// not there to take, and no value a Push reported added is lost.
func TestCheckRingClose(t *testing.T) {
	ctx := context.Background()
	t.Run("Pop on empty | Close", func(t *testing.T) {
		mustExplore(t, func(ct *check.T) {
			r := mustRingT[int](1)
			ct.Go("C", func() {
				if v, err := r.Pop(ctx); !errors.Is(err, ErrClosed) {
					ct.Errorf("Pop on an empty ring that closes = %d, %v; want ErrClosed", v, err)
				}
			})
			ct.Go("X", r.Close)
			ct.Wait()
		})
	})
	t.Run("Push on full | Close", func(t *testing.T) {
		mustExplore(t, func(ct *check.T) {
			r := mustRingT[int](1)
			r.TryPush(1)
			ct.Go("P", func() {
				if err := r.Push(ctx, 2); !errors.Is(err, ErrClosed) {
					ct.Errorf("Push on a full ring that closes = %v; want ErrClosed", err)
				}
			})
			ct.Go("X", r.Close)
			ct.Wait()
			if v, err := r.Pop(ctx); err != nil || v != 1 {
				ct.Errorf("Pop after Close = %d, %v; want 1, nil", v, err)
			}
			if _, err := r.Pop(ctx); !errors.Is(err, ErrClosed) {
				ct.Errorf("second Pop after Close = %v; want ErrClosed", err)
			}
		})
	})
	t.Run("Push | Pop | Close", func(t *testing.T) {
		mustExplore(t, func(ct *check.T) {
			r := mustRingT[int](1)
			var pushErr, popErr error
			var got int
			ct.Go("P", func() { pushErr = r.Push(ctx, 1) })
			ct.Go("C", func() { got, popErr = r.Pop(ctx) })
			ct.Go("X", r.Close)
			ct.Wait()
			left, _ := r.TryPop()
			switch {
			case pushErr != nil && !errors.Is(pushErr, ErrClosed):
				ct.Errorf("Push = %v; want nil or ErrClosed", pushErr)
			case popErr != nil && !errors.Is(popErr, ErrClosed):
				ct.Errorf("Pop = %v; want a value or ErrClosed", popErr)
			case pushErr == nil && popErr == nil && got != 1:
				ct.Errorf("Pop = %d; want 1", got)
			case pushErr == nil && popErr != nil && left != 1:
				ct.Errorf("pushed 1, Pop returned %v, and the ring holds %d: the value is lost", popErr, left)
			case pushErr != nil && popErr == nil:
				ct.Errorf("Push failed (%v) but Pop returned %d", pushErr, got)
			}
		})
	})
}
