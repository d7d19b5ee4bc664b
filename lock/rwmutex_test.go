package lock

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

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
