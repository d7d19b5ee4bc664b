//lint:file-ignore SA2001 lock-order and deadlock scenarios take locks only to hold them

package check_test

import (
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/sync"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func bank(t *check.T) {
	balance := check.NewVar("balance", 1000)
	t.Go("A", func() { balance.Store(balance.Load() + 500) })
	t.Go("B", func() { balance.Store(balance.Load() - 200) })
	t.Wait()
	if got := balance.Load(); got != 1300 {
		t.Errorf("balance = %d, want 1300", got)
	}
}

func TestBankRaceAssertion(t *testing.T) {
	r := check.Run(bank, check.DetectDataRaces(false))
	if r.Failure == nil {
		t.Fatalf("no failure found: %+v", r)
	}
	if r.Failure.Kind != check.AssertionFailed {
		t.Fatalf("kind = %v, want assertion failed\n%s", r.Failure.Kind, r.Failure)
	}
	t.Logf("\n%s", r.Failure)
	if !strings.Contains(r.Failure.Message, "balance = ") {
		t.Errorf("message %q", r.Failure.Message)
	}
}

func TestBankRaceDataRace(t *testing.T) {
	r := check.Run(bank)
	if r.Failure == nil || r.Failure.Kind != check.DataRace {
		t.Fatalf("want data race, got %+v", r)
	}
	t.Logf("\n%s", r.Failure)
}

func TestBankMutexFix(t *testing.T) {
	r := check.Explore(t, func(t *check.T) {
		var mu sync.Mutex
		balance := check.NewVar("balance", 1000)
		add := func(d int) {
			mu.Lock()
			balance.Store(balance.Load() + d)
			mu.Unlock()
		}
		t.Go("A", func() { add(500) })
		t.Go("B", func() { add(-200) })
		t.Wait()
		if got := balance.Load(); got != 1300 {
			t.Errorf("balance = %d, want 1300", got)
		}
	}, check.Exhaustive())
	if !r.Exhausted {
		t.Fatalf("not exhausted: %+v", r)
	}
	t.Logf("%+v", r)
}

func TestDeadlockOppositeOrder(t *testing.T) {
	r := check.Run(func(t *check.T) {
		var mu1, mu2 sync.Mutex
		t.Go("A", func() {
			mu1.Lock()
			mu2.Lock()
			mu2.Unlock()
			mu1.Unlock()
		})
		t.Go("B", func() {
			mu2.Lock()
			mu1.Lock()
			mu1.Unlock()
			mu2.Unlock()
		})
		t.Wait()
	})
	if r.Failure == nil || r.Failure.Kind != check.Deadlock {
		t.Fatalf("want deadlock, got %+v", r)
	}
	t.Logf("\n%s", r.Failure)
	for _, want := range []string{"A holds mu1 and waits for mu2, held by B", "B holds mu2 and waits for mu1, held by A"} {
		if !strings.Contains(r.Failure.Message, want) {
			t.Errorf("message lacks %q:\n%s", want, r.Failure.Message)
		}
	}
}

func TestLeakUnbufferedChannel(t *testing.T) {
	r := check.Run(func(t *check.T) {
		ch := check.NewChan[int]("results", 0)
		t.Go("worker", func() { ch.Send(42) })
		// the body returns without receiving
	})
	if r.Failure == nil || r.Failure.Kind != check.Leak {
		t.Fatalf("want leak, got %+v", r)
	}
	t.Logf("\n%s", r.Failure)
}
