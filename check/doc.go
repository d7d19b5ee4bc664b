// Package check is systematic concurrency testing for Go: a controlled
// scheduler runs the goroutines of a test one at a time and explores their
// interleavings, so a race or a deadlock that real runs show only by luck
// is found every time, printed step by step, and replayable from a token.
//
// There are two ways in. A test written for the checker hands Explore (or
// a program hands Run) a body that uses checked state: Var for plain
// shared memory, Chan for channels, the types of check/sync and
// check/atomic for locks and atomics, Sleep and After for time, T.Go for
// goroutines. An ordinary Go package and its unmodified tests need none of
// that: "ludus check ./..." rewrites them onto the same scheduler (see
// docs/check-rewrite.md and the packages check/rt, check/time,
// check/context and check/math/rand it targets).
//
// Every operation on checked state is a scheduling point where the checker
// may switch goroutines:
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
// fails with the guide's picture of the lost update:
//
//	check: assertion failed: balance = 1500, want 1300
//	schedule 4 of 4 explored (DPOR, schedules with up to 1 preemption); replay: LUDUS_REPLAY=2-v5-8SZGBg4mBkZmBiYmRgZGQAAAAP__
//	  main  go A                              bank_test.go:12
//	  main  go B                              bank_test.go:13
//	  A     balance.Load() -> 1000            bank_test.go:12
//	  B     balance.Load() -> 1000            bank_test.go:13
//	  B     balance.Store(800)                bank_test.go:13
//	  A     balance.Store(1500)               bank_test.go:12
//	  main  Wait() for all goroutines         bank_test.go:14
//	  main  balance.Load() -> 1500            bank_test.go:15
//	  main  error: balance = 1500, want 1300  bank_test.go:16
//
// The schedule with the fewest preemptions is reported: here B runs
// between A's read and A's write, and B's update vanishes. Rerun it with
// LUDUS_REPLAY=<token> go test -run TestBank, or the Replay option; a
// token names the test that made it, and other tests ignore it. Without
// DetectDataRaces(false) the same body fails on its first schedule, with a
// data race on balance: the accesses are not ordered by any
// synchronization, even when the total comes out right.
//
// # Strategies
//
// The default strategy explores schedules depth-first with source-DPOR
// (Abdulla et al., POPL 2014: two schedules that differ only in the order
// of independent operations are explored once) and sleep sets, level by
// level: first every schedule without a preemption, then those with one,
// then every schedule. The early levels find shallow bugs with the
// simplest traces; the last one, where sleep sets are sound, can prove a
// program correct: the report then says "complete" (every schedule ran, up
// to reordering independent operations). Once the search has run 64
// executions, every other execution is a PCT sample (Burckhardt et al.,
// ASPLOS 2010): a search that cannot finish in the budget (dozens of
// goroutines, a goroutine looping until told to stop) still finds bugs
// that hide deep in its order, and the report says when PCT found one; a
// small program is proved before any sampling. MaxPreemptions(n) stops
// after level n instead, without sampling ("complete up to n
// preemptions"); bounded DPOR follows Coons et al. (OOPSLA 2013) in spirit
// but not in proof, and on random programs it reaches about 97% of the
// outcomes a plain preemption-bounded search reaches, so a bounded
// "complete" is evidence, not a proof. Exhaustive skips the bounded
// levels, the sampling and the wall-time budget. Random and PCT sample
// schedules from a seed; Replay reruns one. NoReduction is plain
// depth-first search, to measure what DPOR saves. Walk steps one schedule
// by hand (the web lab's playground is built on it).
//
// # The model
//
// Goroutines: starting one is a scheduling point (either the parent or
// the child may run first). Channels behave as Go's runtime implements
// them: a buffer and FIFO queues of waiting senders and receivers, so the
// order in which goroutines arrive is part of the schedule; every ready
// case of a select is explored. Mutexes, RWMutexes (writer preference),
// WaitGroups, Once, Cond and atomics are modelled with their happens-before
// edges, as the Go memory model states them; a Var is plain memory,
// checked for data races with vector clocks.
//
// Time is virtual and starts at Epoch. Every step costs StepCost (1µs) of
// it, so a goroutine that spins moves the clock; when no goroutine can
// run, the clock jumps to the next deadline (Sleep, After, timers,
// context deadlines). A test that sleeps an hour runs instantly, and a
// timeout races the work it guards exactly as it would in a real run: a
// timer firing is an operation the search orders against the others.
// Yields (runtime.Gosched, Sleep(0)) are fair: the yielding goroutine runs
// again after the others. When only yielders are left they spin on, and
// once they have yielded 256 times with nothing written meanwhile the
// clock jumps to the next deadline: a spin that waits for time gets it,
// while a bounded spin before parking (a pool's worker looking for work)
// ends first, as in the microseconds it takes on a machine. Spin marks a spin-wait round more strongly: the spinner runs
// only when nothing else can. A goroutine that runs for TimeSlice (10ms)
// of virtual time may be switched away from without that counting as a
// preemption, as Go's runtime preempts it. External runs a call the
// checker cannot see into (a child process, the network) as one step that
// may take real time: while it runs, the clock may jump to a deadline up to
// ExternalTime (a second) ahead, so a timeout racing the call is explored
// both ways, and a longer guard never fires during a file read. Delay(d) adds what a loaded machine does: once per
// schedule, runnable goroutines may be descheduled while the clock jumps
// up to d, so a test that sleeps "to let the goroutines start" fails as it
// does one CI run in a hundred (reported as timing-dependent, naming the
// delay).
//
// # Verdicts
//
// A failure is something the program did: an assertion (T.Errorf,
// T.Fatalf), a panic (with the goroutine's stack), a deadlock (every
// goroutine blocked: what each waits for and the wait-for cycle, "A holds
// mu1 and waits for mu2, held by B"), a goroutine leak (goroutines still
// blocked LeakGrace after the body returned), a data race (two accesses,
// one a write, not ordered by happens-before: found even when the values
// come out right), and nondeterminism (a replayed schedule behaves
// differently). Report.Verdict says pass, fail, inconclusive or error.
//
// A limit is never a failure. Running out of MaxSteps in one execution (a
// livelock, or just a long test), MaxGoroutines live goroutines,
// MaxExecutions or MaxTime for the search, a goroutine stuck outside the
// checker for StallTimeout, goroutines the checker does not manage running
// beside the body, or a body that ran nothing the checker controls: each
// makes the report inconclusive, with Report.Limit naming the limit and
// Report.LimitDetail saying it in words. Bad options and malformed tokens
// are errors (Report.Err), never a pass.
//
// # Limits of the approach
//
// Only checked operations are scheduling points: code between them runs
// atomically, and ordinary Go variables, channels and mutexes are
// invisible to a body written by hand (use the checked ones, or "ludus
// check", which rewrites them). A check primitive touched by a goroutine
// the checker does not manage ends that goroutine (runtime.Goexit) and
// makes the report inconclusive (Uncontrolled); telling goroutines apart
// reads the runtime's goroutine pointer (amd64, arm64; a stack walk
// elsewhere). A managed goroutine blocked outside the checker (a real
// channel, mutex, time.Sleep or I/O) is reported after StallTimeout and
// left behind: it cannot be stopped. A Var or object created outside the
// body keeps its value from one execution to the next: create checked
// state inside the body. Weak memory is not modelled: atomics are
// sequentially consistent, as Go's are.
//
// # Performance
//
// A scheduling step costs about 1-4µs on one core, an execution of a small
// test tens of microseconds (bench/RESULTS.md has the figures).
package check
