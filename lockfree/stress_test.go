package lockfree

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/labludus/ludus/lockfree/internal/atomics"
)

// stressSize scales the stress tests: big enough to interleave for real,
// small enough for -race on two cores.
func stressSize(full int) int {
	if testing.Short() {
		return full / 10
	}
	return full
}

// item identifies a pushed value: which producer, and its sequence number.
type item struct{ producer, seq int }

// tally checks that every pushed item is taken exactly once, and (if fifo)
// that each consumer sees every producer's items in the order pushed.
type tally struct {
	t         *testing.T
	producers int
	perProd   int
	fifo      bool
	mu        sync.Mutex
	seen      [][]bool
}

func newTally(t *testing.T, producers, perProd int, fifo bool) *tally {
	seen := make([][]bool, producers)
	for i := range seen {
		seen[i] = make([]bool, perProd)
	}
	return &tally{t: t, producers: producers, perProd: perProd, fifo: fifo, seen: seen}
}

// consumer returns a per-consumer recorder; call it with each popped item
// and finish with the returned flush.
func (ta *tally) consumer() (record func(item), flush func()) {
	var got []item
	last := make([]int, ta.producers)
	for i := range last {
		last[i] = -1
	}
	record = func(it item) {
		if ta.fifo {
			if it.seq <= last[it.producer] {
				ta.t.Errorf("producer %d: item %d taken after item %d (not FIFO)", it.producer, it.seq, last[it.producer])
			}
			last[it.producer] = it.seq
		}
		got = append(got, it)
	}
	flush = func() {
		ta.mu.Lock()
		defer ta.mu.Unlock()
		for _, it := range got {
			if ta.seen[it.producer][it.seq] {
				ta.t.Errorf("item %+v taken twice", it)
			}
			ta.seen[it.producer][it.seq] = true
		}
	}
	return record, flush
}

func (ta *tally) verify() {
	missing := 0
	for p := range ta.seen {
		for s, ok := range ta.seen[p] {
			if !ok {
				if missing < 5 {
					ta.t.Errorf("item {%d %d} pushed but never taken", p, s)
				}
				missing++
			}
		}
	}
	if missing > 0 {
		ta.t.Errorf("%d items lost", missing)
	}
}

// runStress drives producers calling push and consumers calling pop (which
// returns false when nothing was available) until every item was taken.
func runStress(t *testing.T, producers, consumers, perProd int, fifo bool,
	push func(item), pop func() (item, bool)) {
	t.Helper()
	ta := newTally(t, producers, perProd, fifo)
	total := producers * perProd
	var taken sync.WaitGroup
	taken.Add(total)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for s := range perProd {
				push(item{p, s})
			}
		})
	}
	for range consumers {
		wg.Go(func() {
			record, flush := ta.consumer()
			defer flush()
			for {
				if it, ok := pop(); ok {
					record(it)
					taken.Done()
					continue
				}
				select {
				case <-done:
					return
				default:
					runtime.Gosched()
				}
			}
		})
	}
	finished := make(chan struct{})
	go func() { taken.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(60 * time.Second):
		close(done)
		wg.Wait()
		ta.verify()
		t.Fatal("stress: items still missing after 60s")
	}
	close(done)
	wg.Wait()
	ta.verify()
}

func TestStackStress(t *testing.T) {
	var s Stack[item]
	runStress(t, 4, 4, stressSize(20000), false, s.Push, s.Pop)
	if !s.Empty() {
		t.Fatal("stack not empty after all items were popped")
	}
}

func TestQueueStress(t *testing.T) {
	var q Queue[item]
	runStress(t, 4, 4, stressSize(20000), true, q.Enqueue, q.Dequeue)
	if !q.Empty() {
		t.Fatal("queue not empty after all items were dequeued")
	}
}

func TestRingTryStress(t *testing.T) {
	for _, capacity := range []int{1, 2, 8, 1024} {
		r, err := NewRing[item](capacity)
		if err != nil {
			t.Fatal(err)
		}
		push := func(it item) {
			for !r.TryPush(it) {
				runtime.Gosched()
			}
		}
		runStress(t, 4, 4, stressSize(10000), true, push, r.TryPop)
		if r.Len() != 0 {
			t.Fatalf("cap %d: Len = %d after all items were popped", capacity, r.Len())
		}
	}
}

// TestRingBlockingStress runs Push and Pop against tiny rings, so that both
// sides park constantly: a lost wake-up would leave items missing (and the
// test would fail at its deadline instead of hanging).
func TestRingBlockingStress(t *testing.T) {
	if atomics.Checked {
		// Under ludus_check every wait is a real sleep outside an
		// exploration: the check tests cover blocking there.
		t.Skip("real-goroutine blocking stress runs in the normal build")
	}
	for _, capacity := range []int{1, 4} {
		for _, pc := range [][2]int{{1, 1}, {4, 1}, {1, 4}, {4, 4}} {
			r, err := NewRing[item](capacity)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			producers, consumers := pc[0], pc[1]
			perProd := stressSize(20000) / producers
			ta := newTally(t, producers, perProd, true)
			var wg sync.WaitGroup
			for p := range producers {
				wg.Go(func() {
					for s := range perProd {
						if err := r.Push(ctx, item{p, s}); err != nil {
							t.Errorf("Push: %v", err)
							return
						}
					}
				})
			}
			// Split the total between consumers so each knows when to stop.
			total := producers * perProd
			for c := range consumers {
				n := total / consumers
				if c == 0 {
					n += total % consumers
				}
				wg.Go(func() {
					record, flush := ta.consumer()
					defer flush()
					for range n {
						it, err := r.Pop(ctx)
						if err != nil {
							t.Errorf("Pop: %v", err)
							return
						}
						record(it)
					}
				})
			}
			wg.Wait()
			cancel()
			ta.verify()
		}
	}
}

func TestCounterStress(t *testing.T) {
	var c Counter
	const goroutines = 8
	n := stressSize(50000)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range n {
				switch {
				case g%2 == 0:
					c.Inc()
				case i%2 == 0:
					c.Add(3)
				default:
					c.Dec()
				}
			}
		})
	}
	wg.Wait()
	evens := int64(goroutines/2) * int64(n)
	odds := int64(goroutines/2) * (int64(n/2)*3 - int64(n/2))
	if got, want := c.Load(), evens+odds; got != want {
		t.Fatalf("Load = %d, want %d", got, want)
	}
}

// TestCounterMonotonicLoad: with increments only, every Load lies between the
// number of increments finished before it and those started before it ended.
func TestCounterMonotonicLoad(t *testing.T) {
	var c Counter
	var wg sync.WaitGroup
	n := stressSize(50000)
	for range 4 {
		wg.Go(func() {
			for range n {
				c.Inc()
			}
		})
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() {
		var prev int64
		for {
			select {
			case <-stop:
				return
			default:
			}
			v := c.Load()
			if v < prev {
				t.Errorf("Load went backwards: %d after %d", v, prev)
				return
			}
			prev = v
		}
	})
	wg.Wait()
	close(stop)
	readers.Wait()
	if got := c.Load(); got != int64(4*n) {
		t.Fatalf("Load = %d, want %d", got, 4*n)
	}
}
