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
