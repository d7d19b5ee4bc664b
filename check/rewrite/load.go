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
}

// findModule asks the go command for the main module of dir.
func findModule(ctx context.Context, dir string, env []string) (*module, error) {
	cmd := exec.CommandContext(ctx, "go", "env", "GOMOD")
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, &LoadError{Msgs: []string{strings.TrimSpace(string(ee.Stderr))}}
		}
		return nil, fmt.Errorf("running go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
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
	m := &module{dir: filepath.Dir(gomod), gomod: gomod, file: f}
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
	graph, err := packages.Load(&packages.Config{
		Context: ctx, Dir: dir, Env: env, Tests: true,
		Mode: packages.NeedName | packages.NeedImports | packages.NeedDeps | packages.NeedModule,
	}, patterns...)
	if err != nil {
		return nil, &LoadError{Msgs: []string{err.Error()}}
	}
	if msgs := listErrors(graph); len(msgs) > 0 {
		return nil, &LoadError{Msgs: msgs}
	}
	named := map[string]bool{} // import paths of the packages under test
	for _, p := range graph {
		if !strings.HasSuffix(p.ID, ".test") && !strings.Contains(p.ID, " [") {
			named[p.PkgPath] = true
		}
	}
	if len(named) == 0 {
		return nil, &LoadError{Msgs: []string{"ludus check: no packages match " + strings.Join(patterns, " ")}}
	}
	inst, err := instrumented(ctx, dir, env, instrument)
	if err != nil {
		return nil, err
	}
	roots := map[string]bool{}
	for p := range named {
		roots[p] = true
	}
	packages.Visit(graph, nil, func(p *packages.Package) {
		if strings.HasSuffix(p.ID, ".test") || strings.HasSuffix(p.Name, "_test") {
			return // a test main or an external test package: not importable
		}
		if p.Module != nil && p.Module.Main {
			roots[p.PkgPath] = true
		}
		if inst[p.PkgPath] {
			roots[p.PkgPath] = true
		}
	})
	rootList := make([]string, 0, len(roots))
	for p := range roots {
		rootList = append(rootList, p)
	}
	sort.Strings(rootList)
	pkgs, err := packages.Load(&packages.Config{
		Context: ctx, Dir: dir, Env: env, Tests: true,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports |
			packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule | packages.NeedTypesSizes,
	}, rootList...)
	if err != nil {
		return nil, &LoadError{Msgs: []string{err.Error()}}
	}
	if msgs := listErrors(pkgs); len(msgs) > 0 {
		return nil, &LoadError{Msgs: msgs}
	}
	var out []*loaded
	for _, p := range pkgs {
		if strings.HasSuffix(p.ID, ".test") { // the generated test main
			continue
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
			continue // a dependency's own tests are not part of the build
		}
		if p.Module == nil || !p.Module.Main {
			if !inst[p.PkgPath] {
				continue
			}
			l.lang = langOf(p.Module.GoVersion)
		}
		out = append(out, l)
	}
	// test variants first: their type information covers the test files
	sort.SliceStable(out, func(i, j int) bool { return out[i].test && !out[j].test })
	return out, nil
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
