package web

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/labludus/ludus/check"
)

// TestParseFailureRoundTrip prints real failures of the checker and reads
// them back: the steps, the kind, the message and the blocked list must be
// what the engine returned.
func TestParseFailureRoundTrip(t *testing.T) {
	for _, sc := range []string{"bank-race", "deadlock"} {
		r := check.Run(findScenario(sc).body)
		if r.Failure == nil {
			t.Fatalf("%s: the checker found no failure", sc)
		}
		text := r.Failure.String()
		got, err := parseFailure(text)
		if err != nil {
			t.Fatalf("%s: %v\n%s", sc, err, text)
		}
		want := fromFailure(r.Failure)
		if got.Kind != want.Kind || got.Message != want.Message || got.Replay != r.Failure.Replay {
			t.Errorf("%s: kind %q message %q replay %q, want %q %q %q", sc, got.Kind, got.Message, got.Replay, want.Kind, want.Message, r.Failure.Replay)
		}
		if !slices.Equal(got.Steps, r.Failure.Trace) {
			t.Errorf("%s: steps\n%v\nwant\n%v", sc, got.Steps, r.Failure.Trace)
		}
		if !slices.Equal(got.Blocked, want.Blocked) {
			t.Errorf("%s: blocked %v, want %v", sc, got.Blocked, want.Blocked)
		}
		if !strings.HasPrefix(got.Schedule, "schedule ") {
			t.Errorf("%s: schedule line %q", sc, got.Schedule)
		}
	}
	// The deadlock's blocked list names each goroutine and its lock.
	r := check.Run(findScenario("deadlock").body)
	v := fromFailure(r.Failure)
	if len(v.Blocked) != 3 || v.Blocked[1].Goroutine != "A" || v.Blocked[1].Waits != "mu2.Lock(), held by B" || v.Blocked[1].Location == "" {
		t.Errorf("blocked list: %+v", v.Blocked)
	}
}

func TestParseFailureShapes(t *testing.T) {
	text := "check: data race on balance: worker 1 writes, worker 2 reads\n" +
		"schedule 1 of 1 explored (DPOR, complete); replay: LUDUS_REPLAY=1AAA\n" +
		"a note from the engine\n" +
		"  worker 1  balance.Store(5)        bank.go:10\n" +
		"  worker 2  balance.Load() -> 5     bank.go:11\n" +
		"  main      error: x  y\n"
	v, err := parseFailure(text)
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind != "data race" || v.Message != "on balance: worker 1 writes, worker 2 reads" || v.Replay != "1AAA" {
		t.Errorf("header: %+v", v)
	}
	want := []check.Step{{Goroutine: "worker 1", Op: "balance.Store(5)", Location: "bank.go:10"},
		{Goroutine: "worker 2", Op: "balance.Load() -> 5", Location: "bank.go:11"}, {Goroutine: "main", Op: "error: x  y"}}
	if !slices.Equal(v.Steps, want) {
		t.Errorf("steps %q, want %q", v.Steps, want)
	}

	// A deadlock before any step: the blocked list follows the schedule line.
	v, err = parseFailure("check: deadlock: all goroutines are blocked\nschedule 1 of 1 explored (x); replay: LUDUS_REPLAY=1B\nblocked:\n  main  <-ch  a.go:3\n")
	if err != nil || len(v.Steps) != 0 || len(v.Blocked) != 1 || v.Blocked[0].Waits != "<-ch" {
		t.Errorf("no steps: %+v, %v", v, err)
	}

	// Two failures (a claim about two fixes): the first is read.
	two := "check: deadlock: x\nschedule 1 of 1 explored (x); replay: LUDUS_REPLAY=1B\n  A  mu.Lock()  a.go:1\ncheck: panic: y\nschedule 1 of 1 explored (x); replay: LUDUS_REPLAY=1C\n  B  boom  b.go:2\n"
	if v, err := parseFailure(two); err != nil || len(v.Steps) != 1 || v.Replay != "1B" {
		t.Errorf("two failures: %+v, %v", v, err)
	}

	for _, bad := range []string{"", "check: no failure", "HOLDS everything",
		"check: bogus kind: x\nschedule 1; replay: LUDUS_REPLAY=1\n",
		"check: panic: x\nnot a schedule line\n",
		"not linearizable (seed 0x1)\n | goroutine 1\n"} {
		if _, err := parseFailure(bad); !errors.Is(err, errNotAFailure) {
			t.Errorf("parseFailure(%q) = %v, want errNotAFailure", bad, err)
		}
	}
	misaligned := "check: panic: x\nschedule 1 of 1 explored (x); replay: LUDUS_REPLAY=1B\n  A  op  a.go:1\n  B    op  a.go:2\n"
	if _, err := parseFailure(misaligned); err == nil {
		t.Error("misaligned columns parsed")
	}
}

