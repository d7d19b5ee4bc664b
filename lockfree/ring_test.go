package lockfree

import (
	"context"
	"errors"
	"math"
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
	bad := []int{0, -1, math.MaxInt}
	if over := uint64(maxRingCapacity) + 1; over <= math.MaxInt { // 64-bit int
		bad = append(bad, int(over))
	}
	for _, bad := range bad {
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

// parked waits until n goroutines have registered to sleep on p (they may
// still be between registering and sleeping, which the protocol allows).
func parked(t *testing.T, p *parking) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p.mu.Lock()
		registered := p.ch != nil
		p.mu.Unlock()
		if registered {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no goroutine parked within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestRingCloseWakesParked parks consumers on an empty ring and producers
// on a full one; Close must wake all of them with ErrClosed, and the values
// in the ring must stay poppable.
func TestRingCloseWakesParked(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const waiters = 3

	empty := mustRing[int](t, 2)
	errs := make(chan error, waiters)
	for range waiters {
		go func() {
			_, err := empty.Pop(ctx)
			errs <- err
		}()
	}
	parked(t, &empty.notEmpty)
	empty.Close()
	for range waiters {
		if err := <-errs; !errors.Is(err, ErrClosed) {
			t.Fatalf("parked Pop after Close = %v, want ErrClosed", err)
		}
	}

	full := mustRing[int](t, 1)
	full.TryPush(1)
	for i := range waiters {
		go func() { errs <- full.Push(ctx, 10+i) }()
	}
	parked(t, &full.notFull)
	full.Close()
	for range waiters {
		if err := <-errs; !errors.Is(err, ErrClosed) {
			t.Fatalf("parked Push after Close = %v, want ErrClosed", err)
		}
	}
	if v, err := full.Pop(ctx); err != nil || v != 1 {
		t.Fatalf("Pop on a closed ring holding 1 = %d, %v; want 1, nil", v, err)
	}
	if v, err := full.Pop(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("Pop on a closed, drained ring = %d, %v; want ErrClosed", v, err)
	}
}

func TestRingClosed(t *testing.T) {
	ctx := context.Background()
	r := mustRing[int](t, 4)
	r.TryPush(1)
	r.Close()
	r.Close() // a second Close does nothing
	if r.TryPush(2) {
		t.Fatal("TryPush on a closed ring with room succeeded")
	}
	if err := r.Push(ctx, 2); !errors.Is(err, ErrClosed) {
		t.Fatalf("Push on a closed ring with room = %v, want ErrClosed", err)
	}
	if r.Len() != 1 || r.Cap() != 4 {
		t.Fatalf("closed ring: Len %d Cap %d, want 1 and 4", r.Len(), r.Cap())
	}
	if v, ok := r.TryPop(); !ok || v != 1 {
		t.Fatalf("TryPop on a closed ring holding 1 = %d, %v", v, ok)
	}
	if _, ok := r.TryPop(); ok {
		t.Fatal("TryPop on a closed, drained ring succeeded")
	}
	if _, err := r.Pop(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("Pop on a closed, drained ring = %v, want ErrClosed", err)
	}
	// A cancelled context does not hide that the ring is closed and
	// drained: the answer is final either way, and ErrClosed says more.
	done, cancelDone := context.WithCancel(ctx)
	cancelDone()
	if _, err := r.Pop(done); !errors.Is(err, ErrClosed) {
		t.Fatalf("Pop with a cancelled ctx on a closed, drained ring = %v, want ErrClosed", err)
	}

	var zero Ring[int]
	zero.Close()
	if err := zero.Push(ctx, 1); !errors.Is(err, ErrCapacity) {
		t.Fatalf("Push on a closed zero Ring = %v, want ErrCapacity", err)
	}
}

// TestRingCloseConcurrent closes a ring while producers and consumers run:
// every value a Push reported added is popped exactly once (consumers drain
// until ErrClosed), and no Push that starts after Close returned succeeds.
func TestRingCloseConcurrent(t *testing.T) {
	for round := range stressSize(50) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		r := mustRing[int](t, 1+round%4)
		var pushed, popped sync.Map
		var wg sync.WaitGroup
		for p := range 2 {
			wg.Go(func() {
				for i := 0; ; i++ {
					v := p*1_000_000 + i
					err := r.Push(ctx, v)
					if err == nil {
						pushed.Store(v, true)
						continue
					}
					if !errors.Is(err, ErrClosed) {
						t.Errorf("Push = %v, want nil or ErrClosed", err)
					}
					return
				}
			})
		}
		for range 2 {
			wg.Go(func() {
				for {
					v, err := r.Pop(ctx)
					if err != nil {
						if !errors.Is(err, ErrClosed) {
							t.Errorf("Pop = %v, want a value or ErrClosed", err)
						}
						return
					}
					if _, dup := popped.LoadOrStore(v, true); dup {
						t.Errorf("value %d popped twice", v)
					}
				}
			})
		}
		time.Sleep(time.Duration(round%3) * time.Millisecond)
		r.Close()
		if err := r.Push(ctx, -1); !errors.Is(err, ErrClosed) {
			t.Errorf("Push after Close returned = %v, want ErrClosed", err)
		}
		wg.Wait()
		cancel()
		pushed.Range(func(k, _ any) bool {
			if _, ok := popped.Load(k); !ok {
				t.Errorf("round %d: value %d pushed but never popped", round, k)
			}
			return true
		})
		popped.Range(func(k, _ any) bool {
			if _, ok := pushed.Load(k); !ok {
				t.Errorf("round %d: value %d popped but never reported pushed", round, k)
			}
			return true
		})
		if t.Failed() {
			return
		}
	}
}
