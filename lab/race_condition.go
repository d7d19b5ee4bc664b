package lab

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/labludus/ludus/check"
	catomic "github.com/labludus/ludus/check/atomic"
	csync "github.com/labludus/ludus/check/sync"
)

func raceConditionExperiment() Experiment {
	return Experiment{
		ID:      "race-condition",
		Section: "Race Condition; Solution: Mutex",
		Specs: []ClaimSpec{
			{ID: "lost-update", Text: "Two goroutines doing read-modify-write on a shared balance can lose an update (Result: 800, 500 vanished)."},
			{ID: "mutex-never-loses", Text: "The mutex fix never loses an update."},
			{ID: "cas-never-loses", Text: "An atomic compare-and-swap loop never loses an update either."},
			{ID: "checker-finds-lost-update", Text: "A systematic checker (check.Run) finds the lost update on every run and prints the interleaving that loses it."},
			{ID: "checker-proves-fixes", Text: "The checker proves the mutex and the CAS-loop fixes over every schedule."},
			{ID: "checker-on-plain-go", Text: "The checker finds the lost update in the guide's code written as plain Go with an ordinary test (ludus check, no ludus import), and proves the mutex fix."},
		},
		Run: runRaceCondition,
	}
}

// bankTrial runs the guide's two transactions (+500 and -200 on a balance
// of 1000) at the same moment on two goroutines and returns the final
// balance. update must apply one amount to the account.
func bankTrial(update func(acct *account, amount int64)) int64 {
	acct := &account{}
	acct.balance.Store(1000)
	var ready, wg sync.WaitGroup
	var start atomic.Bool
	ready.Add(2)
	for _, amount := range []int64{500, -200} {
		wg.Go(func() {
			ready.Done()
			// Spin so both goroutines leave the gate together; a channel
			// would hand them to the scheduler one at a time.
			for i := 0; !start.Load(); i++ {
				if i%1024 == 1023 {
					runtime.Gosched() // one P: let the other goroutine reach the gate
				}
			}
			update(acct, amount)
		})
	}
	ready.Wait()
	start.Store(true)
	wg.Wait()
	return acct.balance.Load()
}

type account struct {
	mu      sync.Mutex
	balance atomic.Int64
}

// unsafeUpdate is the guide's Thread A / Thread B: read, compute, write.
// The read and the write are each atomic, so this is not a data race in
// the Go memory model (and the race detector stays quiet); the bug is the
// gap between them, which is exactly what the guide draws.
func unsafeUpdate(a *account, amount int64) {
	read := a.balance.Load()
	a.balance.Store(read + amount)
}

func mutexUpdate(a *account, amount int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.balance.Store(a.balance.Load() + amount)
}

func casUpdate(a *account, amount int64) {
	for {
		old := a.balance.Load()
		if a.balance.CompareAndSwap(old, old+amount) {
			return
		}
	}
}

// bankOutcomes counts the final balances seen over many trials.
type bankOutcomes struct {
	trials    int
	finals    map[int64]int
	firstLost int // 1-based trial of the first lost update; 0 if none
}

func (o bankOutcomes) lost() int { return o.trials - o.finals[1300] }

func runBankTrials(ctx context.Context, trials int, update func(*account, int64)) (bankOutcomes, error) {
	o := bankOutcomes{finals: map[int64]int{}}
	for i := range trials {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return o, err
			}
		}
		final := bankTrial(update)
		o.trials++
		o.finals[final]++
		if final != 1300 && o.firstLost == 0 {
			o.firstLost = i + 1
		}
	}
	return o, nil
}

// slowUnsafeUpdate is unsafeUpdate with a little work between the read and
// the write, as a real transaction has (a validation, a log line): it
// widens the window the race needs.
func slowUnsafeUpdate(a *account, amount int64) {
	read := a.balance.Load()
	hashChain(10)
	a.balance.Store(read + amount)
}

