//lint:file-ignore SA2001 goroutines take locks only to hold them or to order against others

package check_test

import (
	"testing"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/sync"
)

// breaker is knative serving#2137 written against the check API: a
// breaker with a pending queue of 2 and one active slot; two requests
// each start a goroutine that signals a WaitGroup and then enters the
// breaker. The deadlock needs the second request's goroutine to take the
// active slot first. Found by plain DFS, it was missed by DPOR with sleep
// sets: the main goroutine yields (Gosched) before each request, and a
// state where everything runnable was asleep but the yielding main was
// taken for covered.
func breaker(t *check.T) {
	pending := check.NewChan[int]("pending", 2)
	active := check.NewChan[int]("active", 1)
	maybe := func(thunk func()) bool {
		switch i, _ := check.Select(pending.SendCase(0), check.DefaultCase()); i {
		case 1:
			return false
		}
		active.Send(0)
		thunk()
		active.Recv()
		pending.Recv()
		return true
	}
	type req struct {
		lock     *sync.Mutex
		accepted *check.Chan[bool]
	}
	var reqs []req
	for i := 0; i < 2; i++ {
		check.Sleep(0)
		r := req{&sync.Mutex{}, check.NewChan[bool]("accepted", 1)}
		r.lock.Lock()
		var start sync.WaitGroup
		start.Add(1)
		t.Go("g", func() {
			start.Done()
			ok := maybe(func() { r.lock.Lock(); r.lock.Unlock() })
			r.accepted.Send(ok)
		})
		start.Wait()
		reqs = append(reqs, r)
	}
	for _, r := range reqs {
		r.lock.Unlock()
		ok := r.accepted.Recv()
		r.accepted.Send(ok)
	}
}

func TestSleepSetsAndYields(t *testing.T) {
	for _, opts := range [][]check.Option{{check.Exhaustive()}, {check.Exhaustive(), check.NoReduction()}, {}} {
		r := check.Run(breaker, append(opts, check.DetectDataRaces(false), check.MaxExecutions(200000))...)
		if r.Failure == nil || r.Failure.Kind != check.Deadlock {
			t.Fatalf("%s: %+v", r.Strategy, r)
		}
	}
}
