package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"
	"unicode/utf8"
)

// mode says how an expression's value is used where it stands.
type mode int

const (
	read    mode = iota // its value is read
	write               // it is assigned or updated (x = v, x += v, x++)
	addr                // its storage is referenced without an access: &x, x.m() with a pointer receiver, x[:] of an array
	operand             // it is the operand of a runtime call that is not an access of its own (a *testing.T)
)

func (m mode) String() string {
	switch m {
	case read:
		return "read"
	case write:
		return "write"
	case addr:
		return "addr"
	case operand:
		return "operand"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

func quote(s string) string { return strconv.Quote(s) }

// expr rewrites expression e used in mode m.
func (r *fileRewriter) expr(e ast.Expr, m mode) {
	if e == nil {
		return
	}
	if tv, ok := r.info.Types[e]; ok && (tv.IsType() || tv.Value != nil || tv.IsBuiltin()) {
		return // types, constants and builtins hold no accesses
	}
	switch x := e.(type) {
	case *ast.Ident:
		r.loc(x, m)
	case *ast.ParenExpr:
		if r.isLoc(x) {
			r.loc(x, m)
		} else {
			r.expr(x.X, m)
		}
	case *ast.BasicLit, *ast.BadExpr:
	case *ast.FuncLit:
		sig, _ := r.typeOf(x).(*types.Signature)
		r.funcBody(sig, x.Body)
	case *ast.CompositeLit:
		r.compositeLit(x)
	case *ast.SelectorExpr:
		r.selector(x, m)
	case *ast.IndexExpr:
		switch {
		case r.isInstance(x.X):
			r.expr(x.X, read)
		case isMap(r.typeOf(x.X)):
			r.mapIndex(x, m)
		default:
			r.loc(x, m)
		}
	case *ast.IndexListExpr:
		r.expr(x.X, read)
	case *ast.SliceExpr:
		if _, ok := under(r.typeOf(x.X)).(*types.Array); ok && r.addressable(x.X) {
			r.expr(x.X, addr)
		} else {
			r.expr(x.X, read)
		}
		r.expr(x.Low, read)
		r.expr(x.High, read)
		r.expr(x.Max, read)
	case *ast.TypeAssertExpr:
		r.expr(x.X, read)
	case *ast.CallExpr:
		r.call(x)
	case *ast.StarExpr:
		r.loc(x, m)
	case *ast.UnaryExpr:
		switch x.Op {
		case token.AND:
			if _, ok := unparen(x.X).(*ast.CompositeLit); ok {
				r.expr(x.X, read)
			} else {
				r.expr(x.X, addr)
			}
		case token.ARROW:
			r.recv(x, false)
		default:
			r.expr(x.X, read)
		}
	case *ast.BinaryExpr:
		r.expr(x.X, read)
		r.expr(x.Y, read)
	case *ast.KeyValueExpr:
		r.expr(x.Key, read)
		r.expr(x.Value, read)
	default:
		// type expressions: nothing to rewrite
	}
}

// isInstance reports whether e names a generic function or type being
// instantiated (f[int]).
func (r *fileRewriter) isInstance(e ast.Expr) bool {
	switch x := unparen(e).(type) {
	case *ast.Ident:
		_, ok := r.info.Instances[x]
		return ok
	case *ast.SelectorExpr:
		_, ok := r.info.Instances[x.Sel]
		return ok
	}
	return false
}

func (r *fileRewriter) compositeLit(x *ast.CompositeLit) {
	t := under(r.typeOf(x))
	if p, ok := t.(*types.Pointer); ok { // &T{...} elided in a literal of *T
		t = under(p.Elem())
	}
	st, isStruct := t.(*types.Struct)
	for i, el := range x.Elts {
		kv, keyed := el.(*ast.KeyValueExpr)
		switch {
		case isStruct && keyed:
			r.converted(kv.Value, fieldType(st, kv.Key))
		case isStruct:
			r.converted(el, st.Field(i).Type())
		case keyed:
			if m, ok := t.(*types.Map); ok {
				r.converted(kv.Key, m.Key())
			} else {
				r.expr(kv.Key, read)
			}
			r.converted(kv.Value, elemType(t))
		default:
			r.converted(el, elemType(t))
		}
	}
}

// fieldType returns the type of the field key names in struct st.
func fieldType(st *types.Struct, key ast.Expr) types.Type {
	if id, ok := key.(*ast.Ident); ok {
		for f := range st.Fields() {
			if f.Name() == id.Name {
				return f.Type()
			}
		}
	}
	return nil
}

// elemType returns the element type of a slice, array or map type.
func elemType(t types.Type) types.Type {
	switch t := t.(type) {
	case *types.Slice:
		return t.Elem()
	case *types.Array:
		return t.Elem()
	case *types.Map:
		return t.Elem()
	}
	return nil
}

// selector rewrites x.f: a qualified identifier, a field, a method value or
// a method expression.
func (r *fileRewriter) selector(x *ast.SelectorExpr, m mode) {
	sel := r.info.Selections[x]
	if sel == nil {
		// qualified identifier: a package-level variable of another
		// package is shared memory; functions and constants are not.
		if _, ok := r.info.Uses[x.Sel].(*types.Var); ok {
			r.loc(x, m)
		}
		return
	}
	switch sel.Kind() {
	case types.FieldVal:
		r.loc(x, m)
	case types.MethodVal:
		if r.tMethod(x, sel) {
			r.tMethodValue(x, sel)
			return
		}
		r.receiver(x.X, sel)
	case types.MethodExpr:
	}
}

// receiver rewrites the receiver operand of a method call or method value.
func (r *fileRewriter) receiver(x ast.Expr, sel *types.Selection) {
	xPtr := isPointer(r.typeOf(x))
	if _, isIface := under(r.typeOf(x)).(*types.Interface); isIface || len(sel.Index()) > 1 {
		// interface values and promoted methods: the operand is read
		// (or, for a value with embedded fields, referenced).
		if xPtr || isIface || !r.addressable(x) {
			r.expr(x, read)
		} else {
			r.expr(x, addr)
		}
		return
	}
	switch recvPtr := ptrRecv(sel); {
	case recvPtr && !xPtr:
		r.expr(x, addr) // implicit &x
	case !recvPtr && xPtr:
		// implicit *x: the method reads the value through the pointer
		r.insert(x.Pos(), "(*"+r.rtCall("R")+"(")
		r.expr(x, read)
		r.insert(x.End(), ", "+quote(r.name(x, "*"))+"))")
	default:
		r.expr(x, read)
	}
}

// isLoc reports whether e is a variable or a storage location reached
// through variables, fields, indexes and pointers.
func (r *fileRewriter) isLoc(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		_, ok := r.info.Uses[x].(*types.Var)
		return ok
	case *ast.ParenExpr:
		return r.isLoc(x.X)
	case *ast.SelectorExpr:
		if sel := r.info.Selections[x]; sel != nil {
			return sel.Kind() == types.FieldVal
		}
		_, ok := r.info.Uses[x.Sel].(*types.Var)
		return ok
	case *ast.IndexExpr:
		return !isMap(r.typeOf(x.X)) && !r.isInstance(x.X)
	case *ast.StarExpr:
		return !r.isType(x)
	}
	return false
}

// addressable reports whether e denotes addressable storage.
func (r *fileRewriter) addressable(e ast.Expr) bool {
	tv, ok := r.info.Types[e]
	return ok && tv.Addressable()
}

// sharedLoc reports whether the location e lies in memory goroutines can
// share: a package-level or shared local variable, or anything reached
// through a pointer or a slice.
func (r *fileRewriter) sharedLoc(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		v, ok := r.info.Uses[x].(*types.Var)
		if !ok || v.Name() == "_" || isTB(v.Type()) {
			return false // a test's t is handed around, never raced on
		}
		return isPackageVar(v) || r.shared[v]
	case *ast.ParenExpr:
		return r.sharedLoc(x.X)
	case *ast.SelectorExpr:
		sel := r.info.Selections[x]
		if sel == nil {
			return true // a package-level variable of another package
		}
		if isPointer(r.typeOf(x.X)) || sel.Indirect() {
			return true
		}
		return r.addressable(x.X) && r.sharedLoc(x.X)
	case *ast.IndexExpr:
		switch t := under(r.typeOf(x.X)).(type) {
		case *types.Slice:
			return true
		case *types.Pointer:
			return true
		case *types.Array:
			_ = t
			return r.addressable(x.X) && r.sharedLoc(x.X)
		}
		return false
	case *ast.StarExpr:
		return true
	}
	return false
}

