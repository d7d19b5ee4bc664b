// Package check is systematic concurrency testing for Go: a controlled
// scheduler runs the goroutines of a test one at a time and explores their
// interleavings, so a race or a deadlock that real runs show only by luck
// is found every time, printed step by step, and replayable from a token.
//
// A test hands Explore (or a program hands Run) a body. The body creates
// checked state — Var for plain shared memory, Chan for channels, the
// types of check/sync and check/atomic for locks and atomics, Sleep and
// After for time — and starts goroutines with T.Go. Every operation on
// checked state is a scheduling point where the checker may switch
// goroutines:
//
//	check.Explore(t, func(t *check.T) {
//		balance := check.NewVar("balance", 1000)
//		t.Go("A", func() { balance.Store(balance.Load() + 500) })
//		t.Go("B", func() { balance.Store(balance.Load() - 200) })
//		t.Wait()
//		if got := balance.Load(); got != 1300 {
//			t.Errorf("balance = %d, want 1300", got)
//		}
//	}, check.DetectDataRaces(false))
//
// fails with the guide's picture of the race:
//
//	check: assertion failed: balance = 1500, want 1300
//	schedule 3 of 3 explored (DPOR, schedules with up to 1 preemption); replay: LUDUS_REPLAY=1AAYCAwABAgEAAQ
//	  A     balance.Load() -> 1000            bank_test.go:21
//	  B     balance.Load() -> 1000            bank_test.go:22
//	  B     balance.Store(800)                bank_test.go:22
//	  A     balance.Store(1500)               bank_test.go:21
//	  main  Wait() for all goroutines         bank_test.go:23
//	  main  balance.Load() -> 1500            bank_test.go:24
//	  main  error: balance = 1500, want 1300  bank_test.go:25
//
// The schedule with the fewest preemptions is reported: here B runs
// between A's read and A's write, and B's update vanishes. Rerun it with
// LUDUS_REPLAY=<token> go test -run TestBank, or check.Replay(token).
// Without DetectDataRaces(false) the same body fails earlier, on its first
// schedule, with a data race on balance: the two goroutines' accesses are
// not ordered by any synchronization, even when the total comes out right.
//
// # Strategies
//
// The default explores schedules depth-first with source-DPOR (Abdulla et
// al., POPL 2014: two schedules that differ only in the order of
// independent operations are explored once) and sleep sets, under
// iterative preemption bounding: first every schedule with no preemption,
// then with one, up to MaxPreemptions (3), so the failure reported is one
// with the fewest preemptions. The report says "complete" when the whole
// space was explored (a proof: every schedule ran, up to reordering
// independent operations) and "complete up to 3 preemptions" when the
// bound cut the search; when the budget (MaxExecutions, MaxTime) remains,
// PCT spends it. Bounded DPOR follows Coons et al. (OOPSLA 2013) in spirit
// but without their proof: on randomized programs it reaches about 97% of
// the outcomes a plain preemption-bounded search reaches, so "complete up
// to N preemptions" is strong evidence, not a proof; Exhaustive gives the
// proof. Exhaustive drops the bound; Random and PCT sample; Replay reruns
// one schedule.
//
// # The model
//
// Channels behave as Go's runtime implements them: a buffer and FIFO queues
// of waiting senders and receivers, so the order in which goroutines arrive
// at a channel is part of the schedule. When a select has several ready
// cases, each is explored. Time is virtual: Sleep, After and NewTimer
// advance a clock only when no goroutine can run, straight to the next
// deadline, in a deterministic order. Sleep(0) yields fairly: a spin loop
// that yields lets the goroutine it waits for run. Atomics are sequentially
// consistent; a Var is plain memory, checked for data races with vector
// clocks (happens-before from locks, channels, atomics, WaitGroup, Once and
// Cond, as in the Go memory model).
//
// # Verdicts
//
// An assertion (T.Errorf, T.Fatalf), a panic (with the goroutine's stack),
// a deadlock (every goroutine blocked: what each waits for and the
// wait-for cycle, "A holds mu1 and waits for mu2, held by B"), a goroutine
// leak (the body returned while goroutines are blocked), a data race (two
// accesses to a Var, one a write, not ordered by happens-before — found
// even when the values come out right), a step limit (livelock), and
// nondeterminism (a replayed schedule behaves differently).
//
// # Limits
//
// Only checked operations are scheduling points: code between them runs
// atomically, and ordinary Go variables, channels and mutexes are invisible
// (use the checked ones, or later the rewriter of "ludus check"). A check
// primitive used by the exploration and touched by a goroutine the checker
// does not manage is reported as UncontrolledGoroutine and that goroutine
// is stopped (runtime.Goexit). Telling managed goroutines apart costs a
// frame-pointer walk per operation on amd64 (a runtime.Callers stack walk
// elsewhere) while an exploration runs, nothing otherwise; the functions
// of check/atomic that take an address are not covered by this check. A
// managed goroutine blocked outside the checker (a real channel, mutex or
// time.Sleep) is reported after StallTimeout and left behind. At most 64
// managed goroutines per execution. A check.Var or object created outside
// the body keeps its value from one execution to the next: create checked
// state inside the body.
//
// # Performance
//
// A scheduling step costs about 1-4µs on one core (bench/RESULTS.md); an
// execution of a small test, including starting its goroutines, tens of
// microseconds.
package check
