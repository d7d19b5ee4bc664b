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
			var pe *formats.ParseError
			if !errors.As(err, &pe) || pe.File != "fuzz.log" {
				t.Fatalf("error without location: %v", err)
			}
			return
		}
		validHistory(t, ops)
		linear.Check(formats.EtcdModel(), ops)
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
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ops, err := formats.ParsePorcupineKV(strings.NewReader(s), "fuzz.txt")
		if err != nil {
			var pe *formats.ParseError
			if !errors.As(err, &pe) || pe.File != "fuzz.txt" {
				t.Fatalf("error without location: %v", err)
			}
			return
		}
		validHistory(t, ops)
		a, b := linear.Check(models.KV(), ops), linear.Check(models.KVMap(), ops)
		if a.Verdict != b.Verdict {
			t.Fatalf("partitioned %v, whole %v", a, b)
		}
	})
}

func validHistory[I, O any](t *testing.T, ops []linear.Operation[I, O]) {
	t.Helper()
	for i, op := range ops {
		if op.Return < op.Call {
			t.Fatalf("operation %d returns before its call: %+v", i, op)
		}
	}
}