func isPackageVar(v *types.Var) bool {
	return v.Pkg() != nil && v.Parent() == v.Pkg().Scope()
}

// loc rewrites the location e used in mode m: a read of shared memory
// becomes (*ludus_rt.R(&e)), a write (*ludus_rt.W(&e)); the operands inside
// it (pointers followed, indexes) are rewritten as reads.
func (r *fileRewriter) loc(e ast.Expr, m mode) {
	wrap := (m == read || m == write) && r.addressable(e) && r.sharedLoc(e)
	if wrap {
		fn := "R"
		if m == write {
			fn = "W"
		}
		if star, ok := e.(*ast.StarExpr); ok {
			// *p: the pointer itself is the address
			r.replace(star.Star, star.X.Pos(), "(*"+r.rtCall(fn)+"(")
			r.expr(star.X, read)
			r.insert(star.End(), ", "+quote(r.name(e, ""))+"))")
			return
		}
		r.insert(e.Pos(), "(*"+r.rtCall(fn)+"(&")
	}
	r.locOperands(e)
	if wrap {
		r.insert(e.End(), ", "+quote(r.name(e, ""))+"))")
	}
}

// locOperands rewrites the values read to reach location e, without e.
func (r *fileRewriter) locOperands(e ast.Expr) {
	switch x := e.(type) {
	case *ast.ParenExpr:
		if r.isLoc(x.X) {
			r.locOperands(x.X)
		} else {
			r.expr(x.X, read)
		}
	case *ast.SelectorExpr:
		if r.info.Selections[x] == nil {
			return
		}
		if !isPointer(r.typeOf(x.X)) && r.isLoc(x.X) && r.addressable(x.X) {
			r.locOperands(x.X)
		} else {
			r.expr(x.X, read)
		}
	case *ast.IndexExpr:
		if _, ok := under(r.typeOf(x.X)).(*types.Array); ok && r.isLoc(x.X) && r.addressable(x.X) {
			r.locOperands(x.X)
		} else {
			r.expr(x.X, read)
		}
		r.expr(x.Index, read)
	case *ast.StarExpr:
		r.expr(x.X, read)
	}
}

