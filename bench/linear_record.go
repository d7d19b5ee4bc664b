package bench

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/formats"
	"github.com/labludus/ludus/linear/models"
)

// This file records the benchmark's high-concurrency histories: real Go
// objects (a register, a string map) called by many goroutines through a
// simulated network, each call timed by linear.Recorder. The correct
// objects hold their state under a sync.Mutex; the faulty ones have a bug
// that real systems have had, switched on rarely so that the violation is
// buried in a long history. Recording depends on the scheduler, so the
// histories are recorded once (linear_record_test.go, -linear.record) and
// kept in linear/testdata/recorded.

// netConfig simulates the network between a client and the object: every
// call waits a random delay before it reaches the object and another before
// its answer comes back, so that calls from many clients overlap as they
// do against a server. A client that waits longer than Timeout for the
// answer gives up: the call stays pending in the history, and it may still
// take effect later (the request is in flight).
type netConfig struct {
	// MaxDelay bounds each of the two delays (0: none).
	MaxDelay time.Duration
	// Timeout is how long a client waits (0: forever).
	Timeout time.Duration
	// StallEvery makes one call in StallEvery (0: none) wait StallFor on
	// its way, as a request stuck behind a slow disk would: with Timeout
	// below StallFor, its client gives up.
	StallEvery int
	StallFor   time.Duration
}

// call runs apply as the object's side of one call and reports its answer,
// or false if the client gave up waiting. apply runs on its own goroutine,
// which finishes even after the client gave up; wg counts those.
func call[O any](n netConfig, r *rand.Rand, wg *sync.WaitGroup, apply func() O) (O, bool) {
	d1, d2 := time.Duration(0), time.Duration(0)
	if n.MaxDelay > 0 {
		d1, d2 = time.Duration(r.Int64N(int64(n.MaxDelay))), time.Duration(r.Int64N(int64(n.MaxDelay)))
	}
	if n.StallEvery > 0 && r.IntN(n.StallEvery) == 0 {
		d1 += n.StallFor
	}
	answer := make(chan O, 1)
	wg.Go(func() {
		time.Sleep(d1)
		o := apply()
		time.Sleep(d2)
		answer <- o
	})
	if n.Timeout <= 0 {
		return <-answer, true
	}
	t := time.NewTimer(n.Timeout)
	defer t.Stop()
	select {
	case o := <-answer:
		return o, true
	case <-t.C:
		var zero O
		return zero, false
	}
}

// registerObject is a register as the recorded clients see it.
type registerObject interface {
	read(r *rand.Rand) int
	write(v int)
	cas(old, new int) bool
}

// lockedRegister is a correct register: its value under a mutex. It starts
// unset, as Jepsen's etcd register does.
type lockedRegister struct {
	mu sync.Mutex
	v  int
}

func newLockedRegister() *lockedRegister { return &lockedRegister{v: formats.EtcdUnset} }

func (g *lockedRegister) read(*rand.Rand) int { g.mu.Lock(); defer g.mu.Unlock(); return g.v }
func (g *lockedRegister) write(v int)         { g.mu.Lock(); g.v = v; g.mu.Unlock() }
func (g *lockedRegister) cas(old, new int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.v != old {
		return false
	}
	g.v = new
	return true
}

// followerRegister is a replicated register with a bug real systems have
// had: a read may be served by a follower replica, which learns each write
// asynchronously, so it can return a value that was overwritten before the
// read began. The follower serves a read only once Faulty is set, and
// then one read in FollowerEvery.
type followerRegister struct {
	leader        lockedRegister
	follower      atomic.Int64
	faulty        atomic.Bool
	followerEvery int
	lag           time.Duration
	wg            *sync.WaitGroup
}

func newFollowerRegister(every int, lag time.Duration, wg *sync.WaitGroup) *followerRegister {
	f := &followerRegister{leader: lockedRegister{v: formats.EtcdUnset}, followerEvery: every, lag: lag, wg: wg}
	f.follower.Store(formats.EtcdUnset)
	return f
}

