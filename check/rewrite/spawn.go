package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"
)

// goStmt rewrites a go statement. Go evaluates the function value, the
// receiver and the arguments in the parent goroutine; the rewrite keeps
// that by binding them to temporaries first:
//
//	go f(a, b)  ->  {ludus_f := f; ludus_a1 := a; ludus_a2 := b; ludus_rt.Go("f", func() { ludus_f(ludus_a1, ludus_a2) })}
//
// Declared functions, constants and nil need no temporary (a constant keeps
// its untyped meaning where it is used). go func() { ... }() becomes
// ludus_rt.Go("func", func() { ... }).
func (r *fileRewriter) goStmt(s *ast.GoStmt) {
	call := s.Call
	fun := unparen(call.Fun)
	name := spawnName(fun)
	extName, isExt := r.external(call)
	goCall := r.rtCall("Go") + "(" + quote(name) + ", "
	if lit, ok := fun.(*ast.FuncLit); ok && len(call.Args) == 0 && !isExt {
		if sig, ok := r.typeOf(lit).(*types.Signature); ok && sig.Params().Len() == 0 && sig.Results().Len() == 0 {
			r.replace(s.Go, lit.Pos(), goCall)
			r.expr(lit, read)
			r.replace(lit.End(), call.End(), ")")
			return
		}
	}
	sp := &spawn{r: r}
	body := sp.body(call, fun)
	if isExt {
		body = "ludus_e := " + r.rtCall("Enter") + "(" + quote(extName) + "); " + body + "; ludus_e.Exit()"
	}
	goText := goCall + "func() { " + body + " })"
	if len(sp.parts) == 0 {
		r.replace(s.Go, s.End(), goText)
		return
	}
	for i, p := range sp.parts {
		open := p.lhs + " := " + p.convOpen
		if i == 0 {
			r.replace(s.Go, p.node.Pos(), "{"+open)
		} else {
			prev := sp.parts[i-1]
			r.replace(prev.node.End(), p.node.Pos(), prev.convClose+"; "+open)
		}
	}
	last := sp.parts[len(sp.parts)-1]
	r.replace(last.node.End(), s.End(), last.convClose+"; "+goText+"}")
}

// spawn collects what a go statement's parent evaluates.
type spawn struct {
	r     *fileRewriter
	parts []spawnPart // evaluated by the parent, in source order
	n     int         // temporaries made
}

// spawnPart is one expression the parent evaluates into temporaries.
type spawnPart struct {
	node      ast.Expr
	lhs       string // the temporaries it is bound to
	convOpen  string // a conversion around it ("T(") for untyped values, or ""
	convClose string // its closing ")", or ""
}

// bind makes the parent evaluate e into a new temporary and returns its name.
func (sp *spawn) bind(e ast.Expr, stem string, conv string) string {
	sp.n++
	name := "ludus_" + stem + strconv.Itoa(sp.n)
	p := spawnPart{node: e, lhs: name}
	if conv != "" {
		p.convOpen, p.convClose = conv+"(", ")"
	}
	sp.parts = append(sp.parts, p)
	return name
}

// body returns the call the new goroutine makes.
func (sp *spawn) body(call *ast.CallExpr, fun ast.Expr) string {
	r := sp.r
	// the function
	var fn string
	var recvArg string // the receiver, for testing.T methods the runtime takes over
	var builtin string
	switch {
	case r.isBuiltin(fun):
		builtin = fun.(*ast.Ident).Name
	case r.isDeclaredFunc(fun):
		fn = r.src(call.Fun)
	default:
		if sel, ok := fun.(*ast.SelectorExpr); ok {
			if s := r.info.Selections[sel]; s != nil && s.Kind() == types.MethodVal && r.tMethod(sel, s) {
				r.expr(sel.X, operand)
				recvArg = sp.bind(sel.X, "r", "") + embeddedPath(s)
				fn = r.rtCall(sel.Sel.Name)
				break
			}
		}
		r.expr(call.Fun, read)
		fn = sp.bind(call.Fun, "f", "")
	}
	// the arguments
	var args []string
	if recvArg != "" {
		args = append(args, recvArg)
	}
	if len(call.Args) == 1 {
		if tuple, ok := r.typeOf(call.Args[0]).(*types.Tuple); ok && tuple.Len() > 1 {
			r.expr(call.Args[0], read)
			var names []string
			for i := 0; i < tuple.Len(); i++ {
				sp.n++
				names = append(names, "ludus_a"+strconv.Itoa(sp.n))
			}
			sp.parts = append(sp.parts, spawnPart{node: call.Args[0], lhs: strings.Join(names, ", ")})
			args = append(args, names...)
			return sp.finish(builtin, fn, args, call)
		}
	}
	for i, a := range call.Args {
		tv := r.info.Types[a]
		if tv.Value != nil || tv.IsNil() {
			args = append(args, r.src(a))
			continue
		}
		r.expr(a, read)
		args = append(args, sp.bind(a, "a", r.untypedConv(call, i)))
	}
	return sp.finish(builtin, fn, args, call)
}

