package formats_test

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/formats"
	"github.com/labludus/ludus/linear/models"
)

// TestRecordedVerdicts checks the histories the project recorded from real
// Go objects (linear/testdata/recorded; see its README): "-ok" ones are
// linearizable and "-bad" ones are not, in each search order alone.
func TestRecordedVerdicts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "recorded", "*.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories in linear/testdata/recorded: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		want := linear.NotLinearizable
		if strings.Contains(name, "-ok.") {
			want = linear.Linearizable
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range []linear.Order{linear.ReturnsFirst, linear.CallOrder} {
				var res linear.Result
				if strings.HasPrefix(name, "kv-") {
					h, err := formats.ParsePorcupineKV(zr, name)
					if err != nil {
						t.Fatal(err)
					}
					res = linear.Check(models.KV(), h, linear.SearchOrders(o))
				} else {
					h, err := formats.ParseJepsenEtcd(zr, name)
					if err != nil {
						t.Fatal(err)
					}
					res = linear.Check(formats.EtcdModel(), h, linear.SearchOrders(o))
				}
				if res.Verdict != want {
					t.Fatalf("%v: got %v, want %v", o, res, want)
				}
				if _, err := f.Seek(0, 0); err != nil {
					t.Fatal(err)
				}
				if err := zr.Reset(f); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
