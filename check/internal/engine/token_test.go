package engine

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestTokenRoundTrip(t *testing.T) {
	for i, trail := range [][]int32{nil, {0}, {1, 0, 0, 0, 2, 3, 0}, {5, 5, 5, 0, 0, 1, 0}} {
		delay := int64(i) * 1e6 // the delay bound is optional: 0 is left out
		tok := encodeToken(Token{NameHash: 42, Seed: 7, Trail: trail, Delay: delay})
		got, err := DecodeToken(tok)
		if err != nil || !slices.Equal(got.Trail, trail) && len(trail) > 0 || got.NameHash != 42 || got.Seed != 7 || got.Delay != delay {
			t.Fatalf("%v -> %q -> %+v, %v", trail, tok, got, err)
		}
	}
}

// Malformed tokens are errors that say what is wrong, never a schedule.
func TestTokenMalformed(t *testing.T) {
	good := encodeToken(Token{NameHash: 9, Seed: 1, Trail: []int32{1, 0, 0, 2, 300}})
	z, _ := base64.RawURLEncoding.DecodeString(good[1:])
	raw, _ := io.ReadAll(flate.NewReader(bytes.NewReader(z)))
	pack := func(b []byte) string {
		var out bytes.Buffer
		w, _ := flate.NewWriter(&out, flate.BestCompression)
		w.Write(b)
		w.Close()
		return "2" + base64.RawURLEncoding.EncodeToString(out.Bytes())
	}
	cut, long, zeroDelay := pack(raw[:len(raw)-1]), pack(append(raw, 5, 5)), pack(append(raw, 0))
	for _, c := range []struct{ tok, want string }{
		{"", "empty"},
		{"   ", "empty"},
		{"1AAMCAAED", "version 1"},
		{"7abc", "starts with"},
		{"2!!!", "base64"},
		{"2AAAA", "corrupt"},
		{cut, "truncated"},
		{long, "after the last decision"},
		{zeroDelay, "delay bound"},
	} {
		_, err := DecodeToken(c.tok)
		if !errors.Is(err, ErrBadToken) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeToken(%q) = %v, want ErrBadToken mentioning %q", c.tok, err, c.want)
		}
	}
}

// FuzzDecodeToken: any string either decodes to a token that encodes back
// to an equivalent one, or fails with ErrBadToken; it never panics.
func FuzzDecodeToken(f *testing.F) {
	f.Add(encodeToken(Token{NameHash: 7, Trail: []int32{1, 0, 0, 2, 0, 3}}))
	f.Add("2AAMCAAED")
	f.Add("2")
	f.Add("1abc")
	f.Add("2////")
	f.Add("2AP____8P")
	f.Fuzz(func(t *testing.T, tok string) {
		got, err := DecodeToken(tok)
		if err != nil {
			if !errors.Is(err, ErrBadToken) {
				t.Fatalf("error %v is not ErrBadToken", err)
			}
			return
		}
		again, err := DecodeToken(encodeToken(got))
		if err != nil || !slices.Equal(again.Trail, got.Trail) || again.Seed != got.Seed || again.NameHash != got.NameHash || again.Delay != got.Delay {
			t.Fatalf("re-encoding %+v failed: %+v %v", got, again, err)
		}
	})
}
