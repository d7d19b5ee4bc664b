package async_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/labludus/ludus/async"
)

// getUser and getOrders stand for the guide's two I/O calls.
func getUser(ctx context.Context) (string, error) {
	select {
	case <-time.After(10 * time.Millisecond):
		return "ada", nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func getOrders(ctx context.Context) (string, error) {
	select {
	case <-time.After(10 * time.Millisecond):
		return "3 orders", nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// The guide's Promise.all: both calls run at once, so the wait is the
// longer of the two, not their sum.
func Example() {
	ctx := context.Background()
	res, err := async.All(ctx, async.Go(ctx, getUser), async.Go(ctx, getOrders))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res[0], "has", res[1])
	// Output: ada has 3 orders
}

func ExampleGo() {
	ctx := context.Background()
	f := async.Go(ctx, func(ctx context.Context) (int, error) { return 6 * 7, nil })
	v, err := f.Await(ctx)
	fmt.Println(v, err)
	// Output: 42 <nil>
}

func ExampleFuture_Await() {
	slow := async.Go(context.Background(), func(ctx context.Context) (string, error) {
		select {
		case <-time.After(time.Hour):
			return "done", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	})
	// The awaiter's deadline bounds the wait, not the work.
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_, err := slow.Await(ctx)
	fmt.Println(err)
	// The future still runs until it is cancelled.
	slow.Cancel()
	_, err = slow.Await(context.Background())
	fmt.Println(err)
	// Output:
	// context deadline exceeded
	// context canceled
}

func ExampleFuture_Done() {
	f := async.Go(context.Background(), func(context.Context) (string, error) { return "ready", nil })
	select {
	case <-f.Done():
	case <-time.After(time.Second):
	}
	v, _ := f.Await(context.Background())
	fmt.Println(v)
	// Output: ready
}

func ExampleFuture_Cancel() {
	f := async.Go(context.Background(), func(ctx context.Context) (int, error) {
		<-ctx.Done()
		return 0, ctx.Err()
	})
	f.Cancel()
	_, err := f.Await(context.Background())
	fmt.Println(errors.Is(err, context.Canceled))
	// Output: true
}

func ExampleAll() {
	ctx := context.Background()
	var fs []*async.Future[int]
	for i := 1; i <= 4; i++ {
		fs = append(fs, async.Go(ctx, func(context.Context) (int, error) {
			time.Sleep(time.Duration(5-i) * time.Millisecond) // finish in reverse
			return i * 10, nil
		}))
	}
	vs, err := async.All(ctx, fs...)
	fmt.Println(vs, err) // input order, whatever the finishing order
	// Output: [10 20 30 40] <nil>
}

func ExampleAllSettled() {
	ctx := context.Background()
	rs := async.AllSettled(ctx,
		async.Resolved("ok"),
		async.Rejected[string](errors.New("no route")),
	)
	for _, r := range rs {
		fmt.Printf("%q %v\n", r.Value, r.Err)
	}
	// Output:
	// "ok" <nil>
	// "" no route
}

func ExampleAny() {
	ctx := context.Background()
	mirror := func(name string, fail bool) *async.Future[string] {
		return async.Go(ctx, func(context.Context) (string, error) {
			if fail {
				return "", errors.New(name + " down")
			}
			return name, nil
		})
	}
	v, err := async.Any(ctx, mirror("eu", true), mirror("us", false))
	fmt.Println(v, err)

	errEU, errUS := errors.New("eu down"), errors.New("us down")
	_, err = async.Any(ctx, async.Rejected[string](errEU), async.Rejected[string](errUS))
	fmt.Println(errors.Is(err, errEU), errors.Is(err, errUS))
	// Output:
	// us <nil>
	// true true
}

func ExampleRace() {
	ctx := context.Background()
	work := async.Go(ctx, func(ctx context.Context) (string, error) {
		select {
		case <-time.After(time.Hour):
			return "result", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	})
	timeout := async.Go(ctx, func(context.Context) (string, error) {
		time.Sleep(time.Millisecond)
		return "", errors.New("too slow")
	})
	_, err := async.Race(ctx, work, timeout)
	fmt.Println(err)
	_, err = work.Await(ctx) // the loser was cancelled
	fmt.Println(err)
	// Output:
	// too slow
	// context canceled
}

func ExampleResolved() {
	v, err := async.Resolved(3).Await(context.Background())
	fmt.Println(v, err)
	// Output: 3 <nil>
}

func ExampleRejected() {
	_, err := async.Rejected[int](errors.New("cached failure")).Await(context.Background())
	fmt.Println(err)
	// Output: cached failure
}

func ExamplePanicError() {
	f := async.Go(context.Background(), func(context.Context) (int, error) {
		var m map[string]int
		//lint:ignore SA5000 the runtime panic is what this example shows
		m["x"] = 1 // panics: assignment to entry in nil map
		return 0, nil
	})
	_, err := f.Await(context.Background())
	var pe *async.PanicError
	if errors.As(err, &pe) {
		fmt.Println("recovered:", pe.Value)
	}
	// Output: recovered: assignment to entry in nil map
}

func ExampleNewPanicError() {
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = async.NewPanicError(r)
			}
		}()
		panic("oops")
	}()
	fmt.Println(err.(*async.PanicError).Value)
	// Output: oops
}

func ExampleNewPromise() {
	// A callback-style API turned into a future.
	f, p := async.NewPromise[string](nil)
	time.AfterFunc(time.Millisecond, func() { p.Resolve("fired") })
	v, _ := f.Await(context.Background())
	fmt.Println(v)
	// Output: fired
}

func ExamplePromise_Run() {
	f, p := async.NewPromise[int](nil)
	go p.Run(context.Background(), func(context.Context) (int, error) { return 5, nil })
	v, err := f.Await(context.Background())
	fmt.Println(v, err)
	// Output: 5 <nil>
}

func ExamplePromise_Settle() {
	f, p := async.NewPromise[int](nil)
	fmt.Println(p.Settle(1, nil), p.Settle(2, nil)) // only the first counts
	v, _ := f.Await(context.Background())
	fmt.Println(v)
	// Output:
	// true false
	// 1
}

func ExamplePromise_Reject() {
	f, p := async.NewPromise[int](nil)
	p.Reject(errors.New("refused"))
	_, err := f.Await(context.Background())
	fmt.Println(err)
	// Output: refused
}

func ExamplePromise_Resolve() {
	f, p := async.NewPromise[string](nil)
	p.Resolve("yes")
	v, _ := f.Await(context.Background())
	fmt.Println(v)
	// Output: yes
}

func ExampleAggregateError() {
	_, err := async.Any(context.Background(),
		async.Rejected[int](errors.New("a")), async.Rejected[int](errors.New("b")))
	var agg *async.AggregateError
	if errors.As(err, &agg) {
		fmt.Println(len(agg.Errors), agg.Errors[0], agg.Errors[1])
	}
	// Output: 2 a b
}
