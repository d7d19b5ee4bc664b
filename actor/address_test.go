package actor

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestAddress(t *testing.T) {
	s := newSys(t, WithName("bank"))
	r := must[Ref[int]](t)(Spawn(s, "", Stateless(func(*Context[int], int) error { return nil })))
	a := r.Address()
	if !strings.HasPrefix(a.Path, "/user/$") || a.System != "bank" || a.Name() != fmt.Sprint("$", a.ID) {
		t.Fatalf("generated address %v", a)
	}
	if got, ok := s.Lookup(a.Path); !ok || got != r.Any() {
		t.Fatalf("lookup of a generated name: %v %v", got, ok)
	}
	for _, p := range []string{"", "/user", "/user/", "/system/x", "/user/$zz", "/user//x"} {
		if _, ok := s.Lookup(p); ok {
			t.Errorf("Lookup(%q) found something", p)
		}
	}
	b, err := ParseAddress(a.String())
	if err != nil || b != a {
		t.Fatalf("round trip %v -> %v, %v", a, b, err)
	}
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"actor://s/user/a#1", "actor://nobody", "actor://s/user/$3#3", "x", "actor://s#1", "actor://s/a#b", "actor:///a#1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			if !errors.Is(err, ErrBadAddress) {
				t.Fatalf("error %v does not match ErrBadAddress", err)
			}
			return
		}
		b, err := ParseAddress(a.String())
		if err != nil || b != a {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", s, a, a.String(), b, err)
		}
	})
}
