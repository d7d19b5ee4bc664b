package lab

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/labludus/ludus/evloop"
)

// Event loop: one loop owns every balance. Workers Post their transfers
// and the loop applies them one at a time, so no lock is needed: nothing
// else ever runs on the loop. What you must get right is the loop's one
// rule: never block or compute long in a callback, since every other
// transfer waits behind it, and one loop is one core.
func cmEventLoop(w cmWorkload) (cmOutcome, error) {
	l, err := evloop.New(evloop.Options{})
	if err != nil {
		return cmOutcome{}, err
	}
	done := make(chan error, 1)
	go func() { done <- l.Run(context.Background()) }()
	balances := make([]int64, w.accounts) // owned by the loop
	for i := range balances {
		balances[i] = cmStart
	}
	var applied, refused int64 // owned by the loop
	var postErr atomic.Int64
	w.cmRunWorkers(func(_ int, t cmTransfer) {
		if l.Post(func() {
			if balances[t.from] >= t.amount {
				balances[t.from] -= t.amount
				balances[t.to] += t.amount
				applied++
			} else {
				refused++
			}
		}) != nil {
			postErr.Add(1)
		}
	})
	// Every worker's Posts returned before this one: it runs last.
	var o cmOutcome
	if err := l.Post(func() {
		o = cmOutcome{balances: slices.Clone(balances), applied: applied, refused: refused}
		l.Stop()
	}); err != nil {
		return cmOutcome{}, err
	}
	if err := <-done; err != nil {
		return cmOutcome{}, err
	}
	if n := postErr.Load(); n > 0 {
		return cmOutcome{}, fmt.Errorf("concurrency-models: %d posts refused", n)
	}
	return o, nil
}
