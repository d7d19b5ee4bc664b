package actor

import (
	"reflect"
	"sync"
)

// References travel inside messages as their address in text form
// ("actor://node/user/a#7"): Ref and AnyRef implement encoding.TextMarshaler,
// so JSON, CBOR and most codecs carry them. A decoded reference knows only
// its address until a Bridge binds it (Bridge.Bind, which transports call
// on every message they decode); an unbound one refuses every message with
// ErrNoActor.

// MarshalText returns the address of r's actor ("" for the zero Ref). If r
// is the reply address of an Ask, the Ask becomes reachable from the
// System's Transport.
func (r Ref[M]) MarshalText() ([]byte, error) { return marshalRef(r.proc()) }

// UnmarshalText reads an address written by MarshalText into an unbound
// reference (see Bridge.Bind).
func (r *Ref[M]) UnmarshalText(b []byte) error {
	p, err := unmarshalRef(b)
	if err == nil {
		*r = Ref[M]{}
		if p.addr != (Address{}) {
			*r = Ref[M]{remoteOf[M]{p}}
		}
	}
	return err
}

// MarshalText is Ref.MarshalText.
func (r AnyRef) MarshalText() ([]byte, error) { return marshalRef(r.p) }

// UnmarshalText is Ref.UnmarshalText.
func (r *AnyRef) UnmarshalText(b []byte) error {
	p, err := unmarshalRef(b)
	if err == nil {
		*r = AnyRef{}
		if p.addr != (Address{}) {
			*r = AnyRef{p}
		}
	}
	return err
}

// unmarshalRef reads an address into an unbound remote process; the zero
// one for empty text.
func unmarshalRef(b []byte) (remote, error) {
	if len(b) == 0 {
		return remote{}, nil
	}
	a, err := ParseAddress(string(b))
	return remote{nil, a}, err
}

func marshalRef(p process) ([]byte, error) {
	if p == nil {
		return nil, nil
	}
	if e, ok := p.(exporter); ok {
		if b := e.system().bridge.Load(); b != nil {
			e.export(b)
		}
	}
	return []byte(p.address().String()), nil
}

// binder is a decoded reference that a Bridge can bind.
type binder interface{ bind(b *Bridge) }

func (r *Ref[M]) bind(b *Bridge) {
	if rm, ok := r.p.(remoteOf[M]); ok && rm.b == nil {
		*r = RemoteRef[M](b, rm.addr)
	}
}

func (r *AnyRef) bind(b *Bridge) {
	if rm, ok := r.p.(remote); ok && rm.b == nil {
		*r = b.Ref(rm.addr)
	}
}

var binderType = reflect.TypeFor[binder]()

// refTypes caches, per type, whether a value of it can hold a reference.
var refTypes sync.Map // reflect.Type -> bool

// Bind turns every reference decoded inside *v (v is a pointer) into a
// working one: a local actor if the address names this System, a remote one
// through the Transport otherwise. It reaches references in struct fields
// (exported ones: codecs set no others), pointers, slices, arrays and maps;
// values of types that hold none cost one cached lookup.
func (b *Bridge) Bind(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return
	}
	b.bindValue(rv.Elem())
}

func (b *Bridge) bindValue(v reflect.Value) {
	t := v.Type()
	if !holdsRefs(t) {
		return
	}
	if v.CanAddr() && reflect.PointerTo(t).Implements(binderType) {
		v.Addr().Interface().(binder).bind(b)
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if t.Field(i).IsExported() {
				b.bindValue(v.Field(i))
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			b.bindValue(v.Elem())
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			b.bindValue(v.Index(i))
		}
	case reflect.Map:
		b.bindMap(v)
	}
}

// bindMap rebuilds a map whose keys or values hold references (map
// entries are not addressable).
func (b *Bridge) bindMap(v reflect.Value) {
	if v.IsNil() {
		return
	}
	t := v.Type()
	out := reflect.MakeMapWithSize(t, v.Len())
	for it := v.MapRange(); it.Next(); {
		k := reflect.New(t.Key()).Elem()
		k.Set(it.Key())
		e := reflect.New(t.Elem()).Elem()
		e.Set(it.Value())
		b.bindValue(k)
		b.bindValue(e)
		out.SetMapIndex(k, e)
	}
	v.Set(out)
}

func holdsRefs(t reflect.Type) bool {
	if r, ok := refTypes.Load(t); ok {
		return r.(bool)
	}
	r := scanRefs(t, map[reflect.Type]bool{})
	refTypes.Store(t, r)
	return r
}

// scanRefs reports whether t can hold a reference; seen breaks cycles of
// recursive types.
func scanRefs(t reflect.Type, seen map[reflect.Type]bool) bool {
	if reflect.PointerTo(t).Implements(binderType) {
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && scanRefs(f.Type, seen) {
				return true
			}
		}
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return scanRefs(t.Elem(), seen)
	case reflect.Map:
		return scanRefs(t.Key(), seen) || scanRefs(t.Elem(), seen)
	}
	return false
}
