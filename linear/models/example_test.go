package models_test

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

func ExampleQueue() {
	type in = models.SeqInput[string]
	type out = models.SeqOutput[string]
	// Two concurrent enqueues; the dequeue may see either first.
	h := []linear.Operation[in, out]{
		{Client: 0, Input: in{Op: models.Put, Value: "a"}, Call: 0, Return: 5},
		{Client: 1, Input: in{Op: models.Put, Value: "b"}, Call: 0, Return: 5},
		{Client: 2, Input: in{Op: models.Take}, Output: out{Value: "b", OK: true}, Call: 6, Return: 7},
	}
	fmt.Println(linear.Check(models.Queue[string](), h).Verdict)
	// Output: linearizable
}

func ExampleKV() {
	type op = linear.Operation[models.KVInput, models.KVOutput]
	h := []op{
		{Client: 0, Input: models.KVInput{Op: models.KVAppend, Key: "x", Value: "1"}, Call: 0, Return: 1},
		{Client: 1, Input: models.KVInput{Op: models.KVAppend, Key: "x", Value: "2"}, Call: 2, Return: 3},
		{Client: 2, Input: models.KVInput{Op: models.KVGet, Key: "x"}, Output: models.KVOutput{Value: "21"}, Call: 4, Return: 5},
	}
	// Appends that did not overlap cannot be reordered.
	fmt.Println(linear.Check(models.KV(), h).Verdict, "/", linear.Check(models.KVMap(), h).Verdict)
	// Output: not linearizable / not linearizable
}

type syncStack struct {
	mu sync.Mutex
	s  []int
}

func (s *syncStack) Push(v int) { s.mu.Lock(); s.s = append(s.s, v); s.mu.Unlock() }
func (s *syncStack) Pop() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.s) == 0 {
		return 0, false
	}
	v := s.s[len(s.s)-1]
	s.s = s.s[:len(s.s)-1]
	return v, true
}

func ExampleStackOps() {
	ops := models.StackOps((*syncStack).Push, (*syncStack).Pop, func(r *rand.Rand) int { return r.IntN(10) })
	for _, op := range ops {
		fmt.Println(op.Name)
	}
	// Output:
	// push
	// pop
}

func ExamplePartitionBy() {
	part := models.PartitionBy[models.KVInput, models.KVOutput](func(in models.KVInput) string { return in.Key })
	h := []linear.Operation[models.KVInput, models.KVOutput]{
		{Input: models.KVInput{Key: "a"}}, {Input: models.KVInput{Key: "b"}}, {Input: models.KVInput{Key: "a"}},
	}
	for _, p := range part(h) {
		fmt.Println(p[0].Input.Key, len(p))
	}
	// Output:
	// a 2
	// b 1
}

func ExampleCounter() {
	m := models.Counter()
	ok, next := m.Step(m.Init(), models.CounterInput{Op: models.AddGet, Delta: 5}, models.CounterOutput{Value: 5})
	fmt.Println(ok, next)
	// Output: true 5
}

func ExampleRegister() {
	m := models.Register(0)
	ok, next := m.Step(m.Init(), models.RegisterInput[int]{Op: models.Write, Value: 7}, models.RegisterOutput[int]{})
	fmt.Println(ok, next)
	ok, _ = m.Step(next, models.RegisterInput[int]{Op: models.CompareAndSet, Value: 7, New: 8}, models.RegisterOutput[int]{OK: true})
	fmt.Println(ok) // a plain register has no compare-and-set
	// Output:
	// true 7
	// false
}

func ExampleCASRegister() {
	m := models.CASRegister("")
	ok, next := m.Step(m.Init(), models.RegisterInput[string]{Op: models.CompareAndSet, Value: "", New: "x"}, models.RegisterOutput[string]{OK: true})
	fmt.Printf("%v %q\n", ok, next)
	// Output: true "x"
}

func ExampleSet() {
	m := models.Set[int]()
	_, s := m.Step(m.Init(), models.SetInput[int]{Op: models.Insert, Value: 3}, models.SetOutput{OK: true})
	ok, _ := m.Step(s, models.SetInput[int]{Op: models.Insert, Value: 3}, models.SetOutput{OK: true})
	fmt.Println(m.DescribeState(s), ok) // inserting twice cannot succeed twice
	// Output: {3} false
}

