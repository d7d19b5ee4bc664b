package async_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/labludus/ludus/async"
)

type ctxKey struct{}

// TestFunctionContext checks the context a future's function receives
// behaves as a context.WithCancel child would.
func TestFunctionContext(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	parent, cancelParent := context.WithDeadline(context.WithValue(context.Background(), ctxKey{}, "v"), deadline)
	defer cancelParent()

	derivedDone := make(chan error, 1)
	afterRan := make(chan struct{})
	checked := make(chan struct{}) // the checks before cancellation are done
	f := async.Go(parent, func(ctx context.Context) (string, error) {
		defer func() {
			select {
			case <-checked:
			default:
				close(checked)
			}
		}()
		if ctx.Value(ctxKey{}) != "v" {
			return "", errors.New("value not inherited")
		}
		if d, ok := ctx.Deadline(); !ok || !d.Equal(deadline) {
			return "", errors.New("deadline not inherited")
		}
		if ctx.Err() != nil {
			return "", errors.New("cancelled too early")
		}
		child, cancel := context.WithCancel(ctx)
		defer cancel()
		context.AfterFunc(ctx, func() { close(afterRan) })
		go func() { <-child.Done(); derivedDone <- child.Err() }()
		close(checked)
		<-ctx.Done()
		if !errors.Is(context.Cause(ctx), context.Canceled) {
			return "", errors.New("no cause")
		}
		return "stopped", ctx.Err()
	})
	<-checked // not a sleep: under load the goroutine may start late
	f.Cancel()
	v, err := f.Await(context.Background())
	if v != "stopped" || !errors.Is(err, context.Canceled) {
		t.Fatalf("Await = %q, %v", v, err)
	}
	if err := <-derivedDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("derived context: %v", err)
	}
	<-afterRan
}

func TestFunctionContextFollowsParent(t *testing.T) {
	for _, useDone := range []bool{true, false} {
		parent, cancel := context.WithCancelCause(context.Background())
		started := make(chan struct{})
		f := async.Go(parent, func(ctx context.Context) (int, error) {
			if useDone {
				_ = ctx.Done() // hook to the parent before it is cancelled
			}
			close(started)
			for ctx.Err() == nil {
				time.Sleep(50 * time.Microsecond)
			}
			select {
			case <-ctx.Done(): // Err non-nil implies Done closed
			default:
				return 0, errors.New("Err set but Done open")
			}
			return 0, context.Cause(ctx)
		})
		<-started
		errStop := errors.New("stop")
		cancel(errStop)
		if _, err := f.Await(context.Background()); !errors.Is(err, errStop) {
			t.Fatalf("useDone=%v: %v; want the parent's cause", useDone, err)
		}
	}
}

func TestFunctionContextCancelledAfterReturn(t *testing.T) {
	var saved context.Context
	f := async.Go(context.Background(), func(ctx context.Context) (int, error) { saved = ctx; return 1, nil })
	if _, err := f.Await(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-saved.Done()
	if !errors.Is(saved.Err(), context.Canceled) {
		t.Fatalf("Err after return = %v", saved.Err())
	}
	// Derived after the end: born cancelled.
	child, cancel := context.WithCancel(saved)
	defer cancel()
	<-child.Done()
	stop := context.AfterFunc(saved, func() {})
	if stop() {
		t.Fatal("stop reported true after the function had run")
	}
}

func TestAfterFuncStop(t *testing.T) {
	f := async.Go(context.Background(), func(ctx context.Context) (int, error) {
		ran := make(chan struct{})
		stop := context.AfterFunc(ctx, func() { close(ran) })
		if !stop() {
			return 0, errors.New("stop did not stop")
		}
		return 0, nil
	})
	if _, err := f.Await(context.Background()); err != nil {
		t.Fatal(err)
	}
}
