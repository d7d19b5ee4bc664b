package engine

import (
	"errors"
	"slices"
	"testing"
)

func TestTokenRoundTrip(t *testing.T) {
	for _, trail := range [][]int32{nil, {0}, {1, 0, 0, 0, 2, 3, 0}, {5, 5, 5, 0, 0, 1, 0}} {
		tok := encodeToken(trail, 42)
		got, err := decodeToken(tok, 42)
		if err != nil || !slices.Equal(got, trail) && len(trail) > 0 {
			t.Fatalf("%v -> %q -> %v, %v", trail, tok, got, err)
		}
		if h, ok := TokenNameHash(tok); !ok || h != 42 {
			t.Fatalf("name hash %d %v", h, ok)
		}
	}
}

// FuzzDecodeToken: any string either decodes to a trail that encodes back
// to an equivalent token, or fails with ErrBadToken; it never panics.
func FuzzDecodeToken(f *testing.F) {
	f.Add(encodeToken([]int32{1, 0, 0, 2, 0, 3}, 7))
	f.Add("1AAMCAAED")
	f.Add("1")
	f.Add("2abc")
	f.Add("1////")
	f.Add("1AP____8P")
	f.Fuzz(func(t *testing.T, tok string) {
		trail, err := decodeToken(tok, 0)
		if err != nil {
			if !errors.Is(err, ErrBadToken) {
				t.Fatalf("error %v is not ErrBadToken", err)
			}
			return
		}
		h, _ := TokenNameHash(tok)
		again, err := decodeToken(encodeToken(trail, h), 0)
		if err != nil || !slices.Equal(again, trail) {
			t.Fatalf("re-encoding %v failed: %v %v", trail, again, err)
		}
	})
}
