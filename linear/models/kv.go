package models

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/labludus/ludus/linear"
)

// KVOp names a key-value operation.
type KVOp uint8

const (
	// KVGet returns the value of Key ("" if never written).
	KVGet KVOp = iota
	// KVPut sets Key to Value.
	KVPut
	// KVAppend appends Value to Key's value.
	KVAppend
)

func (o KVOp) String() string {
	switch o {
	case KVGet:
		return "get"
	case KVPut:
		return "put"
	case KVAppend:
		return "append"
	}
	return fmt.Sprintf("KVOp(%d)", uint8(o))
}

// KVInput is a key-value call.
type KVInput struct {
	Op    KVOp
	Key   string
	Value string
}

// KVOutput is the Value a get returned. Unknown marks a result nobody
// observed: the model accepts any.
type KVOutput struct {
	Value   string
	Unknown bool
}

// kvStep moves one key's value.
func kvStep(v string, in KVInput, out KVOutput) (bool, string) {
	switch in.Op {
	case KVGet:
		return out.Unknown || out.Value == v, v
	case KVPut:
		return true, in.Value
	case KVAppend:
		return true, v + in.Value
	}
	return false, v
}

// kvReadOnly: a get changes nothing.
func kvReadOnly(in KVInput, _ KVOutput) bool { return in.Op == KVGet }

func kvDescribe(in KVInput, out KVOutput) string {
	switch in.Op {
	case KVGet:
		if out.Unknown {
			return fmt.Sprintf("get(%q) -> ?", in.Key)
		}
		return fmt.Sprintf("get(%q) -> %q", in.Key, out.Value)
	case KVPut:
		return fmt.Sprintf("put(%q, %q)", in.Key, in.Value)
	}
	return fmt.Sprintf("%v(%q, %q)", in.Op, in.Key, in.Value)
}

// KV is a map from string keys to string values (all "" at first) with get,
// put and append, partitioned by key: each key is an independent register,
// checked on its own. Its state is one key's value.
func KV() linear.Model[string, KVInput, KVOutput] {
	return linear.Model[string, KVInput, KVOutput]{
		Init:      func() string { return "" },
		Step:      kvStep,
		Hash:      func(s string) uint64 { return maphash.String(seed, s) },
		ReadOnly:  kvReadOnly,
		Partition: PartitionBy[KVInput, KVOutput](func(in KVInput) string { return in.Key }),
		Describe:  kvDescribe,
		DescribeState: func(s string) string {
			return fmt.Sprintf("%q", s)
		},
	}
}

// KVMap is the same map as KV checked as one object, without partitioning:
// its state is the whole map. It exists to measure what partitioning buys
// and to check histories whose keys are not independent.
func KVMap() linear.Model[KVState, KVInput, KVOutput] {
	return linear.Model[KVState, KVInput, KVOutput]{
		Init: func() KVState { return KVState{} },
		Step: func(s KVState, in KVInput, out KVOutput) (bool, KVState) {
			old := s.Get(in.Key)
			ok, v := kvStep(old, in, out)
			if !ok || v == old {
				return ok, s
			}
			return ok, s.with(in.Key, v)
		},
		Equal:    func(a, b KVState) bool { return a.h == b.h && slices.Equal(a.kv, b.kv) },
		Hash:     func(s KVState) uint64 { return s.h },
		ReadOnly: kvReadOnly,
		Describe: kvDescribe,
		DescribeState: func(s KVState) string {
			parts := make([]string, 0, len(s.kv)/2)
			for i := 0; i < len(s.kv); i += 2 {
				parts = append(parts, fmt.Sprintf("%q: %q", s.kv[i], s.kv[i+1]))
			}
			return "{" + strings.Join(parts, ", ") + "}"
		},
	}
}

// KVState is an immutable map of non-empty values: keys and values
// alternate, sorted by key, with an order-free hash kept up to date.
type KVState struct {
	kv []string
	h  uint64
}

// Get returns the value of key ("" if absent).
func (s KVState) Get(key string) string {
	i, ok := s.find(key)
	if !ok {
		return ""
	}
	return s.kv[2*i+1]
}

// Len returns the number of keys with a non-empty value.
func (s KVState) Len() int { return len(s.kv) / 2 }

func (s KVState) find(key string) (int, bool) {
	n := len(s.kv) / 2
	i := sort.Search(n, func(i int) bool { return s.kv[2*i] >= key })
	return i, i < n && s.kv[2*i] == key
}

func kvPairHash(k, v string) uint64 {
	return maphash.String(seed, k) * (maphash.String(seed, v) | 1)
}

func (s KVState) with(key, v string) KVState {
	i, ok := s.find(key)
	h := s.h
	kv := make([]string, 0, len(s.kv)+2)
	kv = append(kv, s.kv[:2*i]...)
	if ok {
		h ^= kvPairHash(key, s.kv[2*i+1])
		if v != "" {
			kv = append(kv, key, v)
			h ^= kvPairHash(key, v)
		}
		kv = append(kv, s.kv[2*i+2:]...)
	} else {
		kv = append(kv, key, v)
		h ^= kvPairHash(key, v)
		kv = append(kv, s.kv[2*i:]...)
	}
	return KVState{kv: kv, h: h}
}

// PartitionBy returns a Partition function that groups operations by the
// key their input names, in order of first appearance. Any model whose
// operations on different keys are independent can use it.
func PartitionBy[I, O any, K comparable](key func(I) K) func([]linear.Operation[I, O]) [][]linear.Operation[I, O] {
	return func(ops []linear.Operation[I, O]) [][]linear.Operation[I, O] {
		// Two passes: number the keys and count, then fill exact slices.
		where := make(map[K]int)
		part := make([]int32, len(ops))
		var sizes []int
		for i, op := range ops {
			k := key(op.Input)
			p, ok := where[k]
			if !ok {
				p = len(sizes)
				where[k] = p
				sizes = append(sizes, 0)
			}
			part[i] = int32(p)
			sizes[p]++
		}
		all := make([]linear.Operation[I, O], len(ops))
		parts := make([][]linear.Operation[I, O], len(sizes))
		off := 0
		for p, n := range sizes {
			parts[p] = all[off : off : off+n]
			off += n
		}
		for i, op := range ops {
			parts[part[i]] = append(parts[part[i]], op)
		}
		return parts
	}
}

// KVOps are the Stress operations of a string map: get, put and append on
// keys and values drawn from genKey and genValue.
func KVOps[T any](get func(T, string) string, put, appendTo func(T, string, string), genKey, genValue func(*rand.Rand) string) []linear.Op[T, KVInput, KVOutput] {
	in := func(op KVOp, r *rand.Rand) KVInput {
		i := KVInput{Op: op, Key: genOrZero(genKey, r)}
		if op != KVGet {
			i.Value = genOrZero(genValue, r)
		}
		return i
	}
	return []linear.Op[T, KVInput, KVOutput]{
		{Name: "get", Gen: func(r *rand.Rand) KVInput { return in(KVGet, r) },
			Run: func(obj T, i KVInput) KVOutput { return KVOutput{Value: get(obj, i.Key)} }},
		{Name: "put", Gen: func(r *rand.Rand) KVInput { return in(KVPut, r) },
			Run: func(obj T, i KVInput) KVOutput { put(obj, i.Key, i.Value); return KVOutput{} }},
		{Name: "append", Gen: func(r *rand.Rand) KVInput { return in(KVAppend, r) },
			Run: func(obj T, i KVInput) KVOutput { appendTo(obj, i.Key, i.Value); return KVOutput{} }},
	}
}
