package remote

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/labludus/ludus/actor"
)

// The wire format. One NATS message from node A to node B carries a
// header and one or more frames, in the order A's senders queued them:
//
//	header: version byte, A's name (string), A's incarnation (8 bytes LE)
//	frame:  length (uvarint), then
//	  tell:   kindTell, to, from, flags, type name (string), payload (bytes)
//	  signal: kindSignal, to, from, signal kind, reason
//	to:     path (string), id (uvarint)          (to's node is B)
//	from:   node (string), path (string), id (uvarint); node "" for none
//	reason: code byte, text (string), and for a failure the failed actor's
//	        address (string)
//
// Strings and byte slices are a uvarint length and the bytes.

const wireVersion = 1

const (
	kindTell   byte = 1
	kindSignal byte = 2
)

const flagReply byte = 1

// reason codes: how an error crosses the wire so that errors.Is still
// works on the other side.
const (
	reasonNil byte = iota
	reasonKilled
	reasonStopped
	reasonNoActor
	reasonWrongType
	reasonMailboxFull
	reasonLateReply
	reasonNodeDown
	reasonFailure
	reasonOther
	reasonUnknownType
	reasonTooLarge
)

var sentinels = []struct {
	code byte
	err  error
}{
	{reasonKilled, actor.ErrKilled}, {reasonStopped, actor.ErrStopped}, {reasonNoActor, actor.ErrNoActor},
	{reasonWrongType, actor.ErrWrongType}, {reasonMailboxFull, actor.ErrMailboxFull},
	{reasonLateReply, actor.ErrLateReply}, {reasonNodeDown, actor.ErrNodeDown},
	{reasonUnknownType, ErrUnknownType}, {reasonTooLarge, ErrTooLarge},
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendHeader(b []byte, node string, inc uint64) []byte {
	b = append(b, wireVersion)
	b = appendString(b, node)
	return binary.LittleEndian.AppendUint64(b, inc)
}

func appendTo(b []byte, a actor.Address) []byte {
	b = appendString(b, a.Path)
	return binary.AppendUvarint(b, a.ID)
}

func appendFrom(b []byte, a actor.Address) []byte {
	b = appendString(b, a.System)
	return appendTo(b, a)
}

// appendTell appends a length-prefixed tell frame. The length is written
// in a fixed 4-byte uvarint form, patched after the body, so that the body
// is written once.
func appendTell(b []byte, to, from actor.Address, reply bool, name string, payload []byte) []byte {
	start := len(b)
	b = append(b, 0x80, 0x80, 0x80, 0)
	b = append(b, kindTell)
	b = appendTo(b, to)
	b = appendFrom(b, from)
	var flags byte
	if reply {
		flags |= flagReply
	}
	b = append(b, flags)
	b = appendString(b, name)
	b = appendBytes(b, payload)
	return patchLength(b, start)
}

func appendSignal(b []byte, to actor.Address, s actor.Signal) []byte {
	start := len(b)
	b = append(b, 0x80, 0x80, 0x80, 0)
	b = append(b, kindSignal)
	b = appendTo(b, to)
	b = appendFrom(b, s.From)
	b = append(b, byte(s.Kind))
	b = appendReason(b, s.Reason)
	return patchLength(b, start)
}

// patchLength writes len(b)-start-4 as a 4-byte uvarint at b[start:].
func patchLength(b []byte, start int) []byte {
	n := len(b) - start - 4
	b[start] = byte(n) | 0x80
	b[start+1] = byte(n>>7) | 0x80
	b[start+2] = byte(n>>14) | 0x80
	b[start+3] = byte(n >> 21)
	return b
}

func appendReason(b []byte, err error) []byte {
	if err == nil {
		return append(b, reasonNil)
	}
	var f *actor.Failure
	if errors.As(err, &f) {
		b = append(b, reasonFailure)
		b = appendString(b, f.Err.Error())
		return appendString(b, f.Actor.String())
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			b = append(b, s.code)
			return appendString(b, err.Error())
		}
	}
	b = append(b, reasonOther)
	return appendString(b, err.Error())
}

// reader decodes the wire format; the first error sticks. The strings of
// a batch repeat (one sender, one recipient, one type): seen keeps the
// last few so that a repeated one costs no allocation.
type reader struct {
	b    []byte
	err  error
	seen [4]string
}

var errShort = errors.New("remote: truncated frame")

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errShort
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errShort
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *reader) string() string {
	b := r.bytes()
	for i, s := range r.seen {
		if s == string(b) { // compared without a copy
			if i > 0 {
				copy(r.seen[1:i+1], r.seen[:i])
				r.seen[0] = s
			}
			return s
		}
	}
	s := string(b)
	copy(r.seen[1:], r.seen[:len(r.seen)-1])
	r.seen[0] = s
	return s
}

func (r *reader) uint64le() uint64 {
	if r.err != nil || len(r.b) < 8 {
		r.err = errShort
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *reader) to(node string) actor.Address {
	path := r.string()
	return actor.Address{System: node, Path: path, ID: r.uvarint()}
}

func (r *reader) from() actor.Address {
	node := r.string()
	a := r.to(node)
	if node == "" {
		return actor.Address{}
	}
	return a
}

func (r *reader) reason() error {
	code := r.byte()
	if code == reasonNil || r.err != nil {
		return nil
	}
	text := r.string()
	switch code {
	case reasonFailure:
		a, err := actor.ParseAddress(r.string())
		if err != nil && r.err == nil {
			r.err = err
		}
		return &actor.Failure{Actor: a, Err: &RemoteError{Text: text}}
	case reasonNodeDown:
		return &RemoteError{Text: text, is: actor.ErrNodeDown}
	case reasonOther:
		return &RemoteError{Text: text}
	}
	for _, s := range sentinels {
		if s.code == code {
			if text == s.err.Error() {
				return s.err
			}
			return &RemoteError{Text: text, is: s.err}
		}
	}
	r.err = fmt.Errorf("remote: unknown reason code %d", code)
	return nil
}

// header reads a message's header: the sending node and its incarnation.
func (r *reader) header() (string, uint64) {
	if v := r.byte(); v != wireVersion && r.err == nil {
		r.err = fmt.Errorf("remote: wire version %d, want %d", v, wireVersion)
	}
	node := r.string()
	return node, r.uint64le()
}

// frame is one decoded frame.
type frame struct {
	kind    byte
	to      actor.Address
	from    actor.Address
	reply   bool
	name    string
	payload []byte
	signal  actor.Signal
}

// next reads the next frame, with to's node set to self.
func (r *reader) next(self string) (frame, error) {
	body := r.bytes()
	if r.err != nil {
		return frame{}, r.err
	}
	fr := reader{b: body, seen: r.seen}
	defer func() { r.seen = fr.seen }()
	var f frame
	f.kind = fr.byte()
	f.to = fr.to(self)
	f.from = fr.from()
	switch f.kind {
	case kindTell:
		f.reply = fr.byte()&flagReply != 0
		f.name = fr.string()
		f.payload = fr.bytes()
	case kindSignal:
		f.signal.Kind = actor.SignalKind(fr.byte())
		f.signal.From = f.from
		f.signal.Reason = fr.reason()
	default:
		if fr.err == nil {
			fr.err = fmt.Errorf("remote: unknown frame kind %d", f.kind)
		}
	}
	return f, fr.err
}
