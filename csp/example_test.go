package csp_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labludus/ludus/csp"
)

func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // stops every stage if we return early

	lines := csp.FromSlice(ctx, []string{"3", "1", "x", "4"})
	nums := csp.OrderedMap(ctx, lines, 4, func(_ context.Context, s string) (int, error) {
		return strconv.Atoi(s)
	})
	squares := csp.Map(ctx, nums, 1, func(_ context.Context, n int) (int, error) { return n * n, nil })
	for v, err := range csp.ToSeq(ctx, squares) {
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(v)
	}
	// Output:
	// 9
	// 1
	// error: strconv.Atoi: parsing "x": invalid syntax
	// 16
}

func ExampleGenerate() {
	ctx := context.Background()
	fib := csp.Generate(ctx, func(ctx context.Context, emit func(int) bool) error {
		a, b := 0, 1
		for range 8 {
			if !emit(a) {
				return ctx.Err() // the consumer cancelled
			}
			a, b = b, a+b
		}
		return nil
	})
	got, err := csp.Collect(ctx, fib)
	fmt.Println(got, err)
	// Output: [0 1 1 2 3 5 8 13] <nil>
}

func ExampleFromSlice() {
	ctx := context.Background()
	got, _ := csp.Collect(ctx, csp.FromSlice(ctx, []string{"a", "b"}))
	fmt.Println(got)
	// Output: [a b]
}

func ExampleFromSeq() {
	ctx := context.Background()
	keys := csp.FromSeq(ctx, slices.Values([]int{3, 1, 2}))
	got, _ := csp.Collect(ctx, keys)
	fmt.Println(got)
	// Output: [3 1 2]
}

func ExampleFromSeq2() {
	ctx := context.Background()
	pairs := func(yield func(string, error) bool) {
		_ = yield("ok", nil) && yield("", errors.New("bad record"))
	}
	for v, err := range csp.ToSeq(ctx, csp.FromSeq2(ctx, pairs)) {
		fmt.Printf("%q %v\n", v, err)
	}
	// Output:
	// "ok" <nil>
	// "" bad record
}

func ExampleCollect() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // Collect stops at the first error: cancel stops the rest
	in := csp.FromSlice(ctx, []string{"1", "2", "three", "4"})
	nums := csp.OrderedMap(ctx, in, 2, func(_ context.Context, s string) (int, error) { return strconv.Atoi(s) })
	got, err := csp.Collect(ctx, nums)
	fmt.Println(got, err)
	// Output: [1 2] strconv.Atoi: parsing "three": invalid syntax
}

func ExampleToSeq() {
	ctx := context.Background()
	for v, err := range csp.ToSeq(ctx, csp.FromSlice(ctx, []int{1, 2, 3})) {
		fmt.Println(v, err)
	}
	// Output:
	// 1 <nil>
	// 2 <nil>
	// 3 <nil>
}

func ExampleMap() {
	ctx := context.Background()
	words := csp.FromSlice(ctx, []string{"go", "csp", "pipes"})
	upper := csp.Map(ctx, words, 3, func(_ context.Context, s string) (string, error) {
		return strings.ToUpper(s), nil
	})
	got, _ := csp.Collect(ctx, upper)
	slices.Sort(got) // Map emits in completion order
	fmt.Println(got)
	// Output: [CSP GO PIPES]
}

func ExampleOrderedMap() {
	ctx := context.Background()
	in := csp.FromSlice(ctx, []int{30, 10, 20})
	// Later items finish first, yet come out in input order.
	out := csp.OrderedMap(ctx, in, 3, func(_ context.Context, ms int) (int, error) {
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return ms, nil
	})
	got, _ := csp.Collect(ctx, out)
	fmt.Println(got)
	// Output: [30 10 20]
}

func ExampleFilter() {
	ctx := context.Background()
	even := csp.Filter(ctx, csp.FromSlice(ctx, []int{1, 2, 3, 4}), func(v int) bool { return v%2 == 0 })
	got, _ := csp.Collect(ctx, even)
	fmt.Println(got)
	// Output: [2 4]
}