func (f *followerRegister) read(r *rand.Rand) int {
	if f.faulty.Load() && r.IntN(f.followerEvery) == 0 {
		return int(f.follower.Load())
	}
	return f.leader.read(r)
}

func (f *followerRegister) write(v int) {
	f.leader.write(v)
	f.replicate(v)
}

func (f *followerRegister) cas(old, new int) bool {
	ok := f.leader.cas(old, new)
	if ok {
		f.replicate(new)
	}
	return ok
}

// replicate sends v to the follower after the replication lag.
func (f *followerRegister) replicate(v int) {
	f.wg.Go(func() {
		time.Sleep(f.lag)
		f.follower.Store(int64(v))
	})
}

// registerRecording describes one recorded register history.
type registerRecording struct {
	Clients, Ops int
	// Values is the number of distinct values written (0..Values-1): few
	// values make reads ambiguous and the search hard.
	Values int
	// ReadPercent and CASPercent split the calls; the rest are writes.
	ReadPercent, CASPercent int
	Net                     netConfig
	Seed                    uint64
	// FaultAt is the call, counted from 1, before which onFault runs.
	FaultAt int
	// Ramp staggers the clients' starts: client c starts after c*Ramp, so
	// that the history begins with few clients at once.
	Ramp time.Duration
}

// recordRegister runs rc.Ops calls from rc.Clients goroutines against obj
// and returns the recorded history. onFault, if not nil, runs before call
// rc.FaultAt (it switches a fault on).
func recordRegister(rc registerRecording, obj registerObject, onFault func()) []formats.EtcdOperation {
	var rec linear.Recorder[models.RegisterInput[int], models.RegisterOutput[int]]
	var inFlight sync.WaitGroup // calls whose clients gave up
	var made atomic.Int64
	var clients sync.WaitGroup
	for c := range rc.Clients {
		clients.Go(func() {
			r := rand.New(rand.NewPCG(rc.Seed, uint64(c)))
			time.Sleep(time.Duration(c) * rc.Ramp)
			for {
				k := made.Add(1)
				if k > int64(rc.Ops) {
					return
				}
				if k == int64(rc.FaultAt) && onFault != nil {
					onFault()
				}
				in, apply := registerCall(rc, obj, r)
				id := rec.Call(c, in)
				if out, ok := call(rc.Net, r, &inFlight, apply); ok {
					rec.Return(id, out)
				}
			}
		})
	}
	clients.Wait()
	inFlight.Wait()
	return markPending(rec.History(), func(o *models.RegisterOutput[int]) { *o = models.RegisterOutput[int]{Unknown: true} })
}

// registerCall draws a call and the function that performs it.
func registerCall(rc registerRecording, obj registerObject, r *rand.Rand) (models.RegisterInput[int], func() models.RegisterOutput[int]) {
	p := r.IntN(100)
	switch {
	case p < rc.ReadPercent:
		// The object's side runs on another goroutine: give it its own
		// generator.
		rr := rand.New(rand.NewPCG(r.Uint64(), 0))
		return models.RegisterInput[int]{Op: models.Read}, func() models.RegisterOutput[int] {
			return models.RegisterOutput[int]{Value: obj.read(rr)}
		}
	case p < rc.ReadPercent+rc.CASPercent:
		in := models.RegisterInput[int]{Op: models.CompareAndSet, Value: r.IntN(rc.Values), New: r.IntN(rc.Values)}
		return in, func() models.RegisterOutput[int] {
			return models.RegisterOutput[int]{OK: obj.cas(in.Value, in.New)}
		}
	default:
		in := models.RegisterInput[int]{Op: models.Write, Value: r.IntN(rc.Values)}
		return in, func() models.RegisterOutput[int] { obj.write(in.Value); return models.RegisterOutput[int]{} }
	}
}

// markPending sets the output of every call that never returned to
// "unknown" with unknown.
func markPending[I, O any](h []linear.Operation[I, O], unknown func(*O)) []linear.Operation[I, O] {
	for i := range h {
		if h[i].IsPending() {
			unknown(&h[i].Output)
		}
	}
	return h
}

