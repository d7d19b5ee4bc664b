//lint:file-ignore SA2001 lock-order scenarios take locks only to hold them

//lint:file-ignore SA9010 OnPotentialDeadlock and SetLongWait return the previous setting, which the deferred call restores

//go:build !ludus_nolockdep

package lock_test

import (
	"fmt"
	"strings"
	"sync"

	"github.com/labludus/ludus/lock"
)

// Example shows a deadlock found before it happens: three goroutines, at
// three different times, take A then B, B then C, and C then A. No run
// deadlocks, but three goroutines doing so at once would.
func Example() {
	prev := lock.OnPotentialDeadlock(func(r lock.Report) {
		fmt.Println(r.Kind, strings.Join(r.Locks, " -> "))
	})
	defer lock.OnPotentialDeadlock(prev)

	a, b, c := lock.NewMutex("A"), lock.NewMutex("B"), lock.NewMutex("C")
	for _, pair := range [][2]*lock.Mutex{{a, b}, {b, c}, {c, a}} {
		var wg sync.WaitGroup
		wg.Go(func() {
			pair[0].Lock()
			pair[1].Lock()
			pair[1].Unlock()
			pair[0].Unlock()
		})
		wg.Wait()
	}
	// Output: lock-order cycle C -> A -> B
}

func ExampleOnPotentialDeadlock() {
	prev := lock.OnPotentialDeadlock(func(r lock.Report) {
		fmt.Printf("%s of %s\n", r.Kind, r.Locks[0])
	})
	defer lock.OnPotentialDeadlock(prev)

	mu := lock.NewRWMutex("cache")
	mu.RLock()
	mu.RLock() // deadlocks if a writer arrives in between
	mu.RUnlock()
	mu.RUnlock()
	// Output: recursive locking of cache
}

func ExampleSetDetection() {
	prev := lock.OnPotentialDeadlock(func(r lock.Report) { fmt.Println("reported") })
	defer lock.OnPotentialDeadlock(prev)

	was := lock.SetDetection(false)
	x, y := lock.NewMutex("x"), lock.NewMutex("y")
	x.Lock()
	y.Lock()
	y.Unlock()
	x.Unlock()
	y.Lock()
	x.Lock() // the reverse order, not tracked
	x.Unlock()
	y.Unlock()
	lock.SetDetection(was)
	fmt.Println(lock.Detection())
	// Output: true
}

func ExampleReport_String() {
	r := lock.Report{
		Kind:  lock.Recursive,
		Locks: []string{"db"},
		Edges: []lock.Edge{{From: "db", To: "db", Goroutine: 1, Stack: "main.main\n\tmain.go:10\n"}},
	}
	fmt.Print(r)
	// Output:
	// lock: POTENTIAL DEADLOCK (recursive locking): db -> db
	//   db held while taking db, first in goroutine 1 at:
	//     main.main
	//     	main.go:10
}

func ExampleSetExactGoroutines() {
	prev := lock.SetExactGoroutines(true) // in tests whose reports fail the build
	defer lock.SetExactGoroutines(prev)
	a, b := lock.NewMutex("exact-a"), lock.NewMutex("exact-b")
	a.Lock()
	b.Lock()
	b.Unlock()
	a.Unlock()
	fmt.Println("tracked by goroutine id")
	// Output: tracked by goroutine id
}
