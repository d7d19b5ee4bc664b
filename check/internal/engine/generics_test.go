package engine_test

import (
	"go/types"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// TestNoGenericInstances keeps the engine's types free of generic
// instances (see ptr.go): the compiler builds the methods of every generic
// instance reachable from a type a package mentions in that package, and
// every package ludus check rewrites mentions engine types. The test walks
// every type reachable from the engine's declarations (through fields,
// elements, signatures and other packages' types) and names each instance
// it meets, with the path that reaches it.
func TestNoGenericInstances(t *testing.T) {
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedTypes | packages.NeedName}, ".")
	if err != nil || len(pkgs) != 1 || pkgs[0].Types == nil {
		t.Fatalf("loading the engine: %v", err)
	}
	w := &instanceWalker{seen: map[types.Type]bool{}}
	scope := pkgs[0].Types.Scope()
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || name == "Lazy" { // Lazy is generic itself; its instances live in the drop-ins
			continue
		}
		w.walk(tn.Type(), name)
	}
	for _, f := range w.found {
		t.Errorf("generic instance reachable from an engine type: %s", f)
	}
}

// instanceWalker visits a type graph once per type.
type instanceWalker struct {
	seen  map[types.Type]bool // types visited
	found []string            // instances met, with their paths
}

func (w *instanceWalker) walk(t types.Type, path string) {
	if w.seen[t] {
		return
	}
	w.seen[t] = true
	switch t := t.(type) {
	case *types.Named:
		if t.TypeArgs().Len() > 0 {
			w.found = append(w.found, path+": "+t.String())
			return
		}
		w.walk(t.Underlying(), path)
		for i := range t.NumMethods() {
			w.walk(t.Method(i).Type(), path+"."+t.Method(i).Name())
		}
	case *types.Pointer:
		w.walk(t.Elem(), path)
	case *types.Slice:
		w.walk(t.Elem(), path+"[]")
	case *types.Array:
		w.walk(t.Elem(), path+"[]")
	case *types.Map:
		w.walk(t.Key(), path+"[key]")
		w.walk(t.Elem(), path+"[]")
	case *types.Chan:
		w.walk(t.Elem(), path+"<-")
	case *types.Struct:
		for i := range t.NumFields() {
			w.walk(t.Field(i).Type(), path+"."+t.Field(i).Name())
		}
	case *types.Signature:
		for _, tuple := range []*types.Tuple{t.Params(), t.Results()} {
			for i := range tuple.Len() {
				w.walk(tuple.At(i).Type(), path+"()")
			}
		}
	case *types.Interface:
		for i := range t.NumMethods() {
			w.walk(t.Method(i).Type(), path+"."+t.Method(i).Name())
		}
	case *types.Basic, *types.TypeParam, *types.Alias:
	default:
		if !strings.HasPrefix(t.String(), "invalid") {
			w.walk(t.Underlying(), path)
		}
	}
}
