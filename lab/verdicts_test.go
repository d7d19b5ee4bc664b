package lab

import (
	"strings"
	"testing"
	"time"

	"github.com/labludus/ludus/check"
)

// verdictsOf extracts the verdicts of claims, for table tests.
func verdictsOf(cs []Claim) []Verdict {
	v := make([]Verdict, len(cs))
	for i, c := range cs {
		v[i] = c.Verdict
	}
	return v
}

func sameVerdicts(t *testing.T, name string, got []Claim, want ...Verdict) {
	t.Helper()
	g := verdictsOf(got)
	if len(g) != len(want) {
		t.Fatalf("%s: %d claims, want %d", name, len(g), len(want))
	}
	for i := range want {
		if g[i] != want[i] {
			t.Errorf("%s: claim %d verdict %s, want %s (evidence: %s)", name, i, g[i], want[i], got[i].Evidence)
		}
	}
}

// steady is a measurement over three rounds on a steady machine: the
// second round 2% slower, the third 2% faster.
func steady(x float64) Stats { return rounds(x, x*1.02, x*0.98) }

func TestConcurrencyVsParallelismVerdicts(t *testing.T) {
	base := cvpMeasurements{ioTasks: 8, ioSequential: steady(0.32), ioOneCore: steady(0.041),
		cpuTasks: 4, cpus: 2, cpuSequential: steady(0.16), cpuOneCore: steady(0.165), cpuParallel: steady(0.085)}
	sameVerdicts(t, "textbook", base.verdicts(), Holds, Holds, Holds)
	for i, id := range []string{"io-on-one-core", "cpu-not-by-concurrency", "cpu-by-parallelism"} {
		if c := base.verdicts()[i]; c.ID != id || c.Claim == "" {
			t.Errorf("claim %d: id %q text %q, want id %q", i, c.ID, c.Claim, id)
		}
	}

	m := base
	m.ioOneCore = steady(0.30) // concurrency bought nothing on I/O
	m.cpuOneCore = steady(0.05)
	m.cpuParallel = steady(0.155)
	sameVerdicts(t, "contradicted", m.verdicts(), Fails, Fails, Fails)

	m = base
	m.ioOneCore = steady(0.1) // 3.2x of an ideal 8x
	m.cpuOneCore = steady(0.12)
	m.cpuParallel = steady(0.12)
	sameVerdicts(t, "in between", m.verdicts(), Inconclusive, Inconclusive, Inconclusive)

	// A busy machine: each median says "fails", but one round of each
	// says "holds".
	m = base
	m.ioOneCore = rounds(0.30, 0.035, 0.31)
	m.cpuOneCore = rounds(0.05, 0.17, 0.05)
	m.cpuParallel = rounds(0.155, 0.08, 0.155)
	sameVerdicts(t, "busy machine", m.verdicts(), Inconclusive, Inconclusive, Inconclusive)
	if e := m.verdicts()[0].Evidence; !strings.Contains(e, "ranged from") || !strings.Contains(e, "would say fails") {
		t.Errorf("spread not shown: %q", e)
	}

	m = base
	m.cpuParallel = steady(0.155)
	m.cpuParallelCores = 0.9 // another process held the second core
	if v := m.verdicts()[2]; v.Verdict != Inconclusive || !strings.Contains(v.Evidence, "0.9 cores") {
		t.Errorf("starved parallel run judged %s: %s", v.Verdict, v.Evidence)
	}
	m.cpuParallelCores = 1.9 // it had both cores and still did not speed up
	if v := m.verdicts()[2]; v.Verdict != Fails {
		t.Errorf("parallel run with both cores and no speedup judged %s", v.Verdict)
	}

	m = base
	m.cpus = 1
	m.cpuTasks = 4
	sameVerdicts(t, "one core", m.verdicts(), Holds, Holds, Inconclusive)

	m = base
	m.cpuParallel = steady(0.04) // 4x on 2 cores is not "up to the core count"
	if v := m.verdicts()[2]; v.Verdict != Inconclusive {
		t.Errorf("super-linear speedup judged %s", v.Verdict)
	}
	if v := m.verdicts()[2]; v.Measurements["speedup"] != 4 || !strings.Contains(v.Evidence, "4.00x") {
		t.Errorf("evidence/measurements: %q %v", v.Evidence, v.Measurements)
	}
}

func TestAsyncAwaitVerdicts(t *testing.T) {
	base := asyncAwaitMeasurements{userLatency: 0.12, ordersLatency: 0.08, sequential: steady(0.204), concurrent: steady(0.123)}
	sameVerdicts(t, "textbook", base.verdicts(), Holds, Holds)

	m := base
	m.sequential = steady(0.125) // the "sequential" calls overlapped
	m.concurrent = steady(0.2)
	sameVerdicts(t, "contradicted", m.verdicts(), Fails, Fails)

	m = base
	m.sequential = steady(0.5) // far slower than the latencies explain
	m.concurrent = steady(0.17)
	sameVerdicts(t, "noisy", m.verdicts(), Inconclusive, Inconclusive)

	// The median concurrent run took the sum of the latencies (fails), but
	// another took the longest one: the spread covers the effect.
	m = base
	m.concurrent = rounds(0.2, 0.125, 0.21)
	sameVerdicts(t, "busy machine", m.verdicts(), Holds, Inconclusive)
	sameVerdicts(t, "one round", asyncAwaitMeasurements{userLatency: 0.12, ordersLatency: 0.08,
		sequential: rounds(0.204), concurrent: rounds(0.123)}.verdicts(), Inconclusive, Inconclusive)
}

