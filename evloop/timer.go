package evloop

import (
	"container/heap"
	"time"
)

// Timer is a callback scheduled on a loop by After or Every.
type Timer struct {
	loop   *Loop
	when   time.Duration // deadline, on the loop's clock (since its start)
	period time.Duration // Every's interval; 0 for After
	seq    uint64        // scheduling order: equal deadlines fire in it
	fn     func()
	index  int         // position in the heap; -1 once out of it
	state  atomicInt32 // timerPending, timerFired or timerStopped
}

const (
	timerPending int32 = iota
	timerFired
	timerStopped
)

// Stop cancels the timer. It reports whether this call stopped it: false
// if it had already fired (for After) or been stopped. Stop is safe from
// any goroutine; called from another goroutine while the timer's callback
// is starting, it may lose the race, as with time.Timer. A stopped Every
// timer fires no more after Stop returns, when Stop is called on the loop.
func (t *Timer) Stop() bool {
	if t == nil {
		return false
	}
	for {
		s := t.state.Load()
		if s != timerPending {
			return false
		}
		if t.state.CompareAndSwap(timerPending, timerStopped) {
			t.loop.stats.timersStopped.Add(1)
			return true
		}
	}
}

// timerHeap orders timers by deadline, then by scheduling order, so that
// timers with equal deadlines fire in the order they were made.
type timerHeap []*Timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when != h[j].when {
		return h[i].when < h[j].when
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*Timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}

// After runs fn on the loop once d has passed (d <= 0: on the next turn of
// the loop, after the callbacks already due). Call it on the loop, from a
// callback; from another goroutine, Post a function that calls it.
func (l *Loop) After(d time.Duration, fn func()) *Timer {
	return l.schedule(d, 0, fn)
}

// Every runs fn on the loop every d until the timer is stopped. A tick that
// comes due while the loop is busy runs late, once: missed ticks are
// skipped, not run in a burst. d <= 0 means d = 1ms. Call it on the loop.
func (l *Loop) Every(d time.Duration, fn func()) *Timer {
	if d <= 0 {
		d = time.Millisecond
	}
	return l.schedule(d, d, fn)
}

func (l *Loop) schedule(d, period time.Duration, fn func()) *Timer {
	t := &Timer{loop: l, when: l.clock() + max(d, 0), period: period, fn: fn, seq: l.timerSeq}
	l.timerSeq++
	if fn == nil {
		t.state.Store(timerStopped)
		return t
	}
	heap.Push(&l.timers, t)
	return t
}

// clock returns the time since the loop was made.
func (l *Loop) clock() time.Duration { return now().Sub(l.epoch) }

// runTimers fires every timer due by now, in deadline order, and returns
// how long the loop may sleep before the next one (-1: no timer).
func (l *Loop) runTimers() time.Duration {
	l.compactTimers()
	if len(l.timers) == 0 {
		return -1
	}
	nowAt := l.clock()
	// Timers made by the callbacks below wait for the next turn, even
	// After(0): a callback that re-arms itself cannot starve the loop.
	limit := l.timerSeq
	for len(l.timers) > 0 {
		t := l.timers[0]
		if t.when > nowAt {
			return t.when - nowAt
		}
		if t.seq >= limit {
			return 0
		}
		if t.state.Load() != timerPending {
			heap.Pop(&l.timers)
			l.stoppedInHeap--
			continue
		}
		if t.period == 0 {
			heap.Pop(&l.timers)
			if !t.state.CompareAndSwap(timerPending, timerFired) {
				l.stoppedInHeap--
				continue
			}
		} else {
			t.when += t.period
			if t.when <= nowAt {
				t.when = nowAt + t.period
			}
			heap.Fix(&l.timers, 0)
		}
		l.stats.timersFired.Add(1)
		l.call(t.fn)
	}
	return -1
}

// compactTimers drops stopped timers from the heap once they are most of
// it, so that a program that keeps starting and stopping long timers does
// not grow the heap until their deadlines.
func (l *Loop) compactTimers() {
	stopped := int(l.stats.timersStopped.Load() - l.stoppedSeen)
	l.stoppedSeen += uint64(stopped)
	l.stoppedInHeap += stopped
	if l.stoppedInHeap < 64 || l.stoppedInHeap < len(l.timers)/2 {
		return
	}
	kept := l.timers[:0]
	for _, t := range l.timers {
		if t.state.Load() == timerPending {
			kept = append(kept, t)
		} else {
			t.index = -1
		}
	}
	clear(l.timers[len(kept):])
	l.timers = kept
	heap.Init(&l.timers)
	l.stoppedInHeap = 0
}
