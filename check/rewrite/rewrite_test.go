package rewrite

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"sort"
	"strings"
	"sync"
	"testing"
)

// stdImporter imports the standard library from export data, shared by
// the tests (it caches what it loads).
var (
	stdImporterOnce sync.Once
	stdImporter     types.Importer
	stdImporterMu   sync.Mutex
)

type lockedImporter struct{}

func (lockedImporter) Import(path string) (*types.Package, error) {
	stdImporterOnce.Do(func() { stdImporter = importer.Default() })
	stdImporterMu.Lock()
	defer stdImporterMu.Unlock()
	return stdImporter.Import(path)
}

// checked is a parsed and type-checked file.
type checked struct {
	fset *token.FileSet
	file *ast.File
	info *types.Info
	pkg  *types.Package
}

// typeCheck parses and type-checks src as the only file of a package.
func typeCheck(name, src string) (*checked, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	info := &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{}, Implicits: map[ast.Node]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{}, Scopes: map[ast.Node]*types.Scope{},
		Instances: map[*ast.Ident]types.Instance{}, FileVersions: map[*ast.File]string{},
	}
	conf := types.Config{Importer: lockedImporter{}, GoVersion: "go1.21"}
	pkg, err := conf.Check("p", fset, []*ast.File{f}, info)
	if err != nil {
		return nil, err
	}
	return &checked{fset, f, info, pkg}, nil
}

// rewriteSrc rewrites src (a whole file of package p) and fails the test
// if it does not type-check first, or if the output loses a line.
func rewriteSrc(t *testing.T, name, src string, opts FileOptions) string {
	t.Helper()
	c, err := typeCheck(name, src)
	if err != nil {
		t.Fatalf("input does not type-check: %v\n%s", err, src)
	}
	out, err := RewriteFile(c.fset, c.file, []byte(src), c.info, c.pkg, opts)
	if err != nil {
		t.Fatalf("rewrite: %v", err)
	}
	if err := sameLines(name, src, string(out)); err != nil {
		t.Errorf("%v\n--- input:\n%s\n--- output:\n%s", err, src, out)
	}
	return string(out)
}

// sameLines checks that every identifier of src is found, with the same
// name on the same line (after line directives), in out: the rewrite moved
// no user token to another line.
func sameLines(name, src, out string) error {
	idents := func(text string) (map[string]int, error) {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, text, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		m := map[string]int{}
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && !strings.HasPrefix(id.Name, "ludus_") && !replacedIdents[id.Name] {
				// x.Add(d) as a statement becomes x.AddDiscard(d): the same identifier, renamed
				name := strings.TrimSuffix(id.Name, "Discard")
				m[fmt.Sprintf("%s:%d", name, fset.Position(id.Pos()).Line)]++
			}
			return true
		})
		return m, nil
	}
	in, err := idents(src)
	if err != nil {
		return err
	}
	got, err := idents(out)
	if err != nil {
		return fmt.Errorf("output does not parse: %v", err)
	}
	var missing []string
	for k, n := range in {
		if got[k] < n {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		return fmt.Errorf("identifiers moved off their line: %v", missing)
	}
	return nil
}

// replacedIdents are the identifiers the rewrite replaces by others.
var replacedIdents = map[string]bool{"_": true, "close": true, "len": true, "runtime": true, "Gosched": true, "NumGoroutine": true}

// body wraps statements in a file with the imports they use.
func body(imports, decls, stmts string) string {
	return "package p\n\nimport (\n" + imports + "\n)\n\n" + decls + "\n\nfunc f() {\n" + stmts + "\n}\n"
}

