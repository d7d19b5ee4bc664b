package check_test

import (
	"testing"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/sync"
)

// TestBank is the README's check snippet, as it is there: the guide's
// mutex fix, proved over every schedule.
func TestBank(t *testing.T) {
	check.Explore(t, func(t *check.T) {
		var mu sync.Mutex // github.com/labludus/ludus/check/sync
		balance := check.NewVar("balance", 1000)
		add := func(d int) { mu.Lock(); defer mu.Unlock(); balance.Store(balance.Load() + d) }
		t.Go("A", func() { add(500) })
		t.Go("B", func() { add(-200) })
		t.Wait()
		if got := balance.Load(); got != 1300 {
			t.Errorf("balance = %d, want 1300", got)
		}
	}, check.Exhaustive())
}
