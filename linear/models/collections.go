package models

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/labludus/ludus/linear"
)

// SeqOp names a queue or stack operation.
type SeqOp uint8

const (
	// Put adds Value: enqueue on a queue, push on a stack.
	Put SeqOp = iota
	// Take removes an element: dequeue on a queue, pop on a stack. It
	// returns OK false when the collection is empty.
	Take
)

// SeqInput is a queue or stack call.
type SeqInput[V comparable] struct {
	Op    SeqOp
	Value V
}

// SeqOutput is what a Take returned: the Value and whether there was one
// (OK). Unknown marks a result nobody observed: the model accepts any.
type SeqOutput[V comparable] struct {
	Value   V
	OK      bool
	Unknown bool
}

// Seq is the state of a queue or stack: its elements, oldest first. Steps
// never modify a Seq; they build a new one.
type Seq[V comparable] []V

// Queue is an unbounded FIFO queue that starts empty.
func Queue[V comparable]() linear.Model[Seq[V], SeqInput[V], SeqOutput[V]] {
	return sequence[V](false)
}

// Stack is an unbounded LIFO stack that starts empty.
func Stack[V comparable]() linear.Model[Seq[V], SeqInput[V], SeqOutput[V]] {
	return sequence[V](true)
}

func sequence[V comparable](lifo bool) linear.Model[Seq[V], SeqInput[V], SeqOutput[V]] {
	put, take := "enqueue", "dequeue"
	if lifo {
		put, take = "push", "pop"
	}
	return linear.Model[Seq[V], SeqInput[V], SeqOutput[V]]{
		Init: func() Seq[V] { return nil },
		Step: func(s Seq[V], in SeqInput[V], out SeqOutput[V]) (bool, Seq[V]) {
			switch in.Op {
			case Put:
				next := make(Seq[V], len(s), len(s)+1)
				copy(next, s)
				return true, append(next, in.Value)
			case Take:
				if len(s) == 0 {
					return out.Unknown || !out.OK, s
				}
				if lifo {
					return out.Unknown || (out.OK && out.Value == s[len(s)-1]), s[: len(s)-1 : len(s)-1]
				}
				return out.Unknown || (out.OK && out.Value == s[0]), s[1:]
			}
			return false, s
		},
		Equal: func(a, b Seq[V]) bool { return slices.Equal(a, b) },
		// A take that found the collection empty changes nothing.
		ReadOnly: func(in SeqInput[V], out SeqOutput[V]) bool {
			return in.Op == Take && !out.OK && !out.Unknown
		},
		Hash: func(s Seq[V]) uint64 {
			h := uint64(len(s))
			for _, v := range s {
				h = h*0x100000001b3 ^ maphash.Comparable(seed, v)
			}
			return h
		},
		Describe: func(in SeqInput[V], out SeqOutput[V]) string {
			if in.Op == Put {
				return fmt.Sprintf("%s(%v)", put, in.Value)
			}
			switch {
			case out.Unknown:
				return take + "() -> ?"
			case !out.OK:
				return take + "() -> empty"
			}
			return fmt.Sprintf("%s() -> %v", take, out.Value)
		},
		DescribeState: func(s Seq[V]) string { return describeSlice(s) },
	}
}

func describeSlice[V any](s []V) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// QueueOps are the Stress operations of a queue: enqueue(gen()) and
// dequeue. dequeue reports false when the queue is empty.
func QueueOps[T any, V comparable](enqueue func(T, V), dequeue func(T) (V, bool), gen func(*rand.Rand) V) []linear.Op[T, SeqInput[V], SeqOutput[V]] {
	return seqOps("enqueue", "dequeue", enqueue, dequeue, gen)
}

// StackOps are the Stress operations of a stack: push(gen()) and pop. pop
// reports false when the stack is empty.
func StackOps[T any, V comparable](push func(T, V), pop func(T) (V, bool), gen func(*rand.Rand) V) []linear.Op[T, SeqInput[V], SeqOutput[V]] {
	return seqOps("push", "pop", push, pop, gen)
}

