package rewrite

import (
	"go/ast"
	"go/build/constraint"
	"go/token"
	"go/types"
	"path"
	"sort"
	"strconv"
	"strings"
)

// fixImports swaps the imports of sync, sync/atomic, time, context and
// math/rand for the runtime's drop-ins (keeping the file's local name),
// blanks the imports whose every use the rewrite replaced, and adds the
// runtime and any other import the rewrite needs, on the line of the last
// import so no line moves.
func (r *fileRewriter) fixImports() {
	for _, im := range r.file.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		if pn := r.importedName(im); pn != nil && r.pkgUses[pn] > 0 && r.pkgGone[pn] == r.pkgUses[pn] {
			if im.Name != nil {
				r.replace(im.Name.Pos(), im.Name.End(), "_")
			} else {
				r.insert(im.Path.Pos(), "_ ")
			}
			continue
		}
		to, ok := swaps[p]
		if !ok {
			continue
		}
		if im.Name == nil {
			r.insert(im.Path.Pos(), stdName(p)+" ")
		}
		r.replace(im.Path.Pos(), im.Path.End(), strconv.Quote(to))
	}
	var specs []string
	if r.usedRT {
		specs = append(specs, rt+" "+strconv.Quote(RuntimePath))
	}
	paths := make([]string, 0, len(r.added))
	for p := range r.added {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		specs = append(specs, r.added[p]+" "+strconv.Quote(p))
	}
	if len(specs) == 0 {
		return
	}
	text := "; import (" + strings.Join(specs, "; ") + ")"
	at := r.file.Name.End()
	for _, d := range r.file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			at = g.End()
		}
	}
	r.insert(at, text)
}

// importedName returns the package name an import spec declares.
func (r *fileRewriter) importedName(im *ast.ImportSpec) *types.PkgName {
	if im.Name != nil {
		if pn, ok := r.info.Defs[im.Name].(*types.PkgName); ok {
			return pn
		}
		return nil
	}
	pn, _ := r.info.Implicits[im].(*types.PkgName)
	return pn
}

// stdName is the package name of a standard import path ("rand" for
// math/rand/v2).
func stdName(p string) string {
	base := path.Base(p)
	if strings.HasPrefix(base, "v") && strings.Contains(p, "/") {
		if _, err := strconv.Atoi(base[1:]); err == nil {
			return path.Base(path.Dir(p))
		}
	}
	return base
}

// version gives the file the language version of its module: its build
// constraint gains "&& go1.N" (or the file gains "//go:build go1.N"), so
// the raised go line of the temporary module file does not change what the
// file means (loop variables above all).
func (r *fileRewriter) version() {
	if r.opts.GoVersion == "" {
		return
	}
	tag := &constraint.TagExpr{Tag: r.opts.GoVersion}
	var plus []constraint.Expr
	for _, g := range r.file.Comments {
		if g.Pos() >= r.file.Package {
			break
		}
		for _, c := range g.List {
			if constraint.IsGoBuild(c.Text) {
				x, err := constraint.Parse(c.Text)
				if err != nil {
					r.fail(c, "bad build constraint: %v", err)
					return
				}
				r.replace(c.Pos(), c.End(), "//go:build "+(&constraint.AndExpr{X: x, Y: tag}).String())
				return
			}
			if constraint.IsPlusBuild(c.Text) {
				if x, err := constraint.Parse(c.Text); err == nil {
					plus = append(plus, x)
				}
			}
		}
	}
	var x constraint.Expr = tag
	for i := len(plus) - 1; i >= 0; i-- {
		x = &constraint.AndExpr{X: plus[i], Y: x}
	}
	r.buf.insert(0, "//go:build "+x.String()+"\n\n/*line :1:1*/")
}