// rewriteCases pairs snippets with text their rewrite must contain.
var rewriteCases = []struct {
	name           string
	imports, decls string
	stmts          string
	want           []string
	not            []string
}{
	{name: "go literal", imports: `"fmt"`, stmts: "go func() { fmt.Println() }()",
		want: []string{`ludus_rt.Go("func", func() { fmt.Println() })`}},
	{name: "go call evaluates its operands in the parent", decls: "func g(a, b int) {}", stmts: "x := 1\ngo g(x, 2)",
		want: []string{`{ludus_a1 := x; ludus_rt.Go("g", func() { g(ludus_a1, 2) })}`}},
	{name: "go method value", decls: "type T struct{}\nfunc (T) m(int) {}", stmts: "var v T\ngo v.m(3)",
		want: []string{`{ludus_f1 := v.m; ludus_rt.Go("m", func() { ludus_f1(3) })}`}},
	{name: "go close", stmts: "ch := make(chan int)\ngo close(ch)",
		want: []string{`{ludus_a1 := ch; ludus_rt.Go("close", func() { ludus_rt.Close(ludus_a1) })}`}},
	{name: "go with a multi-value argument", decls: "func two() (int, int) { return 1, 2 }\nfunc g(a, b int) {}", stmts: "go g(two())",
		want: []string{`{ludus_a1, ludus_a2 := two(); ludus_rt.Go("g", func() { g(ludus_a1, ludus_a2) })}`}},
	{name: "go variadic spread", decls: "func g(xs ...int) {}", stmts: "s := []int{1}\ngo g(s...)",
		want: []string{`g(ludus_a1...)`}},
	{name: "go untyped comparison keeps the parameter's type", decls: "type B bool\nfunc g(b B) {}", stmts: "x := 1\ngo g(x == 1)",
		want: []string{`ludus_a1 := (B)(x == 1)`}},
	{name: "make, send, receive, comma-ok, close, len, cap",
		stmts: "ch := make(chan int, 1)\nch <- 1\nv := <-ch\nv, ok := <-ch\n_, _ = v, ok\nclose(ch)\n_ = len(ch) + cap(ch)",
		want: []string{"ch := ludus_rt.Make(make(chan int, 1))", "ludus_rt.Send(ch, 1)", "v := ludus_rt.Recv(ch)",
			"v, ok := ludus_rt.Recv2(ch)", "ludus_rt.Close(ch)", "_ = ludus_rt.Len(ch) + cap(ch)"}},
	{name: "send-only len", stmts: "var c chan<- int = make(chan int)\n_ = len(c)", want: []string{"ludus_rt.LenSend(c)"}},
	{name: "send converts to the element type", decls: "type E struct{}\nfunc (*E) Error() string { return \"\" }",
		stmts: "errs := make(chan error, 1)\nerrs <- &E{}", want: []string{"ludus_rt.Send(errs, (error)(&E{}))"}},
	{name: "range over a channel", stmts: "ch := make(chan int)\nfor v := range ch {\n_ = v\n}",
		want: []string{"for ludus_r, v, ludus_ok := ludus_range(ch); ludus_ok; ludus_ok = ludus_next(ludus_r, &v) {"}},
	{name: "range over a channel without variables", stmts: "ch := make(chan int)\nfor range ch {\n}",
		want: []string{"for ludus_r, _, ludus_ok := ludus_range(ch); ludus_ok; _, ludus_ok = ludus_rt.Recv2(ludus_r) {"}},
	{name: "range over a channel assigning", stmts: "var s struct{ x int }\nch := make(chan int)\nfor s.x = range ch {\n}",
		want: []string{"ludus_r, ludus_v, ludus_ok := ludus_range(ch); ludus_ok; ludus_v, ludus_ok = ludus_rt.Recv2(ludus_r) { s.x = ludus_v;"}},
	{name: "select", stmts: "a, b := make(chan int), make(chan int)\nvar s struct{ v int }\nL:\nselect {\ncase v := <-a:\n_ = v\nbreak L\ncase b <- 1:\ncase s.v = <-b:\ndefault:\n}",
		want: []string{"switch ludus_c0, ludus_c1, ludus_c2 := ludus_rt.RecvCase(/*line :14:13*/a/*line :13:1*/), ludus_rt.SendCase(/*line :17:6*/b/*line :13:1*/, /*line :17:11*/1/*line :13:1*/), ludus_rt.RecvCase(/*line :18:14*/b/*line :13:1*/); ludus_rt.Select(true, ludus_c0, ludus_c1, ludus_c2) {",
			"case 0: v := ludus_c0.V;", "case 1:", "case 2: s.v = ludus_c2.V;", "L:"},
		not: []string{"unreachable"}},
	{name: "select without default stays terminating", decls: "func g(a chan int) int {\nselect {\ncase v, ok := <-a:\nif ok { return v }\nreturn 0\n}\n}",
		want: []string{"case 0: v, ok := ludus_c0.V, ludus_c0.OK;", `default: panic("unreachable")`}},
	{name: "empty select", stmts: "select {}", want: []string{"ludus_rt.Select(false)"}},
	{name: "package variable", decls: "var n int", stmts: "n++\nn += 2\nx := n\n_ = x",
		want: []string{`(*ludus_rt.W(&n, "n"))++`, `(*ludus_rt.W(&n, "n")) += 2`, `x := (*ludus_rt.R(&n, "n"))`}},
	{name: "captured local", stmts: "x := 0\nfunc() { x++ }()\n_ = x",
		want: []string{`func() { (*ludus_rt.W(&x, "x"))++ }()`, `_ = (*ludus_rt.R(&x, "x"))`}},
	{name: "private local is not instrumented", stmts: "x := 0\nx++\n_ = x", not: []string{"ludus_rt"}},
	{name: "pointer chain", decls: "type N struct{ v int; next *N }", stmts: "p := &N{}\np.next.v = 1\n_ = *p",
		want: []string{`ludus_rt.Set(&(*ludus_rt.R(&p.next, "p.next")).v, "p.next.v").To(1)`, `_ = (*ludus_rt.R(p, "*p"))`}},
	{name: "address of a field is not an access", decls: "type N struct{ v int }", stmts: "p := &N{}\nq := &p.v\n_ = q",
		want: []string{"q := &p.v"}},
	{name: "maps", stmts: "m := map[int]int{}\nm[1] = 2\n_ = m[1]\ndelete(m, 1)\n_ = len(m)\nfor k := range m {\n_ = k\n}\nclear(m)",
		want: []string{`ludus_rt.MW(m, "m")[1] = 2`, `_ = ludus_rt.MR(m, "m")[1]`, `delete(ludus_rt.MW(m, "m"), 1)`,
			`len(ludus_rt.MR(m, "m"))`, `for ludus_m, k, _ := ludus_rt.MapRange(m, "m"); ludus_m.Next(&k, nil); {`, `clear(ludus_rt.MW(m, "m"))`}},
	{name: "map range forms", stmts: "m := map[string]int{}\nvar k string\nvar v int\nfor k, v = range m {\n}\nfor _, v := range m {\n_ = v\n}\nfor range m {\n}\n_, _ = k, v",
		want: []string{`for ludus_m, ludus_k, ludus_v := ludus_rt.MapRange(m, "m"); ludus_m.Next(&ludus_k, &ludus_v); { k = ludus_k; v = ludus_v; _, _ = ludus_k, ludus_v;`,
			`for ludus_m, _, v := ludus_rt.MapRange(m, "m"); ludus_m.Next(nil, &v); {`,
			`for ludus_m, _, _ := ludus_rt.MapRange(m, "m"); ludus_m.Next(nil, nil); {`}},
	{name: "slices and composite literals", decls: "type P struct{ a, b int }", stmts: "s := []int{1}\nx := 0\nfunc() { x = 1 }()\np := P{a: s[0], b: x}\n_ = p",
		want: []string{`P{a: (*ludus_rt.R(&s[0], "s[0]")), b: (*ludus_rt.R(&x, "x"))}`}},
	{name: "value method through a pointer reads the value", decls: "type T struct{ v int }\nfunc (t T) get() int { return t.v }", stmts: "p := &T{}\n_ = p.get()",
		want: []string{`(*ludus_rt.R(p, "*p")).get()`}},
	{name: "named result read by a deferred closure", decls: "func g() (err error) {\ndefer func() { _ = err }()\nreturn nil\n}",
		want: []string{`(*ludus_rt.W(&err, "err")) = nil; return`}},
	{name: "shared range variable is written each iteration", stmts: "for i := range []int{1} {\ngo func() { _ = i }()\n}",
		want: []string{`ludus_rt.W(&i, "i");`}},
	{name: "runtime scheduler calls", imports: `"runtime"`, stmts: "runtime.Gosched()\n_ = runtime.NumGoroutine()",
		want: []string{"ludus_rt.Gosched()", "ludus_rt.NumGoroutine()", `_ "runtime"`}},
	{name: "imports are swapped", imports: "\"sync\"\n\"sync/atomic\"\nt \"time\"\n\"context\"\n\"math/rand\"",
		stmts: "var mu sync.Mutex\nvar n atomic.Int64\n_ = t.Second\n_ = context.Background\n_ = rand.Intn\nmu.Lock()\nn.Add(1)",
		want: []string{`sync "github.com/labludus/ludus/check/sync"`, `atomic "github.com/labludus/ludus/check/atomic"`,
			`t "github.com/labludus/ludus/check/time"`, `context "github.com/labludus/ludus/check/context"`,
			`rand "github.com/labludus/ludus/check/math/rand"`, "mu.Lock()"}},
	{name: "external calls", imports: "\"io\"\n\"os/exec\"\n\"strings\"",
		stmts: "exec.Command(\"true\").Run()\nb, err := io.ReadAll(strings.NewReader(\"x\"))\n_, _ = b, err\nvar r io.Reader\nn, err := r.Read(b)\n_ = n",
		want: []string{`{ludus_e := ludus_rt.Enter("exec.(*Cmd).Run"); exec.Command("true").Run(); ludus_e.Exit()}`,
			`ludus_e1 := ludus_rt.Enter("io.ReadAll"); b, err := io.ReadAll(strings.NewReader("x")); ludus_e1.Exit()`,
			`ludus_rt.Enter("io.Reader.Read"); n, err := r.Read(b);`}},
	{name: "external call in an expression", imports: "\"io\"\n\"strings\"", stmts: "if b, _ := io.ReadAll(strings.NewReader(\"x\")); len(b) > 0 {\n}\n_ = must(io.ReadAll(strings.NewReader(\"\")))",
		decls: "func must(b []byte, err error) []byte { return b }",
		want:  []string{`must(io.ReadAll(strings.NewReader("")))`}},
}

