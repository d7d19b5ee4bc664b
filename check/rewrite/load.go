package rewrite

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/types"
	"go/version"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/tools/go/packages"
)

// LoadError is what stops a program from being prepared: the go command's
// or the type checker's messages, each with its file:line. ludus check
// prints them and exits with status 2.
type LoadError struct {
	Msgs []string
}

func (e *LoadError) Error() string { return strings.Join(e.Msgs, "\n") }

// module is the user's main module.
type module struct {
	path   string        // module path
	dir    string        // directory of go.mod
	gomod  string        // path of go.mod
	file   *modfile.File // go.mod, parsed
	lang   string        // language version of its files, "go1.21" (at least go1.18)
	goLine string        // its go line, "1.21" ("" when absent)
	goarch string        // the target architecture, for type sizes
}

// findModule asks the go command for the main module of dir.
func findModule(ctx context.Context, dir string, env []string) (*module, error) {
	cmd := exec.CommandContext(ctx, "go", "env", "GOMOD", "GOARCH")
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, &LoadError{Msgs: []string{strings.TrimSpace(string(ee.Stderr))}}
		}
		return nil, fmt.Errorf("running go env GOMOD GOARCH: %w", err)
	}
	gomod, goarch, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	gomod = strings.TrimSpace(gomod)
	if gomod == "" || gomod == os.DevNull {
		return nil, &LoadError{Msgs: []string{"ludus check: not in a Go module (no go.mod in " + dir + " or above)"}}
	}
	data, err := os.ReadFile(gomod)
	if err != nil {
		return nil, err
	}
	f, err := modfile.Parse(gomod, data, nil)
	if err != nil {
		return nil, &LoadError{Msgs: []string{err.Error()}}
	}
	m := &module{dir: filepath.Dir(gomod), gomod: gomod, file: f, goarch: strings.TrimSpace(goarch)}
	if f.Module != nil {
		m.path = f.Module.Mod.Path
	}
	if f.Go != nil {
		m.goLine = f.Go.Version
	}
	m.lang = langOf(m.goLine)
	return m, nil
}

// langOf returns the language version files of a module with go line
// goLine have, as a build tag: "go1.21" for "1.21.3", at least "go1.18"
// (the first with generics, which rewritten code calls; the compiler
// treats any file version before go1.21 as go1.21, whose loop variables
// are the same).
func langOf(goLine string) string {
	lang := version.Lang("go" + goLine)
	if lang == "" || version.Compare(lang, "go1.18") < 0 {
		return "go1.18"
	}
	return lang
}

// loaded is a package of the build as go/packages loaded it.
type loaded struct {
	pkg       *packages.Package
	underTest bool   // the package (or its test variant) is one the user named
	test      bool   // a test variant: "p [p.test]" or "p_test [p.test]"
	xtest     bool   // the external test package p_test
	lang      string // language version of its module's files
}

// load type-checks the packages under test, the packages of the main
// module they import and the packages -instrument names, from source;
// everything else comes from export data.
func load(ctx context.Context, dir string, env []string, m *module, patterns, instrument []string) ([]*loaded, error) {
	graph, named, err := listGraph(ctx, dir, env, patterns)
	if err != nil {
		return nil, err
	}
	inst, err := instrumented(ctx, dir, env, instrument)
	if err != nil {
		return nil, err
	}
	source := map[string]*packages.Package{} // by ID: what to type-check from source
	packages.Visit(graph, nil, func(p *packages.Package) {
		if !strings.HasSuffix(p.ID, ".test") && (p.Module != nil && p.Module.Main || inst[p.PkgPath]) {
			source[p.ID] = p
		}
	})
	var pkgs []*packages.Package
	switch err := typecheck(ctx, dir, env, m.goarch, graph, source); {
	case errors.Is(err, errFallback):
		if pkgs, err = loadSource(ctx, dir, env, rootPaths(graph, named, inst)); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		for _, id := range sortedIDs(source) {
			pkgs = append(pkgs, source[id])
		}
	}
	return classify(pkgs, m, named, inst), nil
}

// listGraph lists the import graph of the packages patterns name, with
// their tests, and the import paths of the packages under test.
func listGraph(ctx context.Context, dir string, env, patterns []string) (graph []*packages.Package, named map[string]bool, err error) {
	graph, err = packages.Load(&packages.Config{
		Context: ctx, Dir: dir, Env: env, Tests: true,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedImports | packages.NeedDeps | packages.NeedModule,
	}, patterns...)
	if err != nil {
		return nil, nil, &LoadError{Msgs: []string{err.Error()}}
	}
	if msgs := listErrors(graph); len(msgs) > 0 {
		return nil, nil, &LoadError{Msgs: msgs}
	}
	named = map[string]bool{}
	for _, p := range graph {
		if !strings.HasSuffix(p.ID, ".test") && !strings.Contains(p.ID, " [") {
			named[p.PkgPath] = true
		}
	}
	if len(named) == 0 {
		return nil, nil, &LoadError{Msgs: []string{"ludus check: no packages match " + strings.Join(patterns, " ")}}
	}
	return graph, named, nil
}

