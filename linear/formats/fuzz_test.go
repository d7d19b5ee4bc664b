package formats_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/formats"
	"github.com/labludus/ludus/linear/models"
)

func FuzzParseJepsenEtcd(f *testing.F) {
	for _, s := range []string{
		"INFO  jepsen.util - 4\t:invoke\t:read\tnil\nINFO  jepsen.util - 4\t:ok\t:read\t3\n",
		"INFO  jepsen.util - 1\t:invoke\t:write\t1\nINFO  jepsen.util - 1\t:ok\t:write\t1\n",
		"INFO  jepsen.util - 2\t:invoke\t:cas\t[2 4]\nINFO  jepsen.util - 2\t:fail\t:cas\t[2 4]\n",
		"INFO  jepsen.util - 3\t:invoke\t:read\tnil\nINFO  jepsen.util - 3\t:fail\t:read\t:timed-out\n",
		"INFO  jepsen.util - 5\t:invoke\t:cas\t[1 2]\nINFO  jepsen.util - 5\t:info\t:cas\t:timed-out\n",
		"INFO  jepsen.util - 5\t:invoke\t:write\t7\n",
		"INFO  jepsen.util - 5\t:ok\t:write\t7\n",
		"INFO  jepsen.util - x\t:invoke\t:read\tnil\n",
		"INFO  jepsen.util - 1\t:invoke\t:cas\t[1\n",
		"random text\n\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ops, err := formats.ParseJepsenEtcd(strings.NewReader(s), "fuzz.log")
		if err != nil {
			located(t, err, "fuzz.log")
			return
		}
		validHistory(t, s, ops)
		if res := linear.Check(formats.EtcdModel(), ops); res.Verdict == linear.Unknown {
			t.Fatalf("a parsed history gets no verdict: %v", res)
		}
	})
}

func FuzzParsePorcupineKV(f *testing.F) {
	for _, s := range []string{
		`{:process 9, :type :invoke, :f :append, :key "0", :value "x 9 0 y"}` + "\n" + `{:process 9, :type :ok, :f :append, :key "0", :value "x 9 0 y"}`,
		`{:process 2, :type :invoke, :f :get, :key "1", :value nil}` + "\n" + `{:process 2, :type :ok, :f :get, :key "1", :value "x"}`,
		`{:process 4, :type :invoke, :f :put, :key "3", :value "abc"}`,
		`{:process 4, :type :invoke, :f :put, :key "3", :value "abc"}` + "\n" + `{:process 4, :type :info, :f :put, :key "3", :value "abc"}`,
		`{:process 4, :type :invoke, :f :put, :key "3", :value "abc"}` + "\n" + `{:process 4, :type :fail, :f :put, :key "3", :value "abc"}`,
		`{:process 4, :type :ok, :f :put, :key "3", :value "abc"}`,
		`{:process 4, :type :invoke, :f :put, :key "3\", :value "abc"}`,
		`{:process -1}`, `{}`, `{:a`, "\n\n",
		`{:process 2, :type :invoke, :f :get, :key "1", :value nil}` + "\n" + `{:process 2, :type :ok, :f :get, :key "1", :value "x"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ops, err := formats.ParsePorcupineKV(strings.NewReader(s), "fuzz.txt")
		if err != nil {
			located(t, err, "fuzz.txt")
			return
		}
		validHistory(t, s, ops)
		a, b := linear.Check(models.KV(), ops), linear.Check(models.KVMap(), ops)
		if a.Verdict != b.Verdict {
			t.Fatalf("partitioned %v, whole %v", a, b)
		}
	})
}

// located checks that a parse error names the file and a line.
func located(t *testing.T, err error, file string) {
	t.Helper()
	var pe *formats.ParseError
	if !errors.As(err, &pe) || pe.File != file || pe.Line < 1 {
		t.Fatalf("error without location: %v", err)
	}
}

// validHistory checks what the parsers promise of a history they accept:
// complete input (operations, and a newline after the last line that is
// not blank) and no operation returning before its call.
func validHistory[I, O any](t *testing.T, input string, ops []linear.Operation[I, O]) {
	t.Helper()
	if len(ops) == 0 {
		t.Fatal("an empty history was accepted")
	}
	if rest := strings.TrimRight(input, " \t\r\v\f"); !strings.HasSuffix(rest, "\n") {
		t.Fatalf("input whose last line has no newline was accepted: %q", input)
	}
	for i, op := range ops {
		if op.Return < op.Call {
			t.Fatalf("operation %d returns before its call: %+v", i, op)
		}
	}
}
