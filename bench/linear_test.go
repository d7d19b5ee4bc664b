package bench

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/formats"
	"github.com/labludus/ludus/linear/models"
)

// linearTestdata holds porcupine's test data and the project's recorded
// histories.
var linearTestdata = filepath.Join("..", "linear", "testdata")

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
// Equal and Hash, and the same partition (by key, for kv). (linear's
// ReadOnly has no counterpart in porcupine.)
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

// linearCase is one history of BenchmarkLinear: how to check it with each
// tool, and the verdict both must give.
type linearCase struct {
	name  string
	ops   int
	want  bool
	ludus func() linear.Verdict
	porc  func() porcupine.CheckResult
}

func newLinearCase[S, I, O any](name string, m linear.Model[S, I, O], key func(I) string, ops []linear.Operation[I, O], want bool) linearCase {
	pm, pops := porcupineModel(m, key), toPorcupine(ops)
	return linearCase{
		name: name, ops: len(ops), want: want,
		ludus: func() linear.Verdict { return linear.Check(m, ops).Verdict },
		porc:  func() porcupine.CheckResult { return porcupine.CheckOperationsTimeout(pm, pops, 0) },
	}
}

// check runs one tool on the case and fails b if the verdict is not the
// expected one.
func (c linearCase) check(b *testing.B, tool string) {
	switch tool {
	case "ludus":
		want := linear.NotLinearizable
		if c.want {
			want = linear.Linearizable
		}
		if got := c.ludus(); got != want {
			b.Fatalf("%s: ludus says %v, want %v", c.name, got, want)
		}
	default:
		want := porcupine.Illegal
		if c.want {
			want = porcupine.Ok
		}
		if got := c.porc(); got != want {
			b.Fatalf("%s: porcupine says %v, want %v", c.name, got, want)
		}
	}
}

// linearCases loads every history of the benchmark: porcupine's hardest
// Jepsen etcd logs and its kv logs (by key, and the 10-client ones as one
// map), the high-concurrency histories recorded from real Go objects
// (linear_record.go), and a 24,000-operation register history with
// timeouts (linear_gen.go).
func linearCases(b *testing.B) []linearCase {
	var cases []linearCase
	etcdOK := map[int]bool{2: true, 7: true, 75: true, 80: true}
	for _, n := range []int{2, 7, 57, 99, 75, 40, 80} {
		ops := readEtcdLog(b, filepath.Join(linearTestdata, "porcupine", "jepsen", fmt.Sprintf("etcd_%03d.log", n)))
		cases = append(cases, newLinearCase(fmt.Sprintf("etcd_%03d", n), formats.EtcdModel(), nil, ops, etcdOK[n]))
	}
	key := func(in models.KVInput) string { return in.Key }
	for _, c := range []string{"c01", "c10", "c50"} {
		for _, kind := range []string{"ok", "bad"} {
			ops := readKVLog(b, filepath.Join(linearTestdata, "porcupine", "kv", c+"-"+kind+".txt"))
			cases = append(cases, newLinearCase("kv_"+c+"_"+kind, models.KV(), key, ops, kind == "ok"))
			if c == "c10" {
				cases = append(cases, newLinearCase("kv_"+c+"_"+kind+"_whole", models.KVMap(), nil, ops, kind == "ok"))
			}
		}
	}
	for _, spec := range recordedSpecs {
		file := filepath.Join(linearTestdata, "recorded", spec.name)
		name := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(spec.name, ".gz"), ".log"), ".txt")
		name = strings.ReplaceAll(name, "-", "_")
		if spec.reg != nil {
			cases = append(cases, newLinearCase(name, formats.EtcdModel(), nil, readEtcdLog(b, file), !spec.faulty))
		} else {
			cases = append(cases, newLinearCase(name, models.KV(), key, readKVLog(b, file), !spec.faulty))
		}
	}
	long := simulateRegister(longRegister24k)
	cases = append(cases, newLinearCase("register_24k_timeouts", formats.EtcdModel(), nil, long, true))
	return cases
}

// longRegister24k is the shape of the long history: 24,000
// operations from 8 clients, about one in 22 held up past its timeout and
// left pending.
var longRegister24k = simConfig{Seed: 24, Ops: 24000, Clients: 8, Values: 5, StallEvery: 22}

// longRegister200k is the same shape, 200,000 operations.
var longRegister200k = simConfig{Seed: 200, Ops: 200000, Clients: 8, Values: 5, StallEvery: 22}

// BenchmarkLinear checks each history with linear.Check and with porcupine
// v1.3.1 side by side, both with the same model (Step, Equal, Hash and
// partition), and fails if either gives a verdict other than the
// history's. "all" checks every history once per iteration: the total.
func BenchmarkLinear(b *testing.B) {
	cases := linearCases(b)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for _, tool := range []string{"ludus", "porcupine"} {
				b.Run(tool, func(b *testing.B) {
					for b.Loop() {
						c.check(b, tool)
					}
				})
			}
		})
	}
	b.Run("all", func(b *testing.B) {
		for _, tool := range []string{"ludus", "porcupine"} {
			b.Run(tool, func(b *testing.B) {
				for b.Loop() {
					for _, c := range cases {
						c.check(b, tool)
					}
				}
			})
		}
	})
}

// BenchmarkLinearLong checks the 200,000-operation register history (8
// clients, timeouts leaving about 9,000 calls pending) with linear.Check
// alone, reporting the peak Go heap during the check and the process's
// peak resident memory. (porcupine's memo copies an n-bit set per
// configuration: at n = 200,000 that is beyond this machine.)
func BenchmarkLinearLong(b *testing.B) {
	h := simulateRegister(longRegister200k)
	m := formats.EtcdModel()
	b.Run("ludus", func(b *testing.B) {
		var peak uint64
		for b.Loop() {
			stop := sampleHeap(&peak)
			res := linear.Check(m, h)
			stop()
			if res.Verdict != linear.Linearizable {
				b.Fatalf("got %v", res)
			}
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		var ru syscall.Rusage
		if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
			b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB")
		}
	})
}

// sampleHeap records in peak the largest Go heap seen every millisecond
// until stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			*peak = max(*peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished; runtime.KeepAlive(sample) }
}

// readEtcdLog parses a Jepsen etcd log, gzipped if its name ends in .gz.
func readEtcdLog(b *testing.B, name string) []formats.EtcdOperation {
	b.Helper()
	var ops []formats.EtcdOperation
	withFile(b, name, func(r io.Reader) (err error) { ops, err = formats.ParseJepsenEtcd(r, name); return err })
	return ops
}

// readKVLog parses a porcupine kv log, gzipped if its name ends in .gz.
func readKVLog(b *testing.B, name string) []formats.KVOperation {
	b.Helper()
	var ops []formats.KVOperation
	withFile(b, name, func(r io.Reader) (err error) { ops, err = formats.ParsePorcupineKV(r, name); return err })
	return ops
}

func withFile(b *testing.B, name string, parse func(io.Reader) error) {
	b.Helper()
	f, err := os.Open(name)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		defer zr.Close()
		r = zr
	}
	if err := parse(r); err != nil {
		b.Fatal(err)
	}
}
