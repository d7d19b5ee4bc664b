package bench

import (
	"context"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/labludus/ludus/async"
)

var asyncSink []int

// asyncWork is the body of each concurrent call: small, so that the
// benchmark measures the cost of starting, settling and collecting.
func asyncWork(ctx context.Context, i int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return i * 2, nil
}

// BenchmarkAsyncAll starts 10k concurrent calls and collects their results
// in order, with fail-fast cancellation on both sides: async.Go + async.All
// against errgroup.WithContext writing into a results slice. Goal: ludus
// <= 1.2x errgroup. Besides time it reports the process's CPU time per op
// (cpu-ns/op), which other people's load on a shared machine disturbs
// less.
func BenchmarkAsyncAll(b *testing.B) {
	const n = 10_000
	b.Run("ludus", func(b *testing.B) {
		ctx := context.Background()
		fs := make([]*async.Future[int], n)
		loopWithCPU(b, func() {
			for i := range fs {
				fs[i] = async.Go(ctx, func(ctx context.Context) (int, error) { return asyncWork(ctx, i) })
			}
			vs, err := async.All(ctx, fs...)
			if err != nil || len(vs) != n || vs[n-1] != 2*(n-1) {
				b.Fatalf("All = %d values, %v", len(vs), err)
			}
			asyncSink = vs
		})
	})
	b.Run("errgroup", func(b *testing.B) {
		loopWithCPU(b, func() {
			g, ctx := errgroup.WithContext(context.Background())
			vs := make([]int, n)
			for i := range vs {
				g.Go(func() error {
					v, err := asyncWork(ctx, i)
					vs[i] = v
					return err
				})
			}
			if err := g.Wait(); err != nil || vs[n-1] != 2*(n-1) {
				b.Fatalf("Wait = %v", err)
			}
			asyncSink = vs
		})
	})
}
