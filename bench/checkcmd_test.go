package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/check/rewrite"
	"github.com/labludus/ludus/check/sync"
)

// The ludus check benchmarks.
//
// CheckBuild: the cost of building a package's tests for ludus check
// (loading, type-checking, rewriting, writing the overlay, go test -c with
// it) against a plain go test -c, on a copy of examples/unmodified in which
// one file changes every iteration, so that both recompile the package
// (their dependencies come from the build cache, as in a user's edit-test
// loop).
//
// CheckSchedules: schedules explored per second by a test with ten
// goroutines, written as an ordinary Go test and explored by ludus check
// (rewritten onto the runtime), against the same test written by hand
// against the check API. Both explore the same number of schedules; the
// metric is schedules per second of exploration (process start excluded).

// copyModule copies the module at src into a new temporary directory.
func copyModule(b *testing.B, src string) string {
	b.Helper()
	dst := b.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		b.Fatal(err)
	}
	return dst
}

func goIn(b *testing.B, dir string, env []string, args ...string) {
	b.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func BenchmarkCheckBuild(b *testing.B) {
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off")
	for _, impl := range []string{"plain", "ludus"} {
		b.Run(impl, func(b *testing.B) {
			dir := copyModule(b, filepath.Join("..", "examples", "unmodified"))
			bin := filepath.Join(b.TempDir(), "t.test")
			i := 0
			for b.Loop() {
				i++
				stamp := fmt.Sprintf("package unmodified\n\nconst stamp = %d\n", i)
				if err := os.WriteFile(filepath.Join(dir, "stamp.go"), []byte(stamp), 0o644); err != nil {
					b.Fatal(err)
				}
				if impl == "plain" {
					goIn(b, dir, env, "test", "-c", "-vet=off", "-o", bin, ".")
					continue
				}
				prog, err := rewrite.Prepare(context.Background(), rewrite.Config{Dir: dir, Env: env, Runtime: os.Getenv("LUDUS_TEST_RUNTIME")})
				if err != nil {
					b.Fatal(err)
				}
				goIn(b, dir, prog.Env, append(append([]string{"test", "-c", "-vet=off", "-o", bin}, prog.BuildFlags...), ".")...)
				prog.Close()
			}
		})
	}
}

// checkTenSrc is the ordinary test CheckSchedules explores: ten goroutines
// add to a counter under a mutex.
const checkTenSrc = `package ten

import (
	"sync"
	"testing"
)

func TestTen(t *testing.T) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	n := 0
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			n++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if n != 10 {
		t.Errorf("n = %d", n)
	}
}
`

// checkTen is checkTenSrc written against the check API by hand.
func checkTen(t *check.T) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	n := check.NewVar("n", 0)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		t.Go("func", func() {
			defer wg.Done()
			mu.Lock()
			n.Store(n.Load() + 1)
			mu.Unlock()
		})
	}
	wg.Wait()
	if got := n.Load(); got != 10 {
		t.Errorf("n = %d", got)
	}
}

// checkBudget is the executions each sample explores.
const checkBudget = 2000

func BenchmarkCheckSchedules(b *testing.B) {
	b.Run("handwritten", func(b *testing.B) {
		var schedules int64
		var elapsed time.Duration
		for b.Loop() {
			start := time.Now()
			rep := check.Run(checkTen, check.MaxExecutions(checkBudget))
			elapsed += time.Since(start)
			schedules += int64(rep.Executions)
		}
		b.ReportMetric(float64(schedules)/elapsed.Seconds(), "schedules/s")
	})
	b.Run("rewritten", func(b *testing.B) {
		bin, dir := buildTen(b)
		results := filepath.Join(b.TempDir(), "results.jsonl")
		var schedules int64
		var elapsed time.Duration
		for b.Loop() {
			os.Remove(results)
			cmd := exec.Command(bin, "-test.run", "^TestTen$")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "LUDUS_CHECK_RESULTS="+results, fmt.Sprintf("LUDUS_CHECK_BUDGET=%d", checkBudget))
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v\n%s", err, out)
			}
			s, d := tenResult(b, results)
			schedules += s
			elapsed += d
		}
		b.ReportMetric(float64(schedules)/elapsed.Seconds(), "schedules/s")
	})
}

// buildTen writes checkTenSrc as a go 1.21 module and builds its test
// binary as ludus check does.
func buildTen(b *testing.B) (bin, dir string) {
	dir = b.TempDir()
	for name, content := range map[string]string{"go.mod": "module example.com/ten\n\ngo 1.21\n", "ten_test.go": checkTenSrc} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	env := append(os.Environ(), "GOWORK=off", "GOPROXY=off")
	prog, err := rewrite.Prepare(context.Background(), rewrite.Config{Dir: dir, Env: env, Runtime: os.Getenv("LUDUS_TEST_RUNTIME")})
	if err != nil {
		b.Fatal(err)
	}
	defer prog.Close()
	bin = filepath.Join(b.TempDir(), "ten.test")
	goIn(b, dir, prog.Env, append(append([]string{"test", "-c", "-vet=off", "-o", bin}, prog.BuildFlags...), ".")...)
	return bin, dir
}

// tenResult reads the schedules and the exploration time of TestTen.
func tenResult(b *testing.B, file string) (int64, time.Duration) {
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		var r struct {
			Type      string `json:"type"`
			Test      string `json:"test"`
			Schedules int64  `json:"schedules"`
			ElapsedNS int64  `json:"elapsed_ns"`
		}
		if json.Unmarshal([]byte(line), &r) == nil && r.Type == "result" && r.Test == "TestTen" {
			return r.Schedules, time.Duration(r.ElapsedNS)
		}
	}
	b.Fatalf("no result for TestTen in %s", data)
	return 0, 0
}
