package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// send rewrites ch <- v as ludus_rt.Send(ch, v).
func (r *fileRewriter) send(s *ast.SendStmt) {
	r.insert(s.Chan.Pos(), r.rtCall("Send")+"(")
	r.expr(s.Chan, read)
	open, close := r.elemConv(s.Chan, s.Value)
	r.replace(s.Chan.End(), s.Value.Pos(), ", "+open)
	var elem types.Type
	if c, ok := isChan(r.typeOf(s.Chan)); ok {
		elem = c.Elem()
	}
	r.converted(s.Value, elem)
	r.insert(s.Value.End(), close+")")
}

// elemConv returns the conversion to put around value v sent on channel
// ch ("(T)(", ")") when v's type is not the element type: the runtime's
// generic Send infers the element type from both operands, so a value of
// another type assignable to it (a *T sent on a chan of an interface) must
// be converted first. Untyped constants and nil need nothing.
func (r *fileRewriter) elemConv(ch, v ast.Expr) (string, string) {
	c, ok := isChan(r.typeOf(ch))
	if !ok {
		return "", ""
	}
	tv := r.info.Types[v]
	if tv.Type == nil || tv.Value != nil || tv.IsNil() || types.Identical(tv.Type, c.Elem()) {
		return "", ""
	}
	if b, ok := tv.Type.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
		return "", ""
	}
	return "(" + types.TypeString(c.Elem(), r.qualifier) + ")(", ")"
}

// recv rewrites <-ch as ludus_rt.Recv(ch), or ludus_rt.Recv2(ch) in the
// comma-ok form.
func (r *fileRewriter) recv(x *ast.UnaryExpr, commaOK bool) {
	fn := "Recv"
	if commaOK {
		fn = "Recv2"
	}
	r.replace(x.OpPos, x.X.Pos(), r.rtCall(fn)+"(")
	r.expr(x.X, read)
	r.insert(x.X.End(), ")")
}

// selectStmt rewrites a select statement (labelled by label, if any) into
// a switch on ludus_rt.Select, the channel and value operands evaluated
// once, in source order, in the switch's init statement:
//
//	switch ludus_c0, ludus_c1 := ludus_rt.RecvCase(a), ludus_rt.SendCase(b, x); ludus_rt.Select(false, ludus_c0, ludus_c1) {
//	case 0: v := ludus_c0.V; ...
//	case 1: ...
//	}
func (r *fileRewriter) selectStmt(s *ast.SelectStmt, label *ast.LabeledStmt) {
	clauses := s.Body.List
	if len(clauses) == 0 {
		r.replace(s.Select, s.End(), r.rtCall("Select")+"(false)")
		return
	}
	var names, inits []string
	hasDefault := false
	for _, c := range clauses {
		cc := c.(*ast.CommClause)
		if cc.Comm == nil {
			hasDefault = true
			continue
		}
		i := len(names)
		name := fmt.Sprintf("ludus_c%d", i)
		names = append(names, name)
		head := fmt.Sprintf("case %d:", i)
		switch comm := cc.Comm.(type) {
		case *ast.SendStmt:
			r.expr(comm.Chan, read)
			r.expr(comm.Value, read)
			ch := r.move(comm.Chan, s.Select)
			v := r.move(comm.Value, s.Select)
			open, close := r.elemConv(comm.Chan, comm.Value)
			inits = append(inits, r.rtCall("SendCase")+"("+ch+", "+open+v+close+")")
			r.replace(cc.Case, comm.Chan.Pos(), head)
			r.replace(comm.Chan.End(), comm.Value.Pos(), "")
			r.replace(comm.Value.End(), cc.Colon+1, "")
		case *ast.ExprStmt:
			recv := unparen(comm.X).(*ast.UnaryExpr)
			r.expr(recv.X, read)
			ch := r.move(recv.X, s.Select)
			inits = append(inits, r.rtCall("RecvCase")+"("+ch+")")
			r.replace(cc.Case, recv.X.Pos(), head)
			r.replace(recv.X.End(), cc.Colon+1, "")
		case *ast.AssignStmt:
			recv := unparen(comm.Rhs[0]).(*ast.UnaryExpr)
			r.lhs(comm)
			r.expr(recv.X, read)
			ch := r.move(recv.X, s.Select)
			inits = append(inits, r.rtCall("RecvCase")+"("+ch+")")
			r.replace(cc.Case, comm.Lhs[0].Pos(), head+" ")
			last := comm.Lhs[len(comm.Lhs)-1]
			r.replace(last.End(), recv.X.Pos(), " "+comm.Tok.String()+" ")
			rhs := name + ".V"
			if len(comm.Lhs) == 2 {
				rhs += ", " + name + ".OK"
			}
			r.replace(recv.X.End(), cc.Colon+1, rhs+";")
		default:
			r.fail(cc, "unexpected select case %T", comm)
			return
		}
	}
	sel := r.rtCall("Select") + fmt.Sprintf("(%t", hasDefault)
	for _, n := range names {
		sel += ", " + n
	}
	sel += ")"
	head := "switch "
	if len(names) > 0 {
		head += strings.Join(names, ", ") + " := " + strings.Join(inits, ", ") + "; "
	}
	r.replace(s.Select, s.Body.Lbrace, head+sel+" ")
	for _, c := range clauses {
		r.block(c.(*ast.CommClause).Body)
	}
	if !hasDefault {
		// A select whose cases all end in a return is a terminating
		// statement; a switch is one only with a default case. Select
		// without a default never returns -1.
		r.insert(s.Body.Rbrace, "; default: panic(\"unreachable\"); ")
	}
}

