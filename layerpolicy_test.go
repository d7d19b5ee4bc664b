package ludus

// The policy behind layers_test.go: layerRules parsed into the set of
// nodes each node may import, and the check of a module's imports
// against it.

import (
	"fmt"
	"go/build"
	"go/token"
	"slices"
	"strings"
)

// statement is one rule of layerRules, kept for messages.
type statement struct {
	pos  token.Position // where it starts
	text string         // the statement, whitespace collapsed
}

func (s statement) String() string { return fmt.Sprintf("%v: %q", s.pos, s.text) }

// policy is layerRules, parsed.
type policy struct {
	// allowed holds, for each node (a package path, an "x/..." pattern or
	// an UPPERCASE group), every node it may import, transitively closed:
	// a node's set includes the sets of the nodes it names.
	allowed map[string]map[string]bool
	// rule is the statement that gave each node its place.
	rule map[string]statement
	// order lists the nodes as they were defined, for stable messages.
	order []string
	// test is what tests of every package may import besides.
	test map[string]bool
	// seams maps a build tag to the grants it makes to non-test files.
	seams map[string][]grant
	// xtest maps a package to what its external tests may import besides.
	xtest map[string]map[string]bool
	// modules maps a node to the third-party module prefixes its non-test
	// files may import ("ANY" for any).
	modules map[string][]string
	// where is the statement behind each of test, seams, xtest, modules.
	where map[string]statement
}

// grant lets the packages of the nodes to import the nodes of what.
type grant struct {
	what, to map[string]bool
}

// parsePolicy parses rules, whose first line is at pos (for messages);
// errors name the rule's file:line.
func parsePolicy(rules string, pos token.Position) (*policy, error) {
	p := &policy{
		allowed: map[string]map[string]bool{"NONE": {}},
		rule:    map[string]statement{},
		test:    map[string]bool{},
		seams:   map[string][]grant{},
		xtest:   map[string]map[string]bool{},
		modules: map[string][]string{},
		where:   map[string]statement{},
	}
	for _, st := range splitStatements(rules, pos) {
		var err error
		switch head, rest, _ := strings.Cut(st.text, " "); {
		case head == "test:":
			err = p.parseTest(st, rest)
		case head == "seam":
			err = p.parseSeam(st, rest)
		case head == "xtest":
			err = p.parseXTest(st, rest)
		case head == "module":
			err = p.parseModule(st, rest)
		default:
			err = p.parseChain(st)
		}
		if err != nil {
			return nil, fmt.Errorf("%v: %w", st, err)
		}
	}
	return p, nil
}

// splitStatements cuts rules at ';', dropping comments, and places each
// statement at the line it starts on, counting from pos.
func splitStatements(rules string, pos token.Position) []statement {
	var out []statement
	var cur []string
	start := 0
	for i, line := range strings.Split(rules, "\n") {
		line, _, _ = strings.Cut(line, "#")
		for {
			before, after, end := strings.Cut(line, ";")
			if f := strings.Fields(before); len(f) > 0 {
				if len(cur) == 0 {
					start = i + 1
				}
				cur = append(cur, f...)
			}
			if !end {
				break
			}
			if len(cur) > 0 {
				out = append(out, statement{pos: lineAt(pos, start), text: strings.Join(cur, " ")})
			}
			cur, line = nil, after
		}
	}
	if len(cur) > 0 {
		out = append(out, statement{pos: lineAt(pos, start), text: strings.Join(cur, " ") + " (no closing ';')"})
	}
	return out
}

// lineAt returns the position of line n (1-based) of a text at pos.
func lineAt(pos token.Position, n int) token.Position {
	pos.Line += n - 1
	pos.Column = 0
	return pos
}

