//lint:file-ignore SA2001 the benchmarks measure Lock and Unlock themselves: the critical sections are empty on purpose

package bench

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labludus/ludus/lock"
	deadlock "github.com/sasha-s/go-deadlock"
)

// The lock benchmarks compare lock.Mutex (detection on, the default; with
// SetExactGoroutines; and switched off at run time) with sync.Mutex and
// go-deadlock v0.3.9 (its defaults: lock-order detection and the 30 s wait
// timeout).

func quietGoDeadlock() {
	deadlock.Opts.LogBuf = io.Discard
	deadlock.Opts.OnPotentialDeadlock = func() {}
}

// Each implementation's loop is written out with its own concrete type,
// so that every call is direct (and sync.Mutex's fast path inlined) as in
// user code; a generic or interface helper would measure an indirect call
// instead. The ludus variants share one loop: they differ only in a
// package setting.

// ludusUncontended and ludusNested are the ludus loops; the variants run
// them under withDetectionOff or withExactGoroutines.
func ludusUncontended(b *testing.B) {
	defer threadCPUMeter(b)()
	var m lock.Mutex
	for b.Loop() {
		m.Lock()
		m.Unlock()
	}
}

func ludusNested(b *testing.B) {
	defer threadCPUMeter(b)()
	var x, y lock.Mutex
	for b.Loop() {
		x.Lock()
		y.Lock()
		y.Unlock()
		x.Unlock()
	}
}

// withDetectionOff runs bench with lock.SetDetection(false).
func withDetectionOff(bench func(*testing.B)) func(*testing.B) {
	return func(b *testing.B) {
		defer lock.SetDetection(lock.SetDetection(false))
		bench(b)
	}
}

// withExactGoroutines runs bench with lock.SetExactGoroutines(true).
func withExactGoroutines(bench func(*testing.B)) func(*testing.B) {
	return func(b *testing.B) {
		defer lock.SetExactGoroutines(lock.SetExactGoroutines(true))
		bench(b)
	}
}

func BenchmarkLockUncontended(b *testing.B) {
	b.Run("sync", func(b *testing.B) {
		defer threadCPUMeter(b)()
		var m sync.Mutex
		for b.Loop() {
			m.Lock()
			m.Unlock()
		}
	})
	b.Run("ludus", ludusUncontended)
	b.Run("ludus-off", withDetectionOff(ludusUncontended))
	b.Run("ludus-exact", withExactGoroutines(ludusUncontended))
	b.Run("go-deadlock", func(b *testing.B) {
		defer threadCPUMeter(b)()
		quietGoDeadlock()
		var m deadlock.Mutex
		for b.Loop() {
			m.Lock()
			m.Unlock()
		}
	})
}

func BenchmarkLockNested(b *testing.B) {
	b.Run("sync", func(b *testing.B) {
		defer threadCPUMeter(b)()
		var x, y sync.Mutex
		for b.Loop() {
			x.Lock()
			y.Lock()
			y.Unlock()
			x.Unlock()
		}
	})
	b.Run("ludus", ludusNested)
	b.Run("ludus-exact", withExactGoroutines(ludusNested))
	b.Run("ludus-off", withDetectionOff(ludusNested))
	b.Run("go-deadlock", func(b *testing.B) {
		defer threadCPUMeter(b)()
		quietGoDeadlock()
		var x, y deadlock.Mutex
		for b.Loop() {
			x.Lock()
			y.Lock()
			y.Unlock()
			x.Unlock()
		}
	})
}

// BenchmarkLockAlternate takes two mutexes one after the other, never
// together: the held locks change at every Lock, which the detector's
// unchanged-path shortcut does not cover (it publishes a cached node each
// time). Not a goal; it shows the cost of a goroutine that moves between
// locks.
func BenchmarkLockAlternate(b *testing.B) {
	b.Run("sync", func(b *testing.B) {
		defer threadCPUMeter(b)()
		var x, y sync.Mutex
		for b.Loop() {
			x.Lock()
			x.Unlock()
			y.Lock()
			y.Unlock()
		}
	})
	b.Run("ludus", func(b *testing.B) {
		defer threadCPUMeter(b)()
		var x, y lock.Mutex
		for b.Loop() {
			x.Lock()
			x.Unlock()
			y.Lock()
			y.Unlock()
		}
	})
	b.Run("go-deadlock", func(b *testing.B) {
		defer threadCPUMeter(b)()
		quietGoDeadlock()
		var x, y deadlock.Mutex
		for b.Loop() {
			x.Lock()
			x.Unlock()
			y.Lock()
			y.Unlock()
		}
	})
}

// BenchmarkLockContended is not a goal of the issue; it shows the price of
// parking waiters on channels instead of the runtime's semaphore.
func BenchmarkLockContended(b *testing.B) {
	b.Run("sync", func(b *testing.B) {
		var m sync.Mutex
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.Lock()
				m.Unlock()
			}
		})
	})
	b.Run("ludus", func(b *testing.B) {
		var m lock.Mutex
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.Lock()
				m.Unlock()
			}
		})
	})
	b.Run("go-deadlock", func(b *testing.B) {
		quietGoDeadlock()
		var m deadlock.Mutex
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.Lock()
				m.Unlock()
			}
		})
	})
}

// locker is what a detection scenario needs of a mutex library.
type locker interface {
	Lock()
	Unlock()
}