// rangeStmt rewrites a range loop. Over a channel it becomes a three-clause
// loop, which keeps the module's loop-variable semantics and continue:
//
//	for ludus_r, v, ludus_ok := ludus_range(ch); ludus_ok; v, ludus_ok = ludus_rt.Recv2(ludus_r) {
//
// (ludus_range, in the package's generated file, receives the first value
// and returns the channel, so ch is evaluated once). Over a map the map is
// read through ludus_rt.MR. Shared iteration variables get a write at the
// top of each iteration, as the loop assigns them.
func (r *fileRewriter) rangeStmt(s *ast.RangeStmt) {
	if _, ok := isChan(r.typeOf(s.X)); ok {
		r.rangeChan(s)
		return
	}
	if isMap(r.typeOf(s.X)) {
		r.rangeMap(s)
		return
	}
	if s.Tok == token.ASSIGN {
		r.expr(s.Key, write)
		r.expr(s.Value, write)
	}
	r.expr(s.X, read)
	if s.Tok == token.DEFINE {
		var writes string
		for _, e := range []ast.Expr{s.Key, s.Value} {
			if id, ok := e.(*ast.Ident); ok && id.Name != "_" && r.sharedDef(id) {
				writes += " " + r.rtCall("W") + "(&" + id.Name + ", " + quote(id.Name) + ");"
			}
		}
		if writes != "" {
			r.insert(s.Body.Lbrace+1, writes)
		}
	}
	r.block(s.Body.List)
}

// rangeChan rewrites for ... range ch.
func (r *fileRewriter) rangeChan(s *ast.RangeStmt) {
	r.usedGen = true
	recv2 := r.rtCall("Recv2")
	switch {
	case s.Key == nil: // for range ch
		r.replace(s.Range, s.X.Pos(), "ludus_r, _, ludus_ok := ludus_range(")
		r.expr(s.X, read)
		r.insert(s.X.End(), "); ludus_ok; _, ludus_ok = "+recv2+"(ludus_r)")
	case s.Tok == token.DEFINE: // for v := range ch
		// The post statement assigns v only when a value came: when the
		// channel is closed, v keeps the last value, as with range (seen
		// when v outlives the loop: go1.21 semantics and &v).
		key := s.Key.(*ast.Ident).Name
		ptr := "&" + key
		if r.sharedDef(s.Key.(*ast.Ident)) {
			ptr = r.rtCall("W") + "(&" + key + ", " + quote(key) + ")"
		}
		r.insert(s.Key.Pos(), "ludus_r, ")
		r.replace(s.Key.End(), s.X.Pos(), ", ludus_ok := ludus_range(")
		r.expr(s.X, read)
		r.insert(s.X.End(), "); ludus_ok; ludus_ok = ludus_next(ludus_r, "+ptr+")")
	default: // for x = range ch: assign through a temporary
		r.expr(s.Key, write)
		key := r.move(s.Key, s.Body.Lbrace)
		r.replace(s.Key.End(), s.X.Pos(), "ludus_r, ludus_v, ludus_ok := ludus_range(")
		r.expr(s.X, read)
		r.insert(s.X.End(), "); ludus_ok; ludus_v, ludus_ok = "+recv2+"(ludus_r)")
		r.insert(s.Body.Lbrace+1, " "+key+" = ludus_v;")
	}
	r.block(s.Body.List)
}

