package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"
)

// RuntimePath is the import path of the runtime rewritten code calls.
const RuntimePath = "github.com/labludus/ludus/check/rt"

// rt is the local name of the runtime in every rewritten file.
const rt = "ludus_rt"

// swaps maps each standard package the rewriter replaces to its drop-in
// under the checker's control (same API, same package name).
var swaps = map[string]string{
	"sync":         "github.com/labludus/ludus/check/sync",
	"sync/atomic":  "github.com/labludus/ludus/check/atomic",
	"time":         "github.com/labludus/ludus/check/time",
	"context":      "github.com/labludus/ludus/check/context",
	"math/rand":    "github.com/labludus/ludus/check/math/rand",
	"math/rand/v2": "github.com/labludus/ludus/check/math/rand/v2",
}

// FileOptions says how one file is rewritten.
type FileOptions struct {
	// Tests wraps the file's TestXxx functions in an exploration: set for
	// the _test.go files of a package under test.
	Tests bool
	// GoVersion, such as "go1.21", is added to the file's build constraint
	// so the file keeps that language version when the temporary module
	// file raises the go line. Empty adds no constraint.
	GoVersion string
}

// fileRewriter rewrites one file. It walks the original syntax tree with
// its type information and records text edits; nothing is reprinted.
type fileRewriter struct {
	fset *token.FileSet
	tf   *token.File // the file's position table, for offsets and lines
	file *ast.File
	info *types.Info
	pkg  *types.Package
	opts FileOptions
	buf  *buffer

	shared  map[*types.Var]bool    // locals that goroutines may share: captured or address taken
	usedRT  bool                   // the file now refers to ludus_rt
	usedGen bool                   // the file calls a helper of the package's generated file
	pkgUses map[*types.PkgName]int // uses of each imported package name in the original
	pkgGone map[*types.PkgName]int // of those, uses the rewrite replaced
	marked  map[*ast.CallExpr]bool // external calls a statement already marked
	imports map[string]string      // path -> local name of the file's imports (not blank, not dot)
	added   map[string]string      // imports the rewrite adds: path -> ludus_ name
	funcs   []*funcInfo            // enclosing functions, innermost last
	tmp     int                    // counter for unique temporaries in the file
	errs    []error                // forms the rewriter could not handle
}

// funcInfo describes an enclosing function.
type funcInfo struct {
	sig     *types.Signature
	hasGoto bool // the body uses goto: declaring temporaries could jump over them
}

// RewriteFile rewrites one parsed and type-checked file of pkg onto the
// check runtime and returns the new source. src must be the file's text.
func RewriteFile(fset *token.FileSet, file *ast.File, src []byte, info *types.Info, pkg *types.Package, opts FileOptions) ([]byte, error) {
	tf := fset.File(file.Pos())
	if tf == nil || tf.Size() != len(src) {
		return nil, fmt.Errorf("rewrite: %s: source does not match the parsed file", fset.Position(file.Pos()).Filename)
	}
	r := &fileRewriter{
		fset: fset, tf: tf, file: file, info: info, pkg: pkg, opts: opts,
		buf:     newBuffer(src),
		pkgUses: map[*types.PkgName]int{},
		pkgGone: map[*types.PkgName]int{},
		imports: map[string]string{},
		added:   map[string]string{},
		marked:  map[*ast.CallExpr]bool{},
	}
	r.shared = sharedLocals(file, info)
	r.countPkgUses()
	if isCgo(file) {
		// cgo files are left as they are (their preamble and the C
		// pseudo-package do not survive edits well); they only keep their
		// language version.
		r.version()
		return r.buf.bytes(), nil
	}
	for _, d := range file.Decls {
		r.decl(d)
	}
	r.fixImports()
	r.version()
	if len(r.errs) > 0 {
		return nil, r.errs[0]
	}
	return r.buf.bytes(), nil
}

// isCgo reports whether f imports "C".
func isCgo(f *ast.File) bool {
	for _, im := range f.Imports {
		if im.Path.Value == `"C"` {
			return true
		}
	}
	return false
}

// off returns the byte offset of p in the file.
func (r *fileRewriter) off(p token.Pos) int { return r.tf.Offset(p) }

