package web

import (
	_ "embed"
	"strings"

	"github.com/labludus/ludus/check"
	catomic "github.com/labludus/ludus/check/atomic"
	csync "github.com/labludus/ludus/check/sync"
)

// scenario is a program of the guide that the playground runs under the
// checker, one step at a time.
type scenario struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Guide is what the guide says about it; Try says what to do.
	Guide string `json:"guide"`
	Try   string `json:"try"`
	// Code is the body's source, cut from this file between the markers
	// "// code:<id>" and "// end", so the page shows what really runs.
	Code string `json:"code"`
	body func(*check.T)
}

//go:embed scenarios.go
var scenariosSource string

// scenarios are the playground's programs, in the guide's order.
var scenarios = []*scenario{
	{ID: "bank-race", Title: "The bank race",
		Guide: "Thread A: read balance (1000) → 1000 + 500 = 1500 → write (1500). Thread B: read balance (1000) → 1000 - 200 = 800 → write (800). Result: 800 (500 vanished!)",
		Try:   "Run A's read, then B's read, then both writes: one update vanishes. Or ask the checker how many schedules fail and jump to one.",
		body:  bankRace},
	{ID: "mutex-fix", Title: "The mutex fix",
		Guide: "Solution: Mutex. with lock: balance += amount",
		Try:   "Try to slip B's read between A's read and write: while A holds mu, B can only wait. Every schedule ends at 1300.",
		body:  mutexFix},
	{ID: "deadlock", Title: "Opposite-order deadlock",
		Guide: "Deadlock: two threads wait for each other's locks forever.",
		Try:   "Let A take mu1 and B take mu2: now each waits for the other's lock, forever.",
		body:  oppositeOrder},
	{ID: "lock-ordering", Title: "The lock-ordering fix",
		Guide: "Solutions: lock ordering, timeouts, lock-free algorithms.",
		Try:   "Both take mu1 first, so whoever gets it can always take mu2: no schedule deadlocks.",
		body:  lockOrdering},
	{ID: "channel", Title: "A channel hand-off",
		Guide: "ch := make(chan int); go func() { ch <- expensiveCalc() }(); value := <-ch",
		Try:   "Whoever arrives first at the unbuffered channel waits for the other: the value always arrives.",
		body:  channelHandOff},
}

func init() {
	for _, sc := range scenarios {
		sc.Code = codeOf(sc.ID)
	}
}

// codeOf cuts the lines between "// code:<id>" and the next "// end" out
// of this file's source, without their common indentation.
func codeOf(id string) string {
	_, rest, ok := strings.Cut(scenariosSource, "// code:"+id+"\n")
	if !ok {
		return ""
	}
	body, _, _ := strings.Cut(rest, "// end")
	lines := strings.Split(strings.TrimRight(body, "\t\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "\t")
	}
	return strings.Join(lines, "\n")
}

func findScenario(id string) *scenario {
	for _, sc := range scenarios {
		if sc.ID == id {
			return sc
		}
	}
	return nil
}

func bankRace(t *check.T) {
	// code:bank-race
	var balance catomic.Int64
	check.Name(&balance, "balance")
	balance.Store(1000)
	t.Go("A", func() {
		read := balance.Load()
		balance.Store(read + 500)
	})
	t.Go("B", func() {
		read := balance.Load()
		balance.Store(read - 200)
	})
	t.Wait()
	if got := balance.Load(); got != 1300 {
		t.Errorf("balance = %d, want 1300", got)
	}
	// end
}

func mutexFix(t *check.T) {
	// code:mutex-fix
	var mu csync.Mutex
	var balance catomic.Int64
	check.Name(&mu, "mu")
	check.Name(&balance, "balance")
	balance.Store(1000)
	deposit := func(amount int64) {
		mu.Lock()
		defer mu.Unlock()
		balance.Store(balance.Load() + amount)
	}
	t.Go("A", func() { deposit(500) })
	t.Go("B", func() { deposit(-200) })
	t.Wait()
	if got := balance.Load(); got != 1300 {
		t.Errorf("balance = %d, want 1300", got)
	}
	// end
}

func oppositeOrder(t *check.T) {
	// code:deadlock
	var mu1, mu2 csync.Mutex
	check.Name(&mu1, "mu1")
	check.Name(&mu2, "mu2")
	transfers := check.NewVar("transfers", 0)
	t.Go("A", func() {
		mu1.Lock()
		mu2.Lock()
		transfers.Store(transfers.Load() + 1)
		mu2.Unlock()
		mu1.Unlock()
	})
	t.Go("B", func() {
		mu2.Lock() // the other order
		mu1.Lock()
		transfers.Store(transfers.Load() + 1)
		mu1.Unlock()
		mu2.Unlock()
	})
	t.Wait()
	// end
}

func lockOrdering(t *check.T) {
	// code:lock-ordering
	var mu1, mu2 csync.Mutex
	check.Name(&mu1, "mu1")
	check.Name(&mu2, "mu2")
	transfers := check.NewVar("transfers", 0)
	transfer := func() {
		mu1.Lock() // everyone takes mu1 first
		mu2.Lock()
		transfers.Store(transfers.Load() + 1)
		mu2.Unlock()
		mu1.Unlock()
	}
	t.Go("A", transfer)
	t.Go("B", transfer)
	t.Wait()
	if n := transfers.Load(); n != 2 {
		t.Errorf("%d transfers, want 2", n)
	}
	// end
}

func channelHandOff(t *check.T) {
	// code:channel
	expensiveCalc := func() int { return 6 * 7 }
	ch := check.NewChan[int]("ch", 0)
	t.Go("worker", func() { ch.Send(expensiveCalc()) })
	value := ch.Recv()
	if value != 42 {
		t.Errorf("value = %d, want 42", value)
	}
	// end
}
