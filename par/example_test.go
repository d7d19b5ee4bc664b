package par_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/labludus/ludus/par"
)

func ExampleFor() {
	squares := make([]int, 8)
	// Each call writes only its own index, so no locking is needed.
	par.For(len(squares), func(i int) { squares[i] = i * i })
	fmt.Println(squares)
	// Output: [0 1 4 9 16 25 36 49]
}

func ExampleMap() {
	words := []string{"go", "channels", "parallel"}
	lengths := par.Map(words, func(w string) int { return len(w) })
	fmt.Println(lengths)
	// Output: [2 8 8]
}

func ExampleReduce() {
	nums := make([]float64, 1_000_000)
	for i := range nums {
		nums[i] = float64(i)
	}
	// Each worker folds its ranges from zero; the partial sums are then
	// combined in input order.
	sum := par.Reduce(nums, 0.0,
		func(acc, x float64) float64 { return acc + math.Sqrt(x) },
		func(a, b float64) float64 { return a + b })
	fmt.Printf("%.0f\n", sum)
	// Output: 666666166
}

func ExampleReduce_concatenation() {
	// combine need not be commutative: partial results are combined in
	// input order.
	s := par.Reduce([]string{"a", "b", "c", "d"}, "",
		func(acc, x string) string { return acc + x },
		func(a, b string) string { return a + b })
	fmt.Println(s)
	// Output: abcd
}

func ExampleForCtx() {
	errNegative := errors.New("negative input")
	in := []int{4, 9, -1, 16}
	err := par.ForCtx(context.Background(), len(in), func(ctx context.Context, i int) error {
		if in[i] < 0 {
			return fmt.Errorf("item %d: %w", i, errNegative)
		}
		return nil
	})
	fmt.Println(err, errors.Is(err, errNegative))
	// Output: item 2: negative input true
}

func ExampleMapCtx() {
	roots, err := par.MapCtx(context.Background(), []float64{1, 4, 9},
		func(ctx context.Context, x float64) (float64, error) {
			return math.Sqrt(x), ctx.Err()
		})
	fmt.Println(roots, err)
	// Output: [1 2 3] <nil>
}

func ExampleWorkers() {
	// Workers bounds the goroutines, the caller included; Workers(1) is a
	// plain loop.
	out := par.Map([]int{1, 2, 3}, func(x int) int { return x * 10 }, par.Workers(1))
	fmt.Println(out)
	// Output: [10 20 30]
}

func ExampleGrain() {
	// Items this cheap are worth moving between cores only in ranges of
	// thousands; inputs of at most 4096 items stay in the calling goroutine.
	flags := make([]bool, 100_000)
	par.For(len(flags), func(i int) { flags[i] = i%3 == 0 }, par.Grain(4096))
	fmt.Println(flags[:4])
	// Output: [true false false true]
}

func ExamplePanicError() {
	defer func() {
		pe := recover().(*par.PanicError)
		fmt.Println("recovered:", pe.Value)
		fmt.Println("stack names the culprit:", strings.Contains(string(pe.Stack), "ExamplePanicError"))
	}()
	par.For(100, func(i int) {
		if i == 42 {
			panic("bad item")
		}
	})
	// Output:
	// recovered: bad item
	// stack names the culprit: true
}

// With Errors(AllErrors) every item runs, and every error is reported, in
// input order.
func ExampleErrors() {
	sizes, err := par.MapCtx(context.Background(), []string{"a.txt", "", "b.txt", ""},
		func(_ context.Context, name string) (int, error) {
			if name == "" {
				return 0, errors.New("empty name")
			}
			return len(name), nil
		}, par.Errors(par.AllErrors))
	fmt.Println(sizes)
	fmt.Println(err)
	// Output:
	// [5 0 5 0]
	// empty name
	// empty name
}
