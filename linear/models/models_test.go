package models_test

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// seq runs the operations one after another on one client.
func seq[I, O any](steps ...struct {
	in  I
	out O
}) []linear.Operation[I, O] {
	var h []linear.Operation[I, O]
	for i, s := range steps {
		h = append(h, linear.Operation[I, O]{Input: s.in, Output: s.out, Call: int64(2 * i), Return: int64(2*i + 1)})
	}
	return h
}

type io[I, O any] = struct {
	in  I
	out O
}

func TestSequentialSemantics(t *testing.T) {
	type qi = models.SeqInput[int]
	type qo = models.SeqOutput[int]
	queue := seq(io[qi, qo]{qi{Op: models.Put, Value: 1}, qo{}}, io[qi, qo]{qi{Op: models.Put, Value: 2}, qo{}},
		io[qi, qo]{qi{Op: models.Take}, qo{Value: 1, OK: true}}, io[qi, qo]{qi{Op: models.Take}, qo{Value: 2, OK: true}},
		io[qi, qo]{qi{Op: models.Take}, qo{}})
	if r := linear.Check(models.Queue[int](), queue); !r.Linearizable() {
		t.Errorf("queue: %v", r)
	}
	if r := linear.Check(models.Stack[int](), queue); r.Linearizable() {
		t.Errorf("FIFO history accepted by the stack")
	}
	type ci = models.CounterInput
	type co = models.CounterOutput
	counter := seq(io[ci, co]{ci{Op: models.Add, Delta: 2}, co{}}, io[ci, co]{ci{Op: models.AddGet, Delta: 3}, co{Value: 5}},
		io[ci, co]{ci{Op: models.Get}, co{Value: 5}})
	if r := linear.Check(models.Counter(), counter); !r.Linearizable() {
		t.Errorf("counter: %v", r)
	}
	counter[2].Output.Value = 4
	if r := linear.Check(models.Counter(), counter); r.Linearizable() {
		t.Errorf("wrong counter accepted")
	}
	type si = models.SetInput[string]
	type so = models.SetOutput
	set := seq(io[si, so]{si{Op: models.Insert, Value: "a"}, so{OK: true}}, io[si, so]{si{Op: models.Insert, Value: "a"}, so{OK: false}},
		io[si, so]{si{Op: models.Contains, Value: "a"}, so{OK: true}}, io[si, so]{si{Op: models.Delete, Value: "a"}, so{OK: true}},
		io[si, so]{si{Op: models.Contains, Value: "a"}, so{OK: false}})
	if r := linear.Check(models.Set[string](), set); !r.Linearizable() {
		t.Errorf("set: %v", r)
	}
	set[4].Output.OK = true
	if r := linear.Check(models.Set[string](), set); r.Linearizable() {
		t.Errorf("wrong set accepted")
	}
	type ri = models.RegisterInput[int]
	type ro = models.RegisterOutput[int]
	reg := seq(io[ri, ro]{ri{Op: models.CompareAndSet, Value: 0, New: 3}, ro{OK: true}}, io[ri, ro]{ri{Op: models.Read}, ro{Value: 3}})
	if r := linear.Check(models.CASRegister(0), reg); !r.Linearizable() {
		t.Errorf("cas register: %v", r)
	}
	if r := linear.Check(models.Register(0), reg); r.Linearizable() {
		t.Errorf("plain register accepted a compare-and-set")
	}
	type ki = models.KVInput
	type ko = models.KVOutput
	kv := seq(io[ki, ko]{ki{Op: models.KVPut, Key: "k", Value: "a"}, ko{}}, io[ki, ko]{ki{Op: models.KVAppend, Key: "k", Value: "b"}, ko{}},
		io[ki, ko]{ki{Op: models.KVGet, Key: "k"}, ko{Value: "ab"}}, io[ki, ko]{ki{Op: models.KVGet, Key: "z"}, ko{Value: ""}},
		io[ki, ko]{ki{Op: models.KVPut, Key: "k", Value: ""}, ko{}}, io[ki, ko]{ki{Op: models.KVGet, Key: "k"}, ko{Value: ""}})
	for _, r := range []linear.Result{linear.Check(models.KV(), kv), linear.Check(models.KVMap(), kv)} {
		if !r.Linearizable() {
			t.Errorf("kv: %v", r)
		}
	}
}

