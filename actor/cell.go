package actor

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"time"

	"github.com/labludus/ludus/panics"
)

// lifeState is where an actor is in its life; only its own goroutine
// changes it.
type lifeState uint8

const (
	stateNew        lifeState = iota
	stateRunning              // handling user messages
	stateSuspended            // failed: waiting for its supervisor's directive
	stateRestarting           // waiting for its children to end before setup runs again
	stateStopping             // waiting for its children to end before terminating
	stateTerminated           // gone: user messages go to dead letters
)

// sysKind names a system message. System messages travel in their own queue,
// which the actor drains before every user message: that is how a Kill, a
// Watch or a supervisor's directive overtakes a full mailbox.
type sysKind uint8

const (
	sysStop       sysKind = iota // terminate after the current message; err is the reason
	sysWatch                     // from starts watching
	sysUnwatch                   // from stops watching
	sysTerminated                // from (a child or a watched actor) ended with err
	sysFailed                    // child from failed with err (a *Failure)
	sysResume                    // supervisor says: go on
	sysRestart                   // supervisor says: restart, err is the cause
)

type sysMsg struct {
	kind sysKind
	from process // who it is from: an actor here, or one in another System
	err  error
}

// ctlStop marks the graceful-stop envelope Stop puts at the end of the user
// queue: everything queued before it is handled first.
const ctlStop uint8 = 1

type envelope[M any] struct {
	msg    M
	sender process
	ctl    uint8
}

// process is the untyped face of anything a reference points to: an actor,
// the one-shot receiver of an Ask, or a process in another System reached
// through a Transport.
type process interface {
	address() Address
	// ident is the process's identity as a map key: the same for every
	// reference to it, whatever its message type (a typed reference to a
	// remote actor and an untyped one are different values with one ident).
	ident() process
	tellAny(msg any, sender process, mode sendMode) error
	sendSys(m sysMsg)
	stopGraceful()
	core() *base // nil when the process is not an actor
	system() *System
}

// typed is a process that accepts messages of type M without boxing them.
type typed[M any] interface {
	process
	tell(ctx context.Context, msg M, sender process, mode sendMode) error
}

// sendMode says what a send does when a bounded mailbox is full, for the
// senders that have no one to hand a refused message back to.
type sendMode uint8

const (
	// modeSend is Send: a full Block mailbox waits (within ctx), a full
	// Fail mailbox hands the message back as an error.
	modeSend sendMode = iota
	// modeNoWait never blocks and never hands back: a full mailbox drops
	// to dead letters whatever its policy. Timers use it (a timer goroutine
	// must not block), and so do messages arriving from a transport (one
	// full mailbox must not stall a whole connection).
	modeNoWait
	// modeReply is Reply: it waits like Send on a full Block mailbox, but
	// a full Fail mailbox drops to dead letters, since the replier has no
	// way to keep the reply.
	modeReply
)

// base is the part of an actor that does not depend on its message type:
// identity, tree, scheduling, system queue, supervision.
type base struct {
	sys    *System
	parent *base
	self   process
	name   string // "" for a generated name ("$" + id)
	id     uint64

	// status is 1 while a goroutine owns the actor (scheduled or running),
	// 0 when it is idle. Whoever flips it 0 -> 1 starts the goroutine.
	status atomicInt32
	// closed is set when the actor has terminated; senders read it to
	// dead-letter early. A message that slips past it is dead-lettered by
	// the actor's own loop, so the flag is a shortcut, not a guarantee.
	closed atomicBool

	// The small fields are packed together: an idle actor is mostly this
	// struct, and a million of them make every byte count.
	state      lifeState  // owned by the actor's goroutine
	policy     Policy     // bounded mailboxes: what a full one does
	noSpawn    spawnBlock // guarded by mu: why Spawn under this actor is refused
	ended      bool       // guarded by mu
	throughput int32

	sysq mpsc[sysMsg]

	// Owned by the actor's goroutine.
	strategy *Strategy
	bx       *baseExtra

	mu       mutex // guards the fields below, and noSpawn and ended
	children map[*base]struct{}
	named    map[string]*base
	done     chan struct{}
}

// spawnBlock says why an actor refuses new children.
type spawnBlock uint8

