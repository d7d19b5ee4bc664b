package lab

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

func deadlockExperiment() Experiment {
	return Experiment{
		ID:      "deadlock",
		Section: "Deadlock; Solutions: lock ordering, timeouts",
		Claims: []string{
			"Two goroutines that take two locks in opposite order can wait for each other forever.",
			"Lock ordering (every goroutine takes the locks in the same order) prevents the deadlock.",
			"A timeout turns the deadlock into an error the goroutine can recover from (release, back off, retry).",
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
	return Result{Claims: m.verdicts(wait)}, nil
}

func (m deadlockMeasurements) verdicts(wait time.Duration) []Claim {
	c := deadlockExperiment().Claims
	meas := map[string]float64{
		"trials": float64(m.trials), "opposite_deadlocked": float64(m.oppositeDeadlocked),
		"ordered_timeouts": float64(m.orderedTimeouts), "retry_timeouts": float64(m.retryTimeouts),
		"retries": float64(m.retryCount), "wait_ms": float64(wait.Milliseconds()),
	}
	opposite := Claim{Claim: c[0], Measurements: meas}
	opposite.Evidence = fmt.Sprintf("in %d of %d trials each goroutine held one lock and waited for the other's until a %s timeout ended the wait.",
		m.oppositeDeadlocked, m.trials, wait)
	if m.oppositeDeadlocked > 0 {
		opposite.Verdict = Holds
	} else {
		opposite.Verdict = Inconclusive
	}

	ordered := Claim{Claim: c[1], Measurements: meas}
	ordered.Evidence = fmt.Sprintf("with both goroutines locking in the same order, %d of %d trials timed out.", m.orderedTimeouts, m.trials)
	ordered.Verdict = Holds
	if m.orderedTimeouts > 0 {
		ordered.Verdict = Fails
	}

	retry := Claim{Claim: c[2], Measurements: meas}
	retry.Evidence = fmt.Sprintf("in opposite order with release-and-retry on a %s timeout, %d retries in %d trials got every transfer through; %d goroutines gave up after %d retries.",
		wait, m.retryCount, m.trials, m.retryTimeouts, maxRetries)
	switch {
	case m.retryTimeouts > 0:
		retry.Verdict = Fails
	case m.retryCount == 0:
		// Nothing timed out, so the recovery path never ran.
		retry.Verdict = Inconclusive
	default:
		retry.Verdict = Holds
	}
	return []Claim{opposite, ordered, retry}
}
