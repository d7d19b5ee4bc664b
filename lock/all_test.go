package lock

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

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