const (
	spawnOK       spawnBlock = iota
	spawnStopped             // the actor is stopping or restarting
	spawnShutdown            // the System is shutting down (the guardian only)
)

func (b spawnBlock) err() error {
	switch b {
	case spawnStopped:
		return ErrStopped
	case spawnShutdown:
		return ErrSystemStopped
	}
	return nil
}

// baseExtra holds what most actors never use, so an idle actor stays small.
type baseExtra struct {
	reason    error // why the actor ended (set when it starts to stop)
	stats     map[*base]*childStats
	watchers  map[process]struct{} // keyed by ident()
	escalated []*base
}

func (b *base) extra() *baseExtra {
	if b.bx == nil {
		b.bx = &baseExtra{}
	}
	return b.bx
}

func (b *base) core() *base { return b }

func (c *cell[M]) ident() process { return c }

func (c *cell[M]) messageType() reflect.Type { return reflect.TypeFor[M]() }

// reason is why the actor ended; nil for a normal stop.
func (b *base) reason() error {
	if b.bx == nil {
		return nil
	}
	return b.bx.reason
}

// setReason records err, allocating the extras only for a non-nil reason:
// most actors end normally.
func (b *base) setReason(err error) {
	if err != nil || b.bx != nil {
		b.extra().reason = err
	}
}

func (b *base) system() *System { return b.sys }

func (b *base) elem() string {
	if b.name != "" {
		return b.name
	}
	return "$" + strconv.FormatUint(b.id, 10)
}

// path is computed on demand: storing it would cost every actor a string.
func (b *base) path() string {
	if b.parent == nil {
		return "/" + b.elem()
	}
	return b.parent.path() + "/" + b.elem()
}

func (b *base) address() Address {
	return Address{System: b.sys.name, Path: b.path(), ID: b.id}
}

func (b *base) doneChan() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done == nil {
		b.done = make(chan struct{})
		if b.ended {
			close(b.done)
		}
	}
	return b.done
}

func (b *base) childList() []*base {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]*base, 0, len(b.children))
	for k := range b.children {
		out = append(out, k)
	}
	return out
}

func (b *base) childCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.children)
}

func (b *base) hasChild(k *base) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.children[k]
	return ok
}

// cell is an actor whose user messages have type M.
type cell[M any] struct {
	base
	userq    mpsc[envelope[M]]
	tokens   chan struct{} // bounded mailboxes: one token per queued user message
	setup    func(*Context[M]) Behavior[M]
	behavior Behavior[M]
	ctx      Context[M]
	cx       *cellExtra[M]
}

type cellExtra[M any] struct {
	pending    []envelope[M] // handled before the mailbox: unstashed messages, Terminated notices
	stash      []envelope[M]
	watching   map[process]func(Terminated) M // keyed by ident()
	timers     timerSet
	stopping   func()
	stopped    func(reason error)
	restarting func(reason error)
}

func (c *cell[M]) extra() *cellExtra[M] {
	if c.cx == nil {
		c.cx = &cellExtra[M]{}
	}
	return c.cx
}

// schedule hands the actor to a goroutine unless one already owns it. This
// CAS is one half of the hand-off; the other half is in run.
func (c *cell[M]) schedule() {
	if c.status.CompareAndSwap(0, 1) {
		startGoroutine(c.run)
	}
}

// run owns the actor until it has nothing to do. After draining it releases
// ownership and only then looks at the queues again: a producer that pushed
// after the drain either sees status 0 and schedules a new goroutine itself,
// or linked its node before our look, and we take ownership back. Releasing
// before looking (not after) is what keeps a message from being stranded in
// the mailbox of an idle actor.
//
// Once released, the queues' consumer side may belong to another goroutine,
// so the look must not touch it: it reads, through atomics only, the next
// link of the nodes that were last when the drain ended. Whatever was pushed
// since hangs off those nodes.
func (c *cell[M]) run() {
	for {
		c.drain()
		sysLast, userLast := c.sysq.tail, c.userq.tail
		user := c.state == stateRunning || c.state == stateStopping || c.state == stateTerminated
		if brokenHandOff && sysLast.next.Load() == nil && (!user || userLast.next.Load() == nil) {
			// The bug the comment above warns of: looked, then released.
			c.status.Store(0)
			return
		}
		c.status.Store(0)
		if sysLast.next.Load() == nil && (!user || userLast.next.Load() == nil) {
			return
		}
		if !c.status.CompareAndSwap(0, 1) {
			return
		}
	}
}

