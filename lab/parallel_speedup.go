package lab

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/labludus/ludus/par"
)

func parallelSpeedupExperiment() Experiment {
	return Experiment{
		ID:      "parallel-speedup",
		Section: "When to use what: CPU-bound (math) → parallelism",
		Specs: []ClaimSpec{
			{ID: "speedup-up-to-cores", Text: "CPU-bound work speeds up with cores, up to the core count."},
		},
		Run: runParallelSpeedup,
	}
}

// speedupPoint is the time of one par.Map with a given number of workers,
// one sample per round.
type speedupPoint struct {
	workers int
	seconds Stats
}

// speedupMeasurements are what the verdict is computed from: the curve
// over 1..cpus workers and one point with twice as many workers as cores.
type speedupMeasurements struct {
	cpus  int
	items int
	curve []speedupPoint // workers = 1 first, cpus last
	over  speedupPoint   // workers = 2 × cpus
	// coresObtained is the process's CPU time over wall time during the
	// runs with one worker per core; 0 when unknown.
	coresObtained float64
}

func runParallelSpeedup(ctx context.Context, env *Env) (Result, error) {
	cpus := env.CPUs
	if cpus <= 0 {
		cpus = runtime.GOMAXPROCS(0)
	}
	m := speedupMeasurements{cpus: cpus, items: 16 * cpus}
	reps := env.Scale(3, 1)
	// One run with one worker lasts about this long; the whole curve costs
	// about reps × total × (1 + 1/2 + … + 1/cpus + 1/(2·cpus)).
	total := env.Scale(250, 15)
	rounds := calibrateHashRounds(time.Duration(total) * time.Millisecond / time.Duration(m.items))
	in := make([]int, m.items)
	workers := append(speedupWorkerCounts(cpus), 2*cpus)
	// The worker counts take turns, so that load from elsewhere hits every
	// point of the curve alike. The all-cores runs also record how much CPU
	// the process got, to tell a starved run from a failed one.
	var cpuTime, wallTime time.Duration
	variants := make([]func() error, len(workers))
	for i, w := range workers {
		variants[i] = func() error {
			cpu0, ok0 := ProcessCPUTime()
			start := time.Now()
			par.Map(in, func(int) [32]byte { return hashChain(rounds) }, par.Workers(w))
			if cpu1, ok1 := ProcessCPUTime(); w == cpus && ok0 && ok1 {
				cpuTime += cpu1 - cpu0
				wallTime += time.Since(start)
			}
			return ctx.Err()
		}
	}
	env.Step("par.Map of %d hashing items with %v workers, in turn", m.items, workers)
	stats, err := TimeInterleaved(ctx, reps, variants...)
	if err != nil {
		return Result{}, err
	}
	for i, w := range workers[:len(workers)-1] {
		m.curve = append(m.curve, speedupPoint{w, stats[i]})
	}
	m.over = speedupPoint{2 * cpus, stats[len(stats)-1]}
	m.coresObtained = ratio(cpuTime.Seconds(), wallTime.Seconds())
	return Result{Claims: []Claim{m.verdict()}}, nil
}

// speedupWorkerCounts is 1..cpus, thinned out above 8 so that a large
// machine's curve still fits the lab's time budget.
func speedupWorkerCounts(cpus int) []int {
	var ws []int
	for w := 1; w <= cpus; w++ {
		if w <= 8 || w == cpus || w%(cpus/8) == 0 {
			ws = append(ws, w)
		}
	}
	return ws
}

// verdict is a pure function of the measurements. The claim holds when
// the speedup grows with the workers (within 10% noise per step), reaches
// at least 70% of the core count on every core, and goes no higher than
// the core count (+15%), even with twice as many workers as cores; it fails
// below 1.2x on all cores. The speedup on all cores is judged with its
// spread over the rounds (see Judge).
func (m speedupMeasurements) verdict() Claim {
	c := parallelSpeedupExperiment().NewClaim("speedup-up-to-cores")
	c.Measurements["cpus"], c.Measurements["items"], c.Measurements["cores_obtained"] = float64(m.cpus), float64(m.items), m.coresObtained
	if len(m.curve) == 0 || m.curve[0].seconds.Median <= 0 {
		c.Verdict = Inconclusive
		c.Evidence = "No measurement of the one-worker baseline."
		return c
	}
	base := m.curve[0].seconds
	speedup := func(p speedupPoint) float64 { return ratio(base.Median, p.seconds.Median) }
	var curve []string
	monotone := true
	for i, p := range m.curve {
		s := speedup(p)
		c.Measurements[fmt.Sprintf("seconds_w%d", p.workers)] = p.seconds.Median
		c.Measurements[fmt.Sprintf("speedup_w%d", p.workers)] = s
		curve = append(curve, fmt.Sprintf("%d→%.2fx", p.workers, s))
		if i > 0 && s < 0.9*speedup(m.curve[i-1]) {
			monotone = false
		}
	}
	atCores := RatioSpread(base, m.curve[len(m.curve)-1].seconds)
	over := speedup(m.over)
	c.Measurements[fmt.Sprintf("seconds_w%d", m.over.workers)] = m.over.seconds.Median
	c.Measurements[fmt.Sprintf("speedup_w%d", m.over.workers)] = over
	atCores.Measure(c.Measurements, "speedup_at_cores")
	cores := float64(m.cpus)
	c.Evidence = fmt.Sprintf("par.Map over %d hashing items took %s with 1 worker; speedup by workers %s, and %.2fx with %d workers on %d cores.",
		m.items, seconds(base.Median), strings.Join(curve, ", "), over, m.over.workers, m.cpus)
	holds := func(x float64) bool { return monotone && x >= 0.7*cores && x <= 1.15*cores && over <= 1.15*cores }
	verdict, note := Judge(atCores, times, holds, func(x float64) bool { return x < 1.2 })
	switch {
	case m.cpus < 2:
		c.Verdict = Inconclusive
		c.Evidence += " One core cannot show a speedup."
	case !holds(atCores.Median) && m.coresObtained > 0 && m.coresObtained < 0.8*cores:
		// Other processes took the cores: a low speedup says nothing.
		c.Verdict = Inconclusive
		c.Evidence += fmt.Sprintf(" The runs on all cores got only %.1f cores' worth of CPU: other load on the machine took the rest.", m.coresObtained)
	case verdict == Inconclusive && note == "":
		c.Verdict = Inconclusive
		c.Evidence += " The curve is too irregular or too far from the core count to decide; other load on the machine is the usual cause."
	default:
		c.Verdict = verdict
		c.Evidence += note
	}
	return c
}
