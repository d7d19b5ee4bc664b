package formats_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/formats"
	"github.com/labludus/ludus/linear/models"
)

// dataDir is porcupine's test data, copied into linear/testdata.
func dataDir(testing.TB) string { return filepath.Join("..", "testdata", "porcupine") }

var etcdLinearizable = []int{2, 5, 7, 18, 25, 31, 38, 45, 48, 49, 51, 53, 56, 67, 75, 76, 80, 87, 92, 98, 100, 101, 102}

func parseEtcd(t testing.TB, n int) []formats.EtcdOperation {
	t.Helper()
	name := filepath.Join(dataDir(t), "jepsen", fmt.Sprintf("etcd_%03d.log", n))
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ops, err := formats.ParseJepsenEtcd(f, name)
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

func parseKV(t testing.TB, base string) []formats.KVOperation {
	t.Helper()
	name := filepath.Join(dataDir(t), "kv", base+".txt")
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ops, err := formats.ParsePorcupineKV(f, name)
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

func TestJepsenEtcdVerdicts(t *testing.T) {
	for n := 0; n <= 102; n++ {
		if n == 95 {
			continue // empty: see TestEmptyLogIsBadInput
		}
		want := linear.NotLinearizable
		if slices.Contains(etcdLinearizable, n) {
			want = linear.Linearizable
		}
		t.Run(fmt.Sprintf("etcd_%03d", n), func(t *testing.T) {
			t.Parallel()
			ops := parseEtcd(t, n)
			start := time.Now()
			res := linear.Check(formats.EtcdModel(), ops, linear.Timeout(time.Minute))
			if res.Verdict != want {
				t.Fatalf("%d ops: got %v, want %v (%v)", len(ops), res.Verdict, want, res)
			}
			t.Logf("%d ops, %v, explored %d in %v", len(ops), res.Verdict, res.Explored, time.Since(start))
		})
	}
}

func TestKVVerdicts(t *testing.T) {
	for _, c := range []string{"c01", "c10", "c50"} {
		for _, ok := range []bool{true, false} {
			base := c + "-bad"
			want := linear.NotLinearizable
			if ok {
				base, want = c+"-ok", linear.Linearizable
			}
			t.Run(base+"/partitioned", func(t *testing.T) {
				ops := parseKV(t, base)
				res := linear.Check(models.KV(), ops, linear.Timeout(time.Minute))
				if res.Verdict != want {
					t.Fatalf("got %v, want %v", res, want)
				}
				t.Logf("%d ops in %d parts, explored %d", len(ops), len(res.Parts), res.Explored)
			})
			t.Run(base+"/unpartitioned", func(t *testing.T) {
				if c == "c50" {
					t.Skip("c50 as one object is beyond any search-based checker")
				}
				ops := parseKV(t, base)
				start := time.Now()
				res := linear.Check(models.KVMap(), ops, linear.Timeout(time.Minute))
				if res.Verdict != want {
					t.Fatalf("got %v, want %v", res, want)
				}
				t.Logf("%d ops, explored %d in %v", len(ops), res.Explored, time.Since(start))
			})
		}
	}
}

// TestEmptyLogIsBadInput: porcupine's etcd_095.log is empty, which is not a
// history.
func TestEmptyLogIsBadInput(t *testing.T) {
	name := filepath.Join(dataDir(t), "jepsen", "etcd_095.log")
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = formats.ParseJepsenEtcd(f, name)
	var pe *formats.ParseError
	if !errors.Is(err, formats.ErrEmpty) || !errors.As(err, &pe) || pe.Line != 1 {
		t.Fatalf("got %v, want ErrEmpty at line 1", err)
	}
}