func (c *cell[M]) drain() {
	if c.state == stateNew {
		// Spawn scheduled the actor without a message: setup runs first,
		// whatever woke the actor. (A start message would cost every actor
		// a queue node for the rest of its life.)
		c.start()
	}
	n := 0
	for {
		if m, ok := c.sysq.pop(); ok {
			c.handleSys(m)
			continue
		}
		switch c.state {
		case stateRunning:
			env, ok := c.next()
			if !ok {
				return
			}
			c.deliver(env)
			if n++; n >= int(c.throughput) {
				n = 0
				runtime.Gosched()
			}
		case stateStopping, stateTerminated:
			env, ok := c.next()
			if !ok {
				return
			}
			if env.ctl == 0 {
				c.sys.deadLetter(c, env.msg, env.sender, ErrStopped)
			}
		default:
			return
		}
	}
}

// next takes the next user message: pending ones first, then the mailbox.
func (c *cell[M]) next() (envelope[M], bool) {
	if c.cx != nil && len(c.cx.pending) > 0 {
		env := c.cx.pending[0]
		c.cx.pending[0] = envelope[M]{}
		c.cx.pending = c.cx.pending[1:]
		return env, true
	}
	env, ok := c.userq.pop()
	if ok && c.tokens != nil && env.ctl == 0 {
		<-c.tokens
	}
	return env, ok
}

func (c *cell[M]) deliver(env envelope[M]) {
	if env.ctl == ctlStop {
		c.beginStop(nil, true)
		return
	}
	c.ctx.env = env
	err := c.invoke(env.msg)
	c.ctx.env = envelope[M]{}
	if err != nil {
		if c.state == stateRunning || c.state == stateSuspended {
			c.fail(err, env.msg, env.sender)
		}
	}
}

func (c *cell[M]) invoke(msg M) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panics.New(r)
		}
	}()
	return c.behavior(&c.ctx, msg)
}

// protect runs a hook, turning a panic into an error.
func protect(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panics.New(r)
		}
	}()
	f()
	return nil
}

func (c *cell[M]) handleSys(m sysMsg) {
	switch m.kind {
	case sysStop:
		c.beginStop(m.err, false)
	case sysWatch:
		if c.state == stateTerminated {
			m.from.sendSys(sysMsg{kind: sysTerminated, from: c, err: c.reason()})
			return
		}
		x := c.base.extra()
		if x.watchers == nil {
			x.watchers = make(map[process]struct{})
		}
		x.watchers[m.from.ident()] = struct{}{}
	case sysUnwatch:
		if c.bx != nil {
			delete(c.bx.watchers, m.from.ident())
		}
	case sysTerminated:
		c.onTerminated(m.from, m.err)
	case sysFailed:
		c.onChildFailed(m.from.core(), m.err)
	case sysResume:
		if c.state == stateSuspended {
			if c.behavior == nil { // setup never succeeded: nothing to resume
				c.restart(m.err)
				return
			}
			c.state = stateRunning
			c.resumeEscalated()
		}
	case sysRestart:
		c.restart(m.err)
	}
}

func (c *cell[M]) start() {
	if c.state != stateNew {
		return
	}
	c.state = stateRunning
	c.runSetup()
}

func (c *cell[M]) runSetup() {
	b, err := c.callSetup()
	if err == nil && b == nil {
		err = ErrNilBehavior
	}
	if err != nil {
		c.behavior = nil
		c.fail(err, nil, nil)
		return
	}
	c.behavior = b
}

func (c *cell[M]) callSetup() (b Behavior[M], err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panics.New(r)
		}
	}()
	return c.setup(&c.ctx), nil
}

// fail suspends the actor and reports to its supervisor.
func (c *cell[M]) fail(err error, msg any, sender process) {
	f := &Failure{Actor: c.address(), Message: msg, Err: err}
	if a, ok := sender.(interface{ fail(error) }); ok {
		// An Ask waiting on this message learns of the failure now rather
		// than at its deadline.
		a.fail(f)
	}
	c.escalate(f)
}

