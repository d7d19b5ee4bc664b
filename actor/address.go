package actor

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Address says where an actor lives: the name of its System, its path in
// that system's tree ("/user/bank/account-7") and a numeric ID unique within
// the system, so that a new actor that reuses a path is never confused with an
// old one. An Address is a plain comparable value: it can be logged, compared,
// used as a map key, and encoded — the form a reference will take when it
// crosses the network to another System.
type Address struct {
	System string
	Path   string
	ID     uint64
}

// String formats the address as "actor://system/path#id", the form
// ParseAddress reads back.
func (a Address) String() string {
	if a == (Address{}) {
		return "actor://nobody"
	}
	return "actor://" + a.System + a.Path + "#" + strconv.FormatUint(a.ID, 10)
}

// Name returns the last element of the path.
func (a Address) Name() string {
	return a.Path[strings.LastIndexByte(a.Path, '/')+1:]
}

// ErrBadAddress is returned by ParseAddress for text that is not an address.
var ErrBadAddress = errors.New("actor: malformed address")

// ParseAddress reads the form produced by Address.String.
func ParseAddress(s string) (Address, error) {
	rest, ok := strings.CutPrefix(s, "actor://")
	if !ok {
		return Address{}, fmt.Errorf("%w: %q lacks the actor:// scheme", ErrBadAddress, s)
	}
	slash := strings.IndexByte(rest, '/')
	hash := strings.LastIndexByte(rest, '#')
	if slash <= 0 || hash < slash {
		return Address{}, fmt.Errorf("%w: %q", ErrBadAddress, s)
	}
	id, err := strconv.ParseUint(rest[hash+1:], 10, 64)
	if err != nil {
		return Address{}, fmt.Errorf("%w: %q: id: %w", ErrBadAddress, s, err)
	}
	return Address{System: rest[:slash], Path: rest[slash:hash], ID: id}, nil
}
