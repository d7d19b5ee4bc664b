package ludus_test

import (
	"bufio"
	"fmt"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README runs: every ```go snippet of README.md must appear, line for
// line (whitespace aside), in a _test.go file (the body of an Example, or a
// test function shown whole) or in a program under examples/, so that a
// snippet that drifts from the code fails here instead of misleading a
// reader.

// snippet is one ```go block of a Markdown file.
type snippet struct {
	file    string
	line    int    // line of the opening fence
	section string // the heading above it
	lines   []string
}

// goSnippets returns the ```go blocks of the Markdown file path.
func goSnippets(t *testing.T, path string) []snippet {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []snippet
	var cur *snippet
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "#"):
			section = strings.TrimSpace(strings.TrimLeft(line, "#"))
		case cur == nil && strings.TrimSpace(line) == "```go":
			cur = &snippet{file: path, line: n, section: section}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("%s:%d: a ```go block is never closed", path, cur.line)
	}
	return out
}

// normalize collapses each line's whitespace (indentation, gofmt's
// alignment of comments) and drops empty lines.
func normalize(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// compiledSources returns the normalized lines of every file a snippet may
// live in: _test.go files, which go test compiles and runs, and the Go
// files under examples/. Directories named testdata and hidden ones are
// skipped.
func compiledSources(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (name == "testdata" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasPrefix(filepath.ToSlash(path), "examples/") || strings.HasSuffix(path, "_test.go") {
			out[filepath.ToSlash(path)] = normalize(strings.Split(string(b), "\n"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// longestRun returns how many leading lines of want appear, in order and
// contiguous, somewhere in have.
func longestRun(have, want []string) int {
	best := 0
	for i := range have {
		n := 0
		for n < len(want) && i+n < len(have) && have[i+n] == want[n] {
			n++
		}
		best = max(best, n)
	}
	return best
}

func TestReadmeSnippetsAreCompiled(t *testing.T) {
	sources := compiledSources(t)
	snippets := goSnippets(t, "README.md")
	if len(snippets) == 0 {
		t.Fatal("README.md has no ```go snippets: the extraction is broken")
	}
	for _, s := range snippets {
		want := normalize(s.lines)
		bestFile, best := "", 0
		for file, have := range sources {
			if n := longestRun(have, want); n > best || (n == best && file < bestFile) {
				bestFile, best = file, n
			}
		}
		if best == len(want) {
			continue
		}
		msg := fmt.Sprintf("%s:%d: the ```go snippet of %q (%d lines, starting %q) is in no test file (an Example's body, or a test shown whole) and no examples/ program.",
			s.file, s.line, s.section, len(want), want[0])
		if best > 0 {
			msg += fmt.Sprintf("\n\tclosest: %s, which has its first %d lines; the README's next line is\n\t\t%q\n\tcopy the snippet into that file (or fix the README) so that they match line for line",
				bestFile, best, want[best])
		} else {
			msg += "\n\tput it, as the README has it, in the body of an Example_readme in the package's readme_example_test.go (with // Output:), or a test function shown whole in a _test.go file"
		}
		t.Error(msg)
	}
}

// TestReadmeSnippetCheckCatchesDrift: the check above fails, naming the
// snippet and the file, when a snippet differs from its Example by one
// line, and passes when only whitespace differs.
func TestReadmeSnippetCheckCatchesDrift(t *testing.T) {
	have := normalize([]string{"func Example_readme() {", "\tx := f(1)  // one", "\ty := g(x)", "}"})
	if n := longestRun(have, normalize([]string{"x := f(1) // one", "y   :=   g(x)"})); n != 2 {
		t.Fatalf("whitespace-only differences: %d of 2 lines matched", n)
	}
	if n := longestRun(have, normalize([]string{"x := f(1) // one", "y := g(2)"})); n != 1 {
		t.Fatalf("a drifted second line: %d lines matched, want 1", n)
	}
	dir := t.TempDir()
	md := filepath.Join(dir, "R.md")
	if err := os.WriteFile(md, []byte("# Top\n\n## pkg: the idea\n\n```go\nx := f(1)\n\n```\n```sh\nnot go\n```\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := goSnippets(t, md)
	if len(s) != 1 || s[0].line != 5 || s[0].section != "pkg: the idea" || len(normalize(s[0].lines)) != 1 {
		t.Fatalf("extracted %+v", s)
	}
}

// docSnippets returns the code blocks of the package documentation in dir
// (the package clause comment of its non-test files), each as lines.
func docSnippets(t *testing.T, dir string) [][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			t.Fatal(err)
		}
		if f.Doc == nil {
			continue
		}
		for _, b := range new(comment.Parser).Parse(f.Doc.Text()).Content {
			if code, ok := b.(*comment.Code); ok {
				out = append(out, strings.Split(code.Text, "\n"))
			}
		}
	}
	return out
}

// TestPackageDocSnippetsAreCompiled: the code in these packages' docs runs
// as written, in one of the package's own test files (the immutable doc's
// snippet once dereferenced a nil pointer).
func TestPackageDocSnippetsAreCompiled(t *testing.T) {
	sources := compiledSources(t)
	for _, dir := range []string{"immutable", "lockfree", "lab"} {
		for _, code := range docSnippets(t, dir) {
			want := normalize(code)
			found := false
			for file, have := range sources {
				if strings.HasPrefix(file, dir+"/") && longestRun(have, want) == len(want) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s/doc.go: the code block starting %q is in none of the package's test files; run it in an Example", dir, want[0])
			}
		}
	}
}