func (c *cell[M]) escalate(f *Failure) {
	if c.state == stateSuspended {
		return // already waiting for a decision; that decision covers this too
	}
	c.state = stateSuspended
	if c.parent == nil {
		return // the guardian never runs user code; nothing can get here
	}
	c.parent.self.sendSys(sysMsg{kind: sysFailed, from: c, err: f})
}

func (c *cell[M]) resumeEscalated() {
	if c.bx == nil {
		return
	}
	for _, k := range c.bx.escalated {
		k.self.sendSys(sysMsg{kind: sysResume})
	}
	c.bx.escalated = nil
}

// onChildFailed is the supervisor's side of a failure.
func (c *cell[M]) onChildFailed(child *base, err error) {
	if !c.hasChild(child) {
		return
	}
	switch c.state {
	case stateStopping, stateRestarting, stateTerminated:
		// The child is being stopped anyway; make sure a suspended child
		// does not hold the stop up.
		child.self.sendSys(sysMsg{kind: sysStop, err: err})
		return
	}
	s := c.strategy
	d := s.decide(err)
	var delay time.Duration
	if d == Restart {
		x := c.base.extra()
		if x.stats == nil {
			x.stats = make(map[*base]*childStats)
		}
		st := x.stats[child]
		if st == nil {
			st = &childStats{}
			x.stats[child] = st
		}
		var ok bool
		if delay, ok = st.allow(s, time.Now()); !ok {
			d = Escalate
		}
	}
	if d == Escalate && c.parent == nil {
		d = Stop
	}
	if f, ok := err.(*Failure); ok {
		c.sys.reportFailure(f, d)
	}
	switch d {
	case Resume:
		child.self.sendSys(sysMsg{kind: sysResume})
	case Restart:
		for _, k := range c.affected(child) {
			c.restartChild(k, err, delay)
		}
	case Stop:
		for _, k := range c.affected(child) {
			k.self.sendSys(sysMsg{kind: sysStop, err: err})
		}
	case Escalate:
		x := c.base.extra()
		x.escalated = append(x.escalated, child)
		c.escalate(&Failure{Actor: c.address(), Err: err})
	}
}

// affected lists the children a Restart or Stop applies to under the
// supervisor's scope, the failed child first.
func (c *cell[M]) affected(child *base) []*base {
	if c.strategy.Scope == OneForOne {
		return []*base{child}
	}
	out := []*base{child}
	for _, k := range c.childList() {
		if k == child {
			continue
		}
		// IDs grow with spawn order, so "spawned after" is "larger ID".
		if c.strategy.Scope == AllForOne || k.id > child.id {
			out = append(out, k)
		}
	}
	return out
}

func (c *cell[M]) restartChild(k *base, cause error, delay time.Duration) {
	msg := sysMsg{kind: sysRestart, err: cause}
	if delay <= 0 {
		k.self.sendSys(msg)
		return
	}
	x := c.base.extra()
	if x.stats == nil {
		x.stats = make(map[*base]*childStats)
	}
	st := x.stats[k]
	if st == nil {
		st = &childStats{}
		x.stats[k] = st
	}
	if st.timer != nil {
		st.timer.Stop()
	}
	st.timer = time.AfterFunc(delay, func() { k.self.sendSys(msg) })
}

// stopRestartTimers cancels the delayed restarts and returns the children
// whose restart it cancelled (they stay suspended).
func (c *cell[M]) stopRestartTimers() map[*base]bool {
	cancelled := map[*base]bool{}
	if c.bx == nil {
		return cancelled
	}
	for k, st := range c.bx.stats {
		if st.timer != nil {
			if st.timer.Stop() {
				cancelled[k] = true
			}
			st.timer = nil
		}
	}
	return cancelled
}

