package check

import (
	"fmt"

	"github.com/labludus/ludus/check/internal/engine"
)

// Var is plain, non-atomic shared memory under the checker's control:
// every Load and Store is a scheduling point, and two accesses from
// different goroutines, one a write, that no synchronization orders are a
// DataRace. Outside an exploration it is an ordinary variable.
type Var[V any] struct {
	m    engine.Var // first: check.Name(&v) names it
	name string
	v    V
}

// NewVar returns a variable named name (the name labels it in traces)
// holding init. Create it inside the body, so that every execution starts
// from init.
func NewVar[V any](name string, init V) *Var[V] {
	v := &Var[V]{name: name, v: init}
	v.m.Name = name
	if engine.Active() {
		if g := engine.Current(); g != nil {
			g.Engine().BindVar(&v.m, name, func() string { return fmt.Sprint(v.v) })
		}
	}
	return v
}

// Load returns the value.
func (v *Var[V]) Load() V {
	if engine.Active() {
		if g := engine.EnterOp(&v.m.Object, v.name, ".Load"); g != nil {
			e := g.Engine()
			e.VarAccess(g, &v.m, false)
			x := v.v
			e.VarDone(g, &v.m, false, func() string { return fmt.Sprintf("%s.Load() -> %v", v.m.Label(), x) })
			return x
		}
	}
	return v.v
}

// Store sets the value.
func (v *Var[V]) Store(x V) {
	if engine.Active() {
		if g := engine.EnterOp(&v.m.Object, v.name, ".Store"); g != nil {
			e := g.Engine()
			e.VarAccess(g, &v.m, true)
			v.v = x
			e.VarDone(g, &v.m, true, func() string { return fmt.Sprintf("%s.Store(%v)", v.m.Label(), x) })
			return
		}
	}
	v.v = x
}

// Name returns the variable's name.
func (v *Var[V]) Name() string { return v.name }
