package ludus

// The layers of docs/architecture.md, enforced: every ludus package may
// import only the ludus packages below it, as written in layerRules, in
// its non-test files and its tests, in the default build and in the tagged
// builds. Like the standard library's go/build deps_test.go, the rules are
// data and a new package must be given a place in them before it can land.
//
// This test lives at the module root because it is about the whole module;
// the root's only other file embeds the checker runtime's source for
// "ludus check" (checkruntime.go).

import (
	"fmt"
	"go/build"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// layerRules says which ludus packages each ludus package may import.
//
//	a, b < c, d;   c and d may import a and b, and everything a and b may.
//	NONE < a;      a imports nothing of ludus.
//	a < b < c;     b may import a; c may import b (and so a).
//
// Names are package paths relative to the module; "x/..." is x and every
// package below it; a package under x/internal/ belongs to x. UPPERCASE
// names are groups, not packages. A name must have its rule before it is
// used on the left of "<", so the rules are acyclic by construction.
//
// Three more kinds of statement widen the rules for tests and builds:
//
//	test: a, b;            tests of any package may also import a and b
//	seam tag: a for b;     with -tags tag, non-test files of b may import a
//	xtest p: a, b;         p's external tests (package p_test) may import a, b
//	module m: a, b;        non-test files of a and b may import module m
//	                       (a prefix ending in /..., or ANY); every package
//	                       may import the standard library and golang.org/x,
//	                       and tests may import any module.
const layerRules = `
# Verification: the checker and linear import nothing of the library.
NONE
< check/internal/...       # the engine: scheduler, strategies, happens-before
< check                   # Explore, Run, Chan, Var, Go
< check/atomic            # the drop-in shims of the standard packages
< check/sync
< check/time
< check/context, check/math/rand, check/math/rand/v2
< check/rt                # what code rewritten by ludus check calls
< CHECK;                  # the checker's runtime surface

NONE < linear < linear/models < linear/formats < LINEAR;

# Shared-state tools, and the leaves the models share: panics (recovered
# panics) and errmode (first error or all errors, for par and pool).
NONE < panics, lock, lockfree, immutable, errmode < TOOLS;

# The models. Each may use the tools; none uses another model, except:
TOOLS < async, par, csp, actor;
async < pool;              # Submit settles an async future
async, pool < evloop;      # awaits futures; offloads blocking work to a pool
actor < actor/remote;      # remote refs are actor refs over NATS
async, pool, par, csp, actor, evloop, actor/remote < MODELS;

# The guide's code examples are programs that may use the library.
MODELS < examples/...;

# Above the library: the lab, the rewriter, the lab's pages, the command.
# The module root embeds the checker runtime's source and imports nothing.
NONE < .;

MODELS, CHECK, LINEAR < lab;
CHECK, . < check/rewrite;
lab < web;
web, check/rewrite, LINEAR < cmd/ludus;

# The library reaches the checker only from tests, and through the
# ludus_check build tag, which swaps a package's synchronisation seam for
# the checker's runtime so that check.Explore drives the real code.
test: CHECK, LINEAR;
seam ludus_check: CHECK for MODELS;

# panics' tests check that errors.As finds its error through every package
# that recovers panics with it.
xtest panics: async, par, csp, pool, actor, evloop;

# Third-party modules in non-test code: the command and the lab may use a
# well-kept library (go.mod says which), remote actors use NATS and CBOR.
module ANY: lab, web, cmd/ludus;
module github.com/nats-io/...: actor/remote;
module github.com/fxamacker/cbor/...: actor/remote;   # its default codec (issue 18)
`

const modulePath = "github.com/labludus/ludus"

// buildTags are the builds whose imports are checked: the default, the
// checker-instrumented one and the one without deadlock detection.
var buildTags = [][]string{nil, {"ludus_check"}, {"ludus_nolockdep"}}

func TestLayers(t *testing.T) {
	pol := layerPolicy(t)
	for _, tags := range buildTags {
		pkgs, err := loadPackages(".", tags)
		if err != nil {
			t.Fatal(err)
		}
		if len(pkgs) < 10 || !importsLudus(pkgs, "pool", "async") {
			t.Fatalf("found %d packages, or missed pool's import of async: is the test running at the module root?", len(pkgs))
		}
		for _, v := range pol.check(pkgs, tags) {
			t.Errorf("%v", v)
		}
	}
}

// importsLudus reports whether package pkg of pkgs imports ludus package
// imp in its non-test files: a check that loadPackages reads imports.
func importsLudus(pkgs []*build.Package, pkg, imp string) bool {
	for _, p := range pkgs {
		if p.ImportPath == pkg {
			return slices.Contains(p.Imports, modulePath+"/"+imp)
		}
	}
	return false
}

// layerPolicy parses layerRules, placing its lines in this file.
func layerPolicy(t *testing.T) *policy {
	t.Helper()
	const file = "layers_test.go"
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(src), "const layerRules = `")
	if i < 0 {
		t.Fatalf("%s: no layerRules constant", file)
	}
	pol, err := parsePolicy(layerRules, token.Position{Filename: file, Line: strings.Count(string(src[:i]), "\n") + 1})
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

// loadPackages reads the imports of every package of the module rooted at
// root, as the go command would build them with tags: non-test imports,
// in-package test imports and external test imports, with positions.
// Nested modules (bench/), testdata and hidden directories are skipped.
func loadPackages(root string, tags []string) ([]*build.Package, error) {
	ctxt := build.Default
	ctxt.BuildTags = tags
	var pkgs []*build.Package
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root {
			if name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		p, err := ctxt.ImportDir(path, 0)
		if _, none := err.(*build.NoGoError); none {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rel, _ := filepath.Rel(root, path)
		p.ImportPath = filepath.ToSlash(rel)
		pkgs = append(pkgs, p)
		return nil
	})
	return pkgs, err
}

// fakePkg is a package of a made-up module: path relative to the module,
// and its non-test, test and external test imports (ludus paths relative,
// others as they are).
func fakePkg(path string, imports, testImports, xtestImports []string) *build.Package {
	p := &build.Package{ImportPath: path}
	full := func(imps []string) ([]string, map[string][]token.Position) {
		var out []string
		pos := map[string][]token.Position{}
		for i, imp := range imps {
			if first, _, _ := strings.Cut(imp, "/"); !strings.Contains(first, ".") && isLudus(imp) {
				imp = modulePath + "/" + imp
			}
			out = append(out, imp)
			pos[imp] = []token.Position{{Filename: path + "/fake.go", Line: i + 3}}
		}
		return out, pos
	}
	p.Imports, p.ImportPos = full(imports)
	p.TestImports, p.TestImportPos = full(testImports)
	p.XTestImports, p.XTestImportPos = full(xtestImports)
	return p
}

// isLudus tells the fake graph's ludus packages from standard ones.
func isLudus(path string) bool {
	switch first, _, _ := strings.Cut(path, "/"); first {
	case "lock", "actor", "async", "pool", "par", "csp", "check", "lab", "web", "panics", "newpkg", "linear", "evloop":
		return true
	}
	return false
}

// fakeModule is a small module laid out as layerRules wants, with one
// example of each kind of import the rules allow.
func fakeModule() []*build.Package {
	return []*build.Package{
		fakePkg("panics", []string{"runtime"}, nil, []string{"panics", "async", "par"}),
		fakePkg("lock", []string{"sync/atomic"}, []string{"check", "check/sync"}, []string{"lock", "linear"}),
		fakePkg("async", []string{"panics", "context"}, nil, []string{"async", "go.uber.org/goleak"}),
		fakePkg("pool", []string{"async", "panics"}, nil, nil),
		fakePkg("par", []string{"panics"}, nil, nil),
		fakePkg("csp", []string{"panics"}, nil, nil),
		fakePkg("actor", []string{"lock", "golang.org/x/sys/unix"}, nil, nil),
		fakePkg("actor/remote", []string{"actor", "github.com/nats-io/nats.go"}, nil, nil),
		fakePkg("evloop", []string{"async", "pool"}, nil, nil),
		fakePkg("check/internal/engine", nil, nil, nil),
		fakePkg("check", []string{"check/internal/engine"}, nil, nil),
		fakePkg("check/sync", []string{"check/internal/engine"}, nil, nil),
		fakePkg("linear", nil, nil, nil),
		fakePkg("lab", []string{"actor", "check", "linear", "github.com/some/library"}, nil, nil),
		fakePkg("web", []string{"lab", "check"}, nil, nil),
	}
}

// withImport returns pkgs with imp added to the imports of kind k of
// package pkg, at pkg/fake.go line 99.
func withImport(pkgs []*build.Package, pkg string, k importKind, imp string) []*build.Package {
	out := slices.Clone(pkgs)
	for i, p := range out {
		if p.ImportPath != pkg {
			continue
		}
		q := *p
		added := fakePkg(pkg, []string{imp}, nil, nil)
		full := added.Imports[0]
		pos := map[string][]token.Position{full: {{Filename: pkg + "/fake.go", Line: 99}}}
		switch k {
		case nonTest:
			q.Imports, q.ImportPos = append(slices.Clone(q.Imports), full), pos
		case inPackageTest:
			q.TestImports, q.TestImportPos = append(slices.Clone(q.TestImports), full), pos
		case externalTest:
			q.XTestImports, q.XTestImportPos = append(slices.Clone(q.XTestImports), full), pos
		}
		out[i] = &q
		return out
	}
	panic("no package " + pkg)
}

// TestLayersCatchBadImports shows that TestLayers can fail: the fake
// module passes, and each import added to it below is caught, with the
// problem and the rule broken.
func TestLayersCatchBadImports(t *testing.T) {
	pol := layerPolicy(t)
	if vs := pol.check(fakeModule(), nil); len(vs) > 0 {
		t.Fatalf("the fake module breaks the rules: %v", vs)
	}
	for _, tc := range []struct {
		pkg, imp string
		kind     importKind
		tags     []string
		want     problem
		wantRule string // in the message
	}{
		{"lock", "actor", nonTest, nil, upward,
			`rule broken: layers_test.go:LOCKLINE: "NONE < panics, lock, lockfree, immutable, errmode < TOOLS" lets lock import nothing of ludus; actor sits above it`},
		{"check", "lock", nonTest, nil, upward, `lets check import only check/internal/...; lock sits above it`},
		{"par", "csp", nonTest, nil, sideways, `"TOOLS < async, par, csp, actor" lets par import only panics, lock, lockfree, immutable`},
		{"pool", "evloop", nonTest, nil, upward, `evloop sits above it`},
		{"async", "check/sync", nonTest, nil, testOnly, `check/sync may be imported by tests`},
		{"async", "check/sync", nonTest, []string{"ludus_nolockdep"}, testOnly, `-tags ludus_check`},
		{"lock", "lab", inPackageTest, nil, upward, `lab sits above it`},
		{"csp", "par", externalTest, nil, sideways, `lets csp import only panics`},
		{"lock", "newpkg", nonTest, nil, noRule, `add newpkg to layerRules`},
		{"lock", "github.com/some/library", nonTest, nil, thirdParty, `must allow github.com/some/library for lock`},
		{"actor/remote", "github.com/other/mq", nonTest, nil, thirdParty, `for actor/remote`},
	} {
		pkgs := withImport(fakeModule(), tc.pkg, tc.kind, tc.imp)
		vs := pol.check(pkgs, tc.tags)
		if len(vs) != 1 {
			t.Errorf("%s imports %s (%v): %d violations, want 1: %v", tc.pkg, tc.imp, tc.kind, len(vs), vs)
			continue
		}
		v := vs[0]
		wantRule := strings.Replace(tc.wantRule, "LOCKLINE", strconv.Itoa(toolsLine(t)), 1)
		if v.problem != tc.want || v.pkg != tc.pkg || v.kind != tc.kind || !strings.Contains(v.String(), wantRule) {
			t.Errorf("%s imports %s (%v):\n%v\nwant %v with %q", tc.pkg, tc.imp, tc.kind, v, tc.want, wantRule)
		}
		if v.pos.Filename != tc.pkg+"/fake.go" || v.pos.Line != 99 {
			t.Errorf("%s imports %s: position %v, want the import's", tc.pkg, tc.imp, v.pos)
		}
		t.Logf("caught as expected:\n%v", v)
	}
	// The build tag seam: with -tags ludus_check a library package's
	// non-test files may import the checker, but the checker never the
	// library, and the lab never through a seam it does not have.
	for _, tc := range []struct {
		pkg, imp string
		ok       bool
	}{{"async", "check/sync", true}, {"lock", "check", true}, {"check", "lock", false}, {"par", "csp", false}} {
		vs := pol.check(withImport(fakeModule(), tc.pkg, nonTest, tc.imp), []string{"ludus_check"})
		if (len(vs) == 0) != tc.ok {
			t.Errorf("-tags ludus_check, %s imports %s: violations %v, want ok=%v", tc.pkg, tc.imp, vs, tc.ok)
		}
	}
	// A package the rules do not place is caught even when it imports
	// nothing.
	vs := pol.check(append(fakeModule(), fakePkg("newpkg", nil, nil, nil)), nil)
	if len(vs) != 1 || vs[0].problem != noRule || vs[0].pkg != "newpkg" {
		t.Errorf("a package without a rule: %v", vs)
	}
}

// toolsLine is the line of layers_test.go that places lock.
func toolsLine(t *testing.T) int {
	src, err := os.ReadFile("layers_test.go")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(src), "NONE < panics, lock,")
	return strings.Count(string(src[:i]), "\n") + 1
}

