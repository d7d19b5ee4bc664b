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
// checked on its own. Its state is one key's value, as a KVValue.
func KV() linear.Model[KVValue, KVInput, KVOutput] {
	return linear.Model[KVValue, KVInput, KVOutput]{
		Init: func() KVValue { return KVValue{} },
		Step: func(v KVValue, in KVInput, out KVOutput) (bool, KVValue) {
			switch in.Op {
			case KVGet:
				return out.Unknown || v.Equals(out.Value), v
			case KVPut:
				return true, KVValue{}.Append(in.Value)
			case KVAppend:
				return true, v.Append(in.Value)
			}
			return false, v
		},
		Equal:     func(a, b KVValue) bool { return a.Equal(b) },
		Hash:      func(v KVValue) uint64 { return v.Hash() },
		ReadOnly:  kvReadOnly,
		Partition: PartitionBy[KVInput, KVOutput](func(in KVInput) string { return in.Key }),
		Describe:  kvDescribe,
		DescribeState: func(v KVValue) string {
			return fmt.Sprintf("%q", v.String())
		},
	}
}

// KVValue is a string value of the KV model, kept as the chain of the put
// and appends that built it: an append costs the length of what it
// appends, not of the whole value, and the value's hash is kept up to date
// as it grows. Appending makes a new KVValue; none is ever modified. The
// zero KVValue is the empty string.
type KVValue struct{ last *kvPiece }

// kvPiece is the last piece of a value and a link to the value before it.
type kvPiece struct {
	prev *kvPiece // the value this piece was appended to; nil if none
	s    string   // the piece
	n    int      // the length of the whole value
	h    uint64   // the polynomial hash of the whole value
}

// kvBase is the base of the values' polynomial hash, which extends to an
// appended piece: h(a+b) = h(a)*kvBase^len(b) + h(b). It only sorts values
// into buckets: equality is always checked on the contents.
const kvBase = 0x100000001b3

// Append returns the value with s appended.
func (v KVValue) Append(s string) KVValue {
	if s == "" {
		return v
	}
	h, pow := uint64(0), uint64(1)
	for i := 0; i < len(s); i++ {
		h = h*kvBase + uint64(s[i])
		pow *= kvBase
	}
	p := &kvPiece{prev: v.last, s: s, n: len(s), h: h}
	if v.last != nil {
		p.n += v.last.n
		p.h += v.last.h * pow
	}
	return KVValue{last: p}
}

// Len is the value's length in bytes.
func (v KVValue) Len() int {
	if v.last == nil {
		return 0
	}
	return v.last.n
}

// Hash is the value's hash: equal values have equal hashes.
func (v KVValue) Hash() uint64 {
	if v.last == nil {
		return 0
	}
	return v.last.h
}

// String returns the value.
func (v KVValue) String() string {
	if v.last == nil {
		return ""
	}
	b := make([]byte, v.last.n)
	for p := v.last; p != nil; p = p.prev {
		copy(b[p.n-len(p.s):], p.s)
	}
	return string(b)
}

// Equals reports whether the value is s. It compares from the end, piece
// by piece, so a different value is usually told apart by its length or
// its last piece.
func (v KVValue) Equals(s string) bool {
	if v.Len() != len(s) {
		return false
	}
	for p := v.last; p != nil; p = p.prev {
		if s[p.n-len(p.s):p.n] != p.s {
			return false
		}
	}
	return true
}

// Equal reports whether the values are the same string.
func (v KVValue) Equal(w KVValue) bool {
	switch {
	case v.last == w.last:
		return true
	case v.Len() != w.Len() || v.Hash() != w.Hash():
		return false
	case v.last.prev == w.last.prev && v.last.s == w.last.s:
		return true // the same append to the same value
	}
	return v.Equals(w.String())
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