// rtName marks the runtime as used and returns "ludus_rt.name".
func (r *fileRewriter) rtCall(name string) string {
	r.usedRT = true
	return rt + "." + name
}

// newTemp returns a fresh temporary name with the given stem.
func (r *fileRewriter) newTemp(stem string) string {
	r.tmp++
	return "ludus_" + stem + strconv.Itoa(r.tmp)
}

// nl returns the newlines of the original text of [pos, end), to keep in
// place of text an edit removes.
func (r *fileRewriter) nl(pos, end token.Pos) string {
	return strings.Repeat("\n", strings.Count(r.buf.text(r.off(pos), r.off(end)), "\n"))
}

// replace replaces the original [pos, end) with text, keeping its newlines
// after the new text.
func (r *fileRewriter) replace(pos, end token.Pos, text string) {
	r.buf.replace(r.off(pos), r.off(end), text+r.nl(pos, end))
}

// insert inserts text before pos.
func (r *fileRewriter) insert(pos token.Pos, text string) { r.buf.insert(r.off(pos), text) }

// src returns the rewritten text of node n as it stands (its edits so far
// applied), to be repeated elsewhere; n must not be edited afterwards.
func (r *fileRewriter) src(n ast.Node) string { return r.buf.render(r.off(n.Pos()), r.off(n.End())) }

// move removes n's text (edits included) from its place and returns it
// ready to be inserted at dst: when the lines differ, it is wrapped in line
// directives so its tokens keep their original lines and the text after it
// keeps dst's.
func (r *fileRewriter) move(n ast.Node, dst token.Pos) string {
	s := r.buf.take(r.off(n.Pos()), r.off(n.End()))
	from := r.fset.Position(n.Pos())
	to := r.fset.Position(dst)
	if from.Line == to.Line {
		return s
	}
	return fmt.Sprintf("/*line :%d:%d*/%s/*line :%d:%d*/", from.Line, from.Column, s, to.Line, to.Column)
}

// typeOf returns the type of e, or nil.
func (r *fileRewriter) typeOf(e ast.Expr) types.Type { return r.info.TypeOf(e) }

// isType reports whether e denotes a type.
func (r *fileRewriter) isType(e ast.Expr) bool {
	tv, ok := r.info.Types[e]
	return ok && tv.IsType()
}

// fail records a form the rewriter cannot handle.
func (r *fileRewriter) fail(n ast.Node, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("%s: rewrite: %s", r.fset.Position(n.Pos()), fmt.Sprintf(format, args...)))
}

// countPkgUses counts how often each imported package name is used, so an
// import whose every use the rewrite replaced can become a blank import.
func (r *fileRewriter) countPkgUses() {
	for _, im := range r.file.Imports {
		path, _ := strconv.Unquote(im.Path.Value)
		var name string
		if im.Name != nil {
			name = im.Name.Name
		} else if pn, ok := r.info.Implicits[im].(*types.PkgName); ok {
			name = pn.Name()
		}
		if name != "" && name != "_" && name != "." {
			r.imports[path] = name
		}
	}
	ast.Inspect(r.file, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if pn, ok := r.info.Uses[id].(*types.PkgName); ok {
				r.pkgUses[pn]++
			}
		}
		return true
	})
}

// pkgNameOf returns the package name object sel's X denotes, if sel is a
// qualified identifier.
func (r *fileRewriter) pkgNameOf(sel *ast.SelectorExpr) *types.PkgName {
	if id, ok := sel.X.(*ast.Ident); ok {
		if pn, ok := r.info.Uses[id].(*types.PkgName); ok {
			return pn
		}
	}
	return nil
}

// qualifier spells packages as the file imports them, adding an import
// with a ludus_ name for a package the file does not import.
func (r *fileRewriter) qualifier(p *types.Package) string {
	if p == r.pkg {
		return ""
	}
	if name, ok := r.imports[p.Path()]; ok {
		return name
	}
	return r.addImport(p.Path())
}

// addImport adds an import of path under a ludus_ name and returns it.
func (r *fileRewriter) addImport(path string) string {
	if name, ok := r.added[path]; ok {
		return name
	}
	name := "ludus_" + strings.NewReplacer("/", "_", ".", "_", "-", "_").Replace(path)
	r.added[path] = name
	return name
}
