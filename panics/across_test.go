package panics_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/labludus/ludus/async"
	"github.com/labludus/ludus/csp"
	"github.com/labludus/ludus/panics"
	"github.com/labludus/ludus/par"
	"github.com/labludus/ludus/pool"
)

// One errors.As with *panics.Error finds a panic whichever package ran
// the code that panicked (actor is checked in its own tests).
func TestOneTypeAcrossPackages(t *testing.T) {
	ctx := context.Background()
	boom := func() { panic("boom") }
	p := pool.New(1)
	defer p.Close()
	g := p.Group(ctx)
	g.Go(func(context.Context) error { boom(); return nil })
	errs := map[string]error{
		"async": func() error {
			_, err := async.Go(ctx, func(context.Context) (int, error) { boom(); return 0, nil }).Await(ctx)
			return err
		}(),
		"pool.Submit": func() error {
			_, err := pool.Submit(ctx, p, func(context.Context) (int, error) { boom(); return 0, nil }).Await(ctx)
			return err
		}(),
		"pool.Group": g.Wait(),
		"par": func() (err error) {
			defer func() { err, _ = recover().(error) }()
			par.For(4, func(int) { boom() })
			return nil
		}(),
		"csp": func() error {
			_, err := csp.Collect(ctx, csp.Map(ctx, csp.FromSlice(ctx, []int{1}), 1,
				func(context.Context, int) (int, error) { boom(); return 0, nil }))
			return err
		}(),
	}
	for name, err := range errs {
		var pe *panics.Error
		if !errors.As(fmt.Errorf("wrapped: %w", err), &pe) || pe.Value != "boom" {
			t.Errorf("%s: errors.As(*panics.Error) failed on %v", name, err)
			continue
		}
		if f, ok := pe.Site(); !ok || f.Function != "github.com/labludus/ludus/panics_test.TestOneTypeAcrossPackages.func1" {
			t.Errorf("%s: Site() = %q, want the boom closure", name, f.Function)
		}
	}
}
