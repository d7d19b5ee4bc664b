package models

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"

	"github.com/labludus/ludus/linear"
)

// seed hashes model states. It is fixed for the life of the process and only
// feeds the checker's tables, so its randomness never changes a verdict.
var seed = maphash.MakeSeed()

// RegisterOp names a register operation.
type RegisterOp uint8

const (
	// Read returns the current value.
	Read RegisterOp = iota
	// Write sets the value.
	Write
	// CompareAndSet sets the value to New if it equals Value, and reports
	// whether it did.
	CompareAndSet
)

func (o RegisterOp) String() string {
	switch o {
	case Read:
		return "read"
	case Write:
		return "write"
	case CompareAndSet:
		return "cas"
	}
	return fmt.Sprintf("RegisterOp(%d)", uint8(o))
}

// RegisterInput is a register call: Read, Write(Value) or
// CompareAndSet(Value, New).
type RegisterInput[V comparable] struct {
	Op    RegisterOp
	Value V
	New   V
}

// RegisterOutput is a register result: the Value a Read saw, whether a
// CompareAndSet swapped (OK). Unknown marks a result nobody observed (a
// timeout or a pending call): the model then accepts any result.
type RegisterOutput[V comparable] struct {
	Value   V
	OK      bool
	Unknown bool
}

// Register is a read/write register that starts at init. A CompareAndSet
// is illegal in it; use CASRegister for those.
func Register[V comparable](init V) linear.Model[V, RegisterInput[V], RegisterOutput[V]] {
	return register(init, false)
}

// CASRegister is a register with Read, Write and CompareAndSet that starts
// at init (Jepsen's etcd model).
func CASRegister[V comparable](init V) linear.Model[V, RegisterInput[V], RegisterOutput[V]] {
	return register(init, true)
}

func register[V comparable](init V, cas bool) linear.Model[V, RegisterInput[V], RegisterOutput[V]] {
	return linear.Model[V, RegisterInput[V], RegisterOutput[V]]{
		Init: func() V { return init },
		Step: func(s V, in RegisterInput[V], out RegisterOutput[V]) (bool, V) {
			switch in.Op {
			case Read:
				return out.Unknown || out.Value == s, s
			case Write:
				return true, in.Value
			case CompareAndSet:
				if !cas {
					return false, s
				}
				swapped := s == in.Value
				if swapped {
					return out.Unknown || out.OK, in.New
				}
				return out.Unknown || !out.OK, s
			}
			return false, s
		},
		Hash: func(s V) uint64 { return maphash.Comparable(seed, s) },
		// A read, and a compare-and-set seen to fail, change nothing.
		ReadOnly: func(in RegisterInput[V], out RegisterOutput[V]) bool {
			return in.Op == Read || (in.Op == CompareAndSet && !out.OK && !out.Unknown)
		},
		Describe: func(in RegisterInput[V], out RegisterOutput[V]) string {
			res := "?"
			switch in.Op {
			case Read:
				if !out.Unknown {
					res = fmt.Sprint(out.Value)
				}
				return "read() -> " + res
			case Write:
				return fmt.Sprintf("write(%v)", in.Value)
			case CompareAndSet:
				if !out.Unknown {
					res = fmt.Sprint(out.OK)
				}
				return fmt.Sprintf("cas(%v, %v) -> %s", in.Value, in.New, res)
			}
			return fmt.Sprintf("%v(%v, %v)", in.Op, in.Value, in.New)
		},
	}
}

// RegisterOps are the Stress operations of a register: read and write,
// writing values drawn from gen (nil always writes the zero value).
func RegisterOps[T any, V comparable](read func(T) V, write func(T, V), gen func(*rand.Rand) V) []linear.Op[T, RegisterInput[V], RegisterOutput[V]] {
	return []linear.Op[T, RegisterInput[V], RegisterOutput[V]]{
		{
			Name: "read",
			Gen:  func(*rand.Rand) RegisterInput[V] { return RegisterInput[V]{Op: Read} },
			Run: func(obj T, _ RegisterInput[V]) RegisterOutput[V] {
				return RegisterOutput[V]{Value: read(obj)}
			},
		},
		{
			Name: "write",
			Gen:  func(r *rand.Rand) RegisterInput[V] { return RegisterInput[V]{Op: Write, Value: genOrZero(gen, r)} },
			Run: func(obj T, in RegisterInput[V]) RegisterOutput[V] {
				write(obj, in.Value)
				return RegisterOutput[V]{}
			},
		},
	}
}

// CASOps are RegisterOps plus compareAndSet(old, new).
func CASOps[T any, V comparable](read func(T) V, write func(T, V), cas func(T, V, V) bool, gen func(*rand.Rand) V) []linear.Op[T, RegisterInput[V], RegisterOutput[V]] {
	return append(RegisterOps(read, write, gen), linear.Op[T, RegisterInput[V], RegisterOutput[V]]{
		Name: "cas",
		Gen: func(r *rand.Rand) RegisterInput[V] {
			return RegisterInput[V]{Op: CompareAndSet, Value: genOrZero(gen, r), New: genOrZero(gen, r)}
		},
		Run: func(obj T, in RegisterInput[V]) RegisterOutput[V] {
			return RegisterOutput[V]{OK: cas(obj, in.Value, in.New)}
		},
	})
}

func genOrZero[V any](gen func(*rand.Rand) V, r *rand.Rand) V {
	if gen == nil {
		var zero V
		return zero
	}
	return gen(r)
}