func (c *cell[M]) onTerminated(fromProc process, reason error) {
	if from := fromProc.core(); from != nil && from.parent == &c.base {
		if c.bx != nil {
			if st := c.bx.stats[from]; st != nil {
				if st.timer != nil {
					st.timer.Stop()
				}
				delete(c.bx.stats, from)
			}
			for i, k := range c.bx.escalated {
				if k == from {
					c.bx.escalated = append(c.bx.escalated[:i], c.bx.escalated[i+1:]...)
					break
				}
			}
		}
		switch c.state {
		case stateStopping:
			if c.childCount() == 0 {
				c.finishStop()
			}
		case stateRestarting:
			if c.childCount() == 0 {
				c.finishRestart()
			}
		}
		if c.parent == nil && c.sys.shuttingDown.Load() && c.childCount() == 0 {
			c.sys.allStopped()
		}
	}
	if c.cx == nil || c.cx.watching == nil {
		return
	}
	key := fromProc.ident()
	f, ok := c.cx.watching[key]
	if !ok {
		return
	}
	delete(c.cx.watching, key)
	if c.state == stateTerminated || c.state == stateStopping {
		return
	}
	var msg M
	if err := protect(func() { msg = f(Terminated{Ref: AnyRef{fromProc}, Reason: reason}) }); err != nil {
		c.fail(err, nil, nil)
		return
	}
	c.cx.pending = append(c.cx.pending, envelope[M]{msg: msg})
}

func (c *cell[M]) beginStop(reason error, graceful bool) {
	if c.state == stateStopping || c.state == stateTerminated {
		return
	}
	started := c.behavior != nil
	c.state = stateStopping
	c.setReason(reason)
	c.mu.Lock()
	c.noSpawn = spawnStopped
	c.mu.Unlock()
	if started && c.cx != nil && c.cx.stopping != nil {
		if err := protect(c.cx.stopping); err != nil && c.reason() == nil {
			c.setReason(err)
		}
	}
	c.cancelTimers()
	// A child waiting for a delayed restart, or for the fate of an
	// escalation, handles no user message: a graceful stop marker would
	// wait in its mailbox forever. Stop those at once.
	suspended := c.stopRestartTimers()
	if c.bx != nil {
		for _, k := range c.bx.escalated {
			suspended[k] = true
		}
	}
	kids := c.childList()
	for _, k := range kids {
		if graceful && !suspended[k] {
			k.self.stopGraceful()
		} else {
			k.self.sendSys(sysMsg{kind: sysStop, err: reason})
		}
	}
	if len(kids) == 0 {
		c.finishStop()
	}
}

func (c *cell[M]) finishStop() {
	if c.behavior != nil && c.cx != nil && c.cx.stopped != nil {
		stopped := c.cx.stopped
		if err := protect(func() { stopped(c.reason()) }); err != nil && c.reason() == nil {
			c.setReason(err)
		}
	}
	c.state = stateTerminated
	c.closed.Store(true)
	c.behavior = nil
	// What is queued now was accepted before the close: dead-letter it before
	// anyone hears of the termination, so that Done and Terminated come after
	// the books are settled. Later stragglers (senders that passed the
	// closed check just before it was set) are dead-lettered by drain.
	for {
		env, ok := c.next()
		if !ok {
			break
		}
		if env.ctl == 0 {
			c.sys.deadLetter(c, env.msg, env.sender, ErrStopped)
		}
	}
	if c.cx != nil {
		c.unwatchAll()
		for _, env := range c.cx.pending {
			if env.ctl == 0 {
				c.sys.deadLetter(c, env.msg, env.sender, ErrStopped)
			}
		}
		for _, env := range c.cx.stash {
			c.sys.deadLetter(c, env.msg, env.sender, ErrStopped)
		}
		c.cx.pending, c.cx.stash = nil, nil
	}
	term := sysMsg{kind: sysTerminated, from: c, err: c.reason()}
	p := c.parent
	if p != nil {
		// Free the name before telling anyone, so that a watcher reacting to
		// Terminated can spawn a successor under the same name.
		p.mu.Lock()
		delete(p.children, &c.base)
		if c.name != "" && p.named[c.name] == &c.base {
			delete(p.named, c.name)
		}
		p.mu.Unlock()
	}
	if c.bx != nil {
		for w := range c.bx.watchers {
			if w.core() != c.parent || w.core() == nil {
				w.sendSys(term)
			}
		}
		c.bx.watchers = nil
	}
	if p != nil {
		// The parent last: when the last child's Terminated reaches the
		// guardian the System is done (Shutdown returns), so every
		// watcher, remote ones through the transport, must have been told
		// by then. Told first, the parent let Shutdown return while this
		// goroutine still called the transport (ludus check found a send
		// on the test transport's closed queue, at PCT depth 3).
		p.self.sendSys(term)
	}
	c.mu.Lock()
	c.ended = true
	if c.done != nil {
		close(c.done)
	}
	c.mu.Unlock()
}

