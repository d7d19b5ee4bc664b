package rewrite

import (
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/mod/modfile"

	ludus "github.com/labludus/ludus"
)

func TestRuntimeSourceKeepsOnlyWhatBuilds(t *testing.T) {
	src := fstest.MapFS{
		"go.mod":                              {Data: []byte("module github.com/labludus/ludus\n\ngo 1.26.0\n\nrequire golang.org/x/tools v0.52.0\n")},
		"check/run.go":                        {Data: []byte("package check\n")},
		"check/run_test.go":                   {Data: []byte("package check\n")},
		"check/internal/engine/fp.s":          {Data: []byte("TEXT\n")},
		"check/internal/engine/e.go":          {Data: []byte("package engine\n")},
		"check/internal/engine/testdata/x.go": {Data: []byte("package x\n")},
		"check/rewrite/file.go":               {Data: []byte("package rewrite\n")},
		"check/rt/README.md":                  {Data: []byte("# rt\n")},
	}
	rs, err := loadRuntimeSource(src)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range rs.files {
		names = append(names, n)
	}
	sort.Strings(names)
	if got := strings.Join(names, " "); got != "check/internal/engine/e.go check/internal/engine/fp.s check/run.go" {
		t.Errorf("files %s", got)
	}
	if rs.goVersion != "1.26.0" || !strings.Contains(string(rs.goMod()), "go 1.26.0") || strings.Contains(string(rs.goMod()), "require") {
		t.Errorf("go version %q, go.mod\n%s", rs.goVersion, rs.goMod())
	}
	parent := t.TempDir()
	dir1, err := rs.unpack(parent)
	if err != nil {
		t.Fatal(err)
	}
	dir2, err := rs.unpack(parent)
	if err != nil || dir2 != dir1 {
		t.Fatalf("second unpack: %q, %v; want %q", dir2, err, dir1)
	}
	if b, err := os.ReadFile(filepath.Join(dir1, "check", "internal", "engine", "fp.s")); err != nil || string(b) != "TEXT\n" {
		t.Errorf("unpacked fp.s: %q, %v", b, err)
	}
	rs.files["check/run.go"] = []byte("package check // changed\n")
	if dir3, err := rs.unpack(parent); err != nil || dir3 == dir1 {
		t.Errorf("changed source unpacked into %q (%v), want a new directory", dir3, err)
	}
}

// TestEmbeddedRuntime: the binary carries the runtime the rewritten code
// imports.
func TestEmbeddedRuntime(t *testing.T) {
	rs, err := loadRuntimeSource(ludus.CheckRuntime)
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]bool{}
	for name := range rs.files {
		dirs[path.Dir(name)] = true
	}
	// every package rewritten code imports travels in the binary
	for _, imp := range append([]string{RuntimePath}, swapTargets()...) {
		if dir := strings.TrimPrefix(imp, ModulePath+"/"); !dirs[dir] {
			t.Errorf("the embedded runtime lacks %s (directory %s)", imp, dir)
		}
	}
	for name := range rs.files {
		if strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "check/rewrite/") {
			t.Errorf("embedded runtime unpacks %s", name)
		}
	}
}

func TestModFile(t *testing.T) {
	for _, tc := range []struct {
		name, gomod string
		want, not   []string
	}{
		{"raises the go line and drops an older toolchain",
			"module example.com/m\n\ngo 1.21\n\ntoolchain go1.22.1\n\nrequire golang.org/x/sync v0.1.0\n",
			[]string{"go 1.26.0", "github.com/labludus/ludus v0.0.0", "replace github.com/labludus/ludus => /rt", "golang.org/x/sync v0.1.0"},
			[]string{"toolchain"}},
		{"keeps a newer go line", "module example.com/m\n\ngo 1.27\n",
			[]string{"go 1.27", "replace github.com/labludus/ludus => /rt"}, []string{"go 1.26"}},
		{"keeps a ludus requirement the module has", "module example.com/m\n\ngo 1.26\n\nrequire github.com/labludus/ludus v1.0.0\n",
			[]string{"require github.com/labludus/ludus v1.0.0"}, []string{"replace"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			gomod := filepath.Join(dir, "go.mod")
			if err := os.WriteFile(gomod, []byte(tc.gomod), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "go.sum"), []byte("sum\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			f, _ := modfile.Parse(gomod, []byte(tc.gomod), nil)
			m := &module{dir: dir, gomod: gomod, file: f}
			out := filepath.Join(t.TempDir(), "go.mod")
			if err := writeModFile(m, out, "/rt", "1.26.0"); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(out)
			for _, w := range tc.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("go.mod lacks %q:\n%s", w, b)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(string(b), n) {
					t.Errorf("go.mod has %q:\n%s", n, b)
				}
			}
			if sum, err := os.ReadFile(strings.TrimSuffix(out, ".mod") + ".sum"); err != nil || string(sum) != "sum\n" {
				t.Errorf("go.sum not copied: %q, %v", sum, err)
			}
		})
	}
}

func swapTargets() []string {
	var targets []string
	for _, to := range swaps {
		targets = append(targets, to)
	}
	sort.Strings(targets)
	return targets
}