// finish spells the goroutine's call.
func (sp *spawn) finish(builtin, fn string, args []string, call *ast.CallExpr) string {
	r := sp.r
	ell := ""
	if call.Ellipsis.IsValid() {
		ell = "..."
	}
	switch builtin {
	case "":
		return fn + "(" + strings.Join(args, ", ") + ell + ")"
	case "close":
		return r.rtCall("Close") + "(" + args[0] + ")"
	case "delete":
		return "delete(" + r.rtCall("MW") + "(" + args[0] + ", " + quote(r.name(call.Args[0], "")) + "), " + args[1] + ")"
	case "clear":
		if isMap(r.typeOf(call.Args[0])) {
			return "clear(" + r.rtCall("MW") + "(" + args[0] + ", " + quote(r.name(call.Args[0], "")) + "))"
		}
	}
	return builtin + "(" + strings.Join(args, ", ") + ell + ")"
}

// untypedConv returns the type argument i of call must be converted to
// when it is an untyped value that is not a constant (a comparison, a
// shift): bound to a temporary it would take its default type instead.
func (r *fileRewriter) untypedConv(call *ast.CallExpr, i int) string {
	if !untypedOrigin(call.Args[i], r.info) {
		return ""
	}
	sig, ok := under(r.typeOf(call.Fun)).(*types.Signature)
	if !ok || sig.Params().Len() == 0 {
		return ""
	}
	var t types.Type
	n := sig.Params().Len()
	if sig.Variadic() && i >= n-1 && !call.Ellipsis.IsValid() {
		t = sig.Params().At(n - 1).Type().(*types.Slice).Elem()
	} else if i < n {
		t = sig.Params().At(i).Type()
	}
	if t == nil {
		return ""
	}
	return "(" + types.TypeString(t, r.qualifier) + ")"
}

// untypedOrigin reports whether e is an untyped value that is not a
// constant: a comparison (or a logical operation on comparisons), or a
// shift of an untyped constant. The type checker records the type it was
// converted to where it is used; bound to a temporary it would take its
// default type (bool, int) instead.
func untypedOrigin(e ast.Expr, info *types.Info) bool {
	if tv := info.Types[e]; tv.Value != nil {
		return false
	}
	switch x := unparen(e).(type) {
	case *ast.BinaryExpr:
		switch x.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
			return true
		case token.LAND, token.LOR:
			return untypedOrigin(x.X, info) && untypedOrigin(x.Y, info)
		case token.SHL, token.SHR:
			return info.Types[x.X].Value != nil
		}
	case *ast.UnaryExpr:
		return x.Op == token.NOT && untypedOrigin(x.X, info)
	}
	return false
}

// spawnName names a goroutine after its callee.
func spawnName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	case *ast.IndexExpr:
		return spawnName(unparen(f.X))
	case *ast.IndexListExpr:
		return spawnName(unparen(f.X))
	}
	return "func"
}

func (r *fileRewriter) isBuiltin(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	if !ok {
		return false
	}
	_, ok = r.info.Uses[id].(*types.Builtin)
	return ok
}

// isDeclaredFunc reports whether e names a declared function (possibly
// qualified or instantiated): evaluating it has no effect.
func (r *fileRewriter) isDeclaredFunc(e ast.Expr) bool {
	switch f := e.(type) {
	case *ast.IndexExpr:
		return r.isDeclaredFunc(unparen(f.X))
	case *ast.IndexListExpr:
		return r.isDeclaredFunc(unparen(f.X))
	case *ast.Ident:
		_, ok := r.info.Uses[f].(*types.Func)
		return ok
	case *ast.SelectorExpr:
		if r.info.Selections[f] != nil {
			return false
		}
		_, ok := r.info.Uses[f.Sel].(*types.Func)
		return ok
	}
	return false
}