func (c *cell[M]) unwatchAll() {
	for w := range c.cx.watching {
		w.sendSys(sysMsg{kind: sysUnwatch, from: c})
	}
	c.cx.watching = nil
}

func (c *cell[M]) restart(cause error) {
	switch c.state {
	case stateStopping, stateTerminated, stateRestarting, stateNew:
		return
	}
	if c.behavior != nil && c.cx != nil && c.cx.restarting != nil {
		protect(func() { c.cx.restarting(cause) }) //nolint: a failing hook must not stop the restart
	}
	c.cancelTimers()
	c.stopRestartTimers()
	if c.cx != nil {
		c.unwatchAll()
		// Stashed messages were accepted: they survive the restart, ahead of
		// the mailbox, in their order.
		if len(c.cx.stash) > 0 {
			c.cx.pending = append(c.cx.stash, c.cx.pending...)
			c.cx.stash = nil
		}
		c.cx.stopping, c.cx.stopped, c.cx.restarting = nil, nil, nil
	}
	if c.bx != nil {
		c.bx.escalated = nil
	}
	c.behavior = nil
	c.state = stateRestarting
	c.mu.Lock()
	c.noSpawn = spawnStopped
	c.mu.Unlock()
	kids := c.childList()
	for _, k := range kids {
		k.self.sendSys(sysMsg{kind: sysStop, err: cause})
	}
	if len(kids) == 0 {
		c.finishRestart()
	}
}

func (c *cell[M]) finishRestart() {
	c.mu.Lock()
	c.noSpawn = spawnOK
	c.mu.Unlock()
	c.state = stateRunning
	c.runSetup()
}

// sendSys queues a system message and schedules the actor.
func (c *cell[M]) sendSys(m sysMsg) {
	c.sysq.push(m)
	c.schedule()
}

// stopGraceful queues the stop marker behind every user message already
// queued. It ignores the mailbox bound: a stop must always get in.
func (c *cell[M]) stopGraceful() {
	if c.closed.Load() {
		return
	}
	c.userq.push(envelope[M]{ctl: ctlStop})
	c.schedule()
}

// tell is Send, with mode saying what a full bounded mailbox does. The fast path (an
// unbounded, live actor) is kept tiny: it runs on the sender's stack, often
// a freshly started goroutine's, where every byte of frame counts.
func (c *cell[M]) tell(ctx context.Context, msg M, sender process, mode sendMode) error {
	if c.tokens != nil || c.closed.Load() {
		return c.tellSlow(ctx, msg, sender, mode)
	}
	c.userq.push(envelope[M]{msg: msg, sender: sender})
	c.schedule()
	return nil
}

//go:noinline
func (c *cell[M]) tellSlow(ctx context.Context, msg M, sender process, mode sendMode) error {
	if c.closed.Load() {
		c.sys.deadLetter(c, msg, sender, ErrStopped)
		return ErrStopped
	}
	select {
	case c.tokens <- struct{}{}:
	default:
		switch {
		case c.policy == Block && mode != modeNoWait:
			select {
			case c.tokens <- struct{}{}:
			case <-ctx.Done():
				return fmt.Errorf("actor: send to %s: %w", c.address(), ctx.Err())
			}
		case c.policy == Fail && mode == modeSend:
			return ErrMailboxFull
		default:
			c.sys.deadLetter(c, msg, sender, ErrMailboxFull)
			return ErrMailboxFull
		}
	}
	c.userq.push(envelope[M]{msg: msg, sender: sender})
	c.schedule()
	return nil
}

func (c *cell[M]) tellAny(msg any, sender process, mode sendMode) error {
	m, ok := msg.(M)
	if !ok {
		return fmt.Errorf("%w: %T sent to %s, which takes %v", ErrWrongType, msg, c.address(), reflect.TypeFor[M]())
	}
	return c.tell(context.Background(), m, sender, mode)
}

func (c *cell[M]) cancelTimers() {
	if c.cx != nil {
		c.cx.timers.cancelAll()
	}
}
