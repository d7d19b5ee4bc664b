package remote

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// Codec turns messages into bytes and back. Messages are Go values of
// registered types (see Types); the codec only sees values, never names.
type Codec interface {
	// Marshal encodes v.
	Marshal(v any) ([]byte, error)
	// Unmarshal decodes data into v, a pointer to a new value of the
	// message's registered type.
	Unmarshal(data []byte, v any) error
}

// CBOR returns the default codec: CBOR (RFC 8949) through
// github.com/fxamacker/cbor, which encodes Go structs, slices, maps and
// scalars without code generation; actor.Ref and actor.AnyRef fields travel
// as their address text. Decoding is bounded (nesting, array and map
// sizes) so that a hostile message cannot exhaust memory.
func CBOR() Codec {
	cborOnce.Do(func() {
		var err error
		cborEnc, err = cbor.EncOptions{TextMarshaler: cbor.TextMarshalerTextString}.EncMode()
		if err != nil {
			panic(err) // the options are constants: a failure is a bug here
		}
		cborDec, err = cbor.DecOptions{
			TextUnmarshaler:  cbor.TextUnmarshalerTextString,
			MaxNestedLevels:  32,
			MaxArrayElements: 1 << 20,
			MaxMapPairs:      1 << 20,
		}.DecMode()
		if err != nil {
			panic(err)
		}
	})
	return cborCodec{}
}

var (
	cborOnce sync.Once
	cborEnc  cbor.EncMode
	cborDec  cbor.DecMode
)

type cborCodec struct{}

func (cborCodec) Marshal(v any) ([]byte, error)      { return cborEnc.Marshal(v) }
func (cborCodec) Unmarshal(data []byte, v any) error { return cborDec.Unmarshal(data, v) }

// Types maps message types to the names they travel under. Both sides of
// a conversation must register a type under the same name; the name, not
// the Go type, is what crosses the wire, so nodes built from different
// programs can talk. The basic types (bool, string, []byte, the integer
// and float types) are registered under their Go names, and the empty
// interface as "any" (for Lookup of actors that take any message). Safe for
// concurrent use: a type may be registered while the node runs (a message
// of a type not yet registered is a dead letter with ErrUnknownType).
type Types struct {
	mu     sync.RWMutex
	byName map[string]reflect.Type
	byType map[reflect.Type]string
}

// NewTypes returns a registry holding the basic types.
func NewTypes() *Types {
	ts := &Types{byName: map[string]reflect.Type{}, byType: map[reflect.Type]string{}}
	for _, v := range []any{false, "", []byte(nil), 0, int8(0), int16(0), int32(0), int64(0),
		uint(0), uint8(0), uint16(0), uint32(0), uint64(0), float32(0), float64(0)} {
		t := reflect.TypeOf(v)
		ts.byName[t.String()], ts.byType[t] = t, t.String()
	}
	// An actor that takes any message: its Lookup[any] must match. (A
	// message always travels under its concrete type's name.)
	ts.byName["any"], ts.byType[reflect.TypeFor[any]()] = reflect.TypeFor[any](), "any"
	return ts
}

// Register records T under name. An empty name means T's package path and
// name ("example.com/bank.Deposit"), or its type expression for an unnamed
// type. Registering a type again under the same name is allowed; a name
// or a type already taken otherwise is an error.
func Register[T any](ts *Types, name string) error {
	t := reflect.TypeFor[T]()
	if name == "" {
		name = typeName(t)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if old, ok := ts.byName[name]; ok && old != t {
		return fmt.Errorf("%w: name %q is already %v", ErrBadConfig, name, old)
	}
	if old, ok := ts.byType[t]; ok && old != name {
		return fmt.Errorf("%w: %v is already registered as %q", ErrBadConfig, t, old)
	}
	ts.byName[name], ts.byType[t] = t, name
	return nil
}

func typeName(t reflect.Type) string {
	if t.Name() != "" && t.PkgPath() != "" {
		return t.PkgPath() + "." + t.Name()
	}
	return t.String()
}

// NameOf returns the name t is registered under.
func (ts *Types) NameOf(t reflect.Type) (string, bool) {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	n, ok := ts.byType[t]
	return n, ok
}

// TypeOf returns the type registered under name.
func (ts *Types) TypeOf(name string) (reflect.Type, bool) {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	t, ok := ts.byName[name]
	return t, ok
}
