package lab

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labludus/ludus/check"
	csync "github.com/labludus/ludus/check/sync"
	"github.com/labludus/ludus/lock"
)

func deadlockExperiment() Experiment {
	return Experiment{
		ID:      "deadlock",
		Section: "Deadlock; Solutions: lock ordering, timeouts",
		Specs: []ClaimSpec{
			{ID: "opposite-order-deadlocks", Text: "Two goroutines that take two locks in opposite order can wait for each other forever."},
			{ID: "ordering-prevents", Text: "Lock ordering (every goroutine takes the locks in the same order) prevents the deadlock."},
			{ID: "timeout-recovers", Text: "A timeout turns the deadlock into an error the goroutine can recover from (release, back off, retry)."},
			{ID: "checker-finds-cycle", Text: "A systematic checker (check.Run) finds the opposite-order deadlock and prints its wait-for cycle."},
			{ID: "checker-proves-ordering", Text: "The checker proves lock ordering deadlock-free over every schedule."},
			{ID: "checker-proves-retry", Text: "The checker proves TryLock with release, back-off and retry (on virtual time) free of deadlock over every schedule."},
			{ID: "graph-reports-cycle", Text: "Deadlock detection: the lock package's lock-order graph reports the opposite-order deadlock in a run that happened not to deadlock."},
			{ID: "checker-on-plain-go", Text: "The checker finds the deadlock in the guide's code written as plain Go with an ordinary test (ludus check, no ludus import), and proves the ordered version."},
			{ID: "lock-all-removes", Text: "Lock ordering made automatic: taking both locks with lock.All removes the potential deadlock, and the graph reports nothing."},
		},
		Run: runDeadlock,
	}
}

// errLockTimeout is what a goroutine sees when it gives up waiting.
var errLockTimeout = errors.New("lock wait timed out")

// lockWithin takes mu or gives up after d. sync.Mutex has no timed lock,
// so it polls TryLock; the lock package offers a real one.
func lockWithin(mu *sync.Mutex, d time.Duration) error {
	deadline := time.Now().Add(d)
	for !mu.TryLock() {
		if time.Now().After(deadline) {
			return errLockTimeout
		}
		time.Sleep(50 * time.Microsecond)
	}
	return nil
}

// transferPair runs two goroutines that each take both locks; second
// decides the order of the second goroutine. When the orders are opposite,
// both first take their first lock and meet at a barrier, the moment the
// guide's deadlock needs (with the same order the second could never reach
// the barrier). It
// returns how many of the two goroutines gave up: on the first timeout, or
// with retry after maxRetries retries between them (a livelock guard).
func transferPair(first, second [2]*sync.Mutex, wait time.Duration, retry bool) (timedOut, retries int) {
	var held, wg sync.WaitGroup
	var mu sync.Mutex // guards the counts
	held.Add(2)
	for i, order := range [][2]*sync.Mutex{first, second} {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), 1))
			barrier := first[0] != second[0]
			for {
				order[0].Lock()
				if barrier {
					held.Done()
					held.Wait()
					barrier = false
				}
				err := lockWithin(order[1], wait)
				if err == nil {
					order[1].Unlock()
					order[0].Unlock()
					return
				}
				order[0].Unlock()
				mu.Lock()
				if !retry || retries >= maxRetries {
					timedOut++
					mu.Unlock()
					return
				}
				retries++
				mu.Unlock()
				// Random back-off breaks the symmetry that caused the wait.
				time.Sleep(time.Duration(r.IntN(int(wait/4)+1)) + time.Millisecond)
			}
		})
	}
	wg.Wait()
	return timedOut, retries
}

const maxRetries = 100

type deadlockMeasurements struct {
	trials                    int
	oppositeDeadlocked        int // trials that only a timeout ended
	orderedTimeouts           int
	retryTimeouts, retryCount int
}

func runDeadlock(ctx context.Context, env *Env) (Result, error) {
	var m deadlockMeasurements
	m.trials = env.Scale(10, 3)
	wait := time.Duration(env.Scale(30, 5)) * time.Millisecond
	a, b := &sync.Mutex{}, &sync.Mutex{}
	for range m.trials {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		env.Step("opposite order, then the same order, then retry on timeout")
		// Each holds one lock when they meet, so only a timeout gets either
		// goroutine out: one timeout means both were stuck.
		if n, _ := transferPair([2]*sync.Mutex{a, b}, [2]*sync.Mutex{b, a}, wait, false); n > 0 {
			m.oppositeDeadlocked++
		}
		n, _ := transferPair([2]*sync.Mutex{a, b}, [2]*sync.Mutex{a, b}, wait, false)
		m.orderedTimeouts += n
		n, r := transferPair([2]*sync.Mutex{a, b}, [2]*sync.Mutex{b, a}, wait, true)
		m.retryTimeouts += n
		m.retryCount += r
	}
	env.Step("the checker: every schedule of the two lock orders")
	claims := append(m.verdicts(wait), deadlockCheckVerdicts(deadlockCheck())...)
	env.Step("the lock package's lock-order graph, then lock.All")
	claims = append(claims, plainCheckClaim(ctx, env, plainExpect{claimID: "checker-on-plain-go", module: plainTransferModule,
		buggy: "TestOppositeTransfers", kind: "deadlock", fixed: "TestOrderedTransfers", bugWords: "the deadlock and its wait-for cycle"}))
	return Result{Claims: append(claims, deadlockLockVerdicts(deadlockLockRun(env.Scale(200, 20)))...)}, nil
}

