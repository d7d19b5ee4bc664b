package time_test

import (
	"testing"
	stdtime "time"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/rt"
	checktime "github.com/labludus/ludus/check/time"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// timer is what the scenarios use of a *time.Timer.
type timer interface {
	Stop() bool
	Reset(stdtime.Duration) bool
}

// api is the part of a time package the tests use: the standard one and
// the checker's drop-in run the same scenarios.
type api struct {
	Now       func() stdtime.Time
	Since     func(stdtime.Time) stdtime.Duration
	Sleep     func(stdtime.Duration)
	After     func(stdtime.Duration) <-chan stdtime.Time
	NewTimer  func(stdtime.Duration) (timer, <-chan stdtime.Time)
	AfterFunc func(stdtime.Duration, func()) timer
	NewTicker func(stdtime.Duration) (<-chan stdtime.Time, func())
	Tick      func(stdtime.Duration) <-chan stdtime.Time
}

var std = api{stdtime.Now, stdtime.Since, stdtime.Sleep, stdtime.After,
	func(d stdtime.Duration) (timer, <-chan stdtime.Time) { t := stdtime.NewTimer(d); return t, t.C },
	func(d stdtime.Duration, f func()) timer { return stdtime.AfterFunc(d, f) },
	func(d stdtime.Duration) (<-chan stdtime.Time, func()) { k := stdtime.NewTicker(d); return k.C, k.Stop },
	stdtime.Tick}

var ours = api{checktime.Now, checktime.Since, checktime.Sleep, checktime.After,
	func(d stdtime.Duration) (timer, <-chan stdtime.Time) { t := checktime.NewTimer(d); return t, t.C },
	func(d stdtime.Duration, f func()) timer { return checktime.AfterFunc(d, f) },
	func(d stdtime.Duration) (<-chan stdtime.Time, func()) {
		k := checktime.NewTicker(d)
		return k.C, k.Stop
	},
	checktime.Tick}

// chans is how a scenario uses channels: plain Go outside an exploration,
// the runtime of rewritten code inside one.
type chans struct {
	recv    func(<-chan stdtime.Time) stdtime.Time
	tryRecv func(<-chan stdtime.Time) bool
	signal  func() (wait func(), fire func())
}

var plain = chans{
	recv: func(c <-chan stdtime.Time) stdtime.Time { return <-c },
	tryRecv: func(c <-chan stdtime.Time) bool {
		select {
		case <-c:
			return true
		default:
			return false
		}
	},
	signal: func() (func(), func()) { c := make(chan struct{}); return func() { <-c }, func() { close(c) } },
}

var checked = chans{
	recv: func(c <-chan stdtime.Time) stdtime.Time { return rt.Recv(c) },
	tryRecv: func(c <-chan stdtime.Time) bool {
		return rt.Select(true, rt.RecvCase(c)) == 0
	},
	signal: func() (func(), func()) {
		c := rt.Make(make(chan struct{}))
		return func() { rt.Recv(c) }, func() { rt.Close(c) }
	},
}

const short = 5 * stdtime.Millisecond

// behaviour runs the scenarios with package p.
func behaviour(p api, errorf func(string, ...any), ch chans) {
	start := p.Now()
	p.Sleep(short)
	if d := p.Since(start); d < short {
		errorf("Sleep(%v) took %v", short, d)
	}
	if at := ch.recv(p.After(short)); at.Sub(start) < short {
		errorf("After fired at %v", at.Sub(start))
	}

	t, c := p.NewTimer(stdtime.Hour)
	if !t.Stop() || t.Stop() {
		errorf("Stop of a pending timer: want true, then false")
	}
	if t.Reset(short) {
		errorf("Reset of a stopped timer returned true")
	}
	ch.recv(c)
	if t.Stop() {
		errorf("Stop after the timer fired returned true")
	}
	t.Reset(stdtime.Nanosecond)
	p.Sleep(short)
	t.Stop()
	if ch.tryRecv(c) {
		errorf("a stale value after Stop (Go 1.23 timers drop it)")
	}

	wait, fire := ch.signal()
	p.AfterFunc(short, fire)
	wait()
	if p.AfterFunc(stdtime.Hour, func() { errorf("a stopped AfterFunc ran") }).Stop() != true {
		errorf("Stop of a pending AfterFunc returned false")
	}

	tc, stop := p.NewTicker(short)
	for range 3 {
		ch.recv(tc)
	}
	stop()
	if p.Tick(0) != nil {
		errorf("Tick(0) is not nil")
	}
}

// Outside an exploration the drop-in behaves as the standard package.
func TestSameAsStandard(t *testing.T) {
	for name, p := range map[string]api{"time": std, "check/time": ours} {
		t.Run(name, func(t *testing.T) { behaviour(p, t.Errorf, plain) })
	}
}

// Inside an exploration, on the virtual clock: the same scenarios, and an
// hour costs nothing.
func TestInsideAnExploration(t *testing.T) {
	start := stdtime.Now()
	r := check.Run(func(ct *check.T) {
		behaviour(ours, ct.Errorf, checked)
		checktime.Sleep(stdtime.Hour)
		if d := checktime.Since(check.Epoch); d < stdtime.Hour || d > stdtime.Hour+stdtime.Second {
			ct.Errorf("virtual time after an hour's sleep: %v", d)
		}
	})
	if r.Verdict() != check.Pass || stdtime.Since(start) > 5*stdtime.Second {
		t.Fatalf("%+v", r)
	}
}
