package lockfree

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func mustRing[T any](t *testing.T, capacity int) *Ring[T] {
	t.Helper()
	r, err := NewRing[T](capacity)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestNewRingCapacity(t *testing.T) {
	for _, tc := range []struct{ in, want int }{{1, 1}, {2, 2}, {3, 4}, {1000, 1024}, {1024, 1024}, {1025, 2048}} {
		if got := mustRing[int](t, tc.in).Cap(); got != tc.want {
			t.Errorf("NewRing(%d).Cap() = %d, want %d", tc.in, got, tc.want)
		}
	}
	for _, bad := range []int{0, -1, maxRingCapacity + 1} {
		if _, err := NewRing[int](bad); !errors.Is(err, ErrCapacity) {
			t.Errorf("NewRing(%d) error = %v, want ErrCapacity", bad, err)
		}
	}
}

func TestRingFullEmpty(t *testing.T) {
	for _, capacity := range []int{1, 2, 4, 16} {
		r := mustRing[int](t, capacity)
		// Several laps, so that turn numbers wrap around the cells.
		for lap := range 5 {
			if v, ok := r.TryPop(); ok {
				t.Fatalf("cap %d lap %d: TryPop on empty ring = %d, true", capacity, lap, v)
			}
			for i := range capacity {
				if !r.TryPush(lap*100 + i) {
					t.Fatalf("cap %d lap %d: TryPush %d failed on a ring with room", capacity, lap, i)
				}
				if r.Len() != i+1 {
					t.Fatalf("cap %d: Len = %d, want %d", capacity, r.Len(), i+1)
				}
			}
			if r.TryPush(-1) {
				t.Fatalf("cap %d lap %d: TryPush on a full ring succeeded", capacity, lap)
			}
			for i := range capacity {
				v, ok := r.TryPop()
				if !ok || v != lap*100+i {
					t.Fatalf("cap %d lap %d: TryPop = %d, %v; want %d, true", capacity, lap, v, ok, lap*100+i)
				}
			}
		}
		// Interleaved single push/pop keeps the ring at 0 or 1.
		for i := range 3 * capacity {
			r.TryPush(i)
			if v, ok := r.TryPop(); !ok || v != i {
				t.Fatalf("cap %d: TryPop = %d, %v; want %d", capacity, v, ok, i)
			}
		}
	}
}

func TestRingReleasesValues(t *testing.T) {
	r := mustRing[*int](t, 2)
	x := 1
	r.TryPush(&x)
	r.TryPop()
	// The cell must not keep the popped pointer alive.
	for i := range r.cells {
		if r.cells[i].value != nil {
			t.Fatalf("cell %d still references a popped value", i)
		}
	}
}

func TestZeroRing(t *testing.T) {
	var r Ring[int]
	if r.TryPush(1) {
		t.Fatal("TryPush on a zero Ring succeeded")
	}
	if _, ok := r.TryPop(); ok {
		t.Fatal("TryPop on a zero Ring succeeded")
	}
	if err := r.Push(context.Background(), 1); !errors.Is(err, ErrCapacity) {
		t.Fatalf("Push on a zero Ring = %v, want ErrCapacity", err)
	}
	if _, err := r.Pop(context.Background()); !errors.Is(err, ErrCapacity) {
		t.Fatalf("Pop on a zero Ring = %v, want ErrCapacity", err)
	}
	if r.Cap() != 0 || r.Len() != 0 {
		t.Fatal("zero Ring has nonzero Cap or Len")
	}
}

func TestRingPopCancel(t *testing.T) {
	r := mustRing[int](t, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := r.Pop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Pop on an empty ring = %v, want DeadlineExceeded", err)
	}
	// An already cancelled context still takes an available value.
	r.TryPush(7)
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if v, err := r.Pop(done); err != nil || v != 7 {
		t.Fatalf("Pop with a value and a cancelled ctx = %d, %v", v, err)
	}
}

func TestRingPushCancel(t *testing.T) {
	r := mustRing[int](t, 1)
	r.TryPush(1)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- r.Push(ctx, 2) }()
	time.Sleep(10 * time.Millisecond) // let it park (not needed for correctness)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Push on a full ring = %v, want Canceled", err)
	}
	// The cancelled Push must not have added its value.
	if v, ok := r.TryPop(); !ok || v != 1 {
		t.Fatalf("TryPop = %d, %v; want 1", v, ok)
	}
	if v, ok := r.TryPop(); ok {
		t.Fatalf("cancelled Push left %d in the ring", v)
	}
}

// TestRingWakeups parks consumers on an empty ring and producers on a full
// one, then checks that each side is woken by the other.
func TestRingWakeups(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := mustRing[int](t, 2)
	const waiters = 5
	got := make(chan int, waiters)
	var wg sync.WaitGroup
	for range waiters {
		wg.Go(func() {
			v, err := r.Pop(ctx)
			if err != nil {
				t.Error(err)
			}
			got <- v
		})
	}
	time.Sleep(10 * time.Millisecond)
	for i := range waiters {
		if err := r.Push(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(got)
	sum := 0
	for v := range got {
		sum += v
	}
	if sum != 0+1+2+3+4 {
		t.Fatalf("woken consumers got values summing to %d, want 10", sum)
	}
	// Now producers wait on a full ring.
	r.TryPush(100)
	r.TryPush(101)
	for i := range waiters {
		wg.Go(func() {
			if err := r.Push(ctx, i); err != nil {
				t.Error(err)
			}
		})
	}
	time.Sleep(10 * time.Millisecond)
	seen := 0
	for seen < waiters+2 {
		if _, err := r.Pop(ctx); err != nil {
			t.Fatal(err)
		}
		seen++
	}
	wg.Wait()
	if r.Len() != 0 {
		t.Fatalf("Len = %d after draining", r.Len())
	}
}
