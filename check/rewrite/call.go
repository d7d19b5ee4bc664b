package rewrite

import (
	"go/ast"
	"go/types"
)

// call rewrites a call: builtins on channels and maps, the testing.T
// methods the runtime takes over, runtime.Gosched and NumGoroutine, calls
// that block outside the checker, and the operands of any other call.
func (r *fileRewriter) call(x *ast.CallExpr) {
	fun := unparen(x.Fun)
	if r.isType(fun) { // a conversion
		for _, a := range x.Args {
			r.expr(a, read)
		}
		return
	}
	if id, ok := fun.(*ast.Ident); ok {
		if b, ok := r.info.Uses[id].(*types.Builtin); ok {
			r.builtin(x, id, b.Name())
			return
		}
	}
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		if s := r.info.Selections[sel]; s != nil && s.Kind() == types.MethodVal && r.tMethod(sel, s) && fun == x.Fun {
			r.tCall(x, sel, s)
			return
		}
		if pn := r.pkgNameOf(sel); pn != nil && pn.Imported().Path() == "runtime" {
			switch sel.Sel.Name {
			case "Gosched", "NumGoroutine":
				r.replace(sel.Pos(), sel.End(), r.rtCall(sel.Sel.Name))
				r.pkgGone[pn]++
				for _, a := range x.Args {
					r.expr(a, read)
				}
				return
			}
		}
	}
	if name, ok := r.external(x); ok && !r.marked[x] && r.numResults(x) == 1 {
		r.usedRT = true
		r.insert(x.Pos(), rt+".Exit1("+rt+".Enter("+quote(name)+"), ")
		r.plainCall(x)
		r.insert(x.End(), ")")
		return
	}
	r.plainCall(x)
}

// plainCall rewrites the function operand and the arguments of a call.
func (r *fileRewriter) plainCall(x *ast.CallExpr) {
	r.expr(x.Fun, read)
	for i, a := range x.Args {
		wrap := r.tbWrap(x, i)
		if wrap != "" {
			r.insert(a.Pos(), r.rtCall(wrap)+"(")
		}
		r.expr(a, read)
		if wrap != "" {
			r.insert(a.End(), ")")
		}
	}
}

// tbWrap returns the runtime's wrapper (WrapT, WrapTB) for argument i of
// call x when it converts a *testing.T or testing.TB to an interface with
// methods (a logger's TestingT, testify's require.TestingT): calls
// through that interface then reach the runtime as t.Errorf written in
// the test does. It returns "" otherwise.
func (r *fileRewriter) tbWrap(x *ast.CallExpr, i int) string {
	sig, ok := types.Unalias(r.typeOf(x.Fun)).Underlying().(*types.Signature)
	if !ok {
		return ""
	}
	ps := sig.Params()
	var param types.Type
	switch {
	case sig.Variadic() && i >= ps.Len()-1:
		if x.Ellipsis.IsValid() {
			return ""
		}
		param = ps.At(ps.Len() - 1).Type().(*types.Slice).Elem()
	case i < ps.Len():
		param = ps.At(i).Type()
	default:
		return ""
	}
	if !types.IsInterface(param) || param.Underlying().(*types.Interface).NumMethods() == 0 {
		return ""
	}
	switch arg := r.typeOf(x.Args[i]); {
	case isTestingT(arg):
		return "WrapT"
	case isNamed(arg, "testing", "TB"):
		return "WrapTB"
	}
	return ""
}

// numResults returns the number of results of call x.
func (r *fileRewriter) numResults(x *ast.CallExpr) int {
	switch t := r.typeOf(x).(type) {
	case nil:
		return 0
	case *types.Tuple:
		return t.Len()
	default:
		return 1
	}
}

// builtin rewrites a call of a built-in function.
func (r *fileRewriter) builtin(x *ast.CallExpr, id *ast.Ident, name string) {
	arg := func(i int) ast.Expr {
		if i < len(x.Args) {
			return x.Args[i]
		}
		return nil
	}
	switch name {
	case "len":
		if c, ok := isChan(r.typeOf(arg(0))); ok {
			fn := "Len"
			if c.Dir() == types.SendOnly {
				fn = "LenSend"
			}
			r.replace(id.Pos(), id.End(), r.rtCall(fn))
			r.expr(arg(0), read) // the variable holding the channel is read
			return
		}
		if isMap(r.typeOf(arg(0))) {
			r.mapOperand(arg(0), false)
			return
		}
	case "close":
		if _, ok := isChan(r.typeOf(arg(0))); ok {
			r.replace(id.Pos(), id.End(), r.rtCall("Close"))
			r.expr(arg(0), read) // the variable holding the channel is read
			return
		}
	case "delete":
		r.mapOperand(arg(0), true)
		r.expr(arg(1), read)
		return
	case "clear":
		if isMap(r.typeOf(arg(0))) {
			r.mapOperand(arg(0), true)
			return
		}
	case "make":
		if _, ok := isChan(r.typeOf(arg(0))); ok {
			r.insert(x.Pos(), r.rtCall("Make")+"(")
			for _, a := range x.Args[1:] {
				r.expr(a, read)
			}
			r.insert(x.End(), ")")
			return
		}
	}
	for _, a := range x.Args {
		r.expr(a, read)
	}
}

// atomicTypes are the sync/atomic types whose Add has a Discard form.
var atomicTypes = map[string]bool{"Int32": true, "Int64": true, "Uint32": true, "Uint64": true, "Uintptr": true}

// atomicDiscard renames an atomic Add whose result a statement drops,
// x.Add(d) or atomic.AddInt64(&x, d), to the drop-in's Discard form,
// which the checker treats as commuting with other such adds.
func (r *fileRewriter) atomicDiscard(call *ast.CallExpr) {
	sel, ok := unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return
	}
	if s := r.info.Selections[sel]; s != nil {
		if s.Kind() != types.MethodVal || sel.Sel.Name != "Add" {
			return
		}
		t := s.Recv()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "sync/atomic" && atomicTypes[n.Obj().Name()] {
			r.replace(sel.Sel.Pos(), sel.Sel.End(), "AddDiscard")
		}
		return
	}
	if pn := r.pkgNameOf(sel); pn != nil && pn.Imported().Path() == "sync/atomic" {
		if name := sel.Sel.Name; len(name) > 3 && name[:3] == "Add" && atomicTypes[name[3:]] {
			r.replace(sel.Sel.Pos(), sel.Sel.End(), name+"Discard")
		}
	}
}