func TestClassify(t *testing.T) {
	for op, want := range map[string]access{
		"balance.Load() -> 1000":                         {Kind: accRead, Object: "balance", Value: "1000"},
		"balance.Store(1500)":                            {Kind: accWrite, Object: "balance", Value: "1500"},
		"atomic.LoadInt64(&n) -> 3":                      {Kind: accRead, Object: "n", Value: "3"},
		"atomic.StoreInt64(&n, 4)":                       {Kind: accWrite, Object: "n", Value: "4"},
		"n.Add(2) -> 5":                                  {Kind: accRMW, Object: "n", Value: "5"},
		"n.CompareAndSwap(1, 2) -> true":                 {Kind: accRMW, Object: "n", Value: "true"},
		"n.CompareAndSwap(1, 2) -> false":                {Kind: accRead, Object: "n"},
		"atomic.CompareAndSwapInt64(&n, 1, 2) -> true":   {Kind: accRMW, Object: "n", Value: "true"},
		"mu.Lock()":                                      {Kind: accLock, Object: "mu"},
		"mu.RLock()":                                     {Kind: accLock, Object: "mu"},
		"mu.TryLock() -> true":                           {Kind: accLock, Object: "mu"},
		"mu.TryLock() -> false":                          {},
		"mu.Unlock()":                                    {Kind: accUnlock, Object: "mu"},
		"ch <- 42":                                       {Kind: accSend, Object: "ch", Value: "42"},
		"ch <- 42 (to main)":                             {Kind: accSend, Object: "ch", Value: "42", Peer: "main"},
		"ch <- 42 (blocks)":                              {Kind: accSend, Object: "ch", Value: "42", Blocks: true},
		"<-ch (blocks)":                                  {Kind: accRecv, Object: "ch", Blocks: true},
		"<-ch -> 42 (from worker)":                       {Kind: accRecv, Object: "ch", Value: "42", Peer: "worker"},
		"<-ch -> 42":                                     {Kind: accRecv, Object: "ch", Value: "42"},
		"<-ch -> closed":                                 {},
		"select -> case 1: <-ch -> 7":                    {Kind: accRecv, Object: "ch", Value: "7"},
		"Sleep(1ms)":                                     {},
		"Wait() for all goroutines":                      {},
		"error: balance = 1500, want 1300":               {},
		"select -> case 0: out <- 3 (to B)":              {Kind: accSend, Object: "out", Value: "3", Peer: "B"},
		"atomic.AddInt64(&hits, 1) -> 9":                 {Kind: accRMW, Object: "hits", Value: "9"},
		"balance.Swap(10) -> 1000":                       {Kind: accRMW, Object: "balance", Value: "1000"},
		"wg.Wait()":                                      {},
		"mu.Lock() (waits for readers)":                  {},
		"once.Do() runs f":                               {},
		"close(ch)":                                      {},
		"balance.Load() -> {1000 2}":                     {Kind: accRead, Object: "balance", Value: "{1000 2}"},
		"balance.Store(map[a:1])":                        {Kind: accWrite, Object: "balance", Value: "map[a:1]"},
		"results.Store([1 2 3])":                         {Kind: accWrite, Object: "results", Value: "[1 2 3]"},
		"atomic.LoadUint32(&flags) -> 0":                 {Kind: accRead, Object: "flags", Value: "0"},
		"atomic.SwapInt32(&state, 2) -> 1":               {Kind: accRMW, Object: "state", Value: "1"},
		"atomic.OrUint32(&bits, 4) -> 0":                 {Kind: accRMW, Object: "bits", Value: "0"},
		"ready.CompareAndSwap(false, true) -> true":      {Kind: accRMW, Object: "ready", Value: "true"},
		"select -> case 2: <-done -> {} (from closer)":   {Kind: accRecv, Object: "done", Value: "{}", Peer: "closer"},
		"mu.RUnlock()":                                   {Kind: accUnlock, Object: "mu"},
		"mu.TryRLock() -> true":                          {Kind: accLock, Object: "mu"},
		"select (blocks)":                                {},
		"select -> default":                              {},
		"cond.Wait() (unlocks)":                          {},
		"wg.Add(2)":                                      {},
		"log: transferring":                              {},
		"panic: boom":                                    {},
		"atomic.AndInt64(&mask, 3) -> 7":                 {Kind: accRMW, Object: "mask", Value: "7"},
		"counter.Add(-1) -> 0":                           {Kind: accRMW, Object: "counter", Value: "0"},
		"atomic.CompareAndSwapUint64(&v, 0, 1) -> false": {Kind: accRead, Object: "v"},
		"total.Store(1300)":                              {Kind: accWrite, Object: "total", Value: "1300"},
		"<-results -> 1 (from worker 2)":                 {Kind: accRecv, Object: "results", Value: "1", Peer: "worker 2"},
		"jobs <- 5 (to worker)":                          {Kind: accSend, Object: "jobs", Value: "5", Peer: "worker"},
		"select -> case 0: jobs <- 5":                    {Kind: accSend, Object: "jobs", Value: "5"},
		"pending.Load() -> <nil>":                        {Kind: accRead, Object: "pending", Value: "<nil>"},
		"ptr.Store(0xc000012345)":                        {Kind: accWrite, Object: "ptr", Value: "0xc000012345"},
		"mutex#3.Lock()":                                 {Kind: accLock, Object: "mutex#3"},
		"chan#2 <- 1":                                    {Kind: accSend, Object: "chan#2", Value: "1"},
		"m[k].Load() -> 1":                               {Kind: accRead, Object: "m[k]", Value: "1"},
		"s.balance.Store(5)":                             {Kind: accWrite, Object: "s.balance", Value: "5"},
		"s.mu.Lock()":                                    {Kind: accLock, Object: "s.mu"},
		"atomic.LoadPointer(&head) -> 0x1":               {Kind: accRead, Object: "head", Value: "0x1"},
		"atomic.StorePointer(&head, 0x2)":                {Kind: accWrite, Object: "head", Value: "0x2"},
		"Sleep(0s)":                                      {},
		"error: 1 transfers, want 2":                     {},
		"balance.Load() -> 1000 ":                        {Kind: accRead, Object: "balance", Value: "1000 "},
	} {
		if got := classify(op); got != want {
			t.Errorf("classify(%q) = %+v, want %+v", op, got, want)
		}
	}
}
