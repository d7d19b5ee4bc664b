package async_test

import (
	"context"
	"fmt"

	"github.com/labludus/ludus/async"
)

// fetchUser, fetchOrders, fromEU and fromUS stand for the README's I/O
// calls: the EU replica answers at once, the US one only when cancelled.
func fetchUser(ctx context.Context, id int) (string, error)   { return fmt.Sprint("user ", id), nil }
func fetchOrders(ctx context.Context, id int) (string, error) { return "3 orders", nil }
func fromEU(ctx context.Context) (string, error)              { return "eu", nil }
func fromUS(ctx context.Context) (string, error)              { <-ctx.Done(); return "", ctx.Err() }

// The README's async snippet (the body of readmeAsync), run.
func Example_readme() {
	if err := readmeAsync(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// user 42 3 orders
	// eu <nil>
}

func readmeAsync(ctx context.Context) error {
	user := async.Go(ctx, func(ctx context.Context) (string, error) { return fetchUser(ctx, 42) })
	orders := async.Go(ctx, func(ctx context.Context) (string, error) { return fetchOrders(ctx, 42) })
	both, err := async.All(ctx, user, orders) // input order; the first failure cancels the other
	if err != nil {
		return err
	}
	fmt.Println(both[0], both[1])
	fastest, err := async.Any(ctx, async.Go(ctx, fromEU), async.Go(ctx, fromUS)) // losers cancelled
	fmt.Println(fastest, err)
	return nil
}