// TestUnknownOutputs checks that an unobserved result constrains nothing
// but the operation's effect still counts.
func TestUnknownOutputs(t *testing.T) {
	type qi = models.SeqInput[int]
	type qo = models.SeqOutput[int]
	h := []linear.Operation[qi, qo]{
		{Input: qi{Op: models.Put, Value: 1}, Call: 0, Return: 1},
		{Input: qi{Op: models.Take}, Output: qo{Unknown: true}, Call: 2, Return: linear.Pending},
		{Input: qi{Op: models.Take}, Output: qo{}, Call: 3, Return: 4}, // empty: the pending take got 1
	}
	if r := linear.Check(models.Queue[int](), h); !r.Linearizable() {
		t.Fatalf("got %v", r)
	}
}

type mutexSet struct {
	mu sync.Mutex
	m  map[int]bool
}

func (s *mutexSet) Insert(v int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[v] {
		return false
	}
	s.m[v] = true
	return true
}

func (s *mutexSet) Delete(v int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ok := s.m[v]
	delete(s.m, v)
	return ok
}

func (s *mutexSet) Contains(v int) bool { s.mu.Lock(); defer s.mu.Unlock(); return s.m[v] }

type mutexStack struct {
	mu sync.Mutex
	s  []int
}

func (s *mutexStack) Push(v int) { s.mu.Lock(); s.s = append(s.s, v); s.mu.Unlock() }
func (s *mutexStack) Pop() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.s) == 0 {
		return 0, false
	}
	v := s.s[len(s.s)-1]
	s.s = s.s[:len(s.s)-1]
	return v, true
}

type mutexKV struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *mutexKV) Get(key string) string { k.mu.Lock(); defer k.mu.Unlock(); return k.m[key] }
func (k *mutexKV) Put(key, v string)     { k.mu.Lock(); k.m[key] = v; k.mu.Unlock() }
func (k *mutexKV) Append(key, v string)  { k.mu.Lock(); k.m[key] += v; k.mu.Unlock() }
func small(r *rand.Rand) int             { return r.IntN(4) }
func smallString(r *rand.Rand) string    { return strconv.Itoa(r.IntN(3)) }

type mutexReg struct {
	mu sync.Mutex
	v  int
}

func (r *mutexReg) Read() int   { r.mu.Lock(); defer r.mu.Unlock(); return r.v }
func (r *mutexReg) Write(v int) { r.mu.Lock(); r.v = v; r.mu.Unlock() }
func (r *mutexReg) CAS(o, n int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.v != o {
		return false
	}
	r.v = n
	return true
}

// TestOpsWithStress runs each Ops constructor against a correct, locked
// implementation: Stress must pass them all.
func TestOpsWithStress(t *testing.T) {
	cfg := linear.StressConfig{Scenarios: 5, Runs: 10}
	linear.Stress(t, models.Set[int](), func() *mutexSet { return &mutexSet{m: map[int]bool{}} },
		models.SetOps((*mutexSet).Insert, (*mutexSet).Delete, (*mutexSet).Contains, small), cfg)
	linear.Stress(t, models.Stack[int](), func() *mutexStack { return new(mutexStack) },
		models.StackOps((*mutexStack).Push, (*mutexStack).Pop, small), cfg)
	linear.Stress(t, models.KV(), func() *mutexKV { return &mutexKV{m: map[string]string{}} },
		models.KVOps((*mutexKV).Get, (*mutexKV).Put, (*mutexKV).Append, smallString, smallString), cfg)
	linear.Stress(t, models.CASRegister(0), func() *mutexReg { return new(mutexReg) },
		models.CASOps((*mutexReg).Read, (*mutexReg).Write, (*mutexReg).CAS, small), cfg)
}