// rangeMap rewrites for k, v := range m as a loop over ludus_rt.MapRange,
// whose order is fixed in an exploration (Go's random order would make a
// replayed schedule run differently):
//
//	for ludus_m, k, v := ludus_rt.MapRange(m, "m"); ludus_m.Next(&k, &v); { B }
//
// The loop's variables are declared in the init statement, so they keep
// the module's loop-variable semantics (per loop before go1.22).
func (r *fileRewriter) rangeMap(s *ast.RangeStmt) {
	mapRange := r.rtCall("MapRange")
	name := quote(r.name(s.X, ""))
	ptr := func(e ast.Expr) string { // &v for Next, nil for _ or no variable
		id, ok := e.(*ast.Ident)
		switch {
		case e == nil || ok && id.Name == "_":
			return "nil"
		case r.sharedDef(id):
			return r.rtCall("W") + "(&" + id.Name + ", " + quote(id.Name) + ")"
		}
		return "&" + id.Name
	}
	switch {
	case s.Key == nil: // for range m
		r.replace(s.Range, s.X.Pos(), "ludus_m, _, _ := "+mapRange+"(")
		r.expr(s.X, read)
		r.insert(s.X.End(), ", "+name+"); ludus_m.Next(nil, nil);")
	case s.Tok == token.DEFINE: // for k, v := range m
		value := "_"
		if s.Value != nil {
			value = r.src(s.Value)
		}
		r.insert(s.Key.Pos(), "ludus_m, ")
		r.replace(s.Key.End(), s.X.Pos(), ", "+value+" := "+mapRange+"(")
		r.expr(s.X, read)
		r.insert(s.X.End(), ", "+name+"); ludus_m.Next("+ptr(s.Key)+", "+ptr(s.Value)+");")
	default: // for k, v = range m: assign through temporaries
		var assign string
		r.expr(s.Key, write)
		key := r.move(s.Key, s.Body.Lbrace)
		if id, ok := s.Key.(*ast.Ident); !ok || id.Name != "_" {
			assign += " " + key + " = ludus_k;"
		}
		head := "ludus_m, ludus_k, ludus_v := " + mapRange + "("
		if s.Value != nil {
			r.expr(s.Value, write)
			val := r.move(s.Value, s.Body.Lbrace)
			if id, ok := s.Value.(*ast.Ident); !ok || id.Name != "_" {
				assign += " " + val + " = ludus_v;"
			}
			r.replace(s.Key.End(), s.Value.Pos(), "")
			r.replace(s.Value.End(), s.X.Pos(), head)
		} else {
			r.replace(s.Key.End(), s.X.Pos(), head)
		}
		r.expr(s.X, read)
		r.insert(s.X.End(), ", "+name+"); ludus_m.Next(&ludus_k, &ludus_v);")
		r.insert(s.Body.Lbrace+1, assign+" _, _ = ludus_k, ludus_v;")
	}
	r.block(s.Body.List)
}

// sharedDef reports whether the variable id declares is shared.
func (r *fileRewriter) sharedDef(id *ast.Ident) bool {
	v, _ := r.info.Defs[id].(*types.Var)
	return v != nil && r.shared[v]
}
