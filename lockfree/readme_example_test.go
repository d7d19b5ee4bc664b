package lockfree_test

import (
	"context"
	"fmt"

	"github.com/labludus/ludus/lockfree"
)

// Job and handle stand for the README's work items and their processing.
type Job struct{ ID int }

func handle(j Job) { fmt.Println("job", j.ID) }

// The README's lockfree snippet (the body of readmeLockfree), run.
func Example_readme() {
	readmeLockfree(context.Background())
	// Output:
	// job 1
	// 1
}

func readmeLockfree(ctx context.Context) {
	r, _ := lockfree.NewRing[Job](1024)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			job, err := r.Pop(ctx) // parks while empty; ErrClosed once closed and drained
			if err != nil {
				return
			}
			handle(job)
		}
	}()
	_ = r.Push(ctx, Job{ID: 1}) // parks while full
	r.Close()                   // no more pushes: the worker drains the ring and stops
	<-done
	var hits lockfree.Counter
	hits.Add(1)
	fmt.Println(hits.Load())
}
