package rewrite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/version"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/tools/go/packages"
)

// Config says what Prepare rewrites.
type Config struct {
	// Dir is where the go command runs (inside the user's module); ""
	// means the current directory.
	Dir string
	// Patterns name the packages under test, as for go test; none means ".".
	Patterns []string
	// Instrument names further packages to rewrite (dependencies outside
	// the main module), as go list patterns.
	Instrument []string
	// Env is the go command's environment; nil means os.Environ(). GOWORK
	// is always off (a temporary module file cannot serve a workspace).
	Env []string
	// Runtime is the module directory holding the check runtime's source;
	// "" unpacks the copy embedded in this binary into the user cache.
	Runtime string
}

// Program is a prepared build: the user's packages rewritten onto the
// check runtime, reachable through go build flags, the user's files
// untouched.
type Program struct {
	// Dir is the temporary directory holding the overlay, the module file
	// and the rewritten files; Close removes it.
	Dir string
	// Module is the user's module path and ModuleDir its directory.
	Module, ModuleDir string
	// Lang is the language version the module's files keep ("go1.21").
	Lang string
	// Packages are the packages under test, sorted by import path.
	Packages []*Package
	// Files is the number of files given to the build through the overlay.
	Files int
	// Env is the environment to run the go command with.
	Env []string
	// BuildFlags are the flags that make go build and go test use the
	// rewritten program: -overlay, -modfile and -mod=mod.
	BuildFlags []string
	// original maps each file written under Dir to the user's file it
	// replaces, for Unmap.
	original map[string]string
}

// Unmap replaces the names of rewritten files in a message (the go
// command's or the compiler's) with the names of the user's files they
// replace: their lines are the same.
func (p *Program) Unmap(msg string) string {
	for tmp, orig := range p.original {
		msg = strings.ReplaceAll(msg, tmp, orig)
		// the go command shortens names relative to its directory
		if rel, err := filepath.Rel(p.ModuleDir, tmp); err == nil {
			msg = strings.ReplaceAll(msg, rel, orig)
		}
	}
	return msg
}

// Package is a package under test.
type Package struct {
	ImportPath string
	Name       string
	Dir        string
	// TestFiles counts its _test.go files, in the package and its
	// external test package: without any it has no tests to run.
	TestFiles int
}

// Close removes the program's temporary directory.
func (p *Program) Close() error { return os.RemoveAll(p.Dir) }

// Prepare loads the packages cfg names, rewrites them onto the check
// runtime and writes what the go command needs to build them.
func Prepare(ctx context.Context, cfg Config) (*Program, error) {
	env := cfg.Env
	if env == nil {
		env = os.Environ()
	}
	env = append(append([]string(nil), env...), "GOWORK=off")
	dir := cfg.Dir
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	patterns := cfg.Patterns
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	m, err := findModule(ctx, dir, env)
	if err != nil {
		return nil, err
	}
	pkgs, err := load(ctx, dir, env, m, patterns, cfg.Instrument)
	if err != nil {
		return nil, err
	}
	runtimeDir, runtimeGo := cfg.Runtime, ""
	if m.path != ModulePath {
		if runtimeDir == "" {
			if runtimeDir, runtimeGo, err = RuntimeDir(); err != nil {
				return nil, err
			}
		} else if runtimeGo, err = goLineOf(filepath.Join(runtimeDir, "go.mod")); err != nil {
			return nil, err
		}
	}
	tmp, err := os.MkdirTemp("", "ludus-check-")
	if err != nil {
		return nil, err
	}
	prog := &Program{Dir: tmp, Module: m.path, ModuleDir: m.dir, Lang: m.lang, Env: env}
	if err := prog.write(m, pkgs, runtimeDir, runtimeGo); err != nil {
		prog.Close()
		return nil, err
	}
	return prog, nil
}

