package lab

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/labludus/ludus/actor"
	"github.com/labludus/ludus/lock"
)

func concurrencyModelsExperiment() Experiment {
	return Experiment{
		ID:      "concurrency-models",
		Section: "Concurrency Models",
		Specs: []ClaimSpec{
			{ID: "correct-but-different", Text: "Each model gives correct results; they differ in cost and in what you must get right."},
		},
		Run: runConcurrencyModels,
	}
}

// One workload, four models: workers make random transfers between
// accounts; a transfer moves the amount if the source has it and is
// refused otherwise. Money is neither made nor lost, so the total must be
// the same at the end, with every balance non-negative and every transfer
// either applied or refused.
type cmWorkload struct {
	accounts, workers, transfers int // transfers per worker
	seed                         uint64
}

const cmStart = 1000

type cmTransfer struct {
	from, to int
	amount   int64
}

func (w cmWorkload) plan(worker int) []cmTransfer {
	r := rand.New(rand.NewPCG(w.seed, uint64(worker)))
	out := make([]cmTransfer, w.transfers)
	for i := range out {
		from := r.IntN(w.accounts)
		to := (from + 1 + r.IntN(w.accounts-1)) % w.accounts
		out[i] = cmTransfer{from, to, 1 + r.Int64N(200)}
	}
	return out
}

// cmOutcome is what a model reports after all its transfers settled.
type cmOutcome struct {
	balances         []int64
	applied, refused int64
}

func (o cmOutcome) total() int64 {
	var t int64
	for _, b := range o.balances {
		t += b
	}
	return t
}

// cmCorrect checks the invariants; "" means correct.
func (w cmWorkload) cmCorrect(o cmOutcome) string {
	if len(o.balances) != w.accounts {
		return fmt.Sprintf("%d balances for %d accounts", len(o.balances), w.accounts)
	}
	if t, want := o.total(), int64(w.accounts*cmStart); t != want {
		return fmt.Sprintf("total %d, want %d", t, want)
	}
	for i, b := range o.balances {
		if b < 0 {
			return fmt.Sprintf("account %d at %d", i, b)
		}
	}
	if n, want := o.applied+o.refused, int64(w.workers*w.transfers); n != want {
		return fmt.Sprintf("%d transfers settled, want %d", n, want)
	}
	return ""
}

// cmRunWorkers runs every worker's plan through transfer, all released at once.
func (w cmWorkload) cmRunWorkers(transfer func(worker int, t cmTransfer)) {
	plans := make([][]cmTransfer, w.workers)
	for i := range plans {
		plans[i] = w.plan(i)
	}
	actorBankTogether(w.workers, func(i int) {
		for _, t := range plans[i] {
			transfer(i, t)
		}
	})
}

// Shared memory: a lock per account. A transfer needs two locks, and two
// transfers taking them in opposite orders deadlock: lock.All takes them in
// one global order (and lock's lock-order graph would report any code that
// does not).
func cmSharedMemory(w cmWorkload) cmOutcome {
	type acct struct {
		mu      lock.Mutex
		balance int64
	}
	accts := make([]acct, w.accounts)
	for i := range accts {
		accts[i].balance = cmStart
	}
	var applied, refused atomic.Int64
	w.cmRunWorkers(func(_ int, t cmTransfer) {
		from, to := &accts[t.from], &accts[t.to]
		held := lock.All(&from.mu, &to.mu)
		ok := from.balance >= t.amount
		if ok {
			from.balance -= t.amount
			to.balance += t.amount
		}
		held.Unlock()
		if ok {
			applied.Add(1)
		} else {
			refused.Add(1)
		}
	})
	o := cmOutcome{applied: applied.Load(), refused: refused.Load()}
	for i := range accts {
		accts[i].mu.Lock()
		o.balances = append(o.balances, accts[i].balance)
		accts[i].mu.Unlock()
	}
	return o
}

// CSP: a goroutine owns each account and serves requests from its channel.
// A worker asks the source to withdraw (and waits for the answer), then
// tells the destination to deposit. Account goroutines never send to each
// other: with bounded channels, two owners sending to each other can block
// forever, so the topology (who may wait on whom) is what you must get
// right.
type cmReq struct {
	amount int64     // > 0 deposit, < 0 withdrawal
	reply  chan bool // withdrawals: was there enough?
	query  chan int64
}

