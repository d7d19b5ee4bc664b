package pool

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/labludus/ludus/async"
	"github.com/labludus/ludus/errmode"
)

// ErrorMode says what a Group does with its tasks' errors (the same type
// as par.ErrorMode).
type ErrorMode = errmode.Mode

const (
	// FirstError (the default, as in errgroup): the first error or panic
	// cancels the group's context, so tasks not yet started are skipped and
	// running ones are asked to stop, and Wait returns that error. The
	// group stays failed: Wait returns the same error after any later use.
	FirstError = errmode.FirstError
	// AllErrors: errors cancel nothing and every task runs; Wait returns
	// every error of the tasks given since the previous Wait, joined with
	// errors.Join in the order the tasks were given to Go, and the next
	// round starts clean (as conc's ErrorPool).
	AllErrors = errmode.AllErrors
)

// Group is a set of tasks run on a pool that are waited for together, like
// errgroup.Group: Go starts tasks, Wait waits for them and returns their
// error (see ErrorMode). Make one with Pool.Group. The zero Group is also
// ready to use: it runs each task in a goroutine of its own, with no
// limit, as errgroup's zero Group does.
//
// A Group may be used again after Wait: the tasks given after it form a
// new round with a fresh context (unless the group has failed in
// FirstError mode, which it stays). A Group must not be copied after first
// use.
type Group struct {
	mu sync.Mutex
	// p runs the tasks; nil for a zero Group, whose tasks each get a
	// goroutine.
	p *Pool
	// refuse, if set, is the error every task gets: a Group of a nil *Pool
	// has nowhere to run anything.
	refuse error
	// parent is what each round's context derives from (nil:
	// context.Background()); for a pool's group it is marked as the
	// context of a task of p, so that tasks can make helping groups.
	parent context.Context
	// helps is set when the group was made from the context of a task of
	// p: its Go and Wait then run the group's tasks in the calling worker
	// rather than wait for a pool that may be full of tasks waiting for
	// them, as fork-join pools do.
	helps bool
	mode  ErrorMode
	// err is FirstError's first error, kept across rounds.
	err error
	// cur is the round that tasks given now join; nil until the first Go
	// after a Wait.
	cur *round
}

// round is the tasks given to a Group between two Waits.
type round struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	// unlink stops the pool's context from cancelling ctx.
	unlink func() bool
	// errs holds, in AllErrors mode, every error with its task's number.
	errs errmode.Collector
	// The rest is guarded by the group's mu.
	live int          // tasks given and not yet ended
	n    int          // tasks given: the next task's number
	skip error        // AllErrors: why tasks were skipped (recorded once)
	todo []*groupTask // helping groups: tasks queued in the pool that may not have started
	// changed is closed and cleared when live drops or todo grows, to wake
	// Wait; nil while nobody waits.
	changed chan struct{}
}

// groupTask is one task of a group.
type groupTask struct {
	g  *Group
	r  *round
	fn func(context.Context) error
	i  int // number in its round, for AllErrors' order
	// claimed is set by whoever runs the task first: the worker that took
	// it from the queue, or a helping Wait.
	claimed atomic.Bool
}

// Group returns a new group running its tasks on p, under a context
// derived from ctx.
//
// If ctx is the context of a task of p (the one a Submit or Group task
// receives), the group helps: when p has no room, Go runs the task in the
// calling worker at once, and Wait runs the group's tasks that are still
// queued instead of waiting for a worker, so a task that starts a group on
// its own pool and waits for it cannot deadlock however full the pool is.
// A group made from another context waits for p's workers like any
// submitter.
func (p *Pool) Group(ctx context.Context) *Group {
	if ctx == nil {
		ctx = context.Background()
	}
	if p == nil {
		return &Group{refuse: ErrClosed, parent: ctx}
	}
	return &Group{p: p, parent: p.markWorker(ctx), helps: p.runsTask(ctx)}
}

// SetErrorMode sets what the group does with errors (default FirstError).
// Call it before Go; errors recorded earlier keep the mode they had.
func (g *Group) SetErrorMode(m ErrorMode) {
	g.mu.Lock()
	g.mode = m
	g.mu.Unlock()
}

// Go runs fn on the group's pool, waiting for room as long as the group's
// context lasts (a helping group runs fn in place instead, see
// Pool.Group). fn receives the group's context. If the task cannot be
// accepted (pool closed or full, context ended) that error is recorded as
// the task's error.
func (g *Group) Go(fn func(ctx context.Context) error) { g.start(fn, waitForRoom) }

// TryGo runs fn on the group's pool only if the pool can take it at once,
// and reports whether it did. When the pool is full it returns false and
// records nothing; when the task cannot be accepted for another reason
// (pool closed, context ended, nil fn) it returns false and records the
// error as Go does. A zero Group always has room.
func (g *Group) TryGo(fn func(ctx context.Context) error) bool {
	return g.start(fn, failIfFull)
}

