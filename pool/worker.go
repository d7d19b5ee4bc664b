package pool

import (
	"log"
	"runtime"
	"time"

	"github.com/labludus/ludus/panics"
)

// worker is one worker goroutine's record.
type worker struct {
	p    *Pool
	wake chan struct{} // capacity 1: one pending wake-up at most
	idx  int           // position in p.idle, -1 when not parked
	// waking is set by whoever woke or started this worker to serve the
	// queue (it then owns p.waking); read and cleared under p.mu.
	waking bool
	timer  *time.Timer // idle timeout, made on first park when configured
}

func (p *Pool) spawnLocked() *worker {
	p.workers++
	w := &worker{p: p, wake: make(chan struct{}, 1), idx: -1}
	go w.loop()
	return w
}

func (p *Pool) removeIdleLocked(w *worker) {
	last := len(p.idle) - 1
	if w.idx != last {
		moved := p.idle[last]
		p.idle[w.idx] = moved
		moved.idx = w.idx
	}
	p.idle[last] = nil
	p.idle = p.idle[:last]
	w.idx = -1
}

// outcome is how a plain task ended, as its worker saw it.
type outcome uint8

const (
	noTask        outcome = iota // nothing ran (first call of next)
	ranOK                        // a plain task returned
	countedByTask                // a self-counting task, a skipped task or a panic: already counted
)

func (o outcome) String() string {
	switch o {
	case noTask:
		return "no task"
	case ranOK:
		return "ran"
	case countedByTask:
		return "counted"
	}
	return "outcome(?)"
}

// loop is a worker's life: run a task, take the next, park when there is
// none, leave when the pool closes, shrinks or the idle timeout passes.
func (w *worker) loop() {
	p := w.p
	kind := plainTask
	clean := false
	defer func() {
		if !clean {
			// The task called runtime.Goexit: the goroutine is going away
			// whatever we do, so settle its accounts and let the pool
			// replace it (exitLocked kicks a new worker if tasks remain).
			p.mu.Lock()
			p.taskDoneLocked()
			if kind == plainTask {
				p.failed.Add(1)
			}
			p.exitLocked()
			p.mu.Unlock()
		}
	}()
	last := noTask
	for {
		var task func()
		task, kind = w.next(last)
		if task == nil {
			clean = true
			return
		}
		last = p.run(task, kind)
	}
}

// run calls a task. A plain task is skipped when the pool's context has
// ended, and its panic goes to the panic handler; a self-counting task
// does both itself.
func (p *Pool) run(task func(), kind taskKind) outcome {
	if kind == selfCountingTask {
		task()
		return countedByTask
	}
	if p.done != nil {
		select {
		case <-p.done:
			p.cancelled.Add(1)
			return countedByTask
		default:
		}
	}
	if p.runPlain(task) {
		return ranOK
	}
	return countedByTask
}

// runPlain calls a plain task, keeping a panic inside the worker, and
// reports whether the task returned normally.
func (p *Pool) runPlain(task func()) (ok bool) {
	defer func() {
		if !ok {
			if r := recover(); r != nil {
				p.panicked.Add(1)
				p.handlePanic(r)
			}
		}
	}()
	task()
	return true
}

func (p *Pool) handlePanic(r any) {
	defer func() { _ = recover() }() // a panicking handler must not kill the worker
	if p.panicHandler != nil {
		p.panicHandler(r)
		return
	}
	// One report per lost task, so the stack is worth its lines here.
	log.Printf("pool: task panicked: %+v", panics.New(r))
}

// taskDoneLocked records that a running task ended, and wakes a blocked
// submitter once there is room for many: half the queue's worth, so that
// each wake-up is followed by many submissions instead of one.
func (p *Pool) taskDoneLocked() {
	p.running--
	if len(p.waiters) > 0 && p.roomLocked() > p.queueCap/2 {
		p.wakeWaiterLocked()
	}
}

// spinRounds is how many times a worker with nothing to do looks at the
// queue again before parking, when other CPUs may be filling it: parking
// and waking cost far more than a short look.
const spinRounds = 64

// next records the end of the previous task and returns the next one,
// parking while there is none. It returns nil when the worker must exit.
//
// A worker that owns p.waking (woken or started for the queue, or spinning)
// clears it when it takes a task, and then wakes the next worker if work
// remains: wake-ups form a chain that grows only while the queue is not
// empty, instead of one wake-up per task.
func (w *worker) next(last outcome) (func(), taskKind) {
	p := w.p
	p.mu.Lock()
	if last != noTask {
		p.taskDoneLocked()
		if last == ranOK {
			p.plainSucceeded++
		}
	}
	for {
		wasWaking := w.waking
		w.waking = false
		if wasWaking {
			p.waking = false
		}
		if p.workers > p.max {
			p.exitLocked()
			p.mu.Unlock()
			return nil, plainTask
		}
		if p.q.size > 0 {
			t, kind := p.q.pop()
			p.running++
			if wasWaking {
				p.kickLocked() // more work: wake the next worker
			}
			p.mu.Unlock()
			return t, kind
		}
		if p.closed {
			p.exitLocked()
			p.mu.Unlock()
			return nil, plainTask
		}
		if !p.waking && spinning() && w.spin() {
			continue
		}
		if !w.parkLocked() {
			return nil, plainTask // idle timeout: already accounted for
		}
		// Woken for the queue (w.waking set), for Close, or for a shrink.
	}
}

// spin makes w the one worker on its way to the queue and looks at the
// queue for a moment without the lock. It is called and returns with p.mu
// held, and reports whether there is something to look at again (a task,
// a shrink or Close); if not, w is no longer on its way.
func (w *worker) spin() bool {
	p := w.p
	p.waking, w.waking = true, true
	p.mu.Unlock()
	for range spinRounds {
		if p.q.queued.Load() > 0 {
			break
		}
		runtime.Gosched()
	}
	p.mu.Lock()
	if p.q.size > 0 || p.workers > p.max || p.closed {
		return true
	}
	p.waking, w.waking = false, false
	return false
}

// spinning reports whether a worker should spin before parking: only when
// another CPU can fill the queue meanwhile.
func spinning() bool { return runtime.GOMAXPROCS(0) > 1 }

// parkLocked adds w to the idle workers and sleeps until woken. It is
// called with p.mu held and returns with it held when woken; it returns
// false, without the lock, when the idle timeout fired first and the
// worker has left the pool.
func (w *worker) parkLocked() bool {
	p := w.p
	w.idx = len(p.idle)
	p.idle = append(p.idle, w)
	p.mu.Unlock()
	if p.idleTimeout <= 0 {
		<-w.wake
		p.mu.Lock()
		return true
	}
	if w.timer == nil {
		w.timer = time.NewTimer(p.idleTimeout)
	} else {
		w.timer.Reset(p.idleTimeout)
	}
	select {
	case <-w.wake:
		w.timer.Stop()
		p.mu.Lock()
		return true
	case <-w.timer.C:
	}
	p.mu.Lock()
	if w.idx >= 0 {
		p.removeIdleLocked(w)
		p.exitLocked()
		p.mu.Unlock()
		return false
	}
	p.mu.Unlock()
	// Someone picked us just as the timer fired: their wake-up is coming.
	<-w.wake
	p.mu.Lock()
	return true
}

// exitLocked removes the calling worker from the count.
func (p *Pool) exitLocked() {
	p.workers--
	p.kickLocked()
	p.finishLocked()
}
