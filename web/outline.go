package web

import "slices"

// outlineItem is one heading, table row or bullet of the guide, with the
// experiments that measure its claims. The index shows the guide in this
// order with the experiments beside each item.
type outlineItem struct {
	Section     string   `json:"section"`         // the guide's heading
	Topic       string   `json:"topic,omitempty"` // the row or bullet under it
	Guide       string   `json:"guide"`           // the guide's own words
	Experiments []string `json:"experiments"`     // experiment IDs, in the lab's order
}

// guideOutline is the guide, "What Are Concurrency & Parallelism? A
// Developer's Guide", item by item.
var guideOutline = []outlineItem{
	{Section: "Definitions", Topic: "Concurrency and parallelism",
		Guide:       "Concurrency: multiple tasks making progress in overlapping time periods. Parallelism: multiple tasks running literally at the same time on multiple CPU cores.",
		Experiments: []string{"concurrency-vs-parallelism"}},
	{Section: "Async/Await", Guide: "Concurrency without threads: Promise.all([getUser(42), getOrders(42)]) takes one second where awaiting each takes three.",
		Experiments: []string{"async-await"}},
	{Section: "Race Condition", Guide: "Thread A and thread B read balance 1000 and write back 1500 and 800: Result 800 (500 vanished!).",
		Experiments: []string{"race-condition", "stress-test"}},
	{Section: "Solution: Mutex", Guide: "with lock: balance += amount",
		Experiments: []string{"race-condition", "minimize-locks"}},
	{Section: "Deadlock", Guide: "Two threads wait for each other's locks forever. Solutions: lock ordering, timeouts, lock-free algorithms.",
		Experiments: []string{"deadlock"}},
	{Section: "Concurrency Models", Guide: "Multi-threading (shared memory), event loop (single thread, non-blocking I/O), actor model (no shared memory, message passing), CSP (goroutines + channels).",
		Experiments: []string{"concurrency-models", "event-loop", "actor-bank", "remote-actors"}},
	{Section: "Go Channels", Guide: "ch := make(chan int); go func() { ch <- expensiveCalc() }(); value := <-ch",
		Experiments: []string{"concurrency-models"}},
	{Section: "When to Use What", Topic: "I/O-bound (API, DB) → Async/Await", Guide: "I/O-bound (API, DB): Async/Await",
		Experiments: []string{"io-bound", "async-await"}},
	{Section: "When to Use What", Topic: "CPU-bound (math) → Parallelism", Guide: "CPU-bound (math): Parallelism",
		Experiments: []string{"parallel-speedup", "concurrency-vs-parallelism"}},
	{Section: "When to Use What", Topic: "Web server → Event Loop or Thread Pool", Guide: "Web server: Event Loop or Thread Pool",
		Experiments: []string{"web-server", "event-loop", "thread-pool"}},
	{Section: "Best Practices", Topic: "Avoid shared state", Guide: "Use immutable data when possible.",
		Experiments: []string{"immutable-snapshots"}},
	{Section: "Best Practices", Topic: "Minimize locks", Guide: "Synchronize only when necessary.",
		Experiments: []string{"minimize-locks"}},
	{Section: "Best Practices", Topic: "Use thread pools", Guide: "Don't create a new thread per task.",
		Experiments: []string{"thread-pool"}},
	{Section: "Best Practices", Topic: "Prefer atomic operations", Guide: "CAS over locks.",
		Experiments: []string{"cas-vs-lock", "race-condition"}},
	{Section: "Best Practices", Topic: "Deadlock detection", Guide: "Timeouts and ordered locking.",
		Experiments: []string{"deadlock"}},
	{Section: "Best Practices", Topic: "Stress test", Guide: "Race condition testing.",
		Experiments: []string{"stress-test", "race-condition"}},
}

// outline returns the guide's outline with only the experiments that
// exist in ids, plus an "Other experiments" item for those no item names,
// so that an experiment added to the lab is never hidden.
func outline(ids []string) []outlineItem {
	named := map[string]bool{}
	out := make([]outlineItem, 0, len(guideOutline)+1)
	for _, it := range guideOutline {
		it.Experiments = slices.DeleteFunc(slices.Clone(it.Experiments), func(id string) bool { return !slices.Contains(ids, id) })
		for _, id := range it.Experiments {
			named[id] = true
		}
		out = append(out, it)
	}
	var other []string
	for _, id := range ids {
		if !named[id] {
			other = append(other, id)
		}
	}
	if len(other) > 0 {
		out = append(out, outlineItem{Section: "Other experiments", Guide: "Experiments of the lab that no item of the guide names.", Experiments: other})
	}
	return out
}