func ExampleBatch() {
	ctx := context.Background()
	// Up to 3 values per batch, or whatever arrived within a second of a
	// batch's first value.
	batches := csp.Batch(ctx, csp.FromSlice(ctx, []int{1, 2, 3, 4, 5, 6, 7}), 3, time.Second)
	got, _ := csp.Collect(ctx, batches)
	fmt.Println(got)
	// Output: [[1 2 3] [4 5 6] [7]]
}

func ExampleMerge() {
	ctx := context.Background()
	all := csp.Merge(ctx, csp.FromSlice(ctx, []string{"a", "b"}), csp.FromSlice(ctx, []string{"c"}))
	got, _ := csp.Collect(ctx, all)
	slices.Sort(got) // arrival order varies
	fmt.Println(got)
	// Output: [a b c]
}

func ExampleBroadcast() {
	ctx := context.Background()
	outs := csp.Broadcast(ctx, csp.FromSlice(ctx, []int{1, 2}), 3, csp.Buffer(2))
	// With a buffer of 2, every output holds the whole stream, so they can
	// be read one after the other.
	for i, o := range outs {
		got, _ := csp.Collect(ctx, o)
		fmt.Println(i, got)
	}
	// Output:
	// 0 [1 2]
	// 1 [1 2]
	// 2 [1 2]
}

func ExampleTee() {
	ctx := context.Background()
	a, b := csp.Tee(ctx, csp.FromSlice(ctx, []string{"x", "y"}))
	sums := map[string]int{}
	// Tee advances in lockstep, so read both outputs together.
	for a != nil || b != nil {
		select {
		case it, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			sums["a:"+it.Value]++
		case it, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			sums["b:"+it.Value]++
		}
	}
	fmt.Println(slices.Sorted(maps.Keys(sums)))
	// Output: [a:x a:y b:x b:y]
}

func ExampleBuffer() {
	ctx := context.Background()
	// A buffered output lets the source run ahead of a slow consumer.
	src := csp.FromSlice(ctx, []int{1, 2, 3}, csp.Buffer(3))
	got, _ := csp.Collect(ctx, src)
	fmt.Println(got)
	// Output: [1 2 3]
}

func ExampleWindow() {
	ctx := context.Background()
	// At most 4 items in flight between reading and emitting, whatever
	// the number of workers.
	out := csp.OrderedMap(ctx, csp.FromSlice(ctx, []int{1, 2, 3, 4, 5}), 2,
		func(_ context.Context, v int) (int, error) { return v * v, nil }, csp.Window(4))
	got, _ := csp.Collect(ctx, out)
	fmt.Println(got)
	// Output: [1 4 9 16 25]
}

func ExamplePanicError() {
	ctx := context.Background()
	out := csp.Map(ctx, csp.FromSlice(ctx, []int{0}), 1, func(_ context.Context, v int) (int, error) {
		return 10 / v, nil // integer divide by zero panics
	})
	_, err := csp.Collect(ctx, out)
	var pe *csp.PanicError
	fmt.Println(errors.As(err, &pe), pe.Value)
	// Output: true runtime error: integer divide by zero
}

// Run owns the pipeline: breaking out of the loop stops every stage,
// here an endless source and four workers, before the loop is over.
func ExampleRun() {
	ctx := context.Background()
	for sq, err := range csp.Run(ctx, func(ctx context.Context) <-chan csp.Item[int] {
		naturals := csp.Generate(ctx, func(ctx context.Context, emit func(int) bool) error {
			for i := 1; emit(i); i++ {
			}
			return nil
		})
		return csp.OrderedMap(ctx, naturals, 4, func(_ context.Context, n int) (int, error) { return n * n, nil })
	}) {
		if err != nil || sq > 20 {
			break
		}
		fmt.Println(sq)
	}
	// Output:
	// 1
	// 4
	// 9
	// 16
}
