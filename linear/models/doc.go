// Package models holds ready-made sequential specifications for
// linear.Check and linear.Stress: registers (with and without
// compare-and-set), a string key-value map (partitioned by key, or whole),
// a FIFO queue, a LIFO stack, a set and a counter.
//
// Each model comes with an Ops constructor that turns a Go type's methods
// into linear.Stress operations, for example
//
//	ops := models.QueueOps((*MyQueue).Enqueue, (*MyQueue).Dequeue,
//		func(r *rand.Rand) int { return r.IntN(100) })
//
// Outputs carry an Unknown flag for results nobody observed (a timeout, a
// pending call); the models then accept any result.
package models
