package unmodified

import "sync"

// Account is the guide's bank account: Deposit reads the balance, adds and
// writes it back, with nothing to stop two deposits from interleaving.
type Account struct {
	balance int
}

// Deposit adds amount (negative to withdraw). Not safe for concurrent use:
// two calls can read the same balance and one update vanishes.
func (a *Account) Deposit(amount int) { a.balance = a.balance + amount }

// Balance returns the balance.
func (a *Account) Balance() int { return a.balance }

// SafeAccount is the guide's fix: a mutex around the read-modify-write.
type SafeAccount struct {
	mu      sync.Mutex
	balance int
}

// Deposit adds amount under the lock.
func (a *SafeAccount) Deposit(amount int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.balance += amount
}

// Balance returns the balance.
func (a *SafeAccount) Balance() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.balance
}
