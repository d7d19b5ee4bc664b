package csp_test

import (
	"context"
	"fmt"
	"strconv"

	"github.com/labludus/ludus/csp"
)

// The README's csp snippet (the body of readmeCSP), run.
func Example_readme() {
	readmeCSP(context.Background(), []string{"1", "x", "3"})
	// Output:
	// 1
	// skip: strconv.Atoi: parsing "x": invalid syntax
	// 3
}

func readmeCSP(ctx context.Context, inputs []string) {
	for n, err := range csp.Run(ctx, func(ctx context.Context) <-chan csp.Item[int] {
		lines := csp.FromSlice(ctx, inputs)
		return csp.OrderedMap(ctx, lines, 8, func(_ context.Context, s string) (int, error) {
			return strconv.Atoi(s)
		})
	}) { // input order, errors in place; leaving the loop stops every stage
		if err != nil {
			fmt.Println("skip:", err)
			continue
		}
		fmt.Println(n)
	}
}
