package check_test

import (
	"testing"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/atomic"
	"github.com/labludus/ludus/check/sync"
)

func TestZZCounter(t *testing.T) {
	for _, n := range []int{2, 3, 4, 5, 10} {
		r := check.Run(func(t *check.T) {
			var c atomic.Int64
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				check.Go("func", func() {
					defer wg.Done()
					c.AddDiscard(1)
				})
			}
			wg.Wait()
			if c.Load() != int64(n) {
				t.Errorf("bad")
			}
		}, check.MaxExecutions(100000))
		t.Logf("n=%d: %d executions %s %v", n, r.Executions, r.Strategy, r.Limit)
	}
}
