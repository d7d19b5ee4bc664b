package pool_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/labludus/ludus/pool"
)

// process, countLines and fetch stand for the README's work.
var processed, fetched atomic.Int64

func process(job string)                          { processed.Add(1) }
func countLines(ctx context.Context) (int, error) { return strings.Count("a\nb\nc\n", "\n"), nil }
func fetch(ctx context.Context, url string) error { fetched.Add(1); return nil }

// The README's pool snippet (the body of readmePool), run.
func Example_readme() {
	err := readmePool(context.Background(), []string{"a", "b", "c"}, []string{"https://a.example", "https://b.example"})
	fmt.Println(err, processed.Load(), fetched.Load())
	// Output:
	// 3 <nil>
	// <nil> 3 2
}

func readmePool(ctx context.Context, jobs, urls []string) error {
	p := pool.New(runtime.GOMAXPROCS(0))
	defer p.Close() // waits for every accepted task, queued ones included
	for _, job := range jobs {
		if err := p.GoCtx(ctx, func() { process(job) }); err != nil {
			break // ctx ended while the pool was full
		}
	}
	n, err := pool.Submit(ctx, p, countLines).Await(ctx) // a typed result
	fmt.Println(n, err)
	g := p.Group(ctx) // errgroup on a shared pool: the first error cancels the rest
	for _, u := range urls {
		g.Go(func(ctx context.Context) error { return fetch(ctx, u) })
	}
	return g.Wait()
}
