package lock_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/labludus/ludus/lock"
)

func ExampleMutex() {
	var mu lock.Mutex // the zero value works; its class is where it is first locked
	balance := 1000
	done := make(chan bool)
	for _, amount := range []int{500, -200} {
		go func() {
			mu.Lock()
			defer mu.Unlock()
			balance += amount
			done <- true
		}()
	}
	<-done
	<-done
	fmt.Println(balance)
	// Output: 1300
}

func ExampleMutex_LockContext() {
	mu := lock.NewMutex("config")
	mu.Lock()
	held := make(chan bool)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		err := mu.LockContext(ctx)
		fmt.Println(errors.Is(err, context.DeadlineExceeded))
		fmt.Println(err)
		held <- true
	}()
	<-held
	mu.Unlock()
	// Output:
	// true
	// lock: Mutex config: context deadline exceeded
}

func ExampleMutex_TryLockFor() {
	var mu lock.Mutex
	mu.Lock()
	go func() {
		time.Sleep(5 * time.Millisecond)
		mu.Unlock()
	}()
	fmt.Println(mu.TryLockFor(10 * time.Second))
	mu.Unlock()
	// Output: true
}

func ExampleRWMutex() {
	var mu lock.RWMutex
	settings := map[string]string{"mode": "fast"}
	read := func(k string) string {
		mu.RLock()
		defer mu.RUnlock()
		return settings[k]
	}
	mu.Lock()
	settings["mode"] = "safe"
	mu.Unlock()
	fmt.Println(read("mode"))
	// Output: safe
}

// ExampleAll is the guide's "lock ordering" done by the library: transfers
// in both directions take the two accounts' locks in the same order.
func ExampleAll() {
	type account struct {
		mu      lock.Mutex
		balance int
	}
	transfer := func(from, to *account, n int) {
		defer lock.All(&from.mu, &to.mu).Unlock()
		from.balance -= n
		to.balance += n
	}
	a, b := &account{balance: 100}, &account{balance: 100}
	done := make(chan bool)
	go func() {
		for range 1000 {
			transfer(a, b, 1)
		}
		done <- true
	}()
	for range 1000 {
		transfer(b, a, 1)
	}
	<-done
	fmt.Println(a.balance, b.balance)
	// Output: 100 100
}

func ExampleAllContext() {
	a, b := lock.NewMutex("a"), lock.NewMutex("b")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	held, err := lock.AllContext(ctx, b, a)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.TryLock(), b.TryLock())
	held.Unlock()
	// Output: false false
}

func ExampleNewRWMutex() {
	mu := lock.NewRWMutex("routes")
	mu.RLock()
	fmt.Println(mu.TryLock()) // a writer must wait for the reader
	mu.RUnlock()
	fmt.Println(mu.TryLock())
	mu.Unlock()
	// Output:
	// false
	// true
}

func ExampleMutex_TryLock() {
	var mu lock.Mutex
	fmt.Println(mu.TryLock(), mu.TryLock())
	mu.Unlock()
	// Output: true false
}

func ExampleRWMutex_RLockContext() {
	mu := lock.NewRWMutex("table")
	mu.Lock()
	done := make(chan error)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		done <- mu.RLockContext(ctx)
	}()
	fmt.Println(<-done)
	mu.Unlock()
	// Output: lock: RWMutex table (read): context deadline exceeded
}

func ExampleRWMutex_TryRLockFor() {
	var mu lock.RWMutex
	mu.RLock()
	fmt.Println(mu.TryRLockFor(time.Millisecond)) // readers share
	mu.RUnlock()
	mu.RUnlock()
	// Output: true
}
