package engine

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrBadToken is returned for a replay token that does not decode.
var ErrBadToken = errors.New("check: malformed replay token")

// A replay token is "2" followed by base64url (no padding) of the DEFLATE
// compression of: uvarint name hash (the test it belongs to, 0 for none),
// uvarint seed (of the program's math/rand), uvarint n, then n decisions,
// each a uvarint (0: the goroutine picked last again, k: goroutine k-1, or
// an alternative's index), with a run of zeros written as 0 followed by
// the run's length. Long schedules repeat themselves (a loop's rounds), so
// a token stays short.

const tokenVersion = "2"

// Token is a decoded replay token.
type Token struct {
	NameHash uint32  // the test's name hash, 0 for none
	Seed     uint64  // the seed of the program's pseudo-random numbers
	Trail    []int32 // the decisions
	Delay    int64   // the delay bound the schedule was found under (Config.MaxDelay), 0 for none
}

func encodeToken(t Token) string {
	var b []byte
	b = binary.AppendUvarint(b, uint64(t.NameHash))
	b = binary.AppendUvarint(b, t.Seed)
	b = binary.AppendUvarint(b, uint64(len(t.Trail)))
	trail := t.Trail
	for i := 0; i < len(trail); {
		if trail[i] == 0 {
			j := i
			for j < len(trail) && trail[j] == 0 {
				j++
			}
			b = append(b, 0)
			b = binary.AppendUvarint(b, uint64(j-i))
			i = j
			continue
		}
		b = binary.AppendUvarint(b, uint64(trail[i]))
		i++
	}
	if t.Delay > 0 {
		b = binary.AppendUvarint(b, uint64(t.Delay)) // optional: tokens without a delay end at the trail
	}
	var z bytes.Buffer
	w, _ := flate.NewWriter(&z, flate.BestCompression)
	w.Write(b)
	w.Close()
	return tokenVersion + base64.RawURLEncoding.EncodeToString(z.Bytes())
}

// maxTokenBytes bounds a decoded token's payload (a corrupt token must not
// inflate without end).
const maxTokenBytes = 1 << 28

// DecodeToken decodes a replay token, or says what is wrong with it.
func DecodeToken(tok string) (Token, error) {
	tok = strings.TrimSpace(tok)
	switch {
	case tok == "":
		return Token{}, fmt.Errorf("%w: the token is empty", ErrBadToken)
	case tok[0] == '1':
		return Token{}, fmt.Errorf("%w: version 1 tokens were made by an older checker whose schedules differ; explore again to get a new token", ErrBadToken)
	case !strings.HasPrefix(tok, tokenVersion):
		return Token{}, fmt.Errorf("%w: a token starts with %q, this one with %q", ErrBadToken, tokenVersion, tok[:1])
	}
	z, err := base64.RawURLEncoding.DecodeString(tok[1:])
	if err != nil {
		return Token{}, fmt.Errorf("%w: not base64url after the version: %v", ErrBadToken, err)
	}
	b, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(z)), maxTokenBytes+1))
	if err != nil {
		return Token{}, fmt.Errorf("%w: truncated or corrupt (%v)", ErrBadToken, err)
	}
	if len(b) > maxTokenBytes {
		return Token{}, fmt.Errorf("%w: longer than %d bytes decompressed", ErrBadToken, maxTokenBytes)
	}
	d := tokenReader{b: b}
	h, seed, n := d.next("the name hash"), d.next("the seed"), d.next("the number of decisions")
	if d.err != nil {
		return Token{}, d.err
	}
	if h > 1<<32-1 || n > 1<<26 {
		return Token{}, fmt.Errorf("%w: header out of range", ErrBadToken)
	}
	trail := make([]int32, 0, min(n, 4096))
	for uint64(len(trail)) < n && d.err == nil {
		v := d.next("a decision")
		if v != 0 {
			if v > 1<<31-1 {
				return Token{}, fmt.Errorf("%w: decision %d out of range", ErrBadToken, len(trail))
			}
			trail = append(trail, int32(v))
			continue
		}
		run := d.next("the length of a run")
		if d.err == nil && (run == 0 || run > n-uint64(len(trail))) {
			return Token{}, fmt.Errorf("%w: a run of %d decisions where %d remain", ErrBadToken, run, n-uint64(len(trail)))
		}
		for ; run > 0 && d.err == nil; run-- {
			trail = append(trail, 0)
		}
	}
	if d.err != nil {
		return Token{}, fmt.Errorf("%w (%d of %d decisions read)", d.err, len(trail), n)
	}
	var delay uint64
	if len(d.b) > 0 {
		delay = d.next("the delay bound")
		if d.err != nil || delay == 0 || delay > 1<<62 {
			return Token{}, fmt.Errorf("%w: a bad delay bound after the last decision", ErrBadToken)
		}
	}
	if len(d.b) > 0 {
		return Token{}, fmt.Errorf("%w: %d bytes after the last decision", ErrBadToken, len(d.b))
	}
	return Token{NameHash: uint32(h), Seed: seed, Trail: trail, Delay: int64(delay)}, nil
}

// tokenReader reads uvarints, remembering the first error.
type tokenReader struct {
	b   []byte // what is left to read
	err error  // the first error, after which every read returns 0
}

func (d *tokenReader) next(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = fmt.Errorf("%w: truncated where %s was expected", ErrBadToken, what)
		return 0
	}
	d.b = d.b[n:]
	return v
}
