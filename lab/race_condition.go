package lab

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

func raceConditionExperiment() Experiment {
	return Experiment{
		ID:      "race-condition",
		Section: "Race Condition; Solution: Mutex",
		Claims: []string{
			"Two goroutines doing read-modify-write on a shared balance can lose an update (Result: 800, 500 vanished).",
			"The mutex fix never loses an update.",
			"An atomic compare-and-swap loop never loses an update either.",
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
	return Result{Claims: raceVerdicts(outs[0], outs[1], outs[2], outs[3])}, nil
}

// raceVerdicts judges the bare read-modify-write, the same with work
// between read and write, and the two fixes.
func raceVerdicts(bare, slow, mutex, cas bankOutcomes) []Claim {
	c := raceConditionExperiment().Claims
	meas := bankMeasurements(bare)
	for k, v := range bankMeasurements(slow) {
		meas["slow_"+k] = v
	}
	race := Claim{Claim: c[0], Measurements: meas}
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
	return []Claim{race, neverLoses(c[1], "with the mutex", mutex), neverLoses(c[2], "with the CAS loop", cas)}
}

func neverLoses(claim, how string, o bankOutcomes) Claim {
	cl := Claim{Claim: claim, Measurements: bankMeasurements(o)}
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
