package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
)

// decl rewrites a top-level declaration.
func (r *fileRewriter) decl(d ast.Decl) {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Body == nil {
			return
		}
		sig, _ := r.info.Defs[d.Name].Type().(*types.Signature)
		wrap := r.opts.Tests && isTestFunc(d, r.info)
		if wrap {
			r.wrapTest(d)
		}
		r.funcBody(sig, d.Body)
		if wrap {
			r.insert(d.Body.Rbrace, "})")
		}
	case *ast.GenDecl:
		r.genDecl(d)
	}
}

// genDecl rewrites the initializers of var declarations (package-level
// or local).
func (r *fileRewriter) genDecl(d *ast.GenDecl) {
	if d.Tok != token.VAR {
		return
	}
	for _, s := range d.Specs {
		vs := s.(*ast.ValueSpec)
		if len(vs.Names) == 2 && len(vs.Values) == 1 {
			if recv, ok := unparen(vs.Values[0]).(*ast.UnaryExpr); ok && recv.Op == token.ARROW {
				r.recv(recv, true)
				continue
			}
		}
		var to types.Type
		if vs.Type != nil {
			to = r.typeOf(vs.Type)
		}
		for _, v := range vs.Values {
			r.converted(v, to)
		}
	}
}

// funcBody rewrites the body of a function declaration or literal.
func (r *fileRewriter) funcBody(sig *types.Signature, body *ast.BlockStmt) {
	fi := &funcInfo{sig: sig}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.BranchStmt:
			if n.Tok == token.GOTO {
				fi.hasGoto = true
			}
		}
		return true
	})
	r.funcs = append(r.funcs, fi)
	r.block(body.List)
	r.funcs = r.funcs[:len(r.funcs)-1]
}

// fn returns the innermost enclosing function.
func (r *fileRewriter) fn() *funcInfo {
	if len(r.funcs) == 0 {
		return &funcInfo{}
	}
	return r.funcs[len(r.funcs)-1]
}

func (r *fileRewriter) block(list []ast.Stmt) {
	for _, s := range list {
		r.stmt(s, true)
	}
}

// stmt rewrites a statement; inList says it stands directly in a block or
// a case body, where statements can be added before and after it.
func (r *fileRewriter) stmt(s ast.Stmt, inList bool) {
	switch s := s.(type) {
	case nil, *ast.EmptyStmt, *ast.BadStmt, *ast.BranchStmt:
	case *ast.ExprStmt:
		if call, ok := unparen(s.X).(*ast.CallExpr); ok {
			if name, ok := r.external(call); ok {
				r.usedRT = true
				r.marked[call] = true
				r.insert(s.Pos(), "{ludus_e := "+rt+".Enter("+quote(name)+"); ")
				r.expr(s.X, read)
				r.insert(s.End(), "; ludus_e.Exit()}")
				return
			}
			r.atomicDiscard(call)
		}
		r.expr(s.X, read)
	case *ast.SendStmt:
		r.send(s)
	case *ast.IncDecStmt:
		r.expr(s.X, write)
	case *ast.AssignStmt:
		r.assign(s, inList)
	case *ast.GoStmt:
		r.goStmt(s)
	case *ast.DeferStmt:
		r.expr(s.Call, read)
	case *ast.ReturnStmt:
		r.ret(s)
	case *ast.BlockStmt:
		r.block(s.List)
	case *ast.IfStmt:
		r.stmt(s.Init, false)
		r.expr(s.Cond, read)
		r.block(s.Body.List)
		r.stmt(s.Else, false)
	case *ast.SwitchStmt:
		r.stmt(s.Init, false)
		r.expr(s.Tag, read)
		for _, c := range s.Body.List {
			cc := c.(*ast.CaseClause)
			for _, e := range cc.List {
				r.expr(e, read)
			}
			r.block(cc.Body)
		}
	case *ast.TypeSwitchStmt:
		r.stmt(s.Init, false)
		switch a := s.Assign.(type) {
		case *ast.ExprStmt:
			r.expr(a.X.(*ast.TypeAssertExpr).X, read)
		case *ast.AssignStmt:
			r.expr(a.Rhs[0].(*ast.TypeAssertExpr).X, read)
		}
		for _, c := range s.Body.List {
			r.block(c.(*ast.CaseClause).Body)
		}
	case *ast.SelectStmt:
		r.selectStmt(s, nil)
	case *ast.ForStmt:
		r.stmt(s.Init, false)
		r.expr(s.Cond, read)
		r.stmt(s.Post, false)
		r.block(s.Body.List)
	case *ast.RangeStmt:
		r.rangeStmt(s)
	case *ast.LabeledStmt:
		if sel, ok := s.Stmt.(*ast.SelectStmt); ok {
			r.selectStmt(sel, s)
			return
		}
		r.stmt(s.Stmt, inList)
	case *ast.DeclStmt:
		if g, ok := s.Decl.(*ast.GenDecl); ok {
			r.genDecl(g)
		}
	default:
		r.fail(s, "unexpected statement %T", s)
	}
}