type detector struct {
	name string
	// newLock makes a lock; reset clears the reports seen so far and arms
	// the timeout check with d.
	newLock  func(name string) locker
	reported func() bool
	reset    func(timeout time.Duration)
	teardown func()
}

func ludusDetector() detector {
	var seen atomic.Bool
	var prev func(lock.Report)
	return detector{
		name:    "ludus lock",
		newLock: func(name string) locker { return lock.NewMutex(name) },
		// SetLongWait arms the timeout check (off by default).
		reported: seen.Load,
		reset: func(timeout time.Duration) {
			seen.Store(false)
			prev = lock.OnPotentialDeadlock(func(lock.Report) { seen.Store(true) })
			lock.SetLongWait(timeout)
		},
		teardown: func() {
			lock.OnPotentialDeadlock(prev)
			lock.SetLongWait(0)
		},
	}
}

func goDeadlockDetector() detector {
	var seen atomic.Bool
	return detector{
		name:     "go-deadlock v0.3.9",
		newLock:  func(string) locker { return new(deadlock.Mutex) },
		reported: seen.Load,
		reset: func(timeout time.Duration) {
			seen.Store(false)
			deadlock.Opts.LogBuf = io.Discard
			deadlock.Opts.DeadlockTimeout = timeout
			deadlock.Opts.OnPotentialDeadlock = func() { seen.Store(true) }
		},
		teardown: func() {
			deadlock.Opts.DeadlockTimeout = 30 * time.Second
			quietGoDeadlock()
		},
	}
}

func inGoroutine(f func()) {
	var wg sync.WaitGroup
	wg.Go(f)
	wg.Wait()
}

func nestedLocks(outer, inner locker) func() {
	return func() {
		outer.Lock()
		inner.Lock()
		inner.Unlock()
		outer.Unlock()
	}
}

// detectionScenarios never deadlock: each shows a deadlock that could have
// happened, or (timeout) a wait much longer than it should be.
var detectionScenarios = []struct {
	name string
	run  func(d detector, id string)
}{
	{"2-cycle: A->B, then B->A in another goroutine", func(d detector, id string) {
		a, b := d.newLock(id+"a"), d.newLock(id+"b")
		inGoroutine(nestedLocks(a, b))
		inGoroutine(nestedLocks(b, a))
	}},
	{"3-cycle: A->B, B->C, C->A in three goroutines at different times", func(d detector, id string) {
		a, b, c := d.newLock(id+"a"), d.newLock(id+"b"), d.newLock(id+"c")
		inGoroutine(nestedLocks(a, b))
		inGoroutine(nestedLocks(b, c))
		inGoroutine(nestedLocks(c, a))
	}},
	{"recursive lock in one goroutine", func(d detector, id string) {
		a := d.newLock(id + "a")
		a.Lock()
		// The second Lock blocks for real; another goroutine frees it once
		// the library has had its chance to report.
		go func() {
			for start := time.Now(); !d.reported() && time.Since(start) < 200*time.Millisecond; {
				time.Sleep(time.Millisecond)
			}
			a.Unlock()
		}()
		a.Lock()
		a.Unlock()
	}},
	{"timeout: a Lock waits 100 ms for another goroutine (limit 20 ms)", func(d detector, id string) {
		a := d.newLock(id + "a")
		held := make(chan bool)
		go func() {
			a.Lock()
			held <- true
			time.Sleep(100 * time.Millisecond)
			a.Unlock()
		}()
		<-held
		inGoroutine(func() {
			a.Lock()
			a.Unlock()
		})
	}},
}

// tableRuns makes lock names unique to each run: ludus reports a cycle
// once per process, and -count reruns the test in one.
var tableRuns atomic.Int64

// TestLockDetectionTable runs every scenario against both libraries and
// prints the table recorded in RESULTS.md. It checks ludus's column.
func TestLockDetectionTable(t *testing.T) {
	dets := []detector{ludusDetector(), goDeadlockDetector()}
	var table strings.Builder
	fmt.Fprintf(&table, "| scenario | %s | %s |\n|---|---|---|\n", dets[0].name, dets[1].name)
	for i, sc := range detectionScenarios {
		row := []string{sc.name}
		for _, d := range dets {
			d.reset(20 * time.Millisecond)
			sc.run(d, fmt.Sprintf("table-%d-%d-", tableRuns.Add(1), i))
			got := d.reported()
			d.teardown()
			row = append(row, map[bool]string{true: "reported", false: "not reported"}[got])
			if d.name == "ludus lock" && !got {
				t.Errorf("ludus did not report %q", sc.name)
			}
		}
		fmt.Fprintf(&table, "| %s |\n", strings.Join(row, " | "))
	}
	// ludus's other answer to a long wait is LockContext/TryLockFor: the
	// caller learns it and can back off.
	m := lock.NewMutex("m")
	held, done := make(chan bool), make(chan bool)
	go func() {
		m.Lock()
		held <- true
		<-done
		m.Unlock()
		done <- true
	}()
	<-held
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	err := m.LockContext(ctx)
	cancel()
	done <- true
	<-done
	if err == nil {
		t.Error("LockContext on a held mutex did not time out")
	}
	fmt.Fprintf(&table, "| timeout: LockContext with a 20 ms deadline on a held lock | returns %q | no such API |\n", strings.ReplaceAll(err.Error(), "|", "/"))
	t.Log("\n" + table.String())
}
