package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/anishathalye/porcupine"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/formats"
	"github.com/labludus/ludus/linear/models"
)

// linearData is ../shared/data/porcupine beside the repository root.
func linearData(b *testing.B) string {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "shared", "data", "porcupine")
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("shared data set absent (%v)", err)
	}
	return dir
}

// toPorcupine converts a linear history; a pending operation returns after
// every other event, as porcupine's own parsers do.
func toPorcupine[I, O any](ops []linear.Operation[I, O]) []porcupine.Operation {
	end := int64(0)
	for _, op := range ops {
		if !op.IsPending() {
			end = max(end, op.Return)
		}
	}
	out := make([]porcupine.Operation, len(ops))
	for i, op := range ops {
		ret := op.Return
		if op.IsPending() {
			ret = end + 1
		}
		out[i] = porcupine.Operation{ClientId: op.Client, Input: op.Input, Output: op.Output, Call: op.Call, Return: ret}
	}
	return out
}

// porcupineModel gives porcupine exactly what linear gets: the same Step,
// Equal and Hash, and the same partition (by key, for kv).
func porcupineModel[S, I, O any](m linear.Model[S, I, O], partitionKey func(I) string) porcupine.Model {
	pm := porcupine.Model{
		Init: func() any { return m.Init() },
		Step: func(s, in, out any) (bool, any) {
			ok, next := m.Step(s.(S), in.(I), out.(O))
			return ok, next
		},
	}
	if m.Equal != nil {
		pm.Equal = func(a, b any) bool { return m.Equal(a.(S), b.(S)) }
	}
	if m.Hash != nil {
		pm.Hash = func(s any) uint64 { return m.Hash(s.(S)) }
	}
	if partitionKey != nil {
		// The same two-pass grouping as models.PartitionBy.
		pm.Partition = func(h []porcupine.Operation) [][]porcupine.Operation {
			where := map[string]int{}
			part := make([]int32, len(h))
			var sizes []int
			for i, op := range h {
				k := partitionKey(op.Input.(I))
				p, ok := where[k]
				if !ok {
					p = len(sizes)
					where[k] = p
					sizes = append(sizes, 0)
				}
				part[i] = int32(p)
				sizes[p]++
			}
			all := make([]porcupine.Operation, len(h))
			parts := make([][]porcupine.Operation, len(sizes))
			off := 0
			for p, n := range sizes {
				parts[p] = all[off : off : off+n]
				off += n
			}
			for i, op := range h {
				parts[part[i]] = append(parts[part[i]], op)
			}
			return parts
		}
	}
	return pm
}

func benchPair[S, I, O any](b *testing.B, m linear.Model[S, I, O], key func(I) string, ops []linear.Operation[I, O], want bool) {
	b.Run("ludus", func(b *testing.B) {
		for b.Loop() {
			if got := linear.Check(m, ops); got.Linearizable() != want {
				b.Fatalf("ludus: %v, want linearizable=%v", got, want)
			}
		}
	})
	pm := porcupineModel(m, key)
	pops := toPorcupine(ops)
	b.Run("porcupine", func(b *testing.B) {
		for b.Loop() {
			if got := porcupine.CheckOperations(pm, pops); got != want {
				b.Fatalf("porcupine: linearizable=%v, want %v", got, want)
			}
		}
	})
}

// BenchmarkLinear checks the same parsed histories with linear and with
// porcupine v1.3.1: the hardest Jepsen etcd logs and the 10-client
// key-value logs, partitioned by key and as one map.
func BenchmarkLinear(b *testing.B) {
	dir := linearData(b)
	etcdOK := map[int]bool{2: true, 7: true, 75: true, 80: true}
	for _, n := range []int{2, 7, 57, 99, 75, 40, 80} {
		b.Run(fmt.Sprintf("etcd_%03d", n), func(b *testing.B) {
			name := filepath.Join(dir, "jepsen", fmt.Sprintf("etcd_%03d.log", n))
			f, err := os.Open(name)
			if err != nil {
				b.Fatal(err)
			}
			ops, err := formats.ParseJepsenEtcd(f, name)
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			benchPair(b, formats.EtcdModel(), nil, ops, etcdOK[n])
		})
	}
	for _, kind := range []string{"ok", "bad"} {
		name := filepath.Join(dir, "kv", "c10-"+kind+".txt")
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		ops, err := formats.ParsePorcupineKV(f, name)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.Run("kv_c10_"+kind+"_partitioned", func(b *testing.B) {
			benchPair(b, models.KV(), func(in models.KVInput) string { return in.Key }, ops, kind == "ok")
		})
		b.Run("kv_c10_"+kind+"_whole", func(b *testing.B) {
			benchPair(b, models.KVMap(), nil, ops, kind == "ok")
		})
	}
}
