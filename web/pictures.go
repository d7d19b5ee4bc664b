package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/labludus/ludus/lab"
)

// pictureKind names what a picture shows.
type pictureKind uint8

const (
	pictureBars      pictureKind = iota // timings, rates or speedups, with the ideal marked
	pictureHistogram                    // how often each outcome came out of many trials
	pictureSwimlanes                    // a checker's failing interleaving, one lane per goroutine
	pictureWaitFor                      // a deadlock's wait-for cycle
	pictureHistory                      // linear's view of a non-linearizable history (a page to embed)
)

func (k pictureKind) String() string {
	switch k {
	case pictureBars:
		return "bars"
	case pictureHistogram:
		return "histogram"
	case pictureSwimlanes:
		return "swimlanes"
	case pictureWaitFor:
		return "waitfor"
	case pictureHistory:
		return "history"
	}
	return fmt.Sprintf("pictureKind(%d)", uint8(k))
}

// MarshalText makes the JSON form the kind's name.
func (k pictureKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// picture is one drawing of an experiment's outcome.
type picture struct {
	Claim int         `json:"claim"` // index of the claim it illustrates
	Kind  pictureKind `json:"kind"`
	Title string      `json:"title"`
	SVG   string      `json:"svg,omitempty"`
	// URL is the page to embed, for a history.
	URL string `json:"url,omitempty"`
	// Notes explain what the picture marks (the lost write), in sentences.
	Notes []string `json:"notes,omitempty"`
}

// pictures draws an outcome: the charts its measurements call for, then
// for each claim whose detail is a checker failure its swimlanes (and a
// deadlock's wait-for cycle), and for one whose detail is a stress test's
// table the history view.
func pictures(o lab.Outcome) []picture {
	var out []picture
	if spec, ok := chartSpecs[o.ID]; ok && len(o.Claims) > 0 {
		out = append(out, spec(o.Claims)...)
	}
	for i, c := range o.Claims {
		if c.Detail == "" {
			continue
		}
		if f, err := parseFailure(c.Detail); err == nil {
			out = append(out, failurePictures(i, f)...)
			continue
		}
		if _, err := parseStressTable(c.Detail); err == nil {
			out = append(out, picture{Claim: i, Kind: pictureHistory, Title: "The failing history, as linear draws it",
				URL: fmt.Sprintf("/api/experiments/%s/claims/%d/history", o.ID, i)})
		}
	}
	slices.SortStableFunc(out, func(a, b picture) int { return a.Claim - b.Claim })
	return out
}

// failurePictures draws a checker failure: its swimlanes, and for a
// deadlock with a cycle, the wait-for graph.
func failurePictures(claim int, f failureView) []picture {
	title := "The interleaving the checker found: " + f.Kind
	svg, an := swimlanes{Title: title, Steps: f.Steps, Blocked: f.Blocked, Outcome: f.Kind + ": " + f.Message}.svg()
	out := []picture{{Claim: claim, Kind: pictureSwimlanes, Title: title, SVG: svg, Notes: an.Notes}}
	if cycle := parseCycle(f.Message); cycle != nil {
		t := "The wait-for cycle"
		out = append(out, picture{Claim: claim, Kind: pictureWaitFor, Title: t, SVG: waitForSVG(t, cycle, f.Blocked)})
	}
	return out
}

// measures reads a claim's measurements; ok is false when a key is
// missing, so that a chart is skipped rather than drawn from zeros.
type measures map[string]float64

func (m measures) get(keys ...string) ([]float64, bool) {
	vs := make([]float64, len(keys))
	for i, k := range keys {
		v, ok := m[k]
		if !ok {
			return nil, false
		}
		vs[i] = v
	}
	return vs, true
}

// suffixes returns the integers n of the keys "<prefix><n>", ascending.
func (m measures) suffixes(prefix string) []int {
	var ns []int
	for k := range m {
		if s, ok := strings.CutPrefix(k, prefix); ok {
			if n, err := strconv.Atoi(s); err == nil {
				ns = append(ns, n)
			}
		}
	}
	slices.Sort(ns)
	return ns
}

func chart(claim int, kind pictureKind, c barChart) picture {
	if !c.Log && wantsLog(c.Bars) {
		c.Log = true
	}
	return picture{Claim: claim, Kind: kind, Title: c.Title, SVG: c.svg()}
}

// chartSpecs draws each built-in experiment's measurements. An experiment
// without an entry, or whose measurements lack a key, gets no chart.
var chartSpecs = map[string]func(claims []lab.Claim) []picture{
	"concurrency-vs-parallelism": func(cs []lab.Claim) []picture {
		var out []picture
		for i, variant := range []string{"concurrently on one core", "concurrently on one core", "in parallel"} {
			if i >= len(cs) {
				break
			}
			m := measures(cs[i].Measurements)
			key := map[bool]string{true: "parallel_s", false: "concurrent_1core_s"}[i == 2]
			v, ok := m.get("sequential_s", key, "tasks")
			if !ok {
				continue
			}
			ideal := v[0] / v[2] // I/O overlaps completely
			switch i {
			case 1:
				ideal = v[0] // one core: no gain on CPU work
			case 2:
				cpus, _ := m.get("cpus")
				if len(cpus) == 1 {
					ideal = v[0] / min(v[2], max(cpus[0], 1))
				}
			}
			title := map[int]string{0: "I/O-bound tasks", 1: "CPU-bound tasks, one core", 2: "CPU-bound tasks, every core"}[i]
			out = append(out, chart(i, pictureBars, barChart{Title: title + ": time", Unit: "s", Bars: []bar{
				{Label: "one after another", Value: v[0]}, {Label: variant, Value: v[1], Ideal: ideal}}}))
		}
		return out
	},
	"async-await": func(cs []lab.Claim) []picture {
		v, ok := measures(cs[0].Measurements).get("sequential_s", "concurrent_s", "user_latency_s", "orders_latency_s")
		if !ok {
			return nil
		}
		return []picture{chart(0, pictureBars, barChart{Title: "getUser(42) and getOrders(42): time", Unit: "s", Bars: []bar{
			{Label: "await one, then the other", Value: v[0], Ideal: v[2] + v[3]},
			{Label: "Promise.all (async.All)", Value: v[1], Ideal: max(v[2], v[3])}}})}
	},
	"race-condition": func(cs []lab.Claim) []picture {
		var out []picture
		for i, groups := range [][][2]string{
			{{"", "read, then write"}, {"slow_", "with work between read and write"}},
			{{"", "with the mutex"}},
			{{"", "with the CAS loop"}},
		} {
			if i >= len(cs) {
				break
			}
			var bars []bar
			for _, g := range groups {
				bars = append(bars, outcomeBars(measures(cs[i].Measurements), g[0]+"final_", g[1])...)
			}
			if len(bars) > 0 {
				out = append(out, chart(i, pictureHistogram, barChart{Title: "Final balance over the trials", Bars: bars}))
			}
		}
		return out
	},
	"deadlock": func(cs []lab.Claim) []picture {
		v, ok := measures(cs[0].Measurements).get("trials", "opposite_deadlocked", "ordered_timeouts", "retry_timeouts", "retries")
		if !ok {
			return nil
		}
		return []picture{chart(0, pictureBars, barChart{Title: "Two goroutines, two locks: what the trials did", Bars: []bar{
			{Label: "trials", Value: v[0]},
			{Group: "opposite order", Label: "deadlocked", Value: v[1], Bad: true},
			{Group: "same order", Label: "timed out", Value: v[2], Bad: true},
			{Group: "opposite order, retry on timeout", Label: "retries", Value: v[4]},
			{Group: "opposite order, retry on timeout", Label: "gave up", Value: v[3], Bad: true}}})}
	},
	"concurrency-models": func(cs []lab.Claim) []picture {
		return rateChart(0, cs[0], "Bank transfers per second, by model", [][2]string{
			{"shared memory (lock.Mutex)", "shared_memory_transfers_per_s"}, {"event loop (ludus/evloop)", "event_loop_transfers_per_s"},
			{"CSP (goroutines + channels)", "csp_transfers_per_s"}, {"actors (ludus/actor)", "actors_transfers_per_s"}})
	},
	"remote-actors": func(cs []lab.Claim) []picture {
		return unitChart(0, cs[0], "Money across the accounts, before and after the transfers", "", [][2]string{
			{"total before", "total_before"}, {"total after", "total_after"}})
	},
	"actor-bank": func(cs []lab.Claim) []picture {
		if len(cs) < 2 {
			return nil
		}
		return rateChart(1, cs[1], "Balance updates per second", [][2]string{
			{"mutex", "mutex_updates_per_s"}, {"actor, Tell", "actor_tell_updates_per_s"}, {"actor, Ask", "actor_ask_updates_per_s"}})
	},
	"event-loop": func(cs []lab.Claim) []picture {
		out := memoryChart(0, cs[0], "Live memory per idle connection", [][2]string{
			{"event loop (one thread)", "loop_bytes_per_conn"}, {"a goroutine each", "goroutine_bytes_per_conn"}})
		if len(cs) > 1 {
			out = append(out, latencyChart(1, cs[1], "p99 latency of the light clients", [][2]string{
				{"no heavy callback", "calm_p99_s"}, {"a heavy callback on the loop", "inline_p99_s"}, {"the heavy work offloaded", "offload_p99_s"}})...)
		}
		return out
	},
	"web-server": func(cs []lab.Claim) []picture {
		servers := func(suffix string) [][2]string {
			return [][2]string{{"event loop", "event_loop_" + suffix}, {"a goroutine per connection", "goroutines_" + suffix}, {"a pool", "pool_" + suffix}}
		}
		out := rateChart(0, cs[0], "Requests per second", servers("requests_per_s"))
		out = append(out, memoryChart(0, cs[0], "Live memory per idle connection", servers("bytes_per_conn")[:2])...)
		if len(cs) > 1 {
			out = append(out, latencyChart(1, cs[1], "p99 latency", servers("p99_s"))...)
		}
		return out
	},
	"io-bound":            ioBoundCharts,
	"parallel-speedup":    speedupChart,
	"immutable-snapshots": immutableCharts,
	"minimize-locks":      minimizeLocksCharts,
	"thread-pool":         threadPoolCharts,
	"cas-vs-lock": func(cs []lab.Claim) []picture {
		m := measures(cs[0].Measurements)
		v, ok := m.get("mutex_ns", "cas_ns", "atomic_add_ns", "striped_ns")
		if !ok {
			return nil
		}
		g, _ := m.get("goroutines")
		title := "Cost of one contended increment"
		if len(g) == 1 {
			title += fmt.Sprintf(" (%d goroutines)", int(g[0]))
		}
		return []picture{chart(0, pictureBars, barChart{Title: title, Unit: "ns", Bars: []bar{
			{Label: "sync.Mutex", Value: v[0]}, {Label: "CAS loop", Value: v[1]},
			{Label: "atomic.Add", Value: v[2]}, {Label: "striped counter", Value: v[3]}}})}
	},
}

// outcomeBars is the histogram of the final balances "<prefix><value>" of
// the bank race: every value but 1300 lost an update.
func outcomeBars(m measures, prefix, group string) []bar {
	var bars []bar
	for _, n := range m.suffixes(prefix) {
		v := m[prefix+strconv.Itoa(n)]
		label := fmt.Sprintf("%d", n)
		switch {
		case n == 1300:
			label += " (both updates)"
		case n == 1500:
			label += " (−200 lost)"
		case n == 800:
			label += " (+500 lost)"
		default:
			label += " (an update lost)"
		}
		bars = append(bars, bar{Group: group, Label: label, Value: v, Bad: n != 1300})
	}
	// The correct outcome first, then the losses.
	slices.SortStableFunc(bars, func(a, b bar) int {
		if a.Bad == b.Bad {
			return 0
		}
		if !a.Bad {
			return -1
		}
		return 1
	})
	return bars
}

// unitChart draws one bar per row {label, measurement key} that the claim
// measured, in unit.
func unitChart(claim int, c lab.Claim, title, unit string, rows [][2]string) []picture {
	var bars []bar
	for _, r := range rows {
		if v, ok := c.Measurements[r[1]]; ok {
			bars = append(bars, bar{Label: r[0], Value: v})
		}
	}
	if len(bars) == 0 {
		return nil
	}
	return []picture{chart(claim, pictureBars, barChart{Title: title, Unit: unit, Bars: bars})}
}

func rateChart(claim int, c lab.Claim, title string, rows [][2]string) []picture {
	return unitChart(claim, c, title, "/s", rows)
}

func memoryChart(claim int, c lab.Claim, title string, rows [][2]string) []picture {
	return unitChart(claim, c, title, "B", rows)
}

func latencyChart(claim int, c lab.Claim, title string, rows [][2]string) []picture {
	return unitChart(claim, c, title, "s", rows)
}

func ioBoundCharts(cs []lab.Claim) []picture {
	m := measures(cs[0].Measurements)
	v, ok := m.get("latency_s", "cpus")
	if !ok {
		return nil
	}
	lat, cpus := v[0], max(v[1], 1)
	var bars []bar
	ns := m.suffixes("async_s_n")
	for _, n := range ns {
		t, ok := m.get(fmt.Sprintf("sequential_s_n%d", n), fmt.Sprintf("par_s_n%d", n), fmt.Sprintf("async_s_n%d", n))
		if !ok {
			continue
		}
		g := fmt.Sprintf("%d call%s", n, map[bool]string{true: "s"}[n > 1])
		rounds := float64((n + int(cpus) - 1) / int(cpus))
		bars = append(bars, bar{Group: g, Label: "one after another", Value: t[0], Ideal: float64(n) * lat},
			bar{Group: g, Label: "one worker per core", Value: t[1], Ideal: rounds * lat},
			bar{Group: g, Label: "async/await", Value: t[2], Ideal: lat})
	}
	var out []picture
	if len(bars) > 0 {
		out = append(out, chart(0, pictureBars, barChart{Title: fmt.Sprintf("API calls of %s each: time", durationText(lat)), Unit: "s", Bars: bars}))
	}
	if len(ns) > 0 && len(cs) > 2 {
		n := ns[len(ns)-1]
		if t, ok := m.get(fmt.Sprintf("async_s_n%d", n), "async_1core_s"); ok {
			out = append(out, chart(2, pictureBars, barChart{Title: fmt.Sprintf("%d calls through async/await: time", n), Unit: "s", Bars: []bar{
				{Label: fmt.Sprintf("%d cores", int(cpus)), Value: t[0], Ideal: lat}, {Label: "one core", Value: t[1], Ideal: lat}}}))
		}
	}
	return out
}

func speedupChart(cs []lab.Claim) []picture {
	m := measures(cs[0].Measurements)
	v, ok := m.get("cpus")
	if !ok {
		return nil
	}
	var bars []bar
	for _, w := range m.suffixes("speedup_w") {
		bars = append(bars, bar{Label: fmt.Sprintf("%d worker%s", w, map[bool]string{true: "s"}[w > 1]),
			Value: m[fmt.Sprintf("speedup_w%d", w)], Ideal: min(float64(w), v[0])})
	}
	if len(bars) == 0 {
		return nil
	}
	return []picture{chart(0, pictureBars, barChart{Title: fmt.Sprintf("Speedup of par.Map by workers, on %d cores", int(v[0])), Unit: "x", Bars: bars})}
}

func immutableCharts(cs []lab.Claim) []picture {
	m := measures(cs[0].Measurements)
	var out []picture
	if v, ok := m.get("immutable_lookups_per_s", "rwmutex_lookups_per_s"); ok {
		out = append(out, chart(0, pictureBars, barChart{Title: "Lookups per second while a writer updates", Unit: "/s", Bars: []bar{
			{Label: "immutable snapshot", Value: v[0]}, {Label: "map behind an RWMutex", Value: v[1]}}}))
	}
	if v, ok := m.get("immutable_write_ns", "rwmutex_write_ns"); ok {
		out = append(out, chart(0, pictureBars, barChart{Title: "Cost of one write", Unit: "ns", Bars: []bar{
			{Label: "immutable snapshot", Value: v[0]}, {Label: "map behind an RWMutex", Value: v[1]}}}))
	}
	return out
}

func minimizeLocksCharts(cs []lab.Claim) []picture {
	m := measures(cs[0].Measurements)
	var out []picture
	for i, p := range []struct{ prefix, title, ideal string }{
		{"io_", "Slow I/O under a lock: tasks per second", "goroutines"},
		{"cpu_", "CPU work under a lock: tasks per second", "cpu_ideal_speedup"},
	} {
		v, ok := m.get(p.prefix+"wide_tasks_per_s", p.prefix+"narrow_tasks_per_s", p.ideal)
		if !ok || i >= len(cs) {
			continue
		}
		out = append(out, chart(i, pictureBars, barChart{Title: p.title, Unit: "/s", Bars: []bar{
			{Label: "lock held across the work", Value: v[0]},
			{Label: "lock around the update only", Value: v[1], Ideal: v[0] * v[2]}}}))
	}
	return out
}

func threadPoolCharts(cs []lab.Claim) []picture {
	m := measures(cs[0].Measurements)
	var out []picture
	for _, p := range []struct{ title, unit, perTask, pool string }{
		{"Time for the tasks", "s", "per_task_s", "pool_s"},
		{"Peak memory", "B", "per_task_peak_bytes", "pool_peak_bytes"},
		{"Peak goroutines", "", "per_task_peak_goroutines", "pool_peak_goroutines"},
	} {
		v, ok := m.get(p.perTask, p.pool)
		if !ok {
			continue
		}
		out = append(out, chart(0, pictureBars, barChart{Title: p.title, Unit: p.unit, Bars: []bar{
			{Label: "a goroutine per task", Value: v[0]}, {Label: "a pool", Value: v[1]}}}))
	}
	return out
}
