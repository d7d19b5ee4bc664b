package lab

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/labludus/ludus/actor"
)

func actorBankExperiment() Experiment {
	return Experiment{
		ID:      "actor-bank",
		Section: "Concurrency Models: Actor Model (no shared memory, message passing)",
		Specs: []ClaimSpec{
			{ID: "no-lost-update", Text: "A balance owned by an actor never loses an update: concurrent deposits and withdrawals from many goroutines all land, with no lock."},
			{ID: "cost-within-10x", Text: "The actor's safety costs throughput of the same order as the mutex version (within 10x) when senders do not wait for answers; waiting for each answer (Ask) costs a round trip per update."},
		},
		Run: runActorBank,
	}
}

// actorBankWorkload is one trial: goroutines each apply ops deposits and
// withdrawals of pseudo-random amounts; want is the balance they must
// produce together (the senders' own sum, independent of the account).
type actorBankWorkload struct {
	goroutines, ops int
	seed            uint64
}

func (w actorBankWorkload) amounts(g int) []int64 {
	r := rand.New(rand.NewPCG(w.seed, uint64(g)))
	out := make([]int64, w.ops)
	for i := range out {
		out[i] = 1 + r.Int64N(100)
		if r.IntN(2) == 0 {
			out[i] = -out[i] // a withdrawal
		}
	}
	return out
}

func (w actorBankWorkload) want(start int64) int64 {
	for g := range w.goroutines {
		for _, a := range w.amounts(g) {
			start += a
		}
	}
	return start
}

// actorBankRun applies the workload through apply (one goroutine per
// sender, all released together) and returns the final balance from final.
func actorBankRun(w actorBankWorkload, apply func(amount int64), final func() int64) int64 {
	plans := make([][]int64, w.goroutines)
	for g := range plans {
		plans[g] = w.amounts(g)
	}
	actorBankTogether(w.goroutines, func(g int) {
		for _, a := range plans[g] {
			apply(a)
		}
	})
	return final()
}

