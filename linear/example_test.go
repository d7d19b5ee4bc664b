package linear_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

func ExampleCheck() {
	type in = models.RegisterInput[int]
	type out = models.RegisterOutput[int]
	// Client 0 writes 1 while client 1 reads twice: 1, then 0. The write
	// cannot be undone, so no order explains the second read.
	history := []linear.Operation[in, out]{
		{Client: 0, Input: in{Op: models.Write, Value: 1}, Call: 0, Return: 10},
		{Client: 1, Input: in{Op: models.Read}, Output: out{Value: 1}, Call: 1, Return: 2},
		{Client: 1, Input: in{Op: models.Read}, Output: out{Value: 0}, Call: 3, Return: 4},
	}
	res := linear.Check(models.Register(0), history)
	fmt.Println(res.Verdict)
	fmt.Println("longest prefix:", res.Parts[0].Linearization, "stuck at:", res.Parts[0].Unplaced[0])
	// Output:
	// not linearizable
	// longest prefix: [0 1] stuck at: 2
}

func ExampleTimeout() {
	type in = models.RegisterInput[int]
	type out = models.RegisterOutput[int]
	var history []linear.Operation[in, out]
	for i := range 10 {
		history = append(history, linear.Operation[in, out]{Client: i, Input: in{Op: models.Write, Value: i}, Call: 0, Return: 1})
	}
	res := linear.Check(models.Register(0), history, linear.Timeout(time.Second))
	fmt.Println(res.Verdict)
	// Output: linearizable
}

func ExampleContext() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a cancelled check answers Unknown with the reason
	type in = models.RegisterInput[int]
	type out = models.RegisterOutput[int]
	res := linear.Check(models.Register(0), []linear.Operation[in, out]{{Input: in{Op: models.Write, Value: 1}, Call: 0, Return: 1}}, linear.Context(ctx))
	fmt.Println(res.Verdict, res.Err)
	// Output: unknown context canceled
}

func ExampleParallelism() {
	type op = linear.Operation[models.KVInput, models.KVOutput]
	history := []op{
		{Client: 0, Input: models.KVInput{Op: models.KVPut, Key: "a", Value: "x"}, Call: 0, Return: 1},
		{Client: 1, Input: models.KVInput{Op: models.KVGet, Key: "b"}, Output: models.KVOutput{Value: ""}, Call: 0, Return: 1},
	}
	// Parts (here one per key) are checked one at a time.
	res := linear.Check(models.KV(), history, linear.Parallelism(1))
	fmt.Println(res.Verdict, len(res.Parts), "parts")
	// Output: linearizable 2 parts
}

func ExampleRecorder() {
	var rec linear.Recorder[models.CounterInput, models.CounterOutput]
	var n atomic.Int64
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Go(func() {
			id := rec.Call(c, models.CounterInput{Op: models.AddGet, Delta: 1})
			v := n.Add(1)
			rec.Return(id, models.CounterOutput{Value: v})
		})
	}
	wg.Wait()
	fmt.Println(linear.Check(models.Counter(), rec.History()).Verdict)
	// Output: linearizable
}

// lockedCounter is a correct counter for the Stress examples.
type lockedCounter struct {
	mu sync.Mutex
	n  int64
}

func (c *lockedCounter) Add(d int64) { c.mu.Lock(); c.n += d; c.mu.Unlock() }
func (c *lockedCounter) Get() int64  { c.mu.Lock(); defer c.mu.Unlock(); return c.n }

func ExampleRunStress() {
	rep := linear.RunStress(context.Background(), models.Counter(),
		func() *lockedCounter { return new(lockedCounter) },
		models.CounterOps((*lockedCounter).Add, (*lockedCounter).Get, func(r *rand.Rand) int64 { return r.Int64N(3) }),
		linear.StressConfig{Seed: 1, Scenarios: 5, Runs: 20})
	fmt.Println("failed:", rep.Failed, "runs:", rep.Runs)
	// Output: failed: false runs: 100
}

func ExampleStress() {
	// In a test: linear.Stress(t, ...) fails t with the shrunk scenario.
	t := &exampleT{}
	linear.Stress(t, models.Counter(), func() *lockedCounter { return new(lockedCounter) },
		models.CounterOps((*lockedCounter).Add, (*lockedCounter).Get, nil),
		linear.StressConfig{Scenarios: 3, Runs: 10})
	fmt.Println("failed:", t.failed)
	// Output: failed: false
}

type exampleT struct{ failed bool }

func (t *exampleT) Helper()               {}
func (t *exampleT) Fatalf(string, ...any) { t.failed = true }

func ExampleWriteHTML() {
	type in = models.RegisterInput[int]
	type out = models.RegisterOutput[int]
	history := []linear.Operation[in, out]{
		{Client: 0, Input: in{Op: models.Write, Value: 1}, Call: 0, Return: 2},
		{Client: 1, Input: in{Op: models.Read}, Output: out{Value: 1}, Call: 1, Return: 3},
	}
	res := linear.Check(models.Register(0), history)
	var page bytes.Buffer
	if err := linear.WriteHTML(&page, models.Register(0), history, res); err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(page.String(), "<!DOCTYPE html>"))
	// Output: true
}

func ExampleVerdict_String() {
	fmt.Println(linear.Linearizable, "/", linear.NotLinearizable, "/", linear.Unknown)
	// Output: linearizable / not linearizable / unknown
}

func ExampleExplain() {
	type in = models.RegisterInput[int]
	type out = models.RegisterOutput[int]
	history := []linear.Operation[in, out]{
		{Client: 0, Input: in{Op: models.Write, Value: 1}, Call: 0, Return: 1},
		{Client: 1, Input: in{Op: models.Read}, Output: out{Value: 0}, Call: 2, Return: 3},
	}
	m := models.Register(0)
	fmt.Print(linear.Explain(m, history, linear.Check(m, history)))
	// Output:
	// not linearizable
	// part 0: the longest linearizable prefix places 1 of 2 operations, leaving state 1; then none of these fits:
	//   * read() -> 0 (client 1, called at 2)
}