func (g *Group) start(fn func(context.Context) error, how admission) bool {
	g.mu.Lock()
	r := g.roundLocked()
	t := &groupTask{g: g, r: r, fn: fn, i: r.n}
	r.n++
	r.live++
	g.mu.Unlock()
	switch {
	case fn == nil:
		t.end(ErrNilTask)
		return false
	case g.refuse != nil:
		t.end(g.refuse)
		return false
	case g.p == nil:
		go t.execute()
		return true
	}
	try := how
	if g.helps {
		try = failIfFull
	}
	err := g.p.submit(r.ctx, t.run, selfCountingTask, try)
	switch {
	case err == nil:
		if g.helps {
			g.mu.Lock()
			r.todo = append(r.todo, t)
			r.pokeLocked()
			g.mu.Unlock()
		}
		return true
	case err == ErrFull && g.helps && how == waitForRoom:
		// The pool is full and we are one of its workers: waiting could be
		// waiting for ourselves, so run the task here.
		g.p.acceptInline()
		t.claimed.Store(true)
		t.execute()
		return true
	case err == ErrFull && how == failIfFull:
		t.end(nil)
		return false
	case r.ctx.Err() != nil:
		// Refused because the round's context had ended (the group failed,
		// or its parent ended): a skip, recorded as execute records one.
		t.skipped(context.Cause(r.ctx))
		return false
	}
	t.end(err)
	return false
}

// roundLocked returns the current round, starting one if needed.
func (g *Group) roundLocked() *round {
	if g.cur != nil {
		return g.cur
	}
	parent := g.parent
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancelCause(parent)
	r := &round{ctx: ctx, cancel: cancel, unlink: noUnlink}
	if g.p != nil {
		pctx := g.p.Context()
		r.unlink = g.p.follow(func() { cancel(context.Cause(pctx)) })
	}
	if g.err != nil && g.mode == FirstError {
		cancel(g.err) // a failed group stays failed
	}
	g.cur = r
	return r
}

// run is what the pool's worker calls.
func (t *groupTask) run() {
	if t.claimed.Swap(true) {
		return // a helping Wait ran it already
	}
	t.execute()
}

// execute runs the task, or skips it when the round's context has ended,
// and records how it ended.
func (t *groupTask) execute() {
	g, r := t.g, t.r
	returned := false
	defer func() {
		if !returned { // runtime.Goexit, as in t.FailNow
			if g.p != nil {
				g.p.failed.Add(1)
			}
			t.end(async.ErrGoexit)
		}
	}()
	if cause := t.cancelled(); cause != nil {
		if g.p != nil {
			g.p.cancelled.Add(1)
		}
		returned = true
		t.skipped(cause)
		return
	}
	_, err := protect(r.ctx, t.call)
	returned = true
	if g.p != nil {
		g.p.record(err)
	}
	t.end(err)
}

// cancelled returns why the task must be skipped: the cause of the end of
// the round's context or of the pool's, or nil.
func (t *groupTask) cancelled() error {
	if t.r.ctx.Err() != nil {
		return context.Cause(t.r.ctx)
	}
	if p := t.g.p; p != nil && p.contextErr() != nil {
		return context.Cause(p.ctx)
	}
	return nil
}

// call is the task's function in the shape protect takes.
func (t *groupTask) call(ctx context.Context) (struct{}, error) { return struct{}{}, t.fn(ctx) }

// end records the task's error (nil for none) and that it is over.
func (t *groupTask) end(err error) {
	g, r := t.g, t.r
	g.mu.Lock()
	if err != nil {
		if g.mode == AllErrors {
			r.errs.Add(t.i, err)
		} else if g.err == nil {
			g.err = err
			r.cancel(err)
		}
	}
	r.live--
	r.pokeLocked()
	g.mu.Unlock()
}

// skipped records a task skipped because the round's context had ended
// with cause: the group's error if it is the first (FirstError), or one
// entry for all such tasks (AllErrors).
func (t *groupTask) skipped(cause error) {
	g, r := t.g, t.r
	g.mu.Lock()
	switch {
	case g.mode == AllErrors:
		if r.skip == nil {
			r.skip = cause
		}
	case g.err == nil:
		g.err = cause
	}
	r.live--
	r.pokeLocked()
	g.mu.Unlock()
}

func (r *round) pokeLocked() {
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
}

// Wait waits for every task given to the group since the previous Wait
// and returns the group's error (see ErrorMode); nil if none. It then
// cancels the round's context, and the next Go starts a new round.
func (g *Group) Wait() error {
	g.mu.Lock()
	r := g.cur
	if r == nil {
		err := g.err
		g.mu.Unlock()
		return err
	}
	for r.live > 0 {
		if t := r.takeLocked(); t != nil {
			g.mu.Unlock()
			if !t.claimed.Swap(true) {
				t.execute() // help: run a queued task of ours in place
			}
			g.mu.Lock()
			continue
		}
		if r.changed == nil {
			r.changed = make(chan struct{})
		}
		changed := r.changed
		g.mu.Unlock()
		<-changed
		g.mu.Lock()
	}
	if g.cur == r {
		g.cur = nil
	}
	err := g.resultLocked(r)
	g.mu.Unlock()
	r.unlink()
	r.cancel(context.Canceled)
	return err
}

// takeLocked returns a task of a helping group's round that may still be
// in the pool's queue, or nil.
func (r *round) takeLocked() *groupTask {
	for len(r.todo) > 0 {
		t := r.todo[len(r.todo)-1]
		r.todo[len(r.todo)-1] = nil
		r.todo = r.todo[:len(r.todo)-1]
		if !t.claimed.Load() {
			return t
		}
	}
	return nil
}

func (g *Group) resultLocked(r *round) error {
	if g.mode != AllErrors {
		return g.err
	}
	return r.errs.Join(r.skip)
}