func seqOps[T any, V comparable](putName, takeName string, put func(T, V), take func(T) (V, bool), gen func(*rand.Rand) V) []linear.Op[T, SeqInput[V], SeqOutput[V]] {
	return []linear.Op[T, SeqInput[V], SeqOutput[V]]{
		{
			Name: putName,
			Gen:  func(r *rand.Rand) SeqInput[V] { return SeqInput[V]{Op: Put, Value: genOrZero(gen, r)} },
			Run: func(obj T, in SeqInput[V]) SeqOutput[V] {
				put(obj, in.Value)
				return SeqOutput[V]{}
			},
		},
		{
			Name: takeName,
			Gen:  func(*rand.Rand) SeqInput[V] { return SeqInput[V]{Op: Take} },
			Run: func(obj T, _ SeqInput[V]) SeqOutput[V] {
				v, ok := take(obj)
				return SeqOutput[V]{Value: v, OK: ok}
			},
		},
	}
}

// CounterOp names a counter operation.
type CounterOp uint8

const (
	// Add adds Delta; its result is not checked.
	Add CounterOp = iota
	// AddGet adds Delta and returns the new value (like atomic.Int64.Add).
	AddGet
	// Get returns the value.
	Get
)

// CounterInput is a counter call.
type CounterInput struct {
	Op    CounterOp
	Delta int64
}

// CounterOutput is the Value a Get or AddGet returned. Unknown marks a
// result nobody observed: the model accepts any.
type CounterOutput struct {
	Value   int64
	Unknown bool
}

// Counter is an integer counter that starts at 0.
func Counter() linear.Model[int64, CounterInput, CounterOutput] {
	return linear.Model[int64, CounterInput, CounterOutput]{
		Init: func() int64 { return 0 },
		Step: func(s int64, in CounterInput, out CounterOutput) (bool, int64) {
			switch in.Op {
			case Add:
				return true, s + in.Delta
			case AddGet:
				return out.Unknown || out.Value == s+in.Delta, s + in.Delta
			case Get:
				return out.Unknown || out.Value == s, s
			}
			return false, s
		},
		Hash: func(s int64) uint64 { return uint64(s) },
		ReadOnly: func(in CounterInput, _ CounterOutput) bool {
			return in.Op == Get || in.Delta == 0
		},
		Describe: func(in CounterInput, out CounterOutput) string {
			res := fmt.Sprint(out.Value)
			if out.Unknown {
				res = "?"
			}
			switch in.Op {
			case Add:
				return fmt.Sprintf("add(%d)", in.Delta)
			case AddGet:
				return fmt.Sprintf("addget(%d) -> %s", in.Delta, res)
			}
			return "get() -> " + res
		},
	}
}

// CounterOps are the Stress operations of a counter: add(delta) with delta
// from gen (nil: 1) and get.
func CounterOps[T any](add func(T, int64), get func(T) int64, gen func(*rand.Rand) int64) []linear.Op[T, CounterInput, CounterOutput] {
	return []linear.Op[T, CounterInput, CounterOutput]{
		{
			Name: "add",
			Gen: func(r *rand.Rand) CounterInput {
				if gen == nil {
					return CounterInput{Op: Add, Delta: 1}
				}
				return CounterInput{Op: Add, Delta: gen(r)}
			},
			Run: func(obj T, in CounterInput) CounterOutput {
				add(obj, in.Delta)
				return CounterOutput{}
			},
		},
		{
			Name: "get",
			Gen:  func(*rand.Rand) CounterInput { return CounterInput{Op: Get} },
			Run:  func(obj T, _ CounterInput) CounterOutput { return CounterOutput{Value: get(obj)} },
		},
	}
}

// SetOp names a set operation.
type SetOp uint8

