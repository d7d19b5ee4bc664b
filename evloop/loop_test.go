package evloop

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labludus/ludus/panics"
)

func TestOptionsEdges(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		ok   bool
	}{
		{"zero", Options{}, true},
		{"negative high water", Options{HighWater: -1}, false},
		{"negative max output", Options{MaxOutput: -1}, false},
		{"negative read buffer", Options{ReadBuffer: -1}, false},
		{"negative drain", Options{DrainTimeout: -1}, false},
		{"max below high water", Options{HighWater: 1000, MaxOutput: 999}, false},
		{"max equal high water", Options{HighWater: 1000, MaxOutput: 1000}, true},
		{"unknown backend", Options{Backend: 9}, false},
		{"portable", Options{Backend: BackendPortable}, true},
	} {
		l, err := New(tc.o)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.name, err)
		}
		if l != nil {
			_ = l.Shutdown(context.Background())
		}
	}
	n, err := Options{}.normalized()
	if err != nil || n.HighWater != DefaultHighWater || n.MaxOutput != DefaultMaxOutput ||
		n.ReadBuffer != DefaultReadBuffer || n.DrainTimeout != DefaultDrainTimeout || n.Backend == BackendAuto {
		t.Errorf("defaults: %+v %v", n, err)
	}
	// A high-water mark above the default cap raises the cap with it.
	if n, _ := (Options{HighWater: 8 << 20}).normalized(); n.MaxOutput != 8<<20 {
		t.Errorf("MaxOutput %d for HighWater 8 MiB", n.MaxOutput)
	}
	for b, want := range map[Backend]string{BackendAuto: "auto", BackendEpoll: "epoll", BackendPortable: "portable", 7: "Backend(7)"} {
		if b.String() != want {
			t.Errorf("%d.String() = %q", b, b.String())
		}
	}
}

// TestPostFromManyGoroutines: nothing posted is lost or run twice, and each
// poster's functions run in its order, on the loop (the unsynchronised
// counters would be a data race otherwise).
func TestPostFromManyGoroutines(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		l := running(t, Options{Backend: b})
		const posters, each = 32, 5000
		last := make([]int, posters) // owned by the loop
		ran, outOfOrder := 0, 0
		var wg sync.WaitGroup
		for p := range posters {
			wg.Go(func() {
				for i := 1; i <= each; i++ {
					if err := l.Post(func() {
						ran++
						if last[p] != i-1 {
							outOfOrder++
						}
						last[p] = i
					}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		onLoop(t, l, func() {
			if ran != posters*each || outOfOrder != 0 {
				t.Errorf("ran %d of %d, %d out of order", ran, posters*each, outOfOrder)
			}
		})
		eventually(t, "Stats.Ran to count every posted function", func() bool { return l.Stats().Ran == posters*each+1 })
		if s := l.Stats(); s.Posted != posters*each+1 {
			t.Errorf("stats %+v", s)
		}
	})
}

// TestStopDrainsPosted: Stop lets every accepted function run; Post after
// the loop stopped is refused; nothing is unaccounted for.
func TestStopDrainsPosted(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		l, err := New(Options{Backend: b})
		if err != nil {
			t.Fatal(err)
		}
		var ran atomic.Int64
		accepted, refused := 0, 0
		for range 1000 {
			if l.Post(func() { ran.Add(1) }) == nil {
				accepted++
			}
		}
		l.Stop() // before Run: Run drains and returns
		done := make(chan error)
		go func() { done <- l.Run(context.Background()) }()
		// Keep posting while it stops.
		for range 1000 {
			switch err := l.Post(func() { ran.Add(1) }); {
			case err == nil:
				accepted++
			case errors.Is(err, ErrClosed):
				refused++
			default:
				t.Fatal(err)
			}
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if int(ran.Load()) != accepted || accepted+refused != 2000 {
			t.Errorf("ran %d, accepted %d, refused %d", ran.Load(), accepted, refused)
		}
		if err := l.Post(func() {}); !errors.Is(err, ErrClosed) {
			t.Errorf("Post after stop: %v", err)
		}
		if err := l.Run(context.Background()); !errors.Is(err, ErrClosed) {
			t.Errorf("second Run: %v", err)
		}
	})
}

func TestRunContextAndTwice(t *testing.T) {
	l, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- l.Run(ctx) }()
	onLoop(t, l, func() {})
	if err := l.Run(ctx); !errors.Is(err, ErrRunning) {
		t.Errorf("concurrent Run: %v", err)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("Run after cancel: %v", err)
	}
	<-l.Done()
	// Shutdown of a loop that never ran releases it.
	l2, _ := New(Options{})
	if err := l2.Shutdown(context.Background()); err != nil {
		t.Error(err)
	}
	if err := l2.Post(func() {}); !errors.Is(err, ErrClosed) {
		t.Errorf("Post after Shutdown: %v", err)
	}
	if err := l2.Post(nil); err == nil {
		t.Error("Post(nil) accepted")
	}
}

// TestTimersInDeadlineOrder: 100k timers with random delays fire in
// deadline order (equal deadlines in the order they were made), none is
// lost, and the stopped ones never fire.
func TestTimersInDeadlineOrder(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		l := running(t, Options{Backend: b})
		const n = 100_000
		r := rand.New(rand.NewPCG(1, 2))
		type fired struct {
			when time.Duration
			seq  uint64
		}
		var order []fired
		stopped := 0
		done := make(chan struct{})
		var last *Timer
		onLoop(t, l, func() {
			for i := range n {
				d := time.Duration(r.IntN(30_000)) * time.Microsecond
				var tm *Timer
				tm = l.After(d, func() {
					order = append(order, fired{tm.when, tm.seq})
					if len(order) == n-stopped {
						close(done)
					}
				})
				if i%10 == 3 && tm.Stop() {
					stopped++
				}
				last = tm
			}
		})
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("%d of %d timers fired", len(order), n-stopped)
		}
		onLoop(t, l, func() {
			if len(order) != n-stopped {
				t.Errorf("%d fired, want %d", len(order), n-stopped)
			}
			if !slices.IsSortedFunc(order, func(a, b fired) int {
				if a.when != b.when {
					return int(a.when - b.when)
				}
				return int(a.seq) - int(b.seq)
			}) {
				t.Error("timers fired out of deadline order")
			}
		})
		if last.Stop() && last.seq%10 != 3 {
			t.Error("Stop succeeded on a fired timer")
		}
		if s := l.Stats(); s.TimersFired != uint64(n-stopped) {
			t.Errorf("TimersFired %d", s.TimersFired)
		}
	})
}

