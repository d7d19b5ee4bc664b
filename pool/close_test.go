package pool_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/labludus/ludus/pool"
)

// Several Shutdown calls wait at once; one gives up on its context (and
// leaves the others' wait intact), the rest return when the last task
// ends, and a later Close returns at once.
func TestShutdownWaitersTogether(t *testing.T) {
	p := pool.New(1)
	release := block(t, p, 1)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 3 {
		wg.Go(func() { errs <- p.Shutdown(context.Background()) })
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	var se *pool.ShutdownError
	if err := p.Shutdown(ctx); !errors.As(err, &se) || se.Unfinished != 1 {
		t.Fatalf("Shutdown with a short context = %v", err)
	}
	select {
	case err := <-errs:
		t.Fatalf("a Shutdown returned (%v) while a task ran", err)
	case <-time.After(time.Millisecond):
	}
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Shutdown = %v", err)
		}
	}
	p.Close()
}
