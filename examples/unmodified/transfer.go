package unmodified

import "sync"

// Wallet is an amount guarded by its own lock.
type Wallet struct {
	mu     sync.Mutex
	amount int
}

// Transfer moves n from one wallet to another, locking the source first:
// two transfers in opposite directions can each hold one lock and wait for
// the other's forever (the guide's deadlock).
func Transfer(from, to *Wallet, n int) {
	from.mu.Lock()
	defer from.mu.Unlock()
	to.mu.Lock()
	defer to.mu.Unlock()
	from.amount -= n
	to.amount += n
}
