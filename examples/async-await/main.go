// Command async-await is the guide's Async/Await example in Go: two calls
// awaited one after the other take the sum of their latencies; started
// together and awaited together (Promise.all), the longest one.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Latencies stand in for a remote API.
const (
	userLatency   = 300 * time.Millisecond
	ordersLatency = 200 * time.Millisecond
)

func getUser(ctx context.Context, id int) (string, error) {
	return after(ctx, userLatency, fmt.Sprintf("user %d", id))
}

func getOrders(ctx context.Context, id int) ([]string, error) {
	v, err := after(ctx, ordersLatency, fmt.Sprintf("order of user %d", id))
	return []string{v}, err
}

func after(ctx context.Context, d time.Duration, v string) (string, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return v, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func run(ctx context.Context, w io.Writer) error {
	start := time.Now()
	user, err := getUser(ctx, 42)
	if err != nil {
		return err
	}
	orders, err := getOrders(ctx, 42)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "sequential: %s, %v in %v\n", user, orders, time.Since(start).Round(10*time.Millisecond))

	// Promise.all: start both, then wait for both.
	start = time.Now()
	var wg sync.WaitGroup
	var userErr, ordersErr error
	wg.Go(func() { user, userErr = getUser(ctx, 42) })
	wg.Go(func() { orders, ordersErr = getOrders(ctx, 42) })
	wg.Wait()
	if userErr != nil {
		return userErr
	}
	if ordersErr != nil {
		return ordersErr
	}
	fmt.Fprintf(w, "concurrent: %s, %v in %v\n", user, orders, time.Since(start).Round(10*time.Millisecond))
	return nil
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