// write rewrites the packages into p.Dir and writes the overlay and the
// module file.
func (p *Program) write(m *module, pkgs []*loaded, runtimeDir, runtimeGo string) error {
	overlay, under, err := rewritePackages(pkgs)
	if err != nil {
		return err
	}
	p.Packages = under
	replace := map[string]string{}
	p.original = map[string]string{}
	names := make([]string, 0, len(overlay))
	for name := range overlay {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		dst := filepath.Join(p.Dir, "src", strconv.Itoa(i), filepath.Base(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, overlay[name], 0o644); err != nil {
			return err
		}
		replace[name] = dst
		p.original[dst] = name
	}
	p.Files = len(replace)
	js, err := json.MarshalIndent(struct{ Replace map[string]string }{replace}, "", "\t")
	if err != nil {
		return err
	}
	overlayPath := filepath.Join(p.Dir, "overlay.json")
	if err := os.WriteFile(overlayPath, js, 0o644); err != nil {
		return err
	}
	modPath := filepath.Join(p.Dir, "go.mod")
	if err := writeModFile(m, modPath, runtimeDir, runtimeGo); err != nil {
		return err
	}
	p.BuildFlags = []string{"-overlay=" + overlayPath, "-modfile=" + modPath, "-mod=mod"}
	return nil
}

// writeModFile writes the temporary module file: the user's, requiring the
// runtime's module replaced by its local copy, its go line raised to the
// runtime's; and a copy of go.sum beside it.
func writeModFile(m *module, path, runtimeDir, runtimeGo string) error {
	data, err := os.ReadFile(m.gomod)
	if err != nil {
		return err
	}
	f, err := modfile.Parse(m.gomod, data, nil)
	if err != nil {
		return err
	}
	if runtimeDir != "" {
		required := false
		for _, r := range f.Require {
			required = required || r.Mod.Path == ModulePath
		}
		if !required {
			if err := f.AddRequire(ModulePath, "v0.0.0"); err != nil {
				return err
			}
			if err := f.AddReplace(ModulePath, "", runtimeDir, ""); err != nil {
				return err
			}
		}
	}
	if runtimeGo != "" && (f.Go == nil || version.Compare("go"+f.Go.Version, "go"+runtimeGo) < 0) {
		if err := f.AddGoStmt(runtimeGo); err != nil {
			return err
		}
		if f.Toolchain != nil && version.Compare(f.Toolchain.Name, "go"+runtimeGo) < 0 {
			f.DropToolchainStmt()
		}
	}
	f.Cleanup()
	out, err := f.Format()
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(m.dir, "go.sum"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.WriteFile(strings.TrimSuffix(path, ".mod")+".sum", sum, 0o644)
}

func goLineOf(gomod string) (string, error) {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", err
	}
	f, err := modfile.ParseLax(gomod, data, nil)
	if err != nil {
		return "", err
	}
	if f.Go == nil {
		return "", fmt.Errorf("%s: no go line", gomod)
	}
	return f.Go.Version, nil
}

// rewritePackages rewrites every file of pkgs once (test variants first)
// and adds each package's generated file. It returns the new contents by
// file name and the packages under test.
func rewritePackages(pkgs []*loaded) (map[string][]byte, []*Package, error) {
	out := map[string][]byte{}
	under := map[string]*Package{}
	var errs []string
	genDone := map[string]bool{} // generated files written, by name
	for _, l := range pkgs {
		p := l.pkg
		if l.underTest {
			base := strings.TrimSuffix(p.PkgPath, "_test")
			if !l.xtest {
				base = p.PkgPath
			}
			if under[base] == nil {
				under[base] = &Package{ImportPath: base, Name: strings.TrimSuffix(p.Name, "_test"), Dir: pkgDir(p)}
			}
		}
		syntax := fileSyntax(p)
		for _, name := range p.CompiledGoFiles {
			isTest := strings.HasSuffix(name, "_test.go")
			if isTest && l.underTest {
				under[underKey(l)].TestFiles++
			}
			if _, done := out[name]; done {
				continue
			}
			f := syntax[name]
			if f == nil || filepath.Dir(name) != pkgDir(p) {
				continue // cgo output or a file outside the package
			}
			src, err := os.ReadFile(name)
			if err != nil {
				return nil, nil, err
			}
			b, err := RewriteFile(p.Fset, f, src, p.TypesInfo, p.Types, FileOptions{Tests: isTest && l.underTest, GoVersion: l.lang})
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			out[name] = b
		}
		for name, b := range generated(l) {
			if !genDone[name] {
				genDone[name] = true
				out[name] = b
			}
		}
	}
	if len(errs) > 0 {
		return nil, nil, &LoadError{Msgs: errs}
	}
	list := make([]*Package, 0, len(under))
	for _, p := range under {
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ImportPath < list[j].ImportPath })
	return out, list, nil
}

func underKey(l *loaded) string {
	if l.xtest {
		return strings.TrimSuffix(l.pkg.PkgPath, "_test")
	}
	return l.pkg.PkgPath
}

// pkgDir returns the directory of p's files.
func pkgDir(p *packages.Package) string {
	for _, f := range p.GoFiles {
		return filepath.Dir(f)
	}
	for _, f := range p.CompiledGoFiles {
		return filepath.Dir(f)
	}
	return ""
}

// generated returns the generated files of a loaded package: for a
// package's non-test files, ludus_gen.go (its variables' snapshot and the
// helpers); for its in-package test files, ludus_gen_test.go (their
// variables); for an external test package, ludus_gen_x_test.go.
func generated(l *loaded) map[string][]byte {
	p := l.pkg
	dir := pkgDir(p)
	if dir == "" || p.Types == nil {
		return nil
	}
	isTest := func(f string) bool { return strings.HasSuffix(f, "_test.go") }
	files := map[string][]byte{}
	switch {
	case l.xtest:
		files[filepath.Join(dir, "ludus_gen_x_test.go")] = genFile(p.Name, packageVars(p.Types, varFile(p), isTest), true)
	case l.test:
		files[filepath.Join(dir, "ludus_gen_test.go")] = genFile(p.Name, packageVars(p.Types, varFile(p), isTest), false)
		files[filepath.Join(dir, "ludus_gen.go")] = genFile(p.Name, packageVars(p.Types, varFile(p), func(f string) bool { return !isTest(f) }), true)
	default:
		files[filepath.Join(dir, "ludus_gen.go")] = genFile(p.Name, packageVars(p.Types, varFile(p), func(f string) bool { return !isTest(f) }), true)
	}
	return files
}
