package bench

import (
	"container/heap"
	"math/rand/v2"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/formats"
	"github.com/labludus/ludus/linear/models"
)

// This file generates long register histories deterministically, from a
// seed: a simulation of clients calling a register server over a network,
// in virtual time. Recording from real goroutines (linear_record.go)
// cannot give the same 200,000-operation history twice, and a file of it
// would weigh megabytes; the simulation gives the same history on every
// run, in a few milliseconds.

// simConfig describes a simulated register history.
type simConfig struct {
	Seed    uint64
	Ops     int
	Clients int
	Values  int // writes draw from 0..Values-1
	// StallEvery: one call in StallEvery is held up longer than the
	// client's timeout; the client gives up (the call stays pending) and
	// the request takes effect late, or (one time in two) never.
	StallEvery int
	// Bad makes one read, two thirds of the way in, return a value that
	// was overwritten long before it was called: the history is then not
	// linearizable.
	Bad bool
}

// simEvent is a request reaching the register, in virtual time.
type simEvent struct {
	at     int64
	op     int // index in the history
	client int
}

type simQueue []simEvent

func (q simQueue) Len() int { return len(q) }
func (q simQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].op < q[j].op
}
func (q simQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)   { *q = append(*q, x.(simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// simulateRegister runs the simulation. Each client thinks, calls, and
// waits for its answer or its timeout; the server applies requests in the
// order they arrive, so each operation takes effect at one instant inside
// its interval (or, for a stalled one, after its client gave up), and the
// history is linearizable unless Bad.
func simulateRegister(c simConfig) []formats.EtcdOperation {
	const (
		think   = 40  // max think time between a client's calls
		delay   = 100 // max network delay, each way
		timeout = 400 // a client's patience
		stall   = 900 // the extra delay of a stalled request
	)
	r := rand.New(rand.NewPCG(c.Seed, 0x5eed))
	h := make([]formats.EtcdOperation, 0, c.Ops)
	var q simQueue
	clock := make([]int64, c.Clients) // when each client calls next
	for i := range clock {
		clock[i] = r.Int64N(think)
	}
	value := formats.EtcdUnset
	// Calls are made in time order: the next caller is the client whose
	// clock is earliest; requests that arrive before that call are
	// applied first.
	for len(h) < c.Ops {
		cl := 0
		for i := range clock {
			if clock[i] < clock[cl] {
				cl = i
			}
		}
		now := clock[cl]
		for q.Len() > 0 && q[0].at <= now {
			e := heap.Pop(&q).(simEvent)
			value = simApply(&h[e.op], value)
		}
		op := formats.EtcdOperation{Client: cl, Call: now}
		switch p := r.IntN(100); {
		case p < 50:
			op.Input.Op = models.Read
		case p < 90:
			op.Input = models.RegisterInput[int]{Op: models.Write, Value: r.IntN(c.Values)}
		default:
			op.Input = models.RegisterInput[int]{Op: models.CompareAndSet, Value: r.IntN(c.Values), New: r.IntN(c.Values)}
		}
		there, back := r.Int64N(delay)+1, r.Int64N(delay)+1
		stalled := c.StallEvery > 0 && r.IntN(c.StallEvery) == 0
		if stalled {
			there += stall
		}
		i := len(h)
		if !stalled || r.IntN(2) == 0 {
			heap.Push(&q, simEvent{at: now + there, op: i, client: cl})
		}
		if stalled {
			op.Return = linear.Pending
			op.Output.Unknown = true
			clock[cl] = now + timeout + r.Int64N(think)
		} else {
			op.Return = now + there + back
			clock[cl] = op.Return + r.Int64N(think)
		}
		h = append(h, op)
	}
	for q.Len() > 0 {
		e := heap.Pop(&q).(simEvent)
		value = simApply(&h[e.op], value)
	}
	if c.Bad {
		simBreak(h)
	}
	return h
}

// simApply applies op to the register holding value, records what a
// completed call saw, and returns the new value.
func simApply(op *formats.EtcdOperation, value int) int {
	in := op.Input
	switch in.Op {
	case models.Read:
		if !op.IsPending() {
			op.Output.Value = value
		}
	case models.Write:
		value = in.Value
	case models.CompareAndSet:
		ok := value == in.Value
		if ok {
			value = in.New
		}
		if !op.IsPending() {
			op.Output.OK = ok
		}
	}
	return value
}

// simBreak makes one completed read, two thirds of the way in, return a
// value no write near it wrote: one written only long before it and since
// overwritten, or failing that, a value never written.
func simBreak(h []formats.EtcdOperation) {
	for i := 2 * len(h) / 3; i < len(h); i++ {
		op := &h[i]
		if op.Input.Op != models.Read || op.IsPending() {
			continue
		}
		recent := map[int]bool{op.Output.Value: true}
		for j := max(0, i-200); j < min(len(h), i+200); j++ {
			if in := h[j].Input; in.Op == models.Write {
				recent[in.Value] = true
			} else if in.Op == models.CompareAndSet {
				recent[in.New] = true
			}
		}
		for v := 0; ; v++ {
			if !recent[v] {
				op.Output.Value = v
				return
			}
		}
	}
}
