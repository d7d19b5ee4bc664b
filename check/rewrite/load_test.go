package rewrite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeModule writes files (path -> content) under a new directory.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// multiModule has a package p whose external test imports r, which imports
// p: the graph holds r only as "r [p.test]", recompiled for p's tests.
var multiModule = map[string]string{
	"go.mod":          "module example.com/mp\n\ngo 1.22\n",
	"p/p.go":          "package p\n\nimport \"sync\"\n\ntype Counter struct {\n\tmu sync.Mutex\n\tn  int\n}\n\nfunc (c *Counter) Inc() { c.mu.Lock(); c.n++; c.mu.Unlock() }\n\nfunc (c *Counter) N() int { return c.n }\n",
	"p/p_test.go":     "package p\n\nimport \"testing\"\n\nfunc TestInc(t *testing.T) {\n\tvar c Counter\n\tc.Inc()\n\tif c.n != 1 {\n\t\tt.Fatal(c.n)\n\t}\n}\n",
	"p/p_x_test.go":   "package p_test\n\nimport (\n\t\"testing\"\n\n\t\"example.com/mp/p\"\n\t\"example.com/mp/r\"\n)\n\nfunc TestRun(t *testing.T) {\n\tvar c p.Counter\n\tr.Run(&c, 3)\n\tif c.N() != 3 {\n\t\tt.Fatal(c.N())\n\t}\n}\n",
	"r/r.go":          "package r\n\nimport (\n\t\"sync\"\n\n\t\"example.com/mp/p\"\n)\n\nfunc Run(c *p.Counter, n int) {\n\tvar wg sync.WaitGroup\n\tfor range n {\n\t\twg.Add(1)\n\t\tgo func() { defer wg.Done(); c.Inc() }()\n\t}\n\twg.Wait()\n}\n",
	"q/q.go":          "package q\n\nimport \"example.com/mp/r\"\n\nvar _ = r.Run\n",
	"q/q_test.go":     "package q\n\nimport \"testing\"\n\nfunc TestQ(t *testing.T) {}\n",
	"unused/u.go":     "package unused\n",
	"p/testdata/x.go": "package ignored\n",
}

// summary is what the rewriter is given: each package as it sees it, with
// its files.
func summary(pkgs []*loaded) []string {
	var out []string
	for _, l := range pkgs {
		var files []string
		for _, f := range l.pkg.CompiledGoFiles {
			files = append(files, filepath.Base(f))
		}
		out = append(out, fmt.Sprintf("%s test=%v xtest=%v under=%v types=%v %v",
			l.pkg.ID, l.test, l.xtest, l.underTest, l.pkg.Types != nil && l.pkg.TypesInfo != nil, files))
	}
	slices.Sort(out)
	return out
}

// The loader type-checks the graph it lists once, and gives the rewriter
// the same packages, files and kinds as go/packages loading them from
// source: a package recompiled for another's tests is rewritten as itself.
func TestLoadMatchesGoPackages(t *testing.T) {
	dir := writeModule(t, multiModule)
	env := offline()
	ctx := context.Background()
	for _, patterns := range [][]string{{"./p"}, {"./..."}, {"./q"}} {
		m, err := findModule(ctx, dir, env)
		if err != nil {
			t.Fatal(err)
		}
		got, err := load(ctx, dir, env, m, patterns, nil)
		if err != nil {
			t.Fatalf("%v: %v", patterns, err)
		}
		graph, named, err := listGraph(ctx, dir, env, patterns)
		if err != nil {
			t.Fatal(err)
		}
		inst := map[string]bool{}
		old, err := loadSource(ctx, dir, env, rootPaths(graph, named, inst))
		if err != nil {
			t.Fatal(err)
		}
		want := classify(old, m, named, inst)
		if g, w := summary(got), summary(want); !slices.Equal(g, w) {
			t.Errorf("%v:\n got  %s\n want %s", patterns, strings.Join(g, "\n      "), strings.Join(w, "\n      "))
		}
	}
}

// A type error is a LoadError naming its file and line.
func TestLoadTypeError(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"go.mod":      "module example.com/bad\n\ngo 1.22\n",
		"b.go":        "package bad\n\nfunc F() int { return \"x\" }\n",
		"b_test.go":   "package bad\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) { F() }\n",
		"syntax/s.go": "package syntax\n\nfunc (\n",
	})
	for pattern, want := range map[string]string{".": "b.go:3:", "./syntax": "s.go:3:"} {
		_, err := Prepare(context.Background(), Config{Dir: dir, Env: offline(), Patterns: []string{pattern}, Runtime: testRuntime()})
		var le *LoadError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want a LoadError at %s", pattern, err, want)
		}
	}
}

// A package with cgo is loaded by go/packages (typecheck leaves it), and
// its Go files are still rewritten.
func TestLoadCgoFallsBack(t *testing.T) {
	out, err := exec.Command("go", "env", "CGO_ENABLED").Output()
	if err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Skip("cgo is off here (go env CGO_ENABLED), or no C compiler: install gcc")
	}
	dir := writeModule(t, map[string]string{
		"go.mod":    "module example.com/c\n\ngo 1.22\n",
		"c.go":      "package c\n\n// int twice(int x) { return 2 * x; }\nimport \"C\"\n\nfunc Twice(x int) int { return int(C.twice(C.int(x))) }\n",
		"plain.go":  "package c\n\nvar n int\n\nfunc Inc() { n++ }\n",
		"c_test.go": "package c\n\nimport \"testing\"\n\nfunc TestTwice(t *testing.T) { Inc(); if Twice(2) != 4 { t.Fatal() } }\n",
	})
	prog, err := Prepare(context.Background(), Config{Dir: dir, Env: offline(), Runtime: testRuntime()})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	var rewritten []string
	for _, orig := range prog.original {
		rewritten = append(rewritten, filepath.Base(orig))
	}
	if !slices.Contains(rewritten, "plain.go") || !slices.Contains(rewritten, "c_test.go") {
		t.Errorf("rewritten %v, want plain.go and c_test.go among them", rewritten)
	}
}