func runRaceCondition(ctx context.Context, env *Env) (Result, error) {
	var outs [4]bankOutcomes
	for i, u := range []struct {
		name   string
		trials int
		update func(*account, int64)
	}{
		{"unsynchronized", env.Scale(100000, 2000), unsafeUpdate},
		{"unsynchronized with work between read and write", env.Scale(20000, 2000), slowUnsafeUpdate},
		{"mutex", env.Scale(20000, 500), mutexUpdate},
		{"CAS loop", env.Scale(20000, 500), casUpdate},
	} {
		env.Step("%d trials, %s", u.trials, u.name)
		o, err := runBankTrials(ctx, u.trials, u.update)
		if err != nil {
			return Result{}, err
		}
		outs[i] = o
	}
	env.Step("the checker: every schedule of the two transfers")
	claims := append(raceVerdicts(outs[0], outs[1], outs[2], outs[3]), raceCheckVerdicts(raceCheck(env))...)
	claims = append(claims, plainCheckClaim(ctx, env, plainExpect{claimID: "checker-on-plain-go", module: plainBankModule,
		buggy: "TestLostUpdate", kind: "data-race", fixed: "TestMutexFix", bugWords: "the lost update"}))
	return Result{Claims: claims}, nil
}

// raceVerdicts judges the bare read-modify-write, the same with work
// between read and write, and the two fixes.
func raceVerdicts(bare, slow, mutex, cas bankOutcomes) []Claim {
	meas := bankMeasurements(bare)
	for k, v := range bankMeasurements(slow) {
		meas["slow_"+k] = v
	}
	race := Claim{ID: "lost-update", Measurements: meas}
	race.Evidence = fmt.Sprintf("bare read-then-write: %d of %d trials lost an update (%s); with ~2µs of work between read and write: %d of %d (%s).",
		bare.lost(), bare.trials, describeFinals(bare.finals), slow.lost(), slow.trials, describeFinals(slow.finals))
	switch lost := bare.lost() + slow.lost(); {
	case lost > 0:
		race.Verdict = Holds
		if lost*100 < bare.trials+slow.trials {
			race.Evidence += " Real runs show this race only rarely: it takes many trials, and a test that runs once will almost always pass."
		}
	default:
		race.Verdict = Inconclusive
		race.Evidence += " The race is real, but real runs show it only by luck."
	}
	return []Claim{race, neverLoses("mutex-never-loses", "with the mutex", mutex), neverLoses("cas-never-loses", "with the CAS loop", cas)}
}

func neverLoses(id, how string, o bankOutcomes) Claim {
	cl := Claim{ID: id, Measurements: bankMeasurements(o)}
	if lost := o.lost(); lost > 0 {
		cl.Verdict = Fails
		cl.Evidence = fmt.Sprintf("%s, %d of %d trials still lost an update: %s.", how, lost, o.trials, describeFinals(o.finals))
		return cl
	}
	cl.Verdict = Holds
	cl.Evidence = fmt.Sprintf("%s, all %d trials ended at 1300.", how, o.trials)
	return cl
}

func bankMeasurements(o bankOutcomes) map[string]float64 {
	m := map[string]float64{
		"trials": float64(o.trials), "lost": float64(o.lost()), "first_lost_trial": float64(o.firstLost),
	}
	for final, n := range o.finals {
		m[fmt.Sprintf("final_%d", final)] = float64(n)
	}
	return m
}

