package rewrite

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// testRuntime is the runtime the build tests use: the copy embedded in the
// test binary unless LUDUS_TEST_RUNTIME names a module directory (for
// working on the runtime itself).
func testRuntime() string { return os.Getenv("LUDUS_TEST_RUNTIME") }

// copyTree copies the directory src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// corpusModule lays testdata/corpus out as a go 1.21 module, as a user's
// module that does not require ludus, and returns its directory.
func corpusModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, filepath.Join("testdata", "corpus"), dir)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module corpus\n\ngo 1.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// goCmd runs the go command in dir and returns its combined output.
func goCmd(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// offline is the environment of a build that must not reach the network.
func offline() []string {
	return append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOWORK=off")
}

// TestCorpusSameOutput builds every program of the corpus as it is and
// rewritten onto the runtime, offline, in a go 1.21 module that does not
// require ludus, and checks that both print the same: outside an
// exploration the rewritten program behaves as the original (the go 1.21
// loop variables of loopvar included).
func TestCorpusSameOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the corpus twice (-short)")
	}
	dir := corpusModule(t)
	env := offline()
	origBin, newBin := filepath.Join(t.TempDir(), "orig"), filepath.Join(t.TempDir(), "new")
	goCmd(t, dir, env, "build", "-o", origBin+"/", "./...")
	prog, err := Prepare(context.Background(), Config{Dir: dir, Patterns: []string{"./..."}, Env: env, Runtime: testRuntime()})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	if prog.Lang != "go1.21" {
		t.Errorf("language version %q, want go1.21", prog.Lang)
	}
	goCmd(t, dir, prog.Env, append(append([]string{"build", "-o", newBin + "/"}, prog.BuildFlags...), "./...")...)
	programs, err := os.ReadDir(origBin)
	if err != nil {
		t.Fatal(err)
	}
	if len(programs) < 6 {
		t.Fatalf("built %d programs, want every corpus program", len(programs))
	}
	for _, p := range programs {
		t.Run(p.Name(), func(t *testing.T) {
			want := runProgram(t, filepath.Join(origBin, p.Name()))
			got := runProgram(t, filepath.Join(newBin, p.Name()))
			if got != want {
				t.Errorf("rewritten program prints\n%s\nthe original\n%s", got, want)
			}
		})
	}
}

func runProgram(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, out)
	}
	return string(out)
}

// TestCorpusTests runs the corpus's tests (every testing.T form the
// rewriter redirects, TestMain, subtests, Skip) as they are and rewritten:
// each test ends the same way.
func TestCorpusTests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the corpus's tests twice (-short)")
	}
	dir := corpusModule(t)
	env := offline()
	want := testVerdicts(goCmd(t, dir, env, "test", "-count=1", "-v", "./testforms"))
	prog, err := Prepare(context.Background(), Config{Dir: dir, Patterns: []string{"./testforms"}, Env: env, Runtime: testRuntime()})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	args := append(append([]string{"test", "-count=1", "-v", "-vet=off"}, prog.BuildFlags...), "./testforms")
	got := testVerdicts(goCmd(t, dir, prog.Env, args...))
	if len(want) < 4 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rewritten tests end\n%s\nthe originals\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

var verdictLine = regexp.MustCompile(`^\s*--- (PASS|FAIL|SKIP): (\S+)`)

// testVerdicts returns "PASS TestX" for each top-level test go test -v
// reports, sorted by test name. Subtests are left out: rewritten, a test's
// subtests run inside its exploration (once per schedule), not as the real
// T's subtests.
func testVerdicts(out string) []string {
	var v []string
	for _, line := range strings.Split(out, "\n") {
		if m := verdictLine.FindStringSubmatch(line); m != nil && !strings.Contains(m[2], "/") {
			v = append(v, m[2]+" "+m[1])
		}
	}
	sort.Strings(v)
	return v
}
