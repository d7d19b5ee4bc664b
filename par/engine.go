package par

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labludus/ludus/panics"
)

// soloBudget is how long the caller runs a loop alone before it calls in
// helpers: a goroutine start, its wake-up and the final wait cost a few
// microseconds, so a loop shorter than this is faster without them.
const soloBudget = 10 * time.Microsecond

// runner is the shared state of one parallel loop over [0, n).
type runner struct {
	// next is the first unclaimed index. It is written by every claim, so it
	// sits alone on its cache line, away from stop, which every item reads.
	_    [64]byte
	next atomic.Int64
	_    [56]byte
	stop atomic.Bool
	_    [63]byte

	n, grain, workers, divisor int64

	// body processes [lo, hi) and returns how many items it finished; it
	// checks stop before each item and returns early when it is set.
	body func(lo, hi int) int

	spawned atomic.Bool
	done    atomic.Int64
	wg      sync.WaitGroup
	timer   *time.Timer

	mu     sync.Mutex
	panic  *PanicError // first panic of any worker
	goexit bool        // a worker called runtime.Goexit
	err    error       // first error reported through fail
}

func newRunner(n int, c config) *runner {
	r := &runner{n: int64(n), grain: int64(c.grain), workers: int64(c.workers)}
	if maxUseful := (r.n + r.grain - 1) / r.grain; r.workers > maxUseful {
		r.workers = maxUseful
	}
	r.divisor = 2 * r.workers
	return r
}

// sequential reports whether the loop is too small to share.
func (r *runner) sequential() bool { return r.workers <= 1 || r.n <= r.grain }

// claim takes the next range: a 1/(2×workers) share of what remains, at
// least grain and, while limit > 0, at most limit items.
func (r *runner) claim(limit int64) (lo, hi int, ok bool) {
	for {
		start := r.next.Load()
		rem := r.n - start
		if rem <= 0 {
			return 0, 0, false
		}
		size := rem / r.divisor
		if limit > 0 && size > limit {
			size = limit
		}
		if size < r.grain {
			size = r.grain
		}
		if size > rem {
			size = rem
		}
		if r.next.CompareAndSwap(start, start+size) {
			return int(start), int(start + size), true
		}
	}
}

// run executes the loop and returns when every worker has stopped. It
// raises a worker's panic (or Goexit) again in the caller.
func (r *runner) run() {
	if r.sequential() {
		r.guard(func() { r.done.Add(int64(r.body(0, int(r.n)))) })
	} else {
		// The timer calls helpers in when the caller is stuck in one long
		// item and so cannot look at the clock; it holds a WaitGroup count
		// of its own until it has run or been stopped.
		r.wg.Add(1)
		r.timer = time.AfterFunc(soloBudget, r.onTimer)
		func() {
			defer r.wait()
			r.guard(r.callerLoop)
		}()
	}
	if r.panic != nil {
		panic(r.panic)
	}
	if r.goexit {
		runtime.Goexit()
	}
}

func (r *runner) wait() {
	if r.timer.Stop() {
		r.wg.Done()
	}
	r.wg.Wait()
}

func (r *runner) callerLoop() {
	var done int64
	start := time.Now()
	solo := r.grain
	for !r.stop.Load() {
		var limit int64
		if !r.spawned.Load() {
			limit = solo
			solo *= 2
		}
		lo, hi, ok := r.claim(limit)
		if !ok {
			break
		}
		done += int64(r.body(lo, hi))
		if limit > 0 && time.Since(start) >= soloBudget {
			r.spawn()
		}
	}
	r.done.Add(done)
}

func (r *runner) helperLoop() {
	var done int64
	for !r.stop.Load() {
		lo, hi, ok := r.claim(0)
		if !ok {
			break
		}
		done += int64(r.body(lo, hi))
	}
	r.done.Add(done)
}

func (r *runner) onTimer() {
	defer r.wg.Done()
	r.spawn()
}

// spawn starts the helpers, once. The caller's own count (or the timer's)
// keeps the WaitGroup above zero while it adds theirs.
func (r *runner) spawn() {
	if r.spawned.Swap(true) || r.stop.Load() {
		return
	}
	rem := r.n - r.next.Load()
	k := min(r.workers-1, (rem+r.grain-1)/r.grain)
	if k <= 0 {
		return
	}
	r.wg.Add(int(k))
	for range k {
		go func() {
			defer r.wg.Done()
			r.guard(r.helperLoop)
		}()
	}
}

// guard runs f and records a panic or a Goexit in f, stopping the other
// workers, instead of letting it unwind past the loop.
func (r *runner) guard(f func()) {
	normal := false
	defer func() {
		if normal {
			return
		}
		r.stop.Store(true)
		v := recover()
		r.mu.Lock()
		defer r.mu.Unlock()
		switch {
		case v == nil: // runtime.Goexit: recover sees nothing.
			r.goexit = true
		case r.panic != nil: // keep the first panic
		default:
			// A nested loop's *PanicError is kept as it is, with the
			// original stack.
			r.panic = panics.New(v)
		}
	}()
	f()
	normal = true
}

// fail records the first error and stops the loop.
func (r *runner) fail(err error) {
	r.mu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
	r.stop.Store(true)
}