func (m deadlockMeasurements) verdicts(wait time.Duration) []Claim {
	meas := map[string]float64{
		"trials": float64(m.trials), "opposite_deadlocked": float64(m.oppositeDeadlocked),
		"ordered_timeouts": float64(m.orderedTimeouts), "retry_timeouts": float64(m.retryTimeouts),
		"retries": float64(m.retryCount), "wait_ms": float64(wait.Milliseconds()),
	}
	opposite := Claim{ID: "opposite-order-deadlocks", Measurements: meas}
	opposite.Evidence = fmt.Sprintf("in %d of %d trials each goroutine held one lock and waited for the other's until a %s timeout ended the wait.",
		m.oppositeDeadlocked, m.trials, wait)
	if m.oppositeDeadlocked > 0 {
		opposite.Verdict = Holds
	} else {
		opposite.Verdict = Inconclusive
	}

	ordered := Claim{ID: "ordering-prevents", Measurements: meas}
	ordered.Evidence = fmt.Sprintf("with both goroutines locking in the same order, %d of %d trials timed out.", m.orderedTimeouts, m.trials)
	ordered.Verdict = Holds
	if m.orderedTimeouts > 0 {
		ordered.Verdict = Fails
	}

	retry := Claim{ID: "timeout-recovers", Measurements: meas}
	retry.Evidence = fmt.Sprintf("in opposite order with release-and-retry on a %s timeout, %d retries in %d trials got every transfer through; %d goroutines gave up after %d retries.",
		wait, m.retryCount, m.trials, m.retryTimeouts, maxRetries)
	switch {
	case m.retryTimeouts > 0:
		// maxRetries is a livelock guard, a limit: reaching it on a busy
		// machine is not evidence against the claim.
		retry.Verdict = Inconclusive
		retry.Evidence += fmt.Sprintf(" Giving up is the lab's limit of %d retries (a livelock guard), not a verdict: on a busy machine the back-offs can keep colliding that long.", maxRetries)
	case m.retryCount == 0:
		// Nothing timed out, so the recovery path never ran.
		retry.Verdict = Inconclusive
	default:
		retry.Verdict = Holds
	}
	return []Claim{opposite, ordered, retry}
}

// ---- the checker's verdict (package check) ----

// deadlockCheckRetries bounds the retries of the TryLock fix in the
// checker; giving up is reported as a failure.
const deadlockCheckRetries = 5

// deadlockCheckBody has A take mu1 then mu2 and B take them in the order
// orderB; with retry, the second lock is a TryLock and a goroutine that
// fails releases the first, sleeps (1ms for A, 2ms for B, virtual) and
// retries. The body checks that both transfers happened.
func deadlockCheckBody(orderB [2]int, retry bool) func(*check.T) {
	return func(t *check.T) {
		var locks [2]csync.Mutex
		check.Name(&locks[0], "mu1")
		check.Name(&locks[1], "mu2")
		transfers := check.NewVar("transfers", 0)
		worker := func(first, second *csync.Mutex, backoff time.Duration) func() {
			return func() {
				for attempt := 0; ; attempt++ {
					first.Lock()
					if !retry {
						second.Lock()
					} else if !second.TryLock() {
						first.Unlock()
						if attempt == deadlockCheckRetries {
							t.Errorf("gave up after %d retries", attempt)
							return
						}
						check.Sleep(backoff)
						continue
					}
					transfers.Store(transfers.Load() + 1)
					second.Unlock()
					first.Unlock()
					return
				}
			}
		}
		t.Go("A", worker(&locks[0], &locks[1], time.Millisecond))
		t.Go("B", worker(&locks[orderB[0]], &locks[orderB[1]], 2*time.Millisecond))
		t.Wait()
		if n := transfers.Load(); n != 2 {
			t.Errorf("%d transfers, want 2", n)
		}
	}
}

