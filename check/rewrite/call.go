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
		if pn := r.pkgNameOf(sel); pn != nil && pn.Imported().Path() == "go.uber.org/goleak" && sel.Sel.Name == "VerifyNone" {
			// goleak looks at the real goroutines (the checker's workers
			// among them) and waits real time: the runtime decides in the
			// exploration, and runs the call outside one.
			r.usedRT = true
			r.insert(x.Pos(), r.rtCall("VerifyNone")+"(func() { ")
			r.plainCall(x)
			r.insert(x.End(), " })")
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
	if sel, ok := fun.(*ast.SelectorExpr); ok && len(x.Args) == 1 && r.deadlineSetter(sel) {
		// A deadline for the operating system (net.Conn.SetDeadline and
		// kin) is computed on the virtual clock: the runtime maps it to
		// the same distance from now on the real one.
		r.usedRT = true
		r.expr(x.Fun, read)
		r.insert(x.Args[0].Pos(), r.rtCall("RealDeadline")+"(")
		r.expr(x.Args[0], read)
		r.insert(x.Args[0].End(), ")")
		return
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
		r.converted(a, r.paramType(x, i))
	}
}

// converted rewrites e, a value converted to type to where it is used (an
// argument, an assignment, a composite literal's element, a result, a
// send). A *testing.T or testing.TB converted to a non-empty interface is
// wrapped (WrapT, WrapTB), so that calls through the interface reach the
// checker; to is nil where there is no conversion.
func (r *fileRewriter) converted(e ast.Expr, to types.Type) {
	wrap := tbWrapper(r.typeOf(e), to)
	if wrap != "" {
		r.insert(e.Pos(), r.rtCall(wrap)+"(")
	}
	r.expr(e, read)
	if wrap != "" {
		r.insert(e.End(), ")")
	}
}

// paramType returns the type argument i of call x is converted to: its
// parameter's (the element type for a variadic one), or the type of a
// conversion T(v); nil when there is none.
func (r *fileRewriter) paramType(x *ast.CallExpr, i int) types.Type {
	if tv := r.info.Types[x.Fun]; tv.IsType() {
		return tv.Type
	}
	sig, ok := types.Unalias(r.typeOf(x.Fun)).Underlying().(*types.Signature)
	if !ok {
		return nil
	}
	ps := sig.Params()
	switch {
	case sig.Variadic() && i >= ps.Len()-1:
		if x.Ellipsis.IsValid() {
			return nil
		}
		if s, ok := ps.At(ps.Len() - 1).Type().(*types.Slice); ok {
			return s.Elem()
		}
	case i < ps.Len():
		return ps.At(i).Type()
	}
	return nil
}

// tbWrapper returns the runtime's wrapper (WrapT, WrapTB) for a value of
// type from converted to type to, when that converts a *testing.T or a
// testing.TB to an interface with methods (a logger's TestingT, testify's
// require.TestingT, testing.TB itself): calls through the interface then
// reach the runtime as t.Errorf written in the test does. It returns ""
// otherwise.
func tbWrapper(from, to types.Type) string {
	if from == nil || to == nil || !types.IsInterface(to) || to.Underlying().(*types.Interface).NumMethods() == 0 {
		return ""
	}
	switch {
	case isTestingT(from):
		return "WrapT"
	case isNamed(from, "testing", "TB"):
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

// deadlinePackages are the standard packages whose types take deadlines
// for the operating system.
var deadlinePackages = map[string]bool{"net": true, "os": true, "crypto/tls": true, "net/http": true}

// deadlineSetter reports whether sel is a standard library method that
// takes a deadline (a time.Time) to hand to the operating system:
// SetDeadline, SetReadDeadline and SetWriteDeadline of the types of
// deadlinePackages (and interfaces such as net.Conn). Methods of the user's packages
// are left alone: they are rewritten, and pass the deadline on to one of
// these.
func (r *fileRewriter) deadlineSetter(sel *ast.SelectorExpr) bool {
	s := r.info.Selections[sel]
	if s == nil || s.Kind() != types.MethodVal {
		return false
	}
	switch sel.Sel.Name {
	case "SetDeadline", "SetReadDeadline", "SetWriteDeadline":
	default:
		return false
	}
	fn, ok := s.Obj().(*types.Func)
	if !ok || fn.Pkg() == nil || !deadlinePackages[fn.Pkg().Path()] {
		return false
	}
	ps := fn.Signature().Params()
	return ps.Len() == 1 && isNamed(ps.At(0).Type(), "time", "Time")
}