// actorBankTogether runs fn(0..n-1) on n goroutines released at the same
// moment, so that they contend from the first operation, and waits for them.
func actorBankTogether(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

const actorBankStart = 1000

// The three ways to keep the balance: a mutex, an actor told, an actor asked.

func actorBankMutex(w actorBankWorkload) int64 {
	var mu sync.Mutex
	balance := int64(actorBankStart)
	return actorBankRun(w, func(a int64) {
		mu.Lock()
		balance += a
		mu.Unlock()
	}, func() int64 { mu.Lock(); defer mu.Unlock(); return balance })
}

// actorBankMsg is a deposit (amount > 0), a withdrawal (amount < 0) or,
// with query set, a request for the balance.
type actorBankMsg struct {
	amount int64
	query  bool
}

func actorBankAccount(c *actor.Context[actorBankMsg]) actor.Behavior[actorBankMsg] {
	balance := int64(actorBankStart) // owned by the actor: nothing else can reach it
	return func(c *actor.Context[actorBankMsg], m actorBankMsg) error {
		if !m.query {
			balance += m.amount
		}
		if m.query || c.Sender() != (actor.AnyRef{}) {
			actor.Reply(c, balance)
			return nil
		}
		return nil
	}
}

// actorBankActor sends every update without waiting (tell); the final
// query is queued behind every update, so its answer counts them all.
func actorBankActor(w actorBankWorkload, ask bool) (int64, error) {
	sys, err := actor.NewSystem(actor.WithName("actor-bank"))
	if err != nil {
		return 0, err
	}
	defer sys.Shutdown(context.Background())
	acct, err := actor.Spawn(sys, "account", actorBankAccount)
	if err != nil {
		return 0, err
	}
	var failed atomic.Int64
	apply := func(a int64) {
		if acct.Send(actorBankMsg{amount: a}) != nil {
			failed.Add(1)
		}
	}
	if ask {
		apply = func(a int64) {
			if _, err := actor.Ask[int64](context.Background(), acct, actorBankMsg{amount: a}); err != nil {
				failed.Add(1)
			}
		}
	}
	final := actorBankRun(w, apply, func() int64 {
		b, err := actor.Ask[int64](context.Background(), acct, actorBankMsg{query: true})
		if err != nil {
			failed.Add(1)
		}
		return b
	})
	if n := failed.Load(); n > 0 {
		return final, fmt.Errorf("actor-bank: %d messages were refused", n)
	}
	return final, nil
}

// actorBankMeasurements is what the trials found.
type actorBankMeasurements struct {
	trials, updates int // per trial: updates = goroutines * ops
	askUpdates      int
	// Trials whose final balance was wrong.
	mutexWrong, tellWrong, askWrong int
	// Throughput in updates per second.
	mutex, tell, ask Stats
}

func runActorBank(ctx context.Context, env *Env) (Result, error) {
	w := actorBankWorkload{goroutines: 4, ops: env.Scale(50000, 5000), seed: 7}
	wa := actorBankWorkload{goroutines: 4, ops: env.Scale(5000, 500), seed: 8}
	want, wantAsk := w.want(actorBankStart), wa.want(actorBankStart)
	m := actorBankMeasurements{trials: env.Scale(5, 2), updates: w.goroutines * w.ops, askUpdates: wa.goroutines * wa.ops}
	check := func(got, want int64, wrong *int) {
		if got != want {
			*wrong++
		}
	}
	env.Step("%d trials of %d concurrent updates: mutex, actor (tell), actor (ask)", m.trials, m.updates)
	stats, err := TimeInterleaved(ctx, m.trials,
		func() error { check(actorBankMutex(w), want, &m.mutexWrong); return nil },
		func() error {
			got, err := actorBankActor(w, false)
			check(got, want, &m.tellWrong)
			return err
		},
		func() error {
			got, err := actorBankActor(wa, true)
			check(got, wantAsk, &m.askWrong)
			return err
		},
	)
	if err != nil {
		return Result{}, err
	}
	m.mutex = actorBankRate(stats[0], m.updates)
	m.tell = actorBankRate(stats[1], m.updates)
	m.ask = actorBankRate(stats[2], m.askUpdates)
	return Result{Claims: actorBankVerdicts(m)}, nil
}

// actorBankRate turns durations in seconds into updates per second, round
// by round.
func actorBankRate(s Stats, updates int) Stats {
	return s.Map(func(sec float64) float64 { return ratio(float64(updates), sec) })
}

// actorBankVerdicts is a pure function of the measurements: wrong balances
// decide the first claim; the second holds while the actor (tell) keeps at
// least a tenth of the mutex's throughput, judged round by round (see
// Judge).
func actorBankVerdicts(m actorBankMeasurements) []Claim {
	exp := actorBankExperiment()
	safe := exp.NewClaim("no-lost-update")
	for k, v := range map[string]float64{
		"trials": float64(m.trials), "updates_per_trial": float64(m.updates),
		"mutex_wrong_trials":      float64(m.mutexWrong),
		"actor_tell_wrong_trials": float64(m.tellWrong), "actor_ask_wrong_trials": float64(m.askWrong),
	} {
		safe.Measurements[k] = v
	}
	switch {
	case m.trials == 0:
		safe.Verdict, safe.Evidence = Inconclusive, "No trial ran."
	case m.tellWrong+m.askWrong > 0:
		safe.Verdict = Fails
		safe.Evidence = fmt.Sprintf("The actor's final balance was wrong in %d of %d trials (tell) and %d of %d (ask).", m.tellWrong, m.trials, m.askWrong, m.trials)
	default:
		safe.Verdict = Holds
		safe.Evidence = fmt.Sprintf("%d trials of %d concurrent deposits and withdrawals from 4 goroutines (and %d with Ask): the actor's balance was exact every time, as the mutex version's was in %d of %d.",
			m.trials, m.updates, m.askUpdates, m.trials-m.mutexWrong, m.trials)
	}

	cost := exp.NewClaim("cost-within-10x")
	r := RatioSpread(m.tell, m.mutex)
	cost.Measurements["mutex_updates_per_s"], cost.Measurements["actor_tell_updates_per_s"] = m.mutex.Median, m.tell.Median
	cost.Measurements["actor_ask_updates_per_s"], cost.Measurements["ask_over_mutex"] = m.ask.Median, ratio(m.ask.Median, m.mutex.Median)
	r.Measure(cost.Measurements, "tell_over_mutex")
	cost.Evidence = fmt.Sprintf("Median updates/s: mutex %s, actor with tell %s (%.2fx the mutex), actor with Ask per update %s (%.3fx).",
		actorBankHuman(m.mutex.Median), actorBankHuman(m.tell.Median), r.Median, actorBankHuman(m.ask.Median), ratio(m.ask.Median, m.mutex.Median))
	if m.mutex.N == 0 || m.tell.N == 0 {
		cost.Verdict = Inconclusive
		return []Claim{safe, cost}
	}
	var note string
	cost.Verdict, note = Judge(r, times, func(x float64) bool { return x >= 0.1 }, func(x float64) bool { return x < 0.1 })
	cost.Evidence += note
	return []Claim{safe, cost}
}

func actorBankHuman(perSec float64) string {
	switch {
	case perSec >= 1e6:
		return fmt.Sprintf("%.1fM", perSec/1e6)
	case perSec >= 1e3:
		return fmt.Sprintf("%.0fk", perSec/1e3)
	}
	return fmt.Sprintf("%.0f", perSec)
}