const (
	// Insert adds Value and reports whether it was absent.
	Insert SetOp = iota
	// Delete removes Value and reports whether it was present.
	Delete
	// Contains reports whether Value is present.
	Contains
)

// SetInput is a set call.
type SetInput[V comparable] struct {
	Op    SetOp
	Value V
}

// SetOutput is a set result. Unknown marks a result nobody observed.
type SetOutput struct {
	OK      bool
	Unknown bool
}

// SetState is the state of a set. Steps never modify one; they copy it.
type SetState[V comparable] struct {
	m map[V]struct{}
	h uint64 // XOR of the elements' hashes: order-free
}

// Len returns the number of elements.
func (s SetState[V]) Len() int { return len(s.m) }

// Has reports whether v is in the set.
func (s SetState[V]) Has(v V) bool { _, ok := s.m[v]; return ok }

// Set is a set that starts empty.
func Set[V comparable]() linear.Model[SetState[V], SetInput[V], SetOutput] {
	with := func(s SetState[V], v V, present bool) SetState[V] {
		m := make(map[V]struct{}, len(s.m)+1)
		for k := range s.m {
			m[k] = struct{}{}
		}
		if present {
			m[v] = struct{}{}
		} else {
			delete(m, v)
		}
		return SetState[V]{m: m, h: s.h ^ maphash.Comparable(seed, v)}
	}
	return linear.Model[SetState[V], SetInput[V], SetOutput]{
		Init: func() SetState[V] { return SetState[V]{} },
		Step: func(s SetState[V], in SetInput[V], out SetOutput) (bool, SetState[V]) {
			has := s.Has(in.Value)
			ok := out.Unknown || out.OK == (has == (in.Op != Insert))
			switch {
			case in.Op == Insert && !has:
				return ok, with(s, in.Value, true)
			case in.Op == Delete && has:
				return ok, with(s, in.Value, false)
			case in.Op > Contains:
				return false, s
			}
			return ok, s
		},
		Equal: func(a, b SetState[V]) bool {
			if a.h != b.h || len(a.m) != len(b.m) {
				return false
			}
			for k := range a.m {
				if _, ok := b.m[k]; !ok {
					return false
				}
			}
			return true
		},
		Hash: func(s SetState[V]) uint64 { return s.h },
		// Contains, and an insert or delete seen to do nothing.
		ReadOnly: func(in SetInput[V], out SetOutput) bool {
			return in.Op == Contains || (!out.OK && !out.Unknown)
		},
		Describe: func(in SetInput[V], out SetOutput) string {
			res := fmt.Sprint(out.OK)
			if out.Unknown {
				res = "?"
			}
			name := [...]string{"insert", "delete", "contains"}[min(int(in.Op), 2)]
			return fmt.Sprintf("%s(%v) -> %s", name, in.Value, res)
		},
		DescribeState: func(s SetState[V]) string {
			keys := make([]string, 0, len(s.m))
			for k := range s.m {
				keys = append(keys, fmt.Sprint(k))
			}
			slices.Sort(keys)
			return "{" + strings.Join(keys, " ") + "}"
		},
	}
}

// SetOps are the Stress operations of a set: insert, delete and contains
// of values from gen (nil: the zero value).
func SetOps[T any, V comparable](insert, delete, contains func(T, V) bool, gen func(*rand.Rand) V) []linear.Op[T, SetInput[V], SetOutput] {
	op := func(name string, kind SetOp, f func(T, V) bool) linear.Op[T, SetInput[V], SetOutput] {
		return linear.Op[T, SetInput[V], SetOutput]{
			Name: name,
			Gen:  func(r *rand.Rand) SetInput[V] { return SetInput[V]{Op: kind, Value: genOrZero(gen, r)} },
			Run:  func(obj T, in SetInput[V]) SetOutput { return SetOutput{OK: f(obj, in.Value)} },
		}
	}
	return []linear.Op[T, SetInput[V], SetOutput]{op("insert", Insert, insert), op("delete", Delete, delete), op("contains", Contains, contains)}
}
