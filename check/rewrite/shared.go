package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
)

// sharedLocals finds the local variables (and parameters and named
// results) that goroutines can share: those a function literal captures
// and those whose address is taken (&x, a pointer-method call or method
// value on x, slicing an array x). Other locals are private to one
// goroutine and are not instrumented.
func sharedLocals(file *ast.File, info *types.Info) map[*types.Var]bool {
	shared := map[*types.Var]bool{}
	var lits []*ast.FuncLit // enclosing function literals, innermost last
	local := func(v *types.Var) bool {
		return v != nil && !v.IsField() && v.Pkg() != nil && v.Parent() != v.Pkg().Scope() && v.Parent() != nil
	}
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			lits = append(lits, n)
			ast.Inspect(n.Body, visit)
			lits = lits[:len(lits)-1]
			return false
		case *ast.Ident:
			v, _ := info.Uses[n].(*types.Var)
			if local(v) && len(lits) > 0 {
				lit := lits[len(lits)-1]
				if v.Pos() < lit.Pos() || v.Pos() >= lit.End() {
					shared[v] = true
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				if v := rootVar(n.X, info); local(v) {
					shared[v] = true
				}
			}
		case *ast.SliceExpr:
			if _, ok := under(info.TypeOf(n.X)).(*types.Array); ok {
				if v := rootVar(n.X, info); local(v) {
					shared[v] = true
				}
			}
		case *ast.SelectorExpr:
			if sel := info.Selections[n]; sel != nil && (sel.Kind() == types.MethodVal) {
				if ptrRecv(sel) && !isPointer(info.TypeOf(n.X)) {
					if v := rootVar(n.X, info); local(v) {
						shared[v] = true
					}
				}
			}
		case *ast.RangeStmt:
			// for i := range &arr or over an addressable array by index:
			// only &arr takes the address, which UnaryExpr sees.
		}
		return true
	}
	ast.Inspect(file, visit)
	return shared
}

// rootVar returns the variable whose storage e (an addressable expression)
// lies in without passing through a pointer, or nil.
func rootVar(e ast.Expr, info *types.Info) *types.Var {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.Ident:
			v, _ := info.Uses[x].(*types.Var)
			if v == nil {
				v, _ = info.Defs[x].(*types.Var)
			}
			return v
		case *ast.SelectorExpr:
			sel := info.Selections[x]
			if sel == nil {
				// a qualified identifier
				v, _ := info.Uses[x.Sel].(*types.Var)
				return v
			}
			if sel.Kind() != types.FieldVal || sel.Indirect() || isPointer(info.TypeOf(x.X)) {
				return nil
			}
			e = x.X
		case *ast.IndexExpr:
			if _, ok := under(info.TypeOf(x.X)).(*types.Array); !ok {
				return nil
			}
			e = x.X
		default:
			return nil
		}
	}
}

// ptrRecv reports whether the method sel selects has a pointer receiver.
func ptrRecv(sel *types.Selection) bool {
	fn, ok := sel.Obj().(*types.Func)
	if !ok {
		return false
	}
	recv := fn.Type().(*types.Signature).Recv()
	return recv != nil && isPointer(recv.Type())
}

func isPointer(t types.Type) bool {
	_, ok := under(t).(*types.Pointer)
	return ok
}

// under returns t's underlying type (nil-safe); for a type parameter with
// a core type, that core type.
func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	if tp, ok := t.(*types.TypeParam); ok {
		return coreType(tp)
	}
	return t.Underlying()
}

// coreType returns the single underlying type of every type in tp's type
// set, or nil.
func coreType(tp *types.TypeParam) types.Type {
	iface, ok := tp.Constraint().Underlying().(*types.Interface)
	if !ok {
		return nil
	}
	var core types.Type
	n := iface.NumEmbeddeds()
	for i := 0; i < n; i++ {
		u, ok := iface.EmbeddedType(i).(*types.Union)
		if !ok {
			t := iface.EmbeddedType(i).Underlying()
			if _, isIface := t.(*types.Interface); isIface {
				continue
			}
			if core != nil && !types.Identical(core, t) {
				return nil
			}
			core = t
			continue
		}
		for j := 0; j < u.Len(); j++ {
			t := u.Term(j).Type().Underlying()
			if core != nil && !types.Identical(core, t) {
				return nil
			}
			core = t
		}
	}
	return core
}