// rootPaths returns the import paths to load from source: the packages
// under test, the main module's packages they import and the instrumented
// ones.
func rootPaths(graph []*packages.Package, named, inst map[string]bool) []string {
	roots := map[string]bool{}
	for p := range named {
		roots[p] = true
	}
	packages.Visit(graph, nil, func(p *packages.Package) {
		if strings.HasSuffix(p.ID, ".test") || strings.HasSuffix(p.Name, "_test") {
			return // a test main or an external test package: not importable
		}
		if p.Module != nil && p.Module.Main || inst[p.PkgPath] {
			roots[p.PkgPath] = true
		}
	})
	list := make([]string, 0, len(roots))
	for p := range roots {
		list = append(list, p)
	}
	sort.Strings(list)
	return list
}

// loadSource loads roots from source with go/packages, their dependencies
// from export data (the path for graphs typecheck leaves alone).
func loadSource(ctx context.Context, dir string, env []string, roots []string) ([]*packages.Package, error) {
	pkgs, err := packages.Load(&packages.Config{
		Context: ctx, Dir: dir, Env: env, Tests: true,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports |
			packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule | packages.NeedTypesSizes,
	}, roots...)
	if err != nil {
		return nil, &LoadError{Msgs: []string{err.Error()}}
	}
	if msgs := listErrors(pkgs); len(msgs) > 0 {
		return nil, &LoadError{Msgs: msgs}
	}
	return pkgs, nil
}

// classify keeps the packages to rewrite, each with what it is: the
// packages under test and their test variants, the main module's other
// packages and the instrumented ones (not their test variants), test
// variants first (their type information covers the test files).
func classify(pkgs []*packages.Package, m *module, named, inst map[string]bool) []*loaded {
	var out []*loaded
	kept := map[string]bool{} // IDs kept, and paths of plain packages kept
	for _, p := range pkgs {
		if !strings.Contains(p.ID, " [") {
			kept[p.PkgPath] = true
		}
	}
	for _, p := range pkgs {
		if strings.HasSuffix(p.ID, ".test") { // the generated test main
			continue
		}
		if recompiled(p) {
			// A package recompiled for another package's tests (it imports
			// that package) stands for itself when listed no other way.
			if kept[p.PkgPath] {
				continue
			}
			kept[p.PkgPath] = true
			p = plainView(p)
		}
		l := &loaded{pkg: p, lang: m.lang}
		l.test = strings.Contains(p.ID, " [")
		l.xtest = l.test && strings.HasSuffix(p.Name, "_test") && strings.HasSuffix(p.PkgPath, "_test")
		base := strings.TrimSuffix(p.PkgPath, "_test")
		if !l.xtest {
			base = p.PkgPath
		}
		l.underTest = named[base]
		if l.test && !l.underTest {
			continue // a dependency's own tests, or a variant of one for these tests
		}
		if p.Module == nil || !p.Module.Main {
			if !inst[p.PkgPath] {
				continue
			}
			l.lang = langOf(p.Module.GoVersion)
		}
		out = append(out, l)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].test && !out[j].test })
	return out
}

// recompiled reports whether p is a variant of a package built for the
// tests of another one ("r [p.test]"), not a package's own test variant.
func recompiled(p *packages.Package) bool {
	_, bracket, ok := strings.Cut(p.ID, " [")
	if !ok {
		return false
	}
	return strings.TrimSuffix(bracket, "]") != strings.TrimSuffix(p.PkgPath, "_test")+".test"
}

// plainView is p under the ID of the package it is a variant of.
func plainView(p *packages.Package) *packages.Package {
	c := *p
	c.ID = p.PkgPath
	return &c
}

// instrumented returns the import paths the -instrument patterns match.
func instrumented(ctx context.Context, dir string, env []string, patterns []string) (map[string]bool, error) {
	set := map[string]bool{}
	if len(patterns) == 0 {
		return set, nil
	}
	pkgs, err := packages.Load(&packages.Config{Context: ctx, Dir: dir, Env: env, Mode: packages.NeedName}, patterns...)
	if err != nil {
		return nil, &LoadError{Msgs: []string{err.Error()}}
	}
	if msgs := listErrors(pkgs); len(msgs) > 0 {
		return nil, &LoadError{Msgs: msgs}
	}
	for _, p := range pkgs {
		set[p.PkgPath] = true
	}
	return set, nil
}

// listErrors returns the errors of pkgs and their dependencies, each once,
// in a stable order.
func listErrors(pkgs []*packages.Package) []string {
	seen := map[string]bool{}
	var msgs []string
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			s := e.Error()
			if !seen[s] {
				seen[s] = true
				msgs = append(msgs, s)
			}
		}
	})
	return msgs
}

// fileSyntax pairs the files of a loaded package with their names.
func fileSyntax(p *packages.Package) map[string]*ast.File {
	files := map[string]*ast.File{}
	for _, f := range p.Syntax {
		if tf := p.Fset.File(f.Pos()); tf != nil {
			files[tf.Name()] = f
		}
	}
	return files
}

// varFile returns the file that declares v.
func varFile(p *packages.Package) func(*types.Var) string {
	return func(v *types.Var) string { return p.Fset.Position(v.Pos()).Filename }
}
