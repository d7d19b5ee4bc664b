package linear

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Recorder collects a history from many goroutines. Each client has its own
// log, appended to without locks, so recording adds no synchronisation
// between clients that could hide the races under test; timestamps come from
// the monotonic clock. A client must be used by one goroutine at a time (a
// client is sequential by definition); different clients need no
// coordination. The zero Recorder is ready to use.
type Recorder[I, O any] struct {
	start   time.Time
	once    sync.Once
	grow    sync.Mutex
	clients atomic.Pointer[[]*clientLog[I, O]]
}

type clientLog[I, O any] struct {
	ops []Operation[I, O]
}

func (r *Recorder[I, O]) now() int64 {
	r.once.Do(func() { r.start = time.Now() })
	// time.Since reads the monotonic clock, which Linux keeps consistent
	// across CPUs; equal readings only make operations concurrent.
	return int64(time.Since(r.start))
}

func (r *Recorder[I, O]) log(client int) *clientLog[I, O] {
	if client < 0 {
		client = 0
	}
	if p := r.clients.Load(); p != nil && client < len(*p) && (*p)[client] != nil {
		return (*p)[client]
	}
	r.grow.Lock()
	defer r.grow.Unlock()
	var cur []*clientLog[I, O]
	if p := r.clients.Load(); p != nil {
		cur = *p
	}
	if client < len(cur) && cur[client] != nil {
		return cur[client]
	}
	next := slices.Clone(cur)
	if client >= len(next) {
		next = append(next, make([]*clientLog[I, O], client+1-len(next))...)
	}
	next[client] = &clientLog[I, O]{}
	r.clients.Store(&next)
	return next[client]
}

// CallID identifies a call in flight.
type CallID struct {
	client, index int
}

// Call records that client invokes an operation with input in, and returns
// the id to pass to Return. Take the call's timestamp before the operation
// starts: call Call first, then the operation.
func (r *Recorder[I, O]) Call(client int, in I) CallID {
	l := r.log(client)
	t := r.now()
	l.ops = append(l.ops, Operation[I, O]{Client: client, Input: in, Call: t, Return: Pending})
	return CallID{client: client, index: len(l.ops) - 1}
}

// Return records the output of the call id, after the operation finished.
func (r *Recorder[I, O]) Return(id CallID, out O) {
	t := r.now()
	l := r.log(id.client)
	if id.index < 0 || id.index >= len(l.ops) {
		return
	}
	op := &l.ops[id.index]
	op.Output, op.Return = out, max(t, op.Call)
}

// History returns a copy of the operations recorded so far, client by
// client. Calls without a Return are Pending with a zero Output; with the
// ready-made models, whose outputs carry an Unknown flag, set it on those
// operations if their results were really unobserved (a zero output
// otherwise reads as an observed one). Call History once the clients are
// done (or synchronise with them): it reads their logs.
func (r *Recorder[I, O]) History() []Operation[I, O] {
	p := r.clients.Load()
	if p == nil {
		return nil
	}
	var out []Operation[I, O]
	for _, l := range *p {
		if l != nil {
			out = append(out, l.ops...)
		}
	}
	return out
}

// Reset forgets the recorded operations, keeping the clients' buffers.
func (r *Recorder[I, O]) Reset() {
	if p := r.clients.Load(); p != nil {
		for _, l := range *p {
			if l != nil {
				l.ops = l.ops[:0]
			}
		}
	}
}
