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

// heavyRecorded are the recorded histories that take seconds to check,
// minutes under the race detector: recorded_heavy_test.go checks them in
// builds without it (and the benchmark checks every verdict it measures).
var heavyRecorded = map[string]bool{"kv-c40-bad.txt.gz": true, "kv-c60-ok.txt.gz": true}

// TestRecordedVerdicts checks the histories the project recorded from real
// Go objects (linear/testdata/recorded; see its README): "-ok" ones are
// linearizable and "-bad" ones are not, with both search orders and, for
// registers, with each alone.
func TestRecordedVerdicts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "recorded", "*.gz"))
	if err != nil || len(files) < 10 {
		t.Fatalf("want the 10 recorded histories in linear/testdata/recorded, found %d (%v)", len(files), err)
	}
	for _, file := range files {
		if heavyRecorded[filepath.Base(file)] {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			checkRecorded(t, file)
			if strings.HasPrefix(filepath.Base(file), "register-") {
				for _, o := range []linear.Order{linear.ReturnsFirst, linear.CallOrder} {
					checkRecorded(t, file, linear.SearchOrders(o))
				}
			}
		})
	}
}

// checkRecorded checks one recorded history with opts, against the
// verdict its name gives.
func checkRecorded(t *testing.T, file string, opts ...linear.Option) {
	t.Helper()
	name := filepath.Base(file)
	want := linear.NotLinearizable
	if strings.Contains(name, "-ok.") {
		want = linear.Linearizable
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var res linear.Result
	if strings.HasPrefix(name, "kv-") {
		h, err := formats.ParsePorcupineKV(zr, name)
		if err != nil {
			t.Fatal(err)
		}
		res = linear.Check(models.KV(), h, opts...)
	} else {
		h, err := formats.ParseJepsenEtcd(zr, name)
		if err != nil {
			t.Fatal(err)
		}
		res = linear.Check(formats.EtcdModel(), h, opts...)
	}
	if res.Verdict != want {
		t.Fatalf("%s: got %v, want %v", name, res, want)
	}
}