func isMap(t types.Type) bool {
	_, ok := under(t).(*types.Map)
	return ok
}

func isChan(t types.Type) (*types.Chan, bool) {
	c, ok := under(t).(*types.Chan)
	return c, ok
}

// mapOperand wraps the map operand m of an index, delete, len, clear or
// range: ludus_rt.MR(m) to read, ludus_rt.MW(m) to write.
func (r *fileRewriter) mapOperand(m ast.Expr, write bool) {
	fn := "MR"
	if write {
		fn = "MW"
	}
	r.insert(m.Pos(), r.rtCall(fn)+"(")
	r.expr(m, read)
	r.insert(m.End(), ", "+quote(r.name(m, ""))+")")
}

func (r *fileRewriter) mapIndex(x *ast.IndexExpr, m mode) {
	r.mapOperand(x.X, m == write)
	r.expr(x.Index, read)
}

// maxName bounds the source text an access is named by in traces.
const maxName = 40

// name returns the source text of e as traces name the memory it
// accesses (prefix, such as "*", first): whitespace collapsed, shortened
// to about maxName bytes.
func (r *fileRewriter) name(e ast.Expr, prefix string) string {
	s := prefix + strings.Join(strings.Fields(r.buf.text(r.off(e.Pos()), r.off(e.End()))), " ")
	if len(s) > maxName {
		cut := maxName - 3
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}