func ExampleKVMap() {
	m := models.KVMap()
	_, s := m.Step(m.Init(), models.KVInput{Op: models.KVPut, Key: "a", Value: "1"}, models.KVOutput{})
	_, s = m.Step(s, models.KVInput{Op: models.KVAppend, Key: "b", Value: "2"}, models.KVOutput{})
	fmt.Println(m.DescribeState(s), s.Len(), s.Get("a"))
	// Output: {"a": "1", "b": "2"} 2 1
}

func ExampleStack() {
	m := models.Stack[int]()
	_, s := m.Step(m.Init(), models.SeqInput[int]{Op: models.Put, Value: 1}, models.SeqOutput[int]{})
	_, s = m.Step(s, models.SeqInput[int]{Op: models.Put, Value: 2}, models.SeqOutput[int]{})
	ok, _ := m.Step(s, models.SeqInput[int]{Op: models.Take}, models.SeqOutput[int]{Value: 2, OK: true})
	fmt.Println(m.DescribeState(s), ok)
	// Output: [1 2] true
}

type atomicCounter struct {
	mu sync.Mutex
	n  int64
}

func (c *atomicCounter) Add(d int64) { c.mu.Lock(); c.n += d; c.mu.Unlock() }
func (c *atomicCounter) Get() int64  { c.mu.Lock(); defer c.mu.Unlock(); return c.n }

func ExampleCounterOps() {
	ops := models.CounterOps((*atomicCounter).Add, (*atomicCounter).Get, nil)
	c := new(atomicCounter)
	r := rand.New(rand.NewPCG(1, 2))
	for _, op := range ops {
		fmt.Println(op.Name, models.Counter().Describe(op.Gen(r), op.Run(c, op.Gen(r))))
	}
	// Output:
	// add add(1)
	// get get() -> 1
}

func ExampleQueueOps() {
	q := &syncStack{} // any type with the two methods; a stack makes a bad queue
	ops := models.QueueOps((*syncStack).Push, (*syncStack).Pop, nil)
	fmt.Println(ops[0].Name, ops[1].Name, q.s == nil)
	// Output: enqueue dequeue true
}

func ExampleSetOps() {
	ops := models.SetOps(
		func(m map[int]bool, v int) bool { was := m[v]; m[v] = true; return !was },
		func(m map[int]bool, v int) bool { was := m[v]; delete(m, v); return was },
		func(m map[int]bool, v int) bool { return m[v] },
		func(r *rand.Rand) int { return 1 })
	m := map[int]bool{}
	r := rand.New(rand.NewPCG(1, 2))
	for _, op := range ops {
		fmt.Println(op.Name, op.Run(m, op.Gen(r)).OK)
	}
	// Output:
	// insert true
	// delete true
	// contains false
}

func ExampleKVOps() {
	ops := models.KVOps(
		func(m map[string]string, k string) string { return m[k] },
		func(m map[string]string, k, v string) { m[k] = v },
		func(m map[string]string, k, v string) { m[k] += v },
		func(*rand.Rand) string { return "k" }, func(*rand.Rand) string { return "v" })
	m := map[string]string{}
	r := rand.New(rand.NewPCG(1, 2))
	for _, i := range []int{1, 2, 0} {
		in := ops[i].Gen(r)
		fmt.Println(models.KV().Describe(in, ops[i].Run(m, in)))
	}
	// Output:
	// put("k", "v")
	// append("k", "v")
	// get("k") -> "vv"
}

func ExampleRegisterOps() {
	v := 0
	ops := models.RegisterOps(func(p *int) int { return *p }, func(p *int, x int) { *p = x }, func(*rand.Rand) int { return 4 })
	r := rand.New(rand.NewPCG(1, 2))
	ops[1].Run(&v, ops[1].Gen(r))
	fmt.Println(ops[0].Run(&v, ops[0].Gen(r)).Value)
	// Output: 4
}

func ExampleCASOps() {
	v := 0
	ops := models.CASOps(func(p *int) int { return *p }, func(p *int, x int) { *p = x },
		func(p *int, old, new int) bool {
			if *p != old {
				return false
			}
			*p = new
			return true
		}, nil)
	fmt.Println(len(ops), ops[2].Name, ops[2].Run(&v, models.RegisterInput[int]{Op: models.CompareAndSet, Value: 0, New: 5}).OK, v)
	// Output: 3 cas true 5
}