func TestEveryAndStopFromAnotherGoroutine(t *testing.T) {
	eachBackend(t, func(t *testing.T, b Backend) {
		l := running(t, Options{Backend: b})
		var ticks atomic.Int64
		var tm *Timer
		onLoop(t, l, func() { tm = l.Every(time.Millisecond, func() { ticks.Add(1) }) })
		eventually(t, "5 ticks", func() bool { return ticks.Load() >= 5 })
		if !tm.Stop() {
			t.Fatal("Stop of a running Every")
		}
		if tm.Stop() {
			t.Error("second Stop reported true")
		}
		onLoop(t, l, func() {}) // a tick already starting may still run once
		n := ticks.Load()
		time.Sleep(20 * time.Millisecond)
		if ticks.Load() != n {
			t.Errorf("ticked after Stop: %d -> %d", n, ticks.Load())
		}
		// Pending timers at stop are counted, not silently dropped.
		onLoop(t, l, func() { l.After(time.Hour, func() {}) })
	})
}

// TestManyStoppedTimersCompact: timers started and stopped at a high rate
// do not pile up in the heap until their deadlines.
func TestManyStoppedTimersCompact(t *testing.T) {
	l := running(t, Options{})
	for range 10 {
		onLoop(t, l, func() {
			for range 1000 {
				l.After(time.Hour, func() {}).Stop()
			}
		})
	}
	onLoop(t, l, func() {})
	onLoop(t, l, func() {
		if len(l.timers) > 1100 {
			t.Errorf("%d timers in the heap after 10k stopped", len(l.timers))
		}
	})
}

// TestAfterZeroDoesNotStarve: a timer that re-arms itself with After(0)
// lets posted functions run.
func TestAfterZeroDoesNotStarve(t *testing.T) {
	l := running(t, Options{})
	var stop atomic.Bool
	var rearm func()
	rearm = func() {
		if !stop.Load() {
			l.After(0, rearm)
		}
	}
	onLoop(t, l, rearm)
	onLoop(t, l, func() {}) // would hang if the timer starved the queue
	stop.Store(true)
}

// TestPanicInPostedFunction: recovered, counted, reported with its stack;
// the loop goes on.
func TestPanicInPostedFunction(t *testing.T) {
	var got []*panics.Error
	var mu sync.Mutex
	l := running(t, Options{OnPanic: func(e *panics.Error) { mu.Lock(); got = append(got, e); mu.Unlock() }})
	_ = l.Post(func() { panic("boom") })
	onLoop(t, l, func() {})
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Value != "boom" || !strings.Contains(string(got[0].Stack), "loop_test.go") {
		t.Fatalf("panics reported: %v", got)
	}
	if l.Stats().Panics != 1 {
		t.Errorf("Panics = %d", l.Stats().Panics)
	}
}
