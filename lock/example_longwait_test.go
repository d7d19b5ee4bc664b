//lint:file-ignore SA2001 lock-order scenarios take locks only to hold them

//lint:file-ignore SA9010 OnPotentialDeadlock and SetLongWait return the previous setting, which the deferred call restores

//go:build !ludus_nolockdep && !ludus_check

package lock_test

import (
	"fmt"
	"sync"
	"time"

	"github.com/labludus/ludus/lock"
)

func ExampleSetLongWait() {
	prev := lock.OnPotentialDeadlock(func(r lock.Report) { fmt.Println(r.Kind, r.Locks[0]) })
	defer lock.OnPotentialDeadlock(prev)
	defer lock.SetLongWait(lock.SetLongWait(10 * time.Millisecond))

	mu := lock.NewMutex("slow-io")
	held := make(chan bool)
	go func() {
		mu.Lock()
		held <- true
		time.Sleep(50 * time.Millisecond) // far longer than anyone should hold it
		mu.Unlock()
	}()
	<-held
	var wg sync.WaitGroup
	wg.Go(func() {
		mu.Lock()
		mu.Unlock()
	})
	wg.Wait()
	// Output: long wait slow-io
}
