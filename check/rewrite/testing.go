package rewrite

import (
	"go/ast"
	"go/types"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tMethods are the methods of *testing.T and testing.TB that rewritten code
// calls through the runtime: inside an exploration they report to it (a
// t.Fatal in a goroutine ends that goroutine's execution, a t.Run subtest
// is explored as part of the test).
var tMethods = map[string]bool{
	"Error": true, "Errorf": true, "Fatal": true, "Fatalf": true,
	"Fail": true, "FailNow": true, "Failed": true,
	"Log": true, "Logf": true,
	"Skip": true, "Skipf": true, "SkipNow": true, "Skipped": true,
	"Run": true, "Parallel": true, "Cleanup": true,
	"Deadline": true, "Context": true, "Name": true,
}

// isTestFunc reports whether d is a test function go test runs:
// func TestXxx(t *testing.T).
func isTestFunc(d *ast.FuncDecl, info *types.Info) bool {
	if d.Recv != nil || d.Type.TypeParams != nil || !strings.HasPrefix(d.Name.Name, "Test") || d.Name.Name == "TestMain" {
		return false
	}
	if rest := d.Name.Name[4:]; rest != "" {
		if c, _ := utf8.DecodeRuneInString(rest); unicode.IsLower(c) {
			return false
		}
	}
	fn, ok := info.Defs[d.Name].(*types.Func)
	if !ok {
		return false
	}
	sig := fn.Type().(*types.Signature)
	if sig.Params().Len() != 1 || sig.Results().Len() != 0 {
		return false
	}
	return isTestingT(sig.Params().At(0).Type())
}

// isTestingT reports whether t is *testing.T.
func isTestingT(t types.Type) bool {
	p, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	return isNamed(p.Elem(), "testing", "T")
}

func isNamed(t types.Type, path, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == path && n.Obj().Name() == name
}

// wrapTest makes the body of test function d run as an exploration:
//
//	func TestX(t *testing.T) { ludus_rt.Test(t, func(t *testing.T) { BODY }) }
//
// An unnamed or blank parameter is named ludus_t. The closing "})" is
// added by the caller after the body is rewritten.
func (r *fileRewriter) wrapTest(d *ast.FuncDecl) {
	field := d.Type.Params.List[0]
	name := "ludus_t"
	switch {
	case len(field.Names) == 0:
		r.insert(field.Type.Pos(), name+" ")
	case field.Names[0].Name == "_":
		r.replace(field.Names[0].Pos(), field.Names[0].End(), name)
	default:
		name = field.Names[0].Name
	}
	typ := r.buf.text(r.off(field.Type.Pos()), r.off(field.Type.End()))
	r.insert(d.Body.Lbrace+1, " "+r.rtCall("Test")+"("+name+", func("+name+" "+typ+") {")
}

// tMethod reports whether sel selects one of the methods of *testing.T or
// testing.TB the runtime takes over, on a *testing.T, a testing.TB or a
// struct that embeds one.
func (r *fileRewriter) tMethod(sel *ast.SelectorExpr, s *types.Selection) bool {
	if !tMethods[sel.Sel.Name] {
		return false
	}
	fn, ok := s.Obj().(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "testing" {
		return false
	}
	_, ok = testingPath(s)
	return ok
}

// isTB reports whether t is *testing.T or testing.TB.
func isTB(t types.Type) bool {
	return isTestingT(t) || isNamed(t, "testing", "TB")
}

// testingPath returns the fields through which the selection reaches its
// *testing.T or testing.TB (".T" for a struct embedding *testing.T; ""
// for t itself), and whether it reaches one.
func testingPath(s *types.Selection) (string, bool) {
	var b strings.Builder
	t := s.Recv()
	for _, i := range s.Index() {
		if isTB(t) {
			return b.String(), true
		}
		st, ok := derefUnder(t).(*types.Struct)
		if !ok || i >= st.NumFields() {
			return "", false
		}
		f := st.Field(i)
		b.WriteString("." + f.Name())
		t = f.Type()
	}
	return "", false
}

// embeddedPath is testingPath without the verdict.
func embeddedPath(s *types.Selection) string {
	p, _ := testingPath(s)
	return p
}

func derefUnder(t types.Type) types.Type {
	t = t.Underlying()
	if p, ok := t.(*types.Pointer); ok {
		return p.Elem().Underlying()
	}
	return t
}

// tCall rewrites t.M(args) as ludus_rt.M(t, args).
func (r *fileRewriter) tCall(x *ast.CallExpr, sel *ast.SelectorExpr, s *types.Selection) {
	r.insert(sel.X.Pos(), r.rtCall(sel.Sel.Name)+"(")
	r.expr(sel.X, operand)
	sep := ""
	if len(x.Args) > 0 {
		sep = ", "
	}
	r.replace(sel.X.End(), x.Lparen+1, embeddedPath(s)+sep)
	for _, a := range x.Args {
		r.expr(a, read)
	}
}

// tMethodValue rewrites the method value t.M (not called) as a closure
// that calls the runtime, binding t where the method value is made:
//
//	func(ludus_r *testing.T) func(string, ...any) { return func(a1 string, a2 ...any) { ludus_rt.Errorf(ludus_r, a1, a2...) } }(t)
func (r *fileRewriter) tMethodValue(x *ast.SelectorExpr, s *types.Selection) {
	sig := s.Type().(*types.Signature)
	recvType := types.TypeString(s.Recv(), r.qualifier)
	var params, args []string
	for i := 0; i < sig.Params().Len(); i++ {
		p := "ludus_p" + string(rune('0'+i))
		t := sig.Params().At(i).Type()
		ts := types.TypeString(t, r.qualifier)
		a := p
		if sig.Variadic() && i == sig.Params().Len()-1 {
			ts = "..." + types.TypeString(t.(*types.Slice).Elem(), r.qualifier)
			a += "..."
		}
		params = append(params, p+" "+ts)
		args = append(args, a)
	}
	res, ret := "", ""
	if sig.Results().Len() > 0 {
		res, ret = types.TypeString(sig.Results(), r.qualifier), "return "
	}
	fnType := strings.TrimPrefix(types.TypeString(sig, r.qualifier), "func")
	inner := "func(" + strings.Join(params, ", ") + ") " + res + " { " + ret +
		r.rtCall(x.Sel.Name) + "(" + strings.Join(append([]string{"ludus_r" + embeddedPath(s)}, args...), ", ") + ") }"
	r.insert(x.Pos(), "func(ludus_r "+recvType+") func"+fnType+" { return "+inner+" }(")
	r.expr(x.X, operand)
	r.replace(x.X.End(), x.End(), ")")
}
