// Command race is the guide's race condition: two goroutines update one
// balance (1000, +500 and -200) by reading it, computing and writing it
// back. Without a lock an update can vanish; with a mutex it cannot.
package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// unsafeBalance reads and writes atomically, but the read-modify-write as
// a whole is not: the window between Load and Store is the race the guide
// draws. (A plain int would be a data race, which is undefined in Go; the
// race detector would stop the program before it shows the lost update.)
type unsafeBalance struct{ v atomic.Int64 }

func (b *unsafeBalance) add(amount int64) {
	read := b.v.Load()       // Thread A: read balance (1000)
	work()                   // 1000 + 500 = 1500, and whatever else a transaction does
	b.v.Store(read + amount) // write (1500)
}

// work stands for what a real transaction does between reading and writing
// (validate, log, call a service). The longer it is, the more often the
// race shows; with no work at all it shows about once in 100,000 runs.
func work() { time.Sleep(100 * time.Microsecond) }

type safeBalance struct {
	mu sync.Mutex
	v  int64
}

func (b *safeBalance) add(amount int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	read := b.v
	work()
	b.v = read + amount
}

// trial runs the two transactions at once.
func trial(add func(int64)) {
	var wg sync.WaitGroup
	wg.Go(func() { add(500) })
	wg.Go(func() { add(-200) })
	wg.Wait()
}

func run(w io.Writer, trials int) (lost int) {
	finals := map[int64]int{}
	for range trials {
		b := &unsafeBalance{}
		b.v.Store(1000)
		trial(b.add)
		finals[b.v.Load()]++
	}
	lost = trials - finals[1300]
	fmt.Fprintf(w, "without a lock: %d of %d trials lost an update; final balances %v\n", lost, trials, finals)

	safeLost := 0
	for range trials {
		b := &safeBalance{v: 1000}
		trial(b.add)
		if b.v != 1300 {
			safeLost++
		}
	}
	fmt.Fprintf(w, "with a mutex:   %d of %d trials lost an update\n", safeLost, trials)
	return lost
}

func main() {
	run(os.Stdout, 200)
}
