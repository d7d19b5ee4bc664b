package lock

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func size(full, short int) int {
	if testing.Short() {
		return short
	}
	return full
}

// TestMutexExclusion mixes every way of locking and checks that no update
// is lost: a broken mutex lets two goroutines read the same value.
func TestMutexExclusion(t *testing.T) {
	var m Mutex
	var inside atomic.Int32
	counter := 0
	const workers = 16
	iters := size(2000, 300)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range iters {
				switch (w + i) % 4 {
				case 0:
					m.Lock()
				case 1:
					for !m.TryLock() {
					}
				case 2:
					if err := m.LockContext(context.Background()); err != nil {
						t.Error(err)
						return
					}
				case 3:
					for !m.TryLockFor(time.Millisecond) {
					}
				}
				if inside.Add(1) != 1 {
					t.Error("two goroutines inside the mutex")
				}
				counter++
				inside.Add(-1)
				m.Unlock()
			}
		})
	}
	wg.Wait()
	if counter != workers*iters {
		t.Fatalf("counter = %d, want %d", counter, workers*iters)
	}
}

func TestRWMutexExclusion(t *testing.T) {
	var m RWMutex
	var readers, writers atomic.Int32
	var wg sync.WaitGroup
	iters := size(1000, 200)
	value := 0
	for w := range 8 {
		wg.Go(func() {
			for i := range iters {
				if (w+i)%3 == 0 {
					switch i % 3 {
					case 0:
						m.Lock()
					case 1:
						if m.LockContext(context.Background()) != nil {
							t.Error("LockContext failed")
							return
						}
					case 2:
						for !m.TryLockFor(time.Millisecond) {
						}
					}
					if writers.Add(1) != 1 || readers.Load() != 0 {
						t.Error("writer not alone")
					}
					value++
					writers.Add(-1)
					m.Unlock()
					continue
				}
				switch i % 4 {
				case 0:
					m.RLock()
				case 1:
					if m.RLockContext(context.Background()) != nil {
						t.Error("RLockContext failed")
						return
					}
				case 2:
					for !m.TryRLockFor(time.Millisecond) {
					}
				case 3:
					for !m.TryRLock() {
					}
				}
				readers.Add(1)
				if writers.Load() != 0 {
					t.Error("reader beside a writer")
				}
				_ = value
				readers.Add(-1)
				m.RUnlock()
			}
		})
	}
	wg.Wait()
}

func TestRLocker(t *testing.T) {
	var m RWMutex
	l := m.RLocker()
	l.Lock()
	if m.TryLock() {
		t.Fatal("write lock taken beside a reader")
	}
	l.Unlock()
	if !m.TryLock() {
		t.Fatal("write lock not free after RUnlock")
	}
	m.Unlock()
}

func TestLockContextCancel(t *testing.T) {
	m := NewMutex("cancel")
	m.Lock()
	cause := errors.New("shutting down")
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan error)
	go func() { done <- m.LockContext(ctx) }()
	time.Sleep(10 * time.Millisecond)
	cancel(cause)
	select {
	case err := <-done:
		if !errors.Is(err, cause) {
			t.Fatalf("err = %v, want it to wrap the cause", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("LockContext did not return after cancel")
	}
	m.Unlock()
	// The cancelled waiter must not have left the mutex unusable.
	if err := m.LockContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	m.Unlock()
}

func TestLockContextDeadline(t *testing.T) {
	var m RWMutex
	// Another goroutine holds the lock: taking it again in this one would
	// be (rightly) reported as recursive.
	hold := func(lock, unlock func()) (release func()) {
		held, done := make(chan bool), make(chan bool)
		go func() {
			lock()
			held <- true
			<-done
			unlock()
			held <- true
		}()
		<-held
		return func() {
			done <- true
			<-held
		}
	}
	release := hold(m.RLock, m.RUnlock)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := m.LockContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	release()
	release = hold(m.Lock, m.Unlock)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if err := m.RLockContext(ctx2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	release()
}

func TestLockContextDoneButFree(t *testing.T) {
	var m Mutex
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.LockContext(ctx); err != nil {
		t.Fatalf("a free mutex should be taken even with a done context: %v", err)
	}
	m.Unlock()
}

func TestTryLockFor(t *testing.T) {
	var m Mutex
	m.Lock()
	if m.TryLockFor(10 * time.Millisecond) {
		t.Fatal("TryLockFor took a held mutex")
	}
	if m.TryLockFor(0) || m.TryLockFor(-time.Second) {
		t.Fatal("TryLockFor(<=0) took a held mutex")
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		m.Unlock()
	}()
	if !m.TryLockFor(10 * time.Second) {
		t.Fatal("TryLockFor missed the unlock")
	}
	m.Unlock()
}

// TestWakeups parks many waiters, some of which give up, and checks that
// every Unlock still reaches a waiter that wants the lock.
func TestWakeups(t *testing.T) {
	var m Mutex
	var wg sync.WaitGroup
	var got atomic.Int32
	m.Lock()
	for i := range 20 {
		wg.Go(func() {
			if i%2 == 0 {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i)*time.Millisecond)
				defer cancel()
				if m.LockContext(ctx) == nil {
					got.Add(1)
					m.Unlock()
				}
				return
			}
			m.Lock()
			got.Add(1)
			m.Unlock()
		})
	}
	time.Sleep(30 * time.Millisecond)
	m.Unlock()
	wg.Wait()
	if got.Load() < 10 {
		t.Fatalf("only %d goroutines got the lock, want at least the 10 that waited without limit", got.Load())
	}
}

func TestUnlockOfUnlocked(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Unlock of an unlocked Mutex did not panic")
		}
	}()
	var m Mutex
	m.Unlock()
}

func TestAllExclusionAndOrder(t *testing.T) {
	ms := []*Mutex{NewMutex("all-a"), NewMutex("all-b"), NewMutex("all-c")}
	counts := make([]int, len(ms))
	var wg sync.WaitGroup
	iters := size(500, 100)
	for w := range 8 {
		wg.Go(func() {
			for i := range iters {
				// Every goroutine names the locks in another order.
				a, b, c := ms[(w+i)%3], ms[(w+i+1)%3], ms[(w+i+2)%3]
				l := All(c, nil, a, b, a)
				for j := range counts {
					counts[j]++
				}
				l.Unlock()
			}
		})
	}
	wg.Wait()
	for j, c := range counts {
		if c != 8*iters {
			t.Fatalf("counts[%d] = %d, want %d", j, c, 8*iters)
		}
	}
	for _, m := range ms {
		if !m.TryLock() {
			t.Fatal("All left a mutex locked")
		}
		m.Unlock()
	}
	Locked{}.Unlock()
}

func TestAllContext(t *testing.T) {
	a, b := new(Mutex), new(Mutex)
	held, done := make(chan bool), make(chan bool)
	go func() {
		b.Lock()
		held <- true
		<-done
		b.Unlock()
		held <- true
	}()
	<-held
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := AllContext(ctx, a, b); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if !a.TryLock() {
		t.Fatal("AllContext left the first mutex locked after failing")
	}
	a.Unlock()
	done <- true
	<-held
	l, err := AllContext(context.Background(), b, a)
	if err != nil {
		t.Fatal(err)
	}
	l.Unlock()
}
