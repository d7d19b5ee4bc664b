package formats_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/formats"
	"github.com/labludus/ludus/linear/models"
)

// sameHistory reports how a and b differ, if they do, as histories: the
// same operations (in call order) with the same inputs, outputs and
// pending-ness, and the same real-time order between every two of them.
func sameHistory[I, O comparable](a, b []linear.Operation[I, O]) string {
	if len(a) != len(b) {
		return "different lengths"
	}
	for i := range a {
		if a[i].Input != b[i].Input || a[i].Output != b[i].Output || a[i].IsPending() != b[i].IsPending() {
			return "an operation differs"
		}
	}
	for i := range a {
		for j := range a {
			if (a[i].Return < a[j].Call) != (b[i].Return < b[j].Call) {
				return "real-time order differs"
			}
		}
	}
	return ""
}

// inCallOrder returns ops sorted as the parsers return them: by call, then
// by position.
func inCallOrder[I, O any](ops []linear.Operation[I, O]) []linear.Operation[I, O] {
	out := append([]linear.Operation[I, O](nil), ops...)
	// Stable insertion sort keeps equal call times in input order, as the
	// writer does.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Call < out[j-1].Call; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func randomRegisterHistory(r *rand.Rand, n int) []formats.EtcdOperation {
	ops := make([]formats.EtcdOperation, n)
	for i := range ops {
		call := int64(r.IntN(3 * n))
		op := formats.EtcdOperation{Client: r.IntN(4), Call: call, Return: call + int64(r.IntN(6))}
		switch r.IntN(3) {
		case 0:
			op.Input.Op = models.Read
			op.Output.Value = r.IntN(4) - 1
			if r.IntN(5) == 0 {
				// What the parser gives a read that failed.
				op.Output = models.RegisterOutput[int]{Unknown: true}
			}
		case 1:
			op.Input = models.RegisterInput[int]{Op: models.Write, Value: r.IntN(3)}
		default:
			op.Input = models.RegisterInput[int]{Op: models.CompareAndSet, Value: r.IntN(3), New: r.IntN(3)}
			op.Output.OK = r.IntN(2) == 0
		}
		if r.IntN(6) == 0 {
			op.Return = linear.Pending
			op.Output = models.RegisterOutput[int]{Unknown: true}
		}
		ops[i] = op
	}
	return ops
}

func TestWriteJepsenEtcdRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for iter := range 300 {
		h := randomRegisterHistory(r, 1+r.IntN(12))
		for i := range h {
			// A completed cas with an unknown result has no form in the log.
			if h[i].Input.Op == models.CompareAndSet && !h[i].IsPending() {
				h[i].Output.Unknown = false
			}
		}
		var buf bytes.Buffer
		if err := formats.WriteJepsenEtcd(&buf, h); err != nil {
			t.Fatalf("iteration %d: %v", iter, err)
		}
		back, err := formats.ParseJepsenEtcd(&buf, "round.log")
		if err != nil {
			t.Fatalf("iteration %d: %v\n%s", iter, err, buf.String())
		}
		if diff := sameHistory(inCallOrder(h), back); diff != "" {
			t.Fatalf("iteration %d: %s\n%+v\n%+v", iter, diff, inCallOrder(h), back)
		}
		m := formats.EtcdModel()
		if a, b := linear.Check(m, h).Verdict, linear.Check(m, back).Verdict; a != b {
			t.Fatalf("iteration %d: verdict %v before, %v after", iter, a, b)
		}
	}
}

func TestWritePorcupineKVRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for iter := range 300 {
		n := 1 + r.IntN(12)
		h := make([]formats.KVOperation, n)
		for i := range h {
			call := int64(r.IntN(3 * n))
			op := formats.KVOperation{Client: r.IntN(4), Call: call, Return: call + int64(r.IntN(6))}
			op.Input = models.KVInput{Op: models.KVOp(r.IntN(3)), Key: []string{"a", `b "q"`, "c\n"}[r.IntN(3)]}
			if op.Input.Op == models.KVGet {
				op.Output.Value = []string{"", "x", "xy"}[r.IntN(3)]
			} else {
				op.Input.Value = []string{"x", "y", "é"}[r.IntN(3)]
			}
			if r.IntN(6) == 0 {
				op.Return = linear.Pending
				op.Output = models.KVOutput{Unknown: true}
			}
			h[i] = op
		}
		var buf bytes.Buffer
		if err := formats.WritePorcupineKV(&buf, h); err != nil {
			t.Fatal(err)
		}
		back, err := formats.ParsePorcupineKV(&buf, "round.txt")
		if err != nil {
			t.Fatalf("iteration %d: %v\n%s", iter, err, buf.String())
		}
		if diff := sameHistory(inCallOrder(h), back); diff != "" {
			t.Fatalf("iteration %d: %s", iter, diff)
		}
	}
}

// TestWritePorcupineData writes porcupine's own logs back out: the parsed
// history survives.
func TestWritePorcupineData(t *testing.T) {
	for _, n := range []int{0, 2, 40} {
		h := parseEtcd(t, n)
		var buf bytes.Buffer
		if err := formats.WriteJepsenEtcd(&buf, h); err != nil {
			t.Fatal(err)
		}
		back, err := formats.ParseJepsenEtcd(&buf, "back.log")
		if err != nil {
			t.Fatal(err)
		}
		if diff := sameHistory(h, back); diff != "" {
			t.Fatalf("etcd_%03d: %s", n, diff)
		}
	}
	h := parseKV(t, "c10-ok")
	var buf bytes.Buffer
	if err := formats.WritePorcupineKV(&buf, h); err != nil {
		t.Fatal(err)
	}
	back, err := formats.ParsePorcupineKV(&buf, "back.txt")
	if err != nil {
		t.Fatal(err)
	}
	if diff := sameHistory(h, back); diff != "" {
		t.Fatalf("c10-ok: %s", diff)
	}
}

func TestWriteUnwritable(t *testing.T) {
	bad := []formats.EtcdOperation{
		{Input: models.RegisterInput[int]{Op: models.Write, Value: -3}, Call: 0, Return: 1},
	}
	if err := formats.WriteJepsenEtcd(new(bytes.Buffer), bad); !errors.Is(err, formats.ErrUnwritable) {
		t.Errorf("negative write: %v", err)
	}
	bad = []formats.EtcdOperation{
		{Input: models.RegisterInput[int]{Op: models.CompareAndSet, Value: 1, New: 2}, Output: models.RegisterOutput[int]{Unknown: true}, Call: 0, Return: 1},
	}
	if err := formats.WriteJepsenEtcd(new(bytes.Buffer), bad); !errors.Is(err, formats.ErrUnwritable) {
		t.Errorf("completed cas with unknown result: %v", err)
	}
}