func cmCSP(w cmWorkload) cmOutcome {
	chans := make([]chan cmReq, w.accounts)
	var owners sync.WaitGroup
	for i := range chans {
		ch := make(chan cmReq, 64)
		chans[i] = ch
		owners.Go(func() {
			balance := int64(cmStart) // owned by this goroutine alone
			for r := range ch {
				switch {
				case r.query != nil:
					r.query <- balance
				case r.amount > 0:
					balance += r.amount
				case balance >= -r.amount:
					balance += r.amount
					r.reply <- true
				default:
					r.reply <- false
				}
			}
		})
	}
	replies := make([]chan bool, w.workers)
	for i := range replies {
		replies[i] = make(chan bool, 1)
	}
	var applied, refused atomic.Int64
	w.cmRunWorkers(func(worker int, t cmTransfer) {
		chans[t.from] <- cmReq{amount: -t.amount, reply: replies[worker]}
		if <-replies[worker] {
			chans[t.to] <- cmReq{amount: t.amount}
			applied.Add(1)
		} else {
			refused.Add(1)
		}
	})
	// Every deposit was sent before this query, on the same channel: the
	// answer counts it.
	o := cmOutcome{applied: applied.Load(), refused: refused.Load()}
	q := make(chan int64)
	for _, ch := range chans {
		ch <- cmReq{query: q}
		o.balances = append(o.balances, <-q)
		close(ch)
	}
	owners.Wait()
	return o
}

// Actors: an actor owns each account. A worker tells the source to
// transfer and moves on; the source, if it has the money, tells the
// destination to deposit. Nobody waits, so nothing can deadlock, but the
// money is in flight in mailboxes until every message is handled: the total
// holds only once the system is quiet, and mailboxes are unbounded, so
// what you must get right is knowing when work is done, and backpressure.
type cmMsg struct {
	amount int64
	to     actor.Ref[cmMsg] // set: a transfer order; zero: a deposit
	query  bool
}

func cmActors(w cmWorkload) (cmOutcome, error) {
	sys, err := actor.NewSystem(actor.WithName("concurrency-models"))
	if err != nil {
		return cmOutcome{}, err
	}
	defer sys.Shutdown(context.Background())
	// Counting settled transfers is the test's way to know the system is
	// quiet; the one that settles the last closes the channel.
	var applied, refused, done atomic.Int64
	total := int64(w.workers * w.transfers)
	settled := make(chan struct{})
	settleOnce := func(counter *atomic.Int64) {
		counter.Add(1)
		if done.Add(1) == total {
			close(settled)
		}
	}
	accts := make([]actor.Ref[cmMsg], w.accounts)
	for i := range accts {
		accts[i], err = actor.Spawn(sys, fmt.Sprint("account-", i), func(c *actor.Context[cmMsg]) actor.Behavior[cmMsg] {
			balance := int64(cmStart) // owned by the actor alone
			return func(c *actor.Context[cmMsg], m cmMsg) error {
				switch {
				case m.query:
					actor.Reply(c, balance)
					return nil
				case m.to.IsZero():
					balance += m.amount
					settleOnce(&applied)
				case balance >= m.amount:
					balance -= m.amount
					return m.to.Send(cmMsg{amount: m.amount})
				default:
					settleOnce(&refused)
				}
				return nil
			}
		})
		if err != nil {
			return cmOutcome{}, err
		}
	}
	var sendErr atomic.Int64
	w.cmRunWorkers(func(_ int, t cmTransfer) {
		if accts[t.from].Send(cmMsg{amount: t.amount, to: accts[t.to]}) != nil {
			sendErr.Add(1)
		}
	})
	if n := sendErr.Load(); n > 0 {
		return cmOutcome{}, fmt.Errorf("concurrency-models: %d sends refused", n)
	}
	if total > 0 {
		<-settled // the system is quiet: no money in flight
	}
	o := cmOutcome{applied: applied.Load(), refused: refused.Load()}
	for _, a := range accts {
		b, err := actor.Ask[int64](context.Background(), a, cmMsg{query: true})
		if err != nil {
			return cmOutcome{}, err
		}
		o.balances = append(o.balances, b)
	}
	return o, nil
}

// cmModel is one model's result.
type cmModel struct {
	name, mustGetRight string
	wrong              int    // trials that broke an invariant
	firstProblem       string // the first broken invariant, if any
	rate               Stats  // transfers per second
}

type cmMeasurements struct {
	trials, transfers int // transfers per trial
	models            []cmModel
}

var cmMustGetRight = []string{
	"lock both accounts in one global order (lock.All), or two transfers deadlock",
	"who waits on whom: owners must not block sending to each other",
	"when the work is done (money is in flight in mailboxes), and backpressure",
	"never block or compute long in a callback: every transfer waits behind it, and a loop is one core",
}

