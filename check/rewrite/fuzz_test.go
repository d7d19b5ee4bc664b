package rewrite

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// progGen writes random valid Go files that use goroutines, channels,
// select, shared variables, maps, pointers and closures in every form the
// rewriter handles. Programs are only type-checked, never run.
type progGen struct {
	rnd   *rand.Rand
	b     strings.Builder
	ints  []string // int variables in scope
	chans []string // chan int variables in scope
	n     int      // names made
	depth int
}

func (g *progGen) name(stem string) string {
	g.n++
	return fmt.Sprintf("%s%d", stem, g.n)
}

func (g *progGen) pick(xs []string) string { return xs[g.rnd.Intn(len(xs))] }

func (g *progGen) line(format string, args ...any) {
	g.b.WriteString(strings.Repeat("\t", g.depth+1))
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteString("\n")
}

// file returns a whole file of package p.
func (g *progGen) file() string {
	g.b.WriteString(`package p

import (
	"sync"
	"sync/atomic"
	"time"
)

type S struct {
	ch  chan int
	n   int
	m   map[int]int
	p   *S
	arr [3]int
}

type Ch chan int

func (s *S) inc(k int) { s.n += k }
func (s S) get() int   { return s.n + s.arr[1] }

var (
	g   int
	gch = make(chan int, 1)
	gm  = map[int]int{}
	mu  sync.Mutex
	cnt atomic.Int64
	_   = time.Second
)

func use(xs ...int) int { return len(xs) }

func mk() chan int { return make(Ch, 2) }

func f(s *S, a int, c chan<- int) (r int) {
	defer func() { r += a }()
`)
	g.ints = []string{"a", "g", "s.n", "r"}
	g.chans = []string{"s.ch", "gch"}
	for i := 0; i < 4+g.rnd.Intn(8); i++ {
		g.stmt()
	}
	g.b.WriteString("\treturn s.get()\n}\n")
	return g.b.String()
}

func (g *progGen) intExpr(d int) string {
	if d > 2 {
		return g.pick(g.ints)
	}
	switch g.rnd.Intn(9) {
	case 0:
		return fmt.Sprint(g.rnd.Intn(10))
	case 1:
		return "<-" + g.pick(g.chans)
	case 2:
		return "len(" + g.pick(g.chans) + ")"
	case 3:
		return "gm[" + g.intExpr(d+1) + "]"
	case 4:
		return "s.p.arr[1] + s.get()"
	case 5:
		return "use(" + g.intExpr(d+1) + ", " + g.intExpr(d+1) + ")"
	case 6:
		return "(" + g.intExpr(d+1) + " + " + g.intExpr(d+1) + ")"
	case 7:
		return "int(cnt.Load())"
	}
	return g.pick(g.ints)
}

func (g *progGen) stmt() {
	if g.depth > 3 {
		g.line("g++")
		return
	}
	switch g.rnd.Intn(20) {
	case 0:
		g.line("go func() {")
		g.block(2)
		g.line("}()")
	case 1:
		g.line("go f(s, %s, %s)", g.intExpr(1), g.pick(g.chans))
	case 2:
		g.line("go s.inc(%s)", g.intExpr(1))
	case 3:
		g.line("go close(%s)", g.pick(g.chans))
	case 4:
		g.line("%s <- %s", g.pick(g.chans), g.intExpr(0))
	case 5:
		v := g.name("v")
		g.line("%s, ok%d := <-%s", v, g.n, g.pick(g.chans))
		g.line("_, _ = %s, ok%d", v, g.n)
		g.ints = append(g.ints, v)
	case 6:
		v := g.name("c")
		g.line("%s := mk()", v)
		g.line("_ = %s", v)
		g.chans = append(g.chans, v)
	case 7:
		v := g.name("x")
		g.line("for %s := range %s {", v, g.pick(g.chans))
		g.line("\t_ = %s", v)
		g.ints = append(g.ints, v)
		g.block(2)
		g.ints = g.ints[:len(g.ints)-1]
		g.line("}")
	case 8:
		g.selectStmt()
	case 9:
		g.line("%s++", g.pick([]string{"g", "s.n", "a", "r", "s.p.n", "s.arr[2]"}))
	case 10:
		g.line("%s += %s", g.pick([]string{"g", "s.n", "a", "gm[1]"}), g.intExpr(0))
	case 11:
		g.line("s.m[%s] = %s", g.intExpr(1), g.intExpr(1))
		g.line("delete(gm, %s)", g.intExpr(1))
	case 12:
		g.line("if %s > 1 {", g.intExpr(0))
		g.block(2)
		g.line("} else {")
		g.block(1)
		g.line("}")
	case 13:
		i := g.name("i")
		g.line("for %s := 0; %s < 3; %s++ {", i, i, i)
		g.ints = append(g.ints, i)
		g.block(2)
		g.ints = g.ints[:len(g.ints)-1]
		g.line("}")
	case 14:
		g.line("defer func() {")
		g.block(1)
		g.line("}()")
	case 15:
		g.line("mu.Lock()")
		g.line("g = %s", g.intExpr(1))
		g.line("mu.Unlock()")
	case 16:
		p := g.name("p")
		g.line("%s := &%s", p, g.pick([]string{"g", "s.n", "a", "s.arr[0]"}))
		g.line("*%s = %s", p, g.intExpr(1))
	case 17:
		g.line("cnt.Add(int64(%s))", g.intExpr(1))
	case 18:
		g.line("c <- %s", g.intExpr(0))
	default:
		v := g.name("y")
		g.line("%s := %s", v, g.intExpr(0))
		g.line("_ = %s", v)
		g.ints = append(g.ints, v)
	}
}