func TestLayerRulesSyntax(t *testing.T) {
	for _, tc := range []struct{ rules, want string }{
		{"NONE < a; a < b; b < a;", `rules:1: "b < a": a already has a rule`},
		{"NONE < a;\nc < b;", `rules:2: "c < b": c is used before its own rule`},
		{"NONE < a;\nb < NONE;", `b is used before its own rule`},
		{"NONE < a < NONE;", `NONE cannot import anything`},
		{"NONE < a\n", `statement not closed by ';'`},
		{"NONE < a;\na;", `want a chain`},
		{"NONE < a;\n a < ;", `empty list around '<'`},
		{"NONE < a;\ntest: b;", `b has no rule`},
		{"NONE < a;\ntest: ;", `empty list`},
		{"NONE < a;\nseam tag a;", `want "seam tag: a for b"`},
		{"NONE < a;\nseam t: a for c;", `c has no rule`},
		{"NONE < a;\nxtest a b;", `want "xtest p: a, b"`},
		{"NONE < a;\nmodule : a;", `want "module m: a, b"`},
	} {
		_, err := parsePolicy(tc.rules, token.Position{Filename: "rules", Line: 1})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parsePolicy(%q): %v, want %q", tc.rules, err, tc.want)
		}
	}
}

func TestProblemAndKindNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{upward.String(), "upward import"}, {sideways.String(), "sideways import"},
		{testOnly.String(), "test-only import in a non-test file"}, {noRule.String(), "package without a rule"},
		{thirdParty.String(), "third-party import"}, {problem(0).String(), "problem(0)"},
		{nonTest.String(), "non-test"}, {inPackageTest.String(), "test"}, {externalTest.String(), "external test"},
		{importKind(9).String(), "importKind(9)"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}
