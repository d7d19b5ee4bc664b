package context_test

import (
	stdctx "context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/check"
	checkctx "github.com/labludus/ludus/check/context"
	"github.com/labludus/ludus/check/rt"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// api is the part of a context package the tests use: the standard one
// and the checker's drop-in run the same tests.
type api struct {
	Background      func() stdctx.Context
	WithCancel      func(stdctx.Context) (stdctx.Context, stdctx.CancelFunc)
	WithCancelCause func(stdctx.Context) (stdctx.Context, stdctx.CancelCauseFunc)
	WithTimeout     func(stdctx.Context, time.Duration) (stdctx.Context, stdctx.CancelFunc)
	WithDeadline    func(stdctx.Context, time.Time) (stdctx.Context, stdctx.CancelFunc)
	WithValue       func(stdctx.Context, any, any) stdctx.Context
	WithoutCancel   func(stdctx.Context) stdctx.Context
	AfterFunc       func(stdctx.Context, func()) func() bool
	Cause           func(stdctx.Context) error
}

var std = api{stdctx.Background, stdctx.WithCancel, stdctx.WithCancelCause, stdctx.WithTimeout, stdctx.WithDeadline,
	stdctx.WithValue, stdctx.WithoutCancel, stdctx.AfterFunc, stdctx.Cause}

var ours = api{checkctx.Background, checkctx.WithCancel, checkctx.WithCancelCause, checkctx.WithTimeout, checkctx.WithDeadline,
	checkctx.WithValue, checkctx.WithoutCancel, checkctx.AfterFunc, checkctx.Cause}

type key struct{}

// chans is how a scenario makes, closes and waits on channels: plain Go
// outside an exploration, the runtime of rewritten code inside one.
type chans struct {
	make  func() chan struct{}
	close func(chan struct{})
	recv  func(<-chan struct{})
}

var plain = chans{func() chan struct{} { return make(chan struct{}) }, func(c chan struct{}) { close(c) }, func(c <-chan struct{}) { <-c }}

var checked = chans{func() chan struct{} { return rt.Make(make(chan struct{})) }, func(c chan struct{}) { rt.Close(c) }, func(c <-chan struct{}) { rt.Recv(c) }}

// behaviour runs the tests' scenarios with package p, reporting through
// errorf, with channels from ch.
func behaviour(p api, errorf func(string, ...any), ch chans) {
	recv := ch.recv
	parent, cancel := p.WithCancel(p.WithValue(p.Background(), key{}, "v"))
	child, cancelChild := p.WithCancel(parent)
	defer cancelChild()
	if child.Value(key{}) != "v" {
		errorf("child lost the value")
	}
	if child.Err() != nil {
		errorf("child done before its parent was cancelled")
	}
	ran := ch.make()
	stop := p.AfterFunc(child, func() { ch.close(ran) })
	cancel()
	recv(child.Done())
	if !errors.Is(child.Err(), stdctx.Canceled) || p.Cause(child) != stdctx.Canceled {
		errorf("child: Err %v, Cause %v", child.Err(), p.Cause(child))
	}
	recv(ran)
	if stop() {
		errorf("stop returned true after the AfterFunc ran")
	}

	cc, cancelCause := p.WithCancelCause(p.Background())
	why := errors.New("why")
	cancelCause(why)
	if cc.Err() != stdctx.Canceled || p.Cause(cc) != why {
		errorf("WithCancelCause: Err %v, Cause %v", cc.Err(), p.Cause(cc))
	}

	tc, cancelT := p.WithTimeout(p.Background(), 5*time.Millisecond)
	defer cancelT()
	if _, ok := tc.Deadline(); !ok {
		errorf("WithTimeout has no deadline")
	}
	recv(tc.Done())
	if tc.Err() != stdctx.DeadlineExceeded {
		errorf("WithTimeout: Err %v", tc.Err())
	}

	past, cancelP := p.WithDeadline(p.Background(), time.Unix(0, 0))
	defer cancelP()
	if past.Err() != stdctx.DeadlineExceeded {
		errorf("a deadline in the past: Err %v", past.Err())
	}

	free := p.WithoutCancel(parent)
	if free.Err() != nil || free.Done() != nil || free.Value(key{}) != "v" {
		errorf("WithoutCancel: Err %v, Done %v", free.Err(), free.Done())
	}
	ownParent(p, errorf, ch)
}

// ownParent: a context of the program's own type (as async's is) is
// followed by the contexts made under it and by AfterFunc.
func ownParent(p api, errorf func(string, ...any), ch chans) {
	o := newOwn(p.Background(), ch)
	oc, cancelOC := p.WithCancel(o)
	defer cancelOC()
	ran := ch.make()
	stop := p.AfterFunc(o, func() { ch.close(ran) })
	errOwn := errors.New("own")
	o.cancel(errOwn)
	ch.recv(oc.Done())
	if oc.Err() != errOwn || p.Cause(oc) != errOwn || p.Cause(o) != errOwn {
		errorf("under a context of the program's own: Err %v, Cause %v, its Cause %v", oc.Err(), p.Cause(oc), p.Cause(o))
	}
	ch.recv(ran)
	if stop() {
		errorf("stop returned true after the AfterFunc ran on the program's own context")
	}
}

// own is a Context of the program's own type: its Done channel is made and
// closed by the program.
type own struct {
	stdctx.Context
	done  chan struct{}
	err   atomic.Pointer[error]
	close func(chan struct{})
}

func newOwn(parent stdctx.Context, ch chans) *own {
	return &own{Context: parent, done: ch.make(), close: ch.close}
}

func (o *own) Done() <-chan struct{} { return o.done }

func (o *own) Err() error {
	if e := o.err.Load(); e != nil {
		return *e
	}
	return nil
}

func (o *own) cancel(err error) {
	o.err.Store(&err)
	o.close(o.done)
}

// A context made under one of the program's own that is never cancelled
// leaves a goroutine following it, as the standard package does; the
// checker does not call that goroutine a leak.
func TestFollowerIsNotALeak(t *testing.T) {
	r := check.Run(func(ct *check.T) {
		o := newOwn(checkctx.Background(), checked)
		c, cancel := checkctx.WithCancel(o)
		_ = cancel // never called: the follower stays
		if c.Err() != nil {
			ct.Errorf("cancelled early")
		}
	})
	if r.Verdict() != check.Pass {
		t.Fatalf("%+v", r)
	}
}

// Outside an exploration the drop-in behaves as the standard package.
func TestSameAsStandard(t *testing.T) {
	for name, p := range map[string]api{"context": std, "check/context": ours} {
		t.Run(name, func(t *testing.T) { behaviour(p, t.Errorf, plain) })
	}
}

// Inside an exploration, every schedule behaves the same, on the virtual
// clock (the timeout costs no real time).
func TestInsideAnExploration(t *testing.T) {
	start := time.Now()
	r := check.Run(func(ct *check.T) { behaviour(ours, ct.Errorf, checked) })
	if r.Verdict() != check.Pass || time.Since(start) > 5*time.Second {
		t.Fatalf("%+v", r)
	}
}
