package lab

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// The guide's code as a Go programmer writes it: plain sync, no ludus
// import, tested by an ordinary go test. The race-condition and deadlock
// experiments hand such a module to "ludus check" (through Env.PlainCheck)
// and judge what it finds: the claim is that the checker works on the code
// people have, not only on code written against its API.

// PlainResult is one test's outcome from "ludus check".
type PlainResult struct {
	Test      string // TestXxx
	Verdict   string // pass, fail, inconclusive, skip, error
	Kind      string // the failure's kind (data-race, deadlock, ...); "" unless failed
	Message   string // the failure's message, or the limit
	Schedules int64  // schedules explored
	Complete  string // how far the search got: complete, complete up to N preemptions, inconclusive: <limit>
	Trace     string // the failing schedule, as printed
}

// PlainChecker runs "ludus check" on the Go module made of files (name to
// content, go.mod included) and returns the result of each of its tests.
// The ludus command provides it: the lab does not depend on the rewriter.
type PlainChecker func(ctx context.Context, files map[string]string) ([]PlainResult, error)

// plainBankModule is the guide's bank account in plain Go: Thread A and
// Thread B read, compute and write the balance; the mutex fix.
var plainBankModule = map[string]string{
	"go.mod": "module example.com/bank\n\ngo 1.21\n",
	"bank.go": `package bank

import "sync"

// Account is the guide's shared balance.
type Account struct {
	mu      sync.Mutex
	balance int
}

// Deposit is Thread A and Thread B: read, compute, write.
func (a *Account) Deposit(amount int) {
	read := a.balance
	a.balance = read + amount
}

// SafeDeposit is the guide's fix: the same under a mutex.
func (a *Account) SafeDeposit(amount int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.balance += amount
}
`,
	"bank_test.go": `package bank

import (
	"sync"
	"testing"
)

func transfer(t *testing.T, deposit func(*Account, int)) {
	a := &Account{balance: 1000}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); deposit(a, 500) }()
	go func() { defer wg.Done(); deposit(a, -200) }()
	wg.Wait()
	if a.balance != 1300 {
		t.Errorf("balance = %d, want 1300", a.balance)
	}
}

func TestLostUpdate(t *testing.T) { transfer(t, (*Account).Deposit) }

func TestMutexFix(t *testing.T) { transfer(t, (*Account).SafeDeposit) }
`,
}

// plainTransferModule is the guide's deadlock in plain Go: two transfers
// lock two accounts in opposite orders; the fix orders the locks.
var plainTransferModule = map[string]string{
	"go.mod": "module example.com/transfer\n\ngo 1.21\n",
	"transfer.go": `package transfer

import "sync"

// Account is a balance with its own lock.
type Account struct {
	ID     int
	mu     sync.Mutex
	amount int
}

// Transfer locks from, then to: two opposite transfers can deadlock.
func Transfer(from, to *Account, n int) {
	from.mu.Lock()
	defer from.mu.Unlock()
	to.mu.Lock()
	defer to.mu.Unlock()
	from.amount -= n
	to.amount += n
}

// OrderedTransfer locks the account with the lower ID first, whatever the
// direction: the guide's cure.
func OrderedTransfer(from, to *Account, n int) {
	first, second := from, to
	if second.ID < first.ID {
		first, second = second, first
	}
	first.mu.Lock()
	defer first.mu.Unlock()
	second.mu.Lock()
	defer second.mu.Unlock()
	from.amount -= n
	to.amount += n
}
`,
	"transfer_test.go": `package transfer

import (
	"sync"
	"testing"
)

func both(t *testing.T, transfer func(from, to *Account, n int)) {
	a, b := &Account{ID: 1, amount: 100}, &Account{ID: 2, amount: 100}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); transfer(a, b, 10) }()
	go func() { defer wg.Done(); transfer(b, a, 20) }()
	wg.Wait()
	if a.amount+b.amount != 200 {
		t.Errorf("money created or lost: %d + %d", a.amount, b.amount)
	}
}

func TestOppositeTransfers(t *testing.T) { both(t, Transfer) }

func TestOrderedTransfers(t *testing.T) { both(t, OrderedTransfer) }
`,
}

// plainExpect is what a plain-Go claim expects of ludus check: the buggy
// test fails with the given kind of failure, the fixed one passes over
// every schedule.
type plainExpect struct {
	claimID  string
	module   map[string]string
	buggy    string // the test that must fail
	kind     string // its failure's kind
	fixed    string // the test that must pass, completely
	bugWords string // the bug, in the evidence ("the lost update")
}

// plainCheckClaim runs ludus check on the expectation's module and judges
// it. Without a checker (the lab run from a program that provides none) or
// when the module cannot be checked, the claim is inconclusive: neither is
// something the code did.
func plainCheckClaim(ctx context.Context, env *Env, x plainExpect) Claim {
	c := Claim{ID: x.claimID, Measurements: map[string]float64{"plain_checker_ran": 0}}
	if env == nil || env.PlainCheck == nil {
		c.Verdict = Inconclusive
		c.Evidence = "no plain-Go checker in this run: the ludus command provides one (go run ./cmd/ludus)."
		return c
	}
	env.Step("ludus check on the guide's code as plain Go")
	results, err := env.PlainCheck(ctx, x.module)
	if err != nil {
		c.Verdict = Inconclusive
		c.Evidence = fmt.Sprintf("ludus check could not run: %v", err)
		return c
	}
	byTest := map[string]PlainResult{}
	for _, r := range results {
		byTest[r.Test] = r
	}
	bug, fix := byTest[x.buggy], byTest[x.fixed]
	c.Measurements = map[string]float64{"plain_checker_ran": 1, "buggy_schedules": float64(bug.Schedules), "fixed_schedules": float64(fix.Schedules)}
	c.Detail = bug.Trace
	switch {
	case bug.Test == "" || fix.Test == "":
		c.Verdict = Inconclusive
		c.Evidence = fmt.Sprintf("ludus check reported no result for %s or %s (got %s).", x.buggy, x.fixed, plainTests(results))
	case bug.Verdict != "fail" || bug.Kind != x.kind:
		c.Verdict = Fails
		c.Evidence = fmt.Sprintf("%s: %s %s after %d schedules (%s), not the %s it has.", x.buggy, bug.Verdict, bug.Kind, bug.Schedules, bug.Complete, x.kind)
	case fix.Verdict == "fail":
		c.Verdict = Fails
		c.Evidence = fmt.Sprintf("%s failed: %s %s", x.fixed, fix.Kind, fix.Message)
		c.Detail = fix.Trace
	case fix.Verdict != "pass" || fix.Complete != "complete":
		c.Verdict = Inconclusive
		c.Evidence = fmt.Sprintf("%s found %s (%s), but %s is %s, %s.", x.buggy, x.bugWords, bug.Kind, x.fixed, fix.Verdict, fix.Complete)
	default:
		c.Verdict = Holds
		c.Evidence = fmt.Sprintf("an ordinary go test, unmodified: %s fails with %s (%s) at schedule %d, printed below with a replay token; %s passes over every schedule (%d, %s).",
			x.buggy, x.bugWords, bug.Kind, bug.Schedules, x.fixed, fix.Schedules, fix.Complete)
	}
	return c
}

// plainTests lists the tests of results, for an error message.
func plainTests(results []PlainResult) string {
	var names []string
	for _, r := range results {
		names = append(names, r.Test)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "no tests"
	}
	return strings.Join(names, ", ")
}
