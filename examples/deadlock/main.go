// Command deadlock is the guide's deadlock: two goroutines take two locks
// in opposite order and wait for each other forever. Here each wait has a
// timeout, so the program notices the deadlock, says so, and ends; then it
// shows the cure of lock ordering.
package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// lockWithin takes mu or reports false after d (sync.Mutex has no timed
// lock; ludus's lock package has one).
func lockWithin(mu *sync.Mutex, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for !mu.TryLock() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Microsecond)
	}
	return true
}

// run starts two transfers. A locks a then b. B locks b then a when
// opposite is set, else a then b. Both take their first lock before either
// reaches for its second (the barrier), the moment a deadlock needs; with
// the same order, B simply waits for A to finish instead.
func run(w io.Writer, opposite bool) (deadlocked bool) {
	var a, b, out sync.Mutex
	report := func(format string, args ...any) {
		out.Lock()
		defer out.Unlock()
		fmt.Fprintf(w, format, args...)
	}
	bFirst, bSecond := &a, &b
	if opposite {
		bFirst, bSecond = &b, &a
	}
	var holding, wg sync.WaitGroup
	holding.Add(2)
	transfer := func(name string, first, second *sync.Mutex, barrier bool) {
		first.Lock()
		defer first.Unlock()
		holding.Done()
		if barrier {
			holding.Wait()
		}
		if !lockWithin(second, 200*time.Millisecond) {
			report("%s: holds one lock and waited 200ms for the other: deadlock detected, giving up\n", name)
			out.Lock()
			deadlocked = true
			out.Unlock()
			return
		}
		second.Unlock()
		report("%s: transfer done\n", name)
	}
	wg.Go(func() { transfer("A", &a, &b, opposite) })
	wg.Go(func() { transfer("B", bFirst, bSecond, opposite) })
	wg.Wait()
	return deadlocked
}

func main() {
	fmt.Println("opposite lock order:")
	run(os.Stdout, true)
	fmt.Println("same lock order:")
	run(os.Stdout, false)
}