func (g *progGen) block(n int) {
	g.depth++
	ints, chans := len(g.ints), len(g.chans)
	for i := 0; i < 1+g.rnd.Intn(n); i++ {
		g.stmt()
	}
	g.ints, g.chans = g.ints[:ints], g.chans[:chans]
	g.depth--
}

func (g *progGen) selectStmt() {
	label := g.name("L")
	g.line("%s:", label)
	g.line("for {")
	g.depth++
	g.line("select {")
	for i := 0; i < 1+g.rnd.Intn(3); i++ {
		switch g.rnd.Intn(4) {
		case 0:
			v := g.name("v")
			g.line("case %s := <-%s:", v, g.pick(g.chans))
			g.ints = append(g.ints, v)
			g.line("\t_ = %s", v)
			g.line("\tbreak %s", label)
			g.ints = g.ints[:len(g.ints)-1]
		case 1:
			g.line("case %s <- %s:", g.pick(g.chans), g.intExpr(1))
			g.line("\tcontinue %s", label)
		case 2:
			g.line("case s.arr[0] = <-%s:", g.pick(g.chans))
		case 3:
			g.line("case <-%s:", g.pick(g.chans))
			g.block(1)
		}
	}
	if g.rnd.Intn(2) == 0 {
		g.line("default:")
	}
	g.line("}")
	g.line("if g > 100 {")
	g.line("\tcontinue %s", label)
	g.line("}")
	g.line("break")
	g.depth--
	g.line("}")
}

// runtimeImporter imports the standard library and the check runtime from
// export data listed by go list (built once per test binary).
var runtimeImporter = sync.OnceValues(func() (types.Importer, error) {
	args := []string{"list", "-export", "-deps", "-f", "{{.ImportPath}}={{.Export}}",
		RuntimePath, swaps["sync"], swaps["sync/atomic"], swaps["time"]}
	cmd := exec.Command("go", args...)
	if dir := testRuntime(); dir != "" {
		cmd.Dir = dir
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list the runtime: %v\n%s", err, exitStderr(err))
	}
	exports := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if path, file, ok := strings.Cut(line, "="); ok && file != "" {
			exports[path] = file
		}
	}
	var mu sync.Mutex
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	return importerFunc(func(path string) (*types.Package, error) {
		mu.Lock()
		defer mu.Unlock()
		return imp.Import(path)
	}), nil
})

func exitStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// checkRewritten type-checks a rewritten file with its package's generated
// file against the runtime's API.
func checkRewritten(out []byte, gen []byte) error {
	imp, err := runtimeImporter()
	if err != nil {
		return err
	}
	fset := token.NewFileSet()
	f1, err := parser.ParseFile(fset, "p.go", out, 0)
	if err != nil {
		return err
	}
	f2, err := parser.ParseFile(fset, "ludus_gen.go", gen, 0)
	if err != nil {
		return err
	}
	conf := types.Config{Importer: imp, GoVersion: "go1.26"}
	_, err = conf.Check("p", fset, []*ast.File{f1, f2}, nil)
	return err
}

// rewriteRandom generates the program of seed, rewrites it and checks that
// the output type-checks against the runtime and keeps every line.
func rewriteRandom(t *testing.T, seed int64) {
	src := (&progGen{rnd: rand.New(rand.NewSource(seed))}).file()
	c, err := typeCheck("p.go", src)
	if err != nil {
		t.Fatalf("seed %d: the generator wrote an invalid program: %v\n%s", seed, err, src)
	}
	out, err := RewriteFile(c.fset, c.file, []byte(src), c.info, c.pkg, FileOptions{GoVersion: "go1.21"})
	if err != nil {
		t.Fatalf("seed %d: %v\n%s", seed, err, src)
	}
	if err := sameLines("p.go", src, string(out)); err != nil {
		t.Fatalf("seed %d: %v\n%s\n---\n%s", seed, err, src, out)
	}
	if err := checkRewritten(out, genFile("p", nil, true)); err != nil {
		t.Fatalf("seed %d: the rewritten program does not compile: %v\n--- input:\n%s\n--- output:\n%s", seed, err, src, out)
	}
}

// TestRewriteRandomPrograms rewrites a few hundred random programs.
func TestRewriteRandomPrograms(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 30
	}
	for seed := int64(1); seed <= int64(n); seed++ {
		rewriteRandom(t, seed)
	}
}

// FuzzRewrite rewrites random programs: go test -fuzz FuzzRewrite.
func FuzzRewrite(f *testing.F) {
	for _, seed := range []int64{0, 1, 42, 1 << 40} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed int64) { rewriteRandom(t, seed) })
}
