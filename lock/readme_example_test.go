//lint:file-ignore SA2001 the snippet takes locks only to show their order

//lint:file-ignore SA9010 OnPotentialDeadlock returns the previous handler, which the deferred call restores

//go:build !ludus_nolockdep

package lock_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/labludus/ludus/lock"
)

// The README's lock snippet (the body of readmeLock), run. Reports go to
// standard error unless a handler is installed; this one prints them.
func Example_readme() {
	prev := lock.OnPotentialDeadlock(func(r lock.Report) {
		fmt.Println(r.Kind, strings.Join(r.Locks, " -> "))
	})
	defer lock.OnPotentialDeadlock(prev)
	readmeLock(context.Background())
	// Output:
	// lock-order cycle B -> A
	// lock: Mutex A: context deadline exceeded
}

func readmeLock(ctx context.Context) {
	a, b := lock.NewMutex("A"), lock.NewMutex("B")
	a.Lock() // somewhere: A then B
	b.Lock()
	b.Unlock()
	a.Unlock()
	b.Lock() // elsewhere: B then A -> reported, once
	a.Lock()
	a.Unlock()
	b.Unlock()

	l := lock.All(a, b) // the guide's lock ordering, automatic
	defer l.Unlock()
	timedOut := make(chan error)
	go func() {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		timedOut <- a.LockContext(ctx) // a is held: give up instead of waiting forever
	}()
	fmt.Println(<-timedOut)
}