// kvObject is a string map as the recorded clients see it.
type kvObject interface {
	get(key string) string
	put(key, value string)
	appendTo(key, value string)
}

// lockedMap is a correct map: every call under one mutex.
type lockedMap struct {
	mu sync.Mutex
	m  map[string]string
}

func newLockedMap() *lockedMap { return &lockedMap{m: map[string]string{}} }

func (m *lockedMap) get(k string) string { m.mu.Lock(); defer m.mu.Unlock(); return m.m[k] }
func (m *lockedMap) put(k, v string)     { m.mu.Lock(); m.m[k] = v; m.mu.Unlock() }
func (m *lockedMap) appendTo(k, v string) {
	m.mu.Lock()
	m.m[k] += v
	m.mu.Unlock()
}

// lostAppendMap has the lost-update bug of the guide: once Faulty is set,
// one append in Every is done as a get, a pause, then a put, so that an
// append made by another client meanwhile is lost.
type lostAppendMap struct {
	lockedMap
	faulty atomic.Bool
	every  int
	pause  time.Duration
	rng    sync.Mutex
	r      *rand.Rand
}

func newLostAppendMap(every int, pause time.Duration, seed uint64) *lostAppendMap {
	return &lostAppendMap{lockedMap: lockedMap{m: map[string]string{}}, every: every, pause: pause, r: rand.New(rand.NewPCG(seed, 7))}
}

func (m *lostAppendMap) appendTo(k, v string) {
	m.rng.Lock()
	racy := m.faulty.Load() && m.r.IntN(m.every) == 0
	m.rng.Unlock()
	if !racy {
		m.lockedMap.appendTo(k, v)
		return
	}
	old := m.get(k)
	time.Sleep(m.pause)
	m.put(k, old+v)
}

// kvRecording describes one recorded key-value history.
type kvRecording struct {
	Clients, Ops, Keys int
	// GetPercent and PutPercent split the calls; the rest are appends.
	GetPercent, PutPercent int
	Net                    netConfig
	Seed                   uint64
	FaultAt                int // as in registerRecording
}

// recordKV runs kc.Ops calls from kc.Clients goroutines against obj, as
// recordRegister does (onFault before call kc.FaultAt). Appended and put values are unique ("x c i y",
// client c's i-th call), as in porcupine's own kv histories.
func recordKV(kc kvRecording, obj kvObject, onFault func()) []formats.KVOperation {
	var rec linear.Recorder[models.KVInput, models.KVOutput]
	var inFlight sync.WaitGroup
	var made atomic.Int64
	var clients sync.WaitGroup
	for c := range kc.Clients {
		clients.Go(func() {
			r := rand.New(rand.NewPCG(kc.Seed, uint64(c)))
			for i := 0; ; i++ {
				k := made.Add(1)
				if k > int64(kc.Ops) {
					return
				}
				if k == int64(kc.FaultAt) && onFault != nil {
					onFault()
				}
				in := models.KVInput{Key: strconv.Itoa(r.IntN(kc.Keys))}
				p := r.IntN(100)
				switch {
				case p < kc.GetPercent:
					in.Op = models.KVGet
				case p < kc.GetPercent+kc.PutPercent:
					in.Op = models.KVPut
				default:
					in.Op = models.KVAppend
				}
				if in.Op != models.KVGet {
					in.Value = "x " + strconv.Itoa(c) + " " + strconv.Itoa(i) + " y"
				}
				id := rec.Call(c, in)
				out, ok := call(kc.Net, r, &inFlight, func() models.KVOutput {
					switch in.Op {
					case models.KVGet:
						return models.KVOutput{Value: obj.get(in.Key)}
					case models.KVPut:
						obj.put(in.Key, in.Value)
					default:
						obj.appendTo(in.Key, in.Value)
					}
					return models.KVOutput{}
				})
				if ok {
					rec.Return(id, out)
				}
			}
		})
	}
	clients.Wait()
	inFlight.Wait()
	return markPending(rec.History(), func(o *models.KVOutput) { *o = models.KVOutput{Unknown: true} })
}
