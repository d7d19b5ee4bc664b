package lock

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

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