// describeFinals prints "1300 x19873, 800 x95, 1500 x32", most frequent first.
func describeFinals(finals map[int64]int) string {
	keys := make([]int64, 0, len(finals))
	for k := range finals {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if finals[keys[i]] != finals[keys[j]] {
			return finals[keys[i]] > finals[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d x%d", k, finals[k])
	}
	return strings.Join(parts, ", ")
}

// ---- the checker's verdict (package check) ----

// raceCheckBank is the same transfer under the checker: A applies +500
// and B -200 to a balance of 1000 with update, then the body checks the
// total. The balance is a check/atomic.Int64, as the real runs use
// sync/atomic: the bug is the lost update, not a data race.
func raceCheckBank(update func(mu *csync.Mutex, b *catomic.Int64, amount int64)) func(*check.T) {
	return func(t *check.T) {
		var mu csync.Mutex
		var balance catomic.Int64
		check.Name(&balance, "balance")
		balance.Store(1000)
		t.Go("A", func() { update(&mu, &balance, 500) })
		t.Go("B", func() { update(&mu, &balance, -200) })
		t.Wait()
		if got := balance.Load(); got != 1300 {
			t.Errorf("balance = %d, want 1300", got)
		}
	}
}

func raceCheckUnsafe(_ *csync.Mutex, b *catomic.Int64, amount int64) {
	read := b.Load()
	b.Store(read + amount)
}

func raceCheckMutex(mu *csync.Mutex, b *catomic.Int64, amount int64) {
	mu.Lock()
	defer mu.Unlock()
	b.Store(b.Load() + amount)
}

func raceCheckCAS(_ *csync.Mutex, b *catomic.Int64, amount int64) {
	for {
		old := b.Load()
		if b.CompareAndSwap(old, old+amount) {
			return
		}
	}
}

// raceCheckMeasurements is what the checker found.
type raceCheckMeasurements struct {
	runs         int    // explorations of the unsynchronized transfer
	found        int    // explorations that reported the lost update
	sameSchedule int    // of those, how many printed the first one's schedule
	schedule     int    // which schedule of the first exploration failed
	failure      string // the first exploration's printed failure

	mutexExecs, casExecs         int
	mutexExhausted, casExhausted bool
	mutexFailure, casFailure     string
}

func raceCheck(env *Env) raceCheckMeasurements {
	m := raceCheckMeasurements{runs: env.Scale(5, 2)}
	var first []check.Step
	for range m.runs {
		r := check.Run(raceCheckBank(raceCheckUnsafe))
		if r.Failure == nil || r.Failure.Kind != check.AssertionFailed {
			continue
		}
		m.found++
		if first == nil {
			first, m.schedule, m.failure = r.Failure.Trace, r.Executions, r.Failure.String()
		}
		if slices.Equal(first, r.Failure.Trace) {
			m.sameSchedule++
		}
	}
	for _, fix := range []struct {
		update    func(*csync.Mutex, *catomic.Int64, int64)
		execs     *int
		exhausted *bool
		failure   *string
	}{
		{raceCheckMutex, &m.mutexExecs, &m.mutexExhausted, &m.mutexFailure},
		{raceCheckCAS, &m.casExecs, &m.casExhausted, &m.casFailure},
	} {
		r := check.Run(raceCheckBank(fix.update), check.Exhaustive(), check.MaxExecutions(100000))
		*fix.execs, *fix.exhausted = r.Executions, r.Exhausted
		if r.Failure != nil {
			*fix.failure = r.Failure.String()
		}
	}
	return m
}

// raceCheckVerdicts judges what the checker found: a pure function of its
// measurements.
func raceCheckVerdicts(m raceCheckMeasurements) []Claim {
	meas := map[string]float64{
		"check_runs": float64(m.runs), "check_found": float64(m.found), "check_same_schedule": float64(m.sameSchedule),
		"check_failing_schedule": float64(m.schedule),
		"check_mutex_schedules":  float64(m.mutexExecs), "check_cas_schedules": float64(m.casExecs),
	}
	found := Claim{ID: "checker-finds-lost-update", Measurements: meas, Detail: m.failure}
	switch {
	case m.runs > 0 && m.found == m.runs && m.sameSchedule == m.runs:
		found.Verdict = Holds
		found.Evidence = fmt.Sprintf("all %d explorations reported the lost update at schedule %d, the same interleaving each time (below), with a replay token.", m.runs, m.schedule)
	case m.found > 0:
		found.Verdict = Fails
		found.Evidence = fmt.Sprintf("%d of %d explorations found the lost update, %d with the same interleaving: not deterministic.", m.found, m.runs, m.sameSchedule)
	default:
		found.Verdict = Fails
		found.Evidence = fmt.Sprintf("none of %d explorations found the lost update.", m.runs)
	}
	fixes := Claim{ID: "checker-proves-fixes", Measurements: meas}
	switch {
	case m.mutexFailure != "" || m.casFailure != "":
		fixes.Verdict = Fails
		fixes.Evidence = "the checker found a failing schedule of a fix."
		fixes.Detail = strings.TrimSpace(m.mutexFailure + "\n" + m.casFailure)
	case m.mutexExhausted && m.casExhausted:
		fixes.Verdict = Holds
		fixes.Evidence = fmt.Sprintf("every schedule explored, none loses an update: %d for the mutex, %d for the CAS loop (DPOR, complete).", m.mutexExecs, m.casExecs)
	default:
		fixes.Verdict = Inconclusive
		fixes.Evidence = fmt.Sprintf("no failure in %d (mutex) and %d (CAS) schedules, but the budget ran out before every schedule was explored.", m.mutexExecs, m.casExecs)
	}
	return []Claim{found, fixes}
}