// assign rewrites an assignment or short variable declaration.
func (r *fileRewriter) assign(s *ast.AssignStmt, inList bool) {
	if len(s.Lhs) == 2 && len(s.Rhs) == 1 {
		if recv, ok := unparen(s.Rhs[0]).(*ast.UnaryExpr); ok && recv.Op == token.ARROW {
			r.lhs(s)
			r.recv(recv, true)
			return
		}
	}
	// v1, v2 := conn.Read(buf): a blocking call outside the checker with
	// several results can only be marked with statements around it.
	if len(s.Rhs) == 1 && len(s.Lhs) > 1 && inList && !r.fn().hasGoto {
		if call, ok := unparen(s.Rhs[0]).(*ast.CallExpr); ok {
			if name, ok := r.external(call); ok {
				e := r.newTemp("e")
				r.usedRT = true
				r.marked[call] = true
				r.insert(s.Pos(), e+" := "+rt+".Enter("+quote(name)+"); ")
				r.lhs(s)
				r.expr(call, read)
				r.insert(s.End(), "; "+e+".Exit()")
				return
			}
		}
	}
	if r.setForm(s) {
		return
	}
	r.lhs(s)
	for i, e := range s.Rhs {
		var to types.Type
		if s.Tok == token.ASSIGN && len(s.Lhs) == len(s.Rhs) {
			to = r.typeOf(s.Lhs[i])
		}
		r.converted(e, to)
	}
}

// setForm rewrites x = v, x shared memory, as ludus_rt.Set(&x, "x").To(v):
// the write is recorded after v is evaluated, where it happens (v may
// start a goroutine or take a lock first). It reports whether it did.
func (r *fileRewriter) setForm(s *ast.AssignStmt) bool {
	if s.Tok != token.ASSIGN || len(s.Lhs) != 1 || len(s.Rhs) != 1 {
		return false
	}
	lhs := s.Lhs[0]
	if !r.isLoc(lhs) || !r.addressable(lhs) || !r.sharedLoc(lhs) {
		return false
	}
	if _, ok := unparen(lhs).(*ast.StarExpr); ok {
		return false
	}
	r.insert(lhs.Pos(), r.rtCall("Set")+"(&")
	r.locOperands(lhs)
	r.replace(lhs.End(), s.Rhs[0].Pos(), ", "+quote(r.name(lhs, ""))+").To(")
	r.converted(s.Rhs[0], r.typeOf(lhs))
	r.insert(s.Rhs[0].End(), ")")
	return true
}

// lhs rewrites the left-hand side of an assignment.
func (r *fileRewriter) lhs(s *ast.AssignStmt) {
	if s.Tok == token.DEFINE {
		return
	}
	for _, e := range s.Lhs {
		if id, ok := e.(*ast.Ident); ok && id.Name == "_" {
			continue
		}
		r.expr(e, write)
	}
}

// ret rewrites a return statement. A return with values writes the named
// results; when a result is shared (a deferred closure reads it), the
// write is made explicit: "return x" becomes "err = x; return".
func (r *fileRewriter) ret(s *ast.ReturnStmt) {
	sig := r.fn().sig
	for i, e := range s.Results {
		var to types.Type
		if sig != nil && sig.Results().Len() == len(s.Results) {
			to = sig.Results().At(i).Type()
		}
		r.converted(e, to)
	}
	if len(s.Results) == 0 || sig == nil || sig.Results().Len() == 0 {
		return
	}
	res := sig.Results()
	anyShared := false
	scope := r.scopeAt(s.Pos())
	for i := 0; i < res.Len(); i++ {
		v := res.At(i)
		if v.Name() == "" || v.Name() == "_" {
			return
		}
		if scope != nil {
			if _, obj := scope.LookupParent(v.Name(), s.Pos()); obj != v {
				return // shadowed here: a bare return is not allowed
			}
		}
		anyShared = anyShared || r.shared[v]
	}
	if !anyShared {
		return
	}
	lhs := ""
	for i := 0; i < res.Len(); i++ {
		if i > 0 {
			lhs += ", "
		}
		v := res.At(i)
		if r.shared[v] {
			lhs += "(*" + r.rtCall("W") + "(&" + v.Name() + ", " + quote(v.Name()) + "))"
		} else {
			lhs += v.Name()
		}
	}
	r.replace(s.Return, s.Results[0].Pos(), lhs+" = ")
	r.insert(s.End(), "; return")
}

// scopeAt returns the innermost scope that contains pos.
func (r *fileRewriter) scopeAt(pos token.Pos) *types.Scope {
	if r.pkg == nil {
		return nil
	}
	return r.pkg.Scope().Innermost(pos)
}
