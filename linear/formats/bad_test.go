package formats_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/labludus/ludus/linear/formats"
)

// TestBadInput: input that is not a complete history is an error naming
// the file and the line, in both formats, never a history.
func TestBadInput(t *testing.T) {
	const (
		etcdCall = "INFO  jepsen.util - 4\t:invoke\t:read\tnil\n"
		etcdRet  = "INFO  jepsen.util - 4\t:ok\t:read\t31\n"
		kvCall   = `{:process 1, :type :invoke, :f :get, :key "k", :value nil}` + "\n"
		kvRet    = `{:process 1, :type :ok, :f :get, :key "k", :value "x"}` + "\n"
	)
	long := strings.Repeat("x", 2<<20) + "\n"
	cases := []struct {
		name, etcd, kv string
		line           int
		want           error
	}{
		{"empty", "", "", 1, formats.ErrEmpty},
		{"blank lines", "\n\n  \n", "\n\n  \n", 3, formats.ErrEmpty},
		{"no operation that happened", "hello\n", "", 1, formats.ErrEmpty},
		{"garbage", etcdCall + "INFO  jepsen.util - 4\t:ok\t:frob\t3\n", kvCall + "{:process\n", 2, formats.ErrSyntax},
		// Cut inside the value: "31" became "3", which parses.
		{"cut-off last line that parses", etcdCall + strings.TrimSuffix(etcdRet, "1\n"), kvCall + strings.TrimSuffix(kvRet, "\n"), 2, formats.ErrTruncated},
		{"cut-off last line that does not", etcdCall + etcdRet[:20], kvCall + kvRet[:30], 2, formats.ErrSyntax},
		{"line too long", etcdCall + long, kvCall + long, 2, formats.ErrLineTooLong},
	}
	for _, c := range cases {
		for _, f := range []struct {
			format, input string
			parse         func(string) error
		}{
			{"jepsen-etcd", c.etcd, func(s string) error { _, err := formats.ParseJepsenEtcd(strings.NewReader(s), "in.log"); return err }},
			{"porcupine-kv", c.kv, func(s string) error { _, err := formats.ParsePorcupineKV(strings.NewReader(s), "in.log"); return err }},
		} {
			err := f.parse(f.input)
			var pe *formats.ParseError
			if !errors.Is(err, c.want) || !errors.As(err, &pe) || pe.File != "in.log" || pe.Line != c.line {
				t.Errorf("%s, %s: got %v, want %v at in.log:%d", c.name, f.format, err, c.want, c.line)
			}
		}
	}
	// A blank last line without a newline is not a cut-off one.
	if _, err := formats.ParseJepsenEtcd(strings.NewReader(etcdCall+etcdRet+"  "), "in.log"); err != nil {
		t.Errorf("trailing blanks: %v", err)
	}
	// Every call failed: nothing happened.
	allFailed := `{:process 1, :type :invoke, :f :put, :key "k", :value "v"}` + "\n" + `{:process 1, :type :fail, :f :put, :key "k", :value "v"}` + "\n"
	if _, err := formats.ParsePorcupineKV(strings.NewReader(allFailed), "in.log"); !errors.Is(err, formats.ErrEmpty) {
		t.Errorf("all calls failed: %v", err)
	}
}
