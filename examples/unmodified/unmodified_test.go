package unmodified

import (
	"context"
	"sync"
	"testing"
	"time"
)

// The guide's lost update: +500 and -200 from 1000 must give 1300.
func TestLostUpdate(t *testing.T) {
	a := &Account{balance: 1000}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a.Deposit(500) }()
	go func() { defer wg.Done(); a.Deposit(-200) }()
	wg.Wait()
	if got := a.Balance(); got != 1300 {
		t.Errorf("balance = %d, want 1300", got)
	}
}

// The mutex fix.
func TestSafeDeposit(t *testing.T) {
	a := &SafeAccount{balance: 1000}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a.Deposit(500) }()
	go func() { defer wg.Done(); a.Deposit(-200) }()
	wg.Wait()
	if got := a.Balance(); got != 1300 {
		t.Errorf("balance = %d, want 1300", got)
	}
}

// Two transfers in opposite directions.
func TestTransfer(t *testing.T) {
	alice, bob := &Wallet{amount: 100}, &Wallet{amount: 100}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); Transfer(alice, bob, 10) }()
	go func() { defer wg.Done(); Transfer(bob, alice, 20) }()
	wg.Wait()
	if alice.amount+bob.amount != 200 {
		t.Errorf("money created or lost: %d + %d", alice.amount, bob.amount)
	}
}

// The fastest replica answers; the others' goroutines stay blocked.
func TestFirstReply(t *testing.T) {
	got := FirstReply([]func() string{
		func() string { return "eu" },
		func() string { return "us" },
	})
	if got != "eu" && got != "us" {
		t.Errorf("FirstReply = %q", got)
	}
}

// Two goroutines stop the same server.
func TestStopTwice(t *testing.T) {
	s := NewServer()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.Stop() }()
	go func() { defer wg.Done(); s.Stop() }()
	wg.Wait()
	<-s.Done()
}

// A pool of three workers, cancelled while jobs are still queued: every
// worker returns.
func TestPoolCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	jobs := make(chan int, 4)
	for i := 0; i < 4; i++ {
		jobs <- i
	}
	var once sync.Once
	n := Process(ctx, 3, jobs, func(int) { once.Do(cancel) })
	if n < 1 || n > 4 {
		t.Errorf("processed %d jobs, want 1 to 4", n)
	}
}

// Ten goroutines count with an atomic.
func TestAtomicCounter(t *testing.T) {
	if got := Count(10); got != 10 {
		t.Errorf("count = %d, want 10", got)
	}
}

// Work of one hour against a timeout of a day: the work wins.
func TestHourAgainstDay(t *testing.T) {
	v, ok := AnswerWithin(time.Hour, 24*time.Hour)
	if !ok || v != 42 {
		t.Errorf("AnswerWithin = %d, %v; want 42, true", v, ok)
	}
}

// A background goroutine logs through the test's T (handed to the logger
// as an interface) after the test returned: package testing panics, "Log
// in goroutine after TestLogAfterReturn has completed", when it happens
// to run that late.
func TestLogAfterReturn(t *testing.T) {
	w := NewWatcher(NewLogger(t))
	w.Start()
}
