package models_test

import (
	"math/rand/v2"
	"testing"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

// readOnlyTruthful checks a model's ReadOnly claim: from states reached by
// random walks, an operation it calls read-only must, wherever it is
// legal, leave the state equal. A false claim would let the checker skip
// the linearization that needs the operation's effect.
func readOnlyTruthful[S, I, O any](t *testing.T, name string, m linear.Model[S, I, O], gen func(r *rand.Rand) (I, O)) {
	t.Helper()
	if m.ReadOnly == nil {
		t.Fatalf("%s: no ReadOnly", name)
	}
	equal := m.Equal
	if equal == nil {
		equal = func(a, b S) bool { return any(a) == any(b) }
	}
	r := rand.New(rand.NewPCG(7, 7))
	claimed := 0
	for walk := range 200 {
		s := m.Init()
		for range 20 {
			in, out := gen(r)
			ok, next := m.Step(s, in, out)
			if m.ReadOnly(in, out) {
				claimed++
				if ok && !equal(next, s) {
					t.Fatalf("%s, walk %d: %v -> %v is called read-only but changed the state", name, walk, in, out)
				}
			}
			if ok {
				s = next
			}
		}
	}
	if claimed == 0 {
		t.Fatalf("%s: no operation was read-only", name)
	}
}

func TestReadOnlyIsTruthful(t *testing.T) {
	readOnlyTruthful(t, "register", models.CASRegister(0), func(r *rand.Rand) (models.RegisterInput[int], models.RegisterOutput[int]) {
		in := models.RegisterInput[int]{Op: models.RegisterOp(r.IntN(3)), Value: r.IntN(3), New: r.IntN(3)}
		return in, models.RegisterOutput[int]{Value: r.IntN(3), OK: r.IntN(2) == 0, Unknown: r.IntN(5) == 0}
	})
	readOnlyTruthful(t, "kv", models.KV(), func(r *rand.Rand) (models.KVInput, models.KVOutput) {
		in := models.KVInput{Op: models.KVOp(r.IntN(3)), Key: "k", Value: []string{"", "a", "b"}[r.IntN(3)]}
		return in, models.KVOutput{Value: []string{"", "a", "ab", "b"}[r.IntN(4)], Unknown: r.IntN(5) == 0}
	})
	readOnlyTruthful(t, "kv map", models.KVMap(), func(r *rand.Rand) (models.KVInput, models.KVOutput) {
		in := models.KVInput{Op: models.KVOp(r.IntN(3)), Key: []string{"k", "j"}[r.IntN(2)], Value: []string{"", "a"}[r.IntN(2)]}
		return in, models.KVOutput{Value: []string{"", "a", "aa"}[r.IntN(3)], Unknown: r.IntN(5) == 0}
	})
	seq := func(r *rand.Rand) (models.SeqInput[int], models.SeqOutput[int]) {
		return models.SeqInput[int]{Op: models.SeqOp(r.IntN(2)), Value: r.IntN(3)}, models.SeqOutput[int]{Value: r.IntN(3), OK: r.IntN(2) == 0, Unknown: r.IntN(5) == 0}
	}
	readOnlyTruthful(t, "queue", models.Queue[int](), seq)
	readOnlyTruthful(t, "stack", models.Stack[int](), seq)
	readOnlyTruthful(t, "counter", models.Counter(), func(r *rand.Rand) (models.CounterInput, models.CounterOutput) {
		return models.CounterInput{Op: models.CounterOp(r.IntN(3)), Delta: int64(r.IntN(3))}, models.CounterOutput{Value: int64(r.IntN(6)), Unknown: r.IntN(5) == 0}
	})
	readOnlyTruthful(t, "set", models.Set[int](), func(r *rand.Rand) (models.SetInput[int], models.SetOutput) {
		return models.SetInput[int]{Op: models.SetOp(r.IntN(3)), Value: r.IntN(3)}, models.SetOutput{OK: r.IntN(2) == 0, Unknown: r.IntN(5) == 0}
	})
}

// TestKVValue checks the append chains that hold KV's values against plain
// strings.
func TestKVValue(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	pieces := []string{"", "a", "bc", "é", "a"}
	for range 500 {
		var v, w models.KVValue
		var s, u string
		for range r.IntN(6) {
			p := pieces[r.IntN(len(pieces))]
			v, s = v.Append(p), s+p
		}
		for range r.IntN(6) {
			p := pieces[r.IntN(len(pieces))]
			w, u = w.Append(p), u+p
		}
		if v.String() != s || v.Len() != len(s) || !v.Equals(s) || v.Equals(s+"x") {
			t.Fatalf("%q: String %q, Len %d", s, v.String(), v.Len())
		}
		if v.Equal(w) != (s == u) || (s == u && v.Hash() != w.Hash()) {
			t.Fatalf("%q and %q: Equal %v, hashes %x %x", s, u, v.Equal(w), v.Hash(), w.Hash())
		}
	}
}