// deadlockCheckMeasurements is what the checker found.
type deadlockCheckMeasurements struct {
	kind       check.FailureKind // verdict on the opposite order
	cycle      bool              // its message names the wait-for cycle
	schedule   int
	failure    string
	orderExecs int
	orderDone  bool
	orderFail  string
	retryExecs int
	retryDone  bool
	retryFail  string
}

func deadlockCheck() deadlockCheckMeasurements {
	var m deadlockCheckMeasurements
	r := check.Run(deadlockCheckBody([2]int{1, 0}, false))
	if f := r.Failure; f != nil {
		m.kind, m.schedule, m.failure = f.Kind, r.Executions, f.String()
		m.cycle = strings.Contains(f.Message, "A holds mu1 and waits for mu2, held by B") &&
			strings.Contains(f.Message, "B holds mu2 and waits for mu1, held by A")
	}
	for _, v := range []struct {
		retry bool
		execs *int
		done  *bool
		fail  *string
	}{{false, &m.orderExecs, &m.orderDone, &m.orderFail}, {true, &m.retryExecs, &m.retryDone, &m.retryFail}} {
		order := [2]int{0, 1}
		if v.retry {
			order = [2]int{1, 0}
		}
		r := check.Run(deadlockCheckBody(order, v.retry), check.Exhaustive(), check.MaxExecutions(100000))
		*v.execs, *v.done = r.Executions, r.Exhausted
		if r.Failure != nil {
			*v.fail = r.Failure.String()
		}
	}
	return m
}

// deadlockCheckVerdicts judges what the checker found: a pure function of
// its measurements.
func deadlockCheckVerdicts(m deadlockCheckMeasurements) []Claim {
	meas := map[string]float64{
		"check_failing_schedule":  float64(m.schedule),
		"check_ordered_schedules": float64(m.orderExecs), "check_retry_schedules": float64(m.retryExecs),
	}
	found := Claim{ID: "checker-finds-cycle", Measurements: meas, Detail: m.failure}
	switch {
	case m.kind == check.Deadlock && m.cycle:
		found.Verdict = Holds
		found.Evidence = fmt.Sprintf("the checker reported the deadlock at schedule %d with its cycle: A holds mu1 and waits for mu2, held by B; B holds mu2 and waits for mu1, held by A.", m.schedule)
	case m.kind == check.Deadlock:
		found.Verdict = Fails
		found.Evidence = "the checker reported a deadlock but not the wait-for cycle."
	default:
		found.Verdict = Fails
		found.Evidence = "the checker did not report the deadlock."
	}
	proven := func(id, what string, execs int, done bool, fail string) Claim {
		cl := Claim{ID: id, Measurements: meas}
		switch {
		case fail != "":
			cl.Verdict, cl.Detail = Fails, fail
			cl.Evidence = fmt.Sprintf("the checker found a failing schedule of %s.", what)
		case done:
			cl.Verdict = Holds
			cl.Evidence = fmt.Sprintf("all %d schedules of %s explored (DPOR, complete): no deadlock, both transfers done.", execs, what)
		default:
			cl.Verdict = Inconclusive
			cl.Evidence = fmt.Sprintf("no failure in %d schedules of %s, but the budget ran out first.", execs, what)
		}
		return cl
	}
	return []Claim{found,
		proven("checker-proves-ordering", "lock ordering", m.orderExecs, m.orderDone, m.orderFail),
		proven("checker-proves-retry", fmt.Sprintf("TryLock with retry (at most %d retries)", deadlockCheckRetries), m.retryExecs, m.retryDone, m.retryFail),
	}
}

// ---- the lock package's detector (package lock) ----

// deadlockLockMeasurements is what the lock-order graph saw.
type deadlockLockMeasurements struct {
	detection      bool // lock.Detection(): false in a ludus_nolockdep build
	transfers      int  // transfers each way in each phase
	oppositeDone   int  // transfers completed with opposite orders, one goroutine after the other
	oppositeReport int  // reports naming both accounts
	namesBoth      bool // a report names both locks and carries a stack per edge
	allDone        int  // transfers completed through lock.All, both ways at once
	allReports     int
}

var deadlockLockRuns atomic.Int64

