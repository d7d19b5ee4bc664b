package rewrite

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"slices"
	"strings"

	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"
)

// Type-checking the packages to rewrite from the import graph.
//
// go/packages can load the packages to rewrite from source with their
// dependencies from export data, but it asks the go command for export
// data of every package it lists, the ones it then reads from source
// included: go list -export compiles the user's packages and their test
// variants (the unmodified code) only for the result to be thrown away,
// which cost ludus check a third of its load time on a small package and
// more the larger the package. Here the graph listed once (without export
// data) gives the files and the imports of every package; only the
// dependencies are listed again for their export data (from the build
// cache, nothing compiled when they are unchanged), and the packages to
// rewrite are type-checked here, in import order.
//
// errFallback says that the graph has a shape this loader leaves to
// go/packages: cgo in a package to type-check, or a dependency that is a
// test variant (a package outside the main module importing the package
// under test).
var errFallback = errors.New("rewrite: graph left to go/packages")

// checker type-checks the source set of a graph.
type checker struct {
	fset    *token.FileSet
	sizes   types.Sizes
	source  map[string]*packages.Package // by ID: the packages checked from source
	exports map[string]string            // by package path: export data files of the rest
	view    map[string]*types.Package    // by package path: packages read from export data
	done    map[string]bool              // by ID: source packages checked
	errs    []string                     // parse and type errors, as file:line:col: message
}

// typecheck fills Fset, Syntax, Types, TypesInfo and CompiledGoFiles of
// every graph package in source (keyed by ID), reading the rest from
// export data.
func typecheck(ctx context.Context, dir string, env []string, goarch string, graph []*packages.Package, source map[string]*packages.Package) error {
	c := &checker{
		fset: token.NewFileSet(), sizes: types.SizesFor("gc", goarch), source: source,
		view: map[string]*types.Package{}, done: map[string]bool{},
	}
	deps, err := c.dependencies(graph)
	if err != nil {
		return err
	}
	parsed := make(chan error, 1)
	go func() { parsed <- c.parseAll() }()
	exports, listErr := exportFiles(ctx, dir, env, deps)
	if err := <-parsed; err != nil {
		return err
	}
	if listErr != nil {
		return listErr
	}
	c.exports = exports
	for _, id := range sortedIDs(source) {
		c.check(source[id])
	}
	if len(c.errs) > 0 {
		return &LoadError{Msgs: c.errs}
	}
	return nil
}

// dependencies returns the package paths outside the source set that
// packages in it import, or errFallback.
func (c *checker) dependencies(graph []*packages.Package) ([]string, error) {
	seen := map[string]bool{}
	var deps []string
	var fallback bool
	packages.Visit(graph, nil, func(p *packages.Package) {
		if c.source[p.ID] != nil || strings.HasSuffix(p.ID, ".test") || p.PkgPath == "unsafe" || seen[p.PkgPath] {
			return
		}
		if strings.Contains(p.ID, " [") {
			fallback = true
		}
		seen[p.PkgPath] = true
		deps = append(deps, p.PkgPath)
	})
	if fallback {
		return nil, errFallback
	}
	return deps, nil
}

// exportFiles lists the export data files of paths.
func exportFiles(ctx context.Context, dir string, env []string, paths []string) (map[string]string, error) {
	out := map[string]string{}
	if len(paths) == 0 {
		return out, nil
	}
	pkgs, err := packages.Load(&packages.Config{Context: ctx, Dir: dir, Env: env, Mode: packages.NeedName | packages.NeedExportFile}, paths...)
	if err != nil {
		return nil, &LoadError{Msgs: []string{err.Error()}}
	}
	if msgs := listErrors(pkgs); len(msgs) > 0 {
		return nil, &LoadError{Msgs: msgs}
	}
	for _, p := range pkgs {
		out[p.PkgPath] = p.ExportFile
	}
	return out, nil
}

// parseAll parses the files of every source package (each file once: a
// package and its test variant share files), or returns errFallback for
// cgo.
func (c *checker) parseAll() error {
	files := map[string]*ast.File{}
	for _, id := range sortedIDs(c.source) {
		p := c.source[id]
		p.Fset = c.fset
		p.CompiledGoFiles = p.GoFiles
		p.Syntax = nil
		for _, name := range p.GoFiles {
			f, ok := files[name]
			if !ok {
				var err error
				f, err = parser.ParseFile(c.fset, name, nil, parser.AllErrors|parser.ParseComments)
				if err != nil {
					c.parseError(name, err)
					continue
				}
				files[name] = f
			}
			for _, imp := range f.Imports {
				if imp.Path.Value == `"C"` {
					return errFallback
				}
			}
			p.Syntax = append(p.Syntax, f)
		}
	}
	if len(c.errs) > 0 {
		return &LoadError{Msgs: c.errs}
	}
	return nil
}

// parseError records a parse error, each message with its position.
func (c *checker) parseError(name string, err error) {
	var list scanner.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			c.errs = append(c.errs, e.Error())
		}
		return
	}
	c.errs = append(c.errs, fmt.Sprintf("%s: %v", name, err))
}

// check type-checks p after the source packages it imports.
func (c *checker) check(p *packages.Package) {
	if c.done[p.ID] {
		return
	}
	c.done[p.ID] = true
	for _, imp := range p.Imports {
		if c.source[imp.ID] != nil {
			c.check(imp)
		}
	}
	conf := &types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) { return c.importFor(p, path) }),
		Sizes:    c.sizes,
		Error:    func(err error) { c.errs = append(c.errs, err.Error()) },
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		conf.GoVersion = "go" + p.Module.GoVersion
	}
	p.TypesInfo = newInfo()
	p.Types = types.NewPackage(p.PkgPath, p.Name)
	_ = types.NewChecker(conf, c.fset, p.Types, p.TypesInfo).Files(p.Syntax) // errors went to conf.Error
}

// importFor resolves an import of p: a source package, or export data.
func (c *checker) importFor(p *packages.Package, path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	imp := p.Imports[path]
	if imp == nil {
		return nil, fmt.Errorf("%s: import %q not in the import graph", p.ID, path)
	}
	if c.source[imp.ID] != nil {
		return imp.Types, nil
	}
	return c.fromExport(imp.PkgPath)
}

// fromExport reads a package's export data into the shared view (once).
func (c *checker) fromExport(path string) (*types.Package, error) {
	if tp := c.view[path]; tp != nil && tp.Complete() {
		return tp, nil
	}
	file := c.exports[path]
	if file == "" {
		return nil, fmt.Errorf("no export data for %s", path)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	//lint:ignore SA1019 go list -export names the compiler's archives, which Read alone does not take (go/packages reads them so too)
	r, err := gcexportdata.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	return gcexportdata.Read(r, c.fset, c.view, path)
}

// newInfo is the type information the rewriter reads.
func newInfo() *types.Info {
	return &types.Info{
		Types:        map[ast.Expr]types.TypeAndValue{},
		Defs:         map[*ast.Ident]types.Object{},
		Uses:         map[*ast.Ident]types.Object{},
		Implicits:    map[ast.Node]types.Object{},
		Instances:    map[*ast.Ident]types.Instance{},
		Scopes:       map[ast.Node]*types.Scope{},
		Selections:   map[*ast.SelectorExpr]*types.Selection{},
		FileVersions: map[*ast.File]string{},
	}
}

// importerFunc is a types.Importer.
type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// sortedIDs returns the keys of m in order, so that errors come in a
// stable order.
func sortedIDs(m map[string]*packages.Package) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
