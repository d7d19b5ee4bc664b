package par_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/labludus/ludus/par"
)

// processFile stands for the README's per-file work.
func processFile(ctx context.Context, name string) error {
	if !strings.HasSuffix(name, ".txt") {
		return fmt.Errorf("%s: not a text file", name)
	}
	return ctx.Err()
}

// The README's par snippet (the body of readmePar), run.
func Example_readme() {
	readmePar(context.Background(), []float64{1, 2, 3, 4}, []string{"a.txt", "b.txt"})
	// Output: [1 4 9 16] 10 <nil>
}

func readmePar(ctx context.Context, nums []float64, files []string) {
	squares := par.Map(nums, func(x float64) float64 { return x * x })
	sum := par.Reduce(nums, 0.0,
		func(acc, x float64) float64 { return acc + x },
		func(a, b float64) float64 { return a + b })
	err := par.ForCtx(ctx, len(files), func(ctx context.Context, i int) error {
		return processFile(ctx, files[i]) // the first error cancels the rest
	}, par.Workers(4))
	fmt.Println(squares, sum, err)
}