// deadlockLockRun moves money between two accounts: first in opposite
// orders, but one goroutine after the other, so that this run cannot
// deadlock; then in both directions at once through lock.All. Class names
// are fresh for each run because the graph reports a cycle once per
// process.
func deadlockLockRun(transfers int) deadlockLockMeasurements {
	m := deadlockLockMeasurements{detection: lock.Detection(), transfers: transfers}
	prefix := fmt.Sprintf("lab-deadlock-%d-", deadlockLockRuns.Add(1))
	var mu sync.Mutex // guards prev and the counts below
	var prev func(lock.Report)
	mu.Lock()
	defer func() { lock.OnPotentialDeadlock(prev) }()
	prev = lock.OnPotentialDeadlock(func(r lock.Report) {
		ours := 0
		for _, l := range r.Locks {
			if strings.HasPrefix(l, prefix) {
				ours++
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if ours == 0 { // someone else's lock: the handler that was there
			if prev != nil {
				prev(r)
			} else {
				fmt.Fprint(os.Stderr, r)
			}
			return
		}
		if r.Kind == lock.Cycle {
			m.oppositeReport++
			m.namesBoth = ours == 2 && len(r.Edges) == 2 && r.Edges[0].Stack != "" && r.Edges[1].Stack != ""
		} else {
			m.allReports++
		}
	})
	mu.Unlock()

	type account struct {
		mu      *lock.Mutex
		balance int
	}
	a := &account{mu: lock.NewMutex(prefix + "account-a"), balance: 1000}
	b := &account{mu: lock.NewMutex(prefix + "account-b"), balance: 1000}
	transfer := func(from, to *account) {
		from.mu.Lock()
		to.mu.Lock()
		from.balance--
		to.balance++
		to.mu.Unlock()
		from.mu.Unlock()
	}
	var wg sync.WaitGroup
	for _, dir := range [][2]*account{{a, b}, {b, a}} {
		wg.Go(func() {
			for range transfers {
				transfer(dir[0], dir[1])
			}
		})
		wg.Wait() // one direction after the other: no deadlock possible
	}
	m.oppositeDone = 2 * transfers
	mu.Lock()
	before := m.oppositeReport
	mu.Unlock()

	// lock.All with the same accounts, both directions at once.
	p := &account{mu: lock.NewMutex(prefix + "account-p"), balance: 1000}
	q := &account{mu: lock.NewMutex(prefix + "account-q"), balance: 1000}
	var done atomic.Int64
	for _, dir := range [][2]*account{{p, q}, {q, p}} {
		wg.Go(func() {
			for range transfers {
				held := lock.All(dir[0].mu, dir[1].mu)
				dir[0].balance--
				dir[1].balance++
				held.Unlock()
				done.Add(1)
			}
		})
	}
	wg.Wait()
	m.allDone = int(done.Load())
	mu.Lock()
	m.allReports += m.oppositeReport - before // a cycle seen only in the lock.All phase
	m.oppositeReport = before
	mu.Unlock()
	return m
}

// deadlockLockVerdicts judges the lock-order graph: a pure function of its
// measurements.
func deadlockLockVerdicts(m deadlockLockMeasurements) []Claim {
	meas := map[string]float64{
		"lock_transfers_each_way": float64(m.transfers), "lock_opposite_done": float64(m.oppositeDone),
		"lock_opposite_reports": float64(m.oppositeReport), "lock_all_done": float64(m.allDone),
		"lock_all_reports": float64(m.allReports),
	}
	found := Claim{ID: "graph-reports-cycle", Measurements: meas}
	fixed := Claim{ID: "lock-all-removes", Measurements: meas}
	if !m.detection {
		found.Verdict, fixed.Verdict = Inconclusive, Inconclusive
		found.Evidence = "detection is compiled out (ludus_nolockdep build), so the graph saw nothing."
		fixed.Evidence = found.Evidence
		return []Claim{found, fixed}
	}
	switch {
	case m.oppositeDone == 2*m.transfers && m.oppositeReport == 1 && m.namesBoth:
		found.Verdict = Holds
		found.Evidence = fmt.Sprintf("all %d transfers completed (one direction after the other, so no deadlock happened), and the graph reported the cycle account-a -> account-b -> account-a once, with the stack of each order.", m.oppositeDone)
	case m.oppositeReport == 0:
		found.Verdict = Fails
		found.Evidence = fmt.Sprintf("%d transfers in opposite orders and the graph reported nothing.", m.oppositeDone)
	default:
		found.Verdict = Fails
		found.Evidence = fmt.Sprintf("%d reports for one cycle, or a report that does not name both accounts with their stacks.", m.oppositeReport)
	}
	switch {
	case found.Verdict != Holds:
		fixed.Verdict = Inconclusive
		fixed.Evidence = "the graph did not report the opposite orders, so its silence about lock.All proves nothing."
	case m.allDone == 2*m.transfers && m.allReports == 0:
		fixed.Verdict = Holds
		fixed.Evidence = fmt.Sprintf("%d transfers in both directions at once through lock.All: all completed, and the graph, which had reported the opposite orders, reported nothing.", m.allDone)
	default:
		fixed.Verdict = Fails
		fixed.Evidence = fmt.Sprintf("through lock.All, %d of %d transfers completed and the graph made %d reports.", m.allDone, 2*m.transfers, m.allReports)
	}
	return []Claim{found, fixed}
}