func runConcurrencyModels(ctx context.Context, env *Env) (Result, error) {
	w := cmWorkload{accounts: 32, workers: 4, transfers: env.Scale(20000, 1000), seed: 11}
	m := cmMeasurements{trials: env.Scale(7, 2), transfers: w.workers * w.transfers}
	m.models = []cmModel{
		{name: "shared memory (lock.Mutex)", mustGetRight: cmMustGetRight[0]},
		{name: "CSP (goroutines + channels)", mustGetRight: cmMustGetRight[1]},
		{name: "actors (ludus/actor)", mustGetRight: cmMustGetRight[2]},
		{name: "event loop (ludus/evloop)", mustGetRight: cmMustGetRight[3]},
	}
	record := func(i int, o cmOutcome) {
		if p := w.cmCorrect(o); p != "" {
			if m.models[i].wrong++; m.models[i].firstProblem == "" {
				m.models[i].firstProblem = p
			}
		}
	}
	env.Step("%d trials of %d random transfers between %d accounts, in four models", m.trials, m.transfers, w.accounts)
	stats, err := TimeInterleaved(ctx, m.trials,
		func() error { record(0, cmSharedMemory(w)); return nil },
		func() error { record(1, cmCSP(w)); return nil },
		func() error {
			o, err := cmActors(w)
			record(2, o)
			return err
		},
		func() error {
			o, err := cmEventLoop(w)
			record(3, o)
			return err
		},
	)
	if err != nil {
		return Result{}, err
	}
	for i := range m.models {
		m.models[i].rate = actorBankRate(stats[i], m.transfers)
	}
	return Result{Claims: []Claim{cmVerdict(m)}}, nil
}

func cmVerdict(m cmMeasurements) Claim {
	c := concurrencyModelsExperiment().NewClaim("correct-but-different")
	c.Measurements["trials"], c.Measurements["transfers_per_trial"] = float64(m.trials), float64(m.transfers)
	keys := []string{"shared_memory", "csp", "actors", "event_loop"}
	var table strings.Builder
	fmt.Fprintf(&table, "%-28s %14s %9s  %s\n", "model", "transfers/s", "correct", "what you must get right")
	wrong := 0
	var slow, fast *cmModel
	for i := range m.models {
		md := &m.models[i]
		key := fmt.Sprint("model", i)
		if i < len(keys) {
			key = keys[i]
		}
		c.Measurements[key+"_transfers_per_s"] = md.rate.Median
		c.Measurements[key+"_wrong_trials"] = float64(md.wrong)
		fmt.Fprintf(&table, "%-28s %14s %4d/%-4d  %s\n", md.name, actorBankHuman(md.rate.Median), m.trials-md.wrong, m.trials, md.mustGetRight)
		wrong += md.wrong
		if slow == nil || md.rate.Median < slow.rate.Median {
			slow = md
		}
		if fast == nil || md.rate.Median > fast.rate.Median {
			fast = md
		}
	}
	c.Detail = strings.TrimRight(table.String(), "\n")
	if m.trials == 0 || slow == nil {
		c.Verdict, c.Evidence = Inconclusive, "No trial ran."
		return c
	}
	apart := RatioSpread(fast.rate, slow.rate)
	apart.Measure(c.Measurements, "fastest_over_slowest")
	if wrong > 0 {
		c.Verdict = Fails
		for _, md := range m.models {
			if md.wrong > 0 {
				c.Evidence = fmt.Sprintf("%s broke an invariant in %d of %d trials: %s.", md.name, md.wrong, m.trials, md.firstProblem)
				return c
			}
		}
	}
	c.Evidence = fmt.Sprintf("Every model kept the total and every balance right in all %d trials of %d transfers; the fastest (%s, %s/s) did %.1fx the transfers/s of the slowest (%s, %s/s).",
		m.trials, m.transfers, fast.name, actorBankHuman(fast.rate.Median), apart.Median, slow.name, actorBankHuman(slow.rate.Median))
	// Correct everywhere; the costs differ if the fastest does 1.5x the
	// slowest's rate and no round has them the other way round. A
	// measured "no difference" does not contradict the claim's main point,
	// so the timing alone never fails it.
	verdict, note := Judge(apart, times, func(x float64) bool { return x >= 1.5 }, func(x float64) bool { return x <= 1 })
	c.Verdict = verdict
	if verdict != Holds {
		c.Verdict = Inconclusive
		c.Evidence += " Their costs are not clearly apart on this machine." + note
	}
	return c
}