func outcomes(trials int, finals map[int64]int) bankOutcomes {
	o := bankOutcomes{trials: trials, finals: finals}
	if finals[1300] != trials {
		o.firstLost = 7
	}
	return o
}

func TestRaceVerdicts(t *testing.T) {
	clean := outcomes(1000, map[int64]int{1300: 1000})
	racy := outcomes(1000, map[int64]int{1300: 990, 800: 6, 1500: 4})
	cs := raceVerdicts(clean, racy, clean, clean)
	sameVerdicts(t, "race seen with work", cs, Holds, Holds, Holds)
	if !strings.Contains(cs[0].Evidence, "800 x6") || !strings.Contains(cs[0].Evidence, "only rarely") {
		t.Errorf("evidence: %s", cs[0].Evidence)
	}
	if cs[0].Measurements["slow_lost"] != 10 || cs[0].Measurements["slow_final_800"] != 6 {
		t.Errorf("measurements: %v", cs[0].Measurements)
	}
	sameVerdicts(t, "race never seen", raceVerdicts(clean, clean, clean, clean), Inconclusive, Holds, Holds)
	sameVerdicts(t, "broken fixes", raceVerdicts(racy, racy, racy, racy), Holds, Fails, Fails)
	often := outcomes(100, map[int64]int{1300: 50, 800: 50})
	if cs := raceVerdicts(often, often, clean, clean); strings.Contains(cs[0].Evidence, "only rarely") {
		t.Errorf("a frequent race called rare: %s", cs[0].Evidence)
	}
}

func TestDeadlockVerdicts(t *testing.T) {
	wait := 30 * time.Millisecond
	good := deadlockMeasurements{trials: 10, oppositeDeadlocked: 10, retryCount: 12}
	sameVerdicts(t, "textbook", good.verdicts(wait), Holds, Holds, Holds)
	bad := deadlockMeasurements{trials: 10, oppositeDeadlocked: 0, orderedTimeouts: 2, retryTimeouts: 1, retryCount: 200}
	// The retry limit was hit: a limit, not a verdict.
	sameVerdicts(t, "contradicted", bad.verdicts(wait), Inconclusive, Fails, Inconclusive)
	if e := bad.verdicts(wait)[2].Evidence; !strings.Contains(e, "limit of 100 retries") {
		t.Errorf("the retry limit is not named: %q", e)
	}
	idle := deadlockMeasurements{trials: 10, oppositeDeadlocked: 3}
	sameVerdicts(t, "no retries needed", idle.verdicts(wait), Holds, Holds, Inconclusive)
}

func TestRaceCheckVerdicts(t *testing.T) {
	good := raceCheckMeasurements{runs: 5, found: 5, sameSchedule: 5, schedule: 3, failure: "trace",
		mutexExecs: 2, casExecs: 4, mutexExhausted: true, casExhausted: true}
	cs := raceCheckVerdicts(good)
	sameVerdicts(t, "textbook", cs, Holds, Holds)
	if cs[0].Detail != "trace" || cs[0].Measurements["check_failing_schedule"] != 3 {
		t.Errorf("claim: %+v", cs[0])
	}

	m := good
	m.sameSchedule = 3 // found, but not the same interleaving every time
	m.casExhausted = false
	sameVerdicts(t, "nondeterministic, budget out", raceCheckVerdicts(m), Fails, Inconclusive)

	m = good
	m.found, m.sameSchedule = 0, 0
	m.mutexFailure = "a failing fix"
	cs = raceCheckVerdicts(m)
	sameVerdicts(t, "missed race, broken fix", cs, Fails, Fails)
	if !strings.Contains(cs[1].Detail, "a failing fix") {
		t.Errorf("the failing fix's trace is not in the detail: %q", cs[1].Detail)
	}
}

func TestDeadlockCheckVerdicts(t *testing.T) {
	good := deadlockCheckMeasurements{kind: check.Deadlock, cycle: true, schedule: 2, failure: "cycle",
		orderExecs: 2, orderDone: true, retryExecs: 7, retryDone: true}
	sameVerdicts(t, "textbook", deadlockCheckVerdicts(good), Holds, Holds, Holds)

	m := good
	m.cycle = false
	m.orderFail = "trace"
	m.retryDone = false
	sameVerdicts(t, "no cycle, ordering fails, budget out", deadlockCheckVerdicts(m), Fails, Fails, Inconclusive)

	m = good
	m.kind = check.AssertionFailed
	if v := deadlockCheckVerdicts(m)[0]; v.Verdict != Fails {
		t.Errorf("a non-deadlock failure judged %s", v.Verdict)
	}
}