// names splits "a, b, c" into names.
func names(list string) []string {
	var out []string
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (p *policy) parseChain(st statement) error {
	if strings.HasSuffix(st.text, "(no closing ';')") {
		return fmt.Errorf("statement not closed by ';'")
	}
	parts := strings.Split(st.text, "<")
	if len(parts) < 2 {
		return fmt.Errorf("want a chain \"a < b\"")
	}
	for i := 1; i < len(parts); i++ {
		below, above := names(parts[i-1]), names(parts[i])
		if len(below) == 0 || len(above) == 0 {
			return fmt.Errorf("empty list around '<'")
		}
		set := map[string]bool{}
		for _, b := range below {
			sub, ok := p.allowed[b]
			if !ok {
				return fmt.Errorf("%s is used before its own rule", b)
			}
			if b != "NONE" {
				set[b] = true
			}
			for n := range sub {
				set[n] = true
			}
		}
		for _, a := range above {
			if a == "NONE" {
				return fmt.Errorf("NONE cannot import anything")
			}
			if _, dup := p.allowed[a]; dup {
				return fmt.Errorf("%s already has a rule (%v)", a, p.rule[a])
			}
			p.allowed[a], p.rule[a] = set, st
			p.order = append(p.order, a)
		}
	}
	return nil
}

// isGroup reports whether n names a group (UPPERCASE), not a package.
func isGroup(n string) bool {
	for _, r := range n {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return n != ""
}

// known expands names that must all have rules into a set.
func (p *policy) known(list string) (map[string]bool, error) {
	set := map[string]bool{}
	for _, n := range names(list) {
		if _, ok := p.allowed[n]; !ok || n == "NONE" {
			return nil, fmt.Errorf("%s has no rule", n)
		}
		set[n] = true
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("empty list")
	}
	return set, nil
}

func (p *policy) parseTest(st statement, rest string) error {
	set, err := p.known(rest)
	for n := range set {
		p.test[n] = true
	}
	p.where["test"] = st
	return err
}

func (p *policy) parseSeam(st statement, rest string) error {
	tag, rest, ok := strings.Cut(rest, ":")
	what, to, ok2 := strings.Cut(rest, " for ")
	if !ok || !ok2 || strings.TrimSpace(tag) == "" {
		return fmt.Errorf("want \"seam tag: a for b\"")
	}
	w, err := p.known(what)
	if err != nil {
		return err
	}
	t, err := p.known(to)
	if err != nil {
		return err
	}
	tag = strings.TrimSpace(tag)
	p.seams[tag] = append(p.seams[tag], grant{what: w, to: t})
	p.where["seam "+tag] = st
	return nil
}

func (p *policy) parseXTest(st statement, rest string) error {
	pkg, list, ok := strings.Cut(rest, ":")
	if !ok {
		return fmt.Errorf("want \"xtest p: a, b\"")
	}
	pkg = strings.TrimSpace(pkg)
	if _, err := p.known(pkg); err != nil {
		return err
	}
	set, err := p.known(list)
	if err != nil {
		return err
	}
	p.xtest[pkg] = set
	p.where["xtest "+pkg] = st
	return nil
}

func (p *policy) parseModule(st statement, rest string) error {
	mod, list, ok := strings.Cut(rest, ":")
	if mod = strings.TrimSpace(mod); !ok || mod == "" {
		return fmt.Errorf("want \"module m: a, b\"")
	}
	set, err := p.known(list)
	if err != nil {
		return err
	}
	for n := range set {
		p.modules[n] = append(p.modules[n], mod)
	}
	p.where["module "+mod] = st
	return nil
}

// nodeOf returns the rule node of package path pkg (relative to the
// module): its own name, the "x/..." pattern it falls under, or the node
// of the package whose internal/ directory holds it; "" if none.
func (p *policy) nodeOf(pkg string) string {
	if _, ok := p.allowed[pkg]; ok && !isGroup(pkg) {
		return pkg
	}
	best := ""
	for n := range p.allowed {
		if x, ok := strings.CutSuffix(n, "/..."); ok && (pkg == x || strings.HasPrefix(pkg, x+"/")) && len(n) > len(best) {
			best = n
		}
	}
	if best != "" {
		return best
	}
	if i := strings.Index("/"+pkg, "/internal/"); i > 0 {
		return p.nodeOf(pkg[:i-1])
	}
	return ""
}

// mayImport reports whether node from may import node to: its own
// packages, or a node its rule allows.
func (p *policy) mayImport(from, to string, extra ...map[string]bool) bool {
	if from == to || p.allowed[from][to] {
		return true
	}
	for _, set := range extra {
		for n := range set {
			if n == to || p.allowed[n][to] {
				return true
			}
		}
	}
	return false
}

// importKind says which files of a package an import is in.
type importKind int

const (
	nonTest importKind = iota + 1
	inPackageTest
	externalTest
)

func (k importKind) String() string {
	return constName("importKind", int(k), "non-test", "test", "external test")
}

// constName names value v of a typed constant whose values count from 1
// in the order of names.
func constName(typ string, v int, names ...string) string {
	if v >= 1 && v <= len(names) {
		return names[v-1]
	}
	return fmt.Sprintf("%s(%d)", typ, v)
}

// problem says what is wrong with an import.
type problem int

const (
	// upward: the imported package sits above the importer.
	upward problem = iota + 1
	// sideways: neither package is below the other.
	sideways
	// testOnly: what the importer's tests may use, in a non-test file.
	testOnly
	// noRule: a package that layerRules does not place.
	noRule
	// thirdParty: a module outside the standard library and golang.org/x
	// that the importer's rule does not allow.
	thirdParty
)

func (p problem) String() string {
	return constName("problem", int(p), "upward import", "sideways import",
		"test-only import in a non-test file", "package without a rule", "third-party import")
}

// violation is one import the rules forbid.
type violation struct {
	pkg, imp string // relative to the module, or imp's full path if outside it
	kind     importKind
	problem  problem
	pos      token.Position
	tags     []string
	rule     string // the rule broken, and what it allows
}

func (v violation) String() string {
	build := "default build"
	if len(v.tags) > 0 {
		build = "-tags " + strings.Join(v.tags, ",")
	}
	return fmt.Sprintf("%s: %s imports %s (%s, %s): %s\n\t%s", v.pos, v.pkg, v.imp, v.kind, build, v.problem, v.rule)
}

// check returns every import of pkgs, built with tags, that the policy
// forbids.
func (p *policy) check(pkgs []*build.Package, tags []string) []violation {
	var out []violation
	for _, pkg := range pkgs {
		from := p.nodeOf(pkg.ImportPath)
		if from == "" {
			out = append(out, violation{pkg: pkg.ImportPath, imp: "-", problem: noRule, pos: token.Position{Filename: pkg.ImportPath},
				tags: tags, rule: fmt.Sprintf("add %s to layerRules in layers_test.go, in its layer", pkg.ImportPath)})
			continue
		}
		for _, k := range []importKind{nonTest, inPackageTest, externalTest} {
			imps, pos := importsOf(pkg, k)
			for _, imp := range imps {
				if v, bad := p.checkImport(pkg.ImportPath, from, imp, k, tags); bad {
					if ps := pos[imp]; len(ps) > 0 {
						v.pos = ps[0]
					}
					out = append(out, v)
				}
			}
		}
	}
	return out
}

func importsOf(pkg *build.Package, k importKind) ([]string, map[string][]token.Position) {
	switch k {
	case inPackageTest:
		return pkg.TestImports, pkg.TestImportPos
	case externalTest:
		return pkg.XTestImports, pkg.XTestImportPos
	}
	return pkg.Imports, pkg.ImportPos
}

// checkImport judges one import of package pkg (rule node from).
func (p *policy) checkImport(pkg, from, imp string, k importKind, tags []string) (violation, bool) {
	v := violation{pkg: pkg, imp: imp, kind: k, tags: tags, pos: token.Position{Filename: pkg}}
	rel, inModule := relPath(imp)
	if !inModule {
		return p.checkModule(v, from, imp, k)
	}
	v.imp = rel
	to := p.nodeOf(rel)
	if to == "" {
		v.problem, v.rule = noRule, fmt.Sprintf("add %s to layerRules in layers_test.go, in its layer", rel)
		return v, true
	}
	extra := []map[string]bool{}
	if k != nonTest {
		extra = append(extra, p.test)
	}
	if k == externalTest {
		extra = append(extra, p.xtest[from])
	}
	if k == nonTest {
		for _, tag := range tags {
			for _, g := range p.seams[tag] {
				if p.covers(g.to, from) {
					extra = append(extra, g.what)
				}
			}
		}
	}
	if p.mayImport(from, to, extra...) {
		return v, false
	}
	switch {
	case k == nonTest && p.mayImport(from, to, p.test) && p.hasSeam(from):
		v.problem = testOnly
	case p.below(from, to):
		v.problem = upward
	default:
		v.problem = sideways
	}
	v.rule = p.explain(from, to)
	if v.problem == testOnly {
		v.rule += fmt.Sprintf("; %s may be imported by tests (%v), and by non-test files only in the builds of %s",
			to, p.where["test"], p.seamList())
	}
	return v, true
}

// hasSeam reports whether a build tag seam covers node n: n is a library
// package, which may reach what tests may only through a seam.
func (p *policy) hasSeam(n string) bool {
	for _, gs := range p.seams {
		for _, g := range gs {
			if p.covers(g.to, n) {
				return true
			}
		}
	}
	return false
}

// below reports whether node a sits below node b: b may import a, in its
// non-test files, its tests or through a build tag seam.
func (p *policy) below(a, b string) bool {
	if p.mayImport(b, a, p.test) {
		return true
	}
	for _, gs := range p.seams {
		for _, g := range gs {
			if p.covers(g.to, b) && p.covers(g.what, a) {
				return true
			}
		}
	}
	return false
}

// covers reports whether node n is one of set's nodes or a member of one
// of its groups.
func (p *policy) covers(set map[string]bool, n string) bool {
	for g := range set {
		if g == n || p.allowed[g][n] {
			return true
		}
	}
	return false
}

func (p *policy) seamList() string {
	var s []string
	for tag := range p.seams {
		s = append(s, fmt.Sprintf("-tags %s (%v)", tag, p.where["seam "+tag]))
	}
	slices.Sort(s)
	if len(s) == 0 {
		return "no tag"
	}
	return strings.Join(s, ", ")
}

// explain names the rule that places from and the packages it lets from
// import, and says where to it sits.
func (p *policy) explain(from, to string) string {
	var ok []string
	for _, n := range p.order {
		if p.allowed[from][n] && !isGroup(n) {
			ok = append(ok, n)
		}
	}
	may := "nothing of ludus"
	if len(ok) > 0 {
		may = "only " + strings.Join(ok, ", ")
	}
	s := fmt.Sprintf("rule broken: %v lets %s import %s", p.rule[from], from, may)
	if p.below(from, to) {
		s += fmt.Sprintf("; %s sits above it (%v)", to, p.rule[to])
	}
	return s
}

// checkModule judges an import from outside the module.
func (p *policy) checkModule(v violation, from, imp string, k importKind) (violation, bool) {
	first, _, _ := strings.Cut(imp, "/")
	if !strings.Contains(first, ".") || strings.HasPrefix(imp, "golang.org/x/") || k != nonTest {
		return v, false // the standard library, golang.org/x, or a test
	}
	for _, m := range p.modules[from] {
		if m == "ANY" || imp == strings.TrimSuffix(m, "/...") || strings.HasSuffix(m, "/...") && strings.HasPrefix(imp, strings.TrimSuffix(m, "...")) {
			return v, false
		}
	}
	v.problem = thirdParty
	v.rule = fmt.Sprintf("library packages use the standard library and golang.org/x only; a \"module\" statement in layerRules must allow %s for %s", imp, from)
	return v, true
}

// relPath returns imp relative to the module, and whether it is in it.
func relPath(imp string) (string, bool) {
	if imp == modulePath {
		return ".", true
	}
	rel, ok := strings.CutPrefix(imp, modulePath+"/")
	return rel, ok
}