func TestRewriteForms(t *testing.T) {
	for _, tc := range rewriteCases {
		t.Run(tc.name, func(t *testing.T) {
			out := rewriteSrc(t, "p.go", body(tc.imports, tc.decls, tc.stmts), FileOptions{})
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(out, n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
			if strings.Contains(out, "ludus_rt.") && !strings.Contains(out, `ludus_rt "`+RuntimePath+`"`) {
				t.Errorf("output uses the runtime without importing it:\n%s", out)
			}
		})
	}
}

const testFile = `package p

import "testing"

type helper struct{ *testing.T }

func TestA(t *testing.T) {
	t.Helper()
	done := make(chan bool)
	go func() {
		t.Fatal("in a goroutine")
		done <- true
	}()
	<-done
	t.Run("sub", func(t *testing.T) {
		t.Parallel()
		t.Cleanup(func() {})
		_, _ = t.Deadline()
		_ = t.Context()
		t.Logf("%s", t.Name())
	})
	h := helper{t}
	h.Errorf("through an embedded field")
	f := t.Errorf
	f("method value %d", 1)
}

func TestB(*testing.T) {}

func TestC(_ *testing.T) {}

func Testlower(t *testing.T) {}

func TestMain(m *testing.M) { m.Run() }

func BenchmarkX(b *testing.B) { b.Log() }

func report(tb testing.TB) { tb.Error("x") }

type logT interface{ Logf(string, ...any) }

func logVia(l logT, xs ...logT) {}

func useAny(v any) {}

func TestInterfaces(t *testing.T) {
	logVia(t)
	var tb testing.TB = t
	logVia(tb, t)
	report(t)
	useAny(t)
}

type holder struct {
	l    logT
	name string
}

func asLog(t *testing.T) logT { return t }

func TestConversions(t *testing.T) {
	var l logT
	l = t
	h := holder{l: t, name: "x"}
	hs := []holder{{t, "y"}}
	ls := []logT{t}
	byName := map[string]logT{"t": t}
	ch := make(chan logT, 1)
	ch <- t
	v := any(t)
	_, _, _, _, _, _ = l, h, hs, ls, byName, v
}
`

func TestRewriteTests(t *testing.T) {
	out := rewriteSrc(t, "p_test.go", testFile, FileOptions{Tests: true})
	for _, w := range []string{
		"func TestA(t *testing.T) { ludus_rt.Test(t, func(t *testing.T) {",
		"t.Helper()",
		`ludus_rt.Fatal(t, "in a goroutine")`,
		`ludus_rt.Run(t, "sub", func(t *testing.T) {`,
		"ludus_rt.Parallel(t)", "ludus_rt.Cleanup(t, func() {})", "ludus_rt.Deadline(t)", "ludus_rt.Context(t)",
		`ludus_rt.Logf(t, "%s", ludus_rt.Name(t))`,
		`ludus_rt.Errorf(h.T, "through an embedded field")`,
		`func(ludus_r *testing.T) func(format string, args ...any) {`,
		"func TestB(ludus_t *testing.T) { ludus_rt.Test(ludus_t, func(ludus_t *testing.T) {})}",
		"func TestC(ludus_t *testing.T) { ludus_rt.Test(ludus_t, func(ludus_t *testing.T) {})}",
		"func Testlower(t *testing.T) {}",
		"func TestMain(m *testing.M) { m.Run() }",
		"func BenchmarkX(b *testing.B) { b.Log() }",
		`ludus_rt.Error(tb, "x")`,
		"logVia(ludus_rt.WrapT(t))",
		"logVia(ludus_rt.WrapTB(tb), ludus_rt.WrapT(t))",
		"report(ludus_rt.WrapT(t))",
		"useAny(t)", // an empty interface has no method to go through
		"var tb testing.TB = ludus_rt.WrapT(t)",
		"func asLog(t *testing.T) logT { return ludus_rt.WrapT(t) }",
		"l = ludus_rt.WrapT(t)",
		`holder{l: ludus_rt.WrapT(t), name: "x"}`,
		`[]holder{{ludus_rt.WrapT(t), "y"}}`,
		"[]logT{ludus_rt.WrapT(t)}",
		`map[string]logT{"t": ludus_rt.WrapT(t)}`,
		"ludus_rt.WrapT(t))", // the send
		"v := any(t)",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// TestVersionLine: every file gets its module's language version, combined
// with its own constraint.
func TestVersionLine(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"package p\n", "//go:build go1.21\n\n/*line :1:1*/package p\n"},
		{"//go:build linux\n\npackage p\n", "//go:build linux && go1.21\n\npackage p\n"},
		{"// +build linux,amd64\n\npackage p\n", "//go:build linux && amd64 && go1.21\n\n/*line :1:1*/// +build linux,amd64\n"},
		{"// Copyright\n\n//go:build a || b\n\n// Package p.\npackage p\n", "//go:build (a || b) && go1.21\n"},
	} {
		out := rewriteSrc(t, "p.go", tc.src, FileOptions{GoVersion: "go1.21"})
		if !strings.Contains(out, tc.want) {
			t.Errorf("%q: got\n%s\nwant it to contain\n%s", tc.src, out, tc.want)
		}
	}
}

func TestLangOf(t *testing.T) {
	for in, want := range map[string]string{"1.21": "go1.21", "1.21.3": "go1.21", "1.22rc1": "go1.22", "1.16": "go1.18", "": "go1.18", "1.26.0": "go1.26"} {
		if got := langOf(in); got != want {
			t.Errorf("langOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// A deadline handed to the operating system (net.Conn.SetDeadline and
// kin) is mapped from the virtual clock to the real one; a method of the
// user's own with the same name is left alone.
func TestRewriteDeadlines(t *testing.T) {
	src := `package p

import (
	"net"
	"time"
)

type own struct{}

func (own) SetDeadline(time.Time) error { return nil }

func f(c net.Conn, tc *net.TCPConn, o own) {
	_ = c.SetDeadline(time.Now().Add(time.Second))
	_ = tc.SetReadDeadline(time.Time{})
	_ = c.SetWriteDeadline(time.Now())
	_ = o.SetDeadline(time.Now())
}
`
	containsAll(t, rewriteSrc(t, "p.go", src, FileOptions{}),
		"c.SetDeadline(ludus_rt.RealDeadline(time.Now().Add(time.Second)))",
		"tc.SetReadDeadline(ludus_rt.RealDeadline(time.Time{}))",
		"c.SetWriteDeadline(ludus_rt.RealDeadline(time.Now()))",
		"o.SetDeadline(time.Now())")
}

// containsAll fails the test for each of wants that out lacks.
func containsAll(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}
