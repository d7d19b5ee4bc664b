// Package formats reads recorded histories into linear operations: Jepsen's
// etcd register logs and the key-value logs of porcupine's test data.
//
// Both formats list events in real-time order, one per line; an operation's
// Call and Return are the line numbers of its invocation and completion, so
// two operations are concurrent exactly when their lines interleave. An
// operation that never completes, or completes with :info, is pending
// (Return is linear.Pending) with an Unknown output.
//
// Bad input is an error of type *ParseError naming the file and the line;
// the parsers never panic. Input that is not a complete history is bad
// input: a file with no operations (ErrEmpty), a last line without its
// newline, which is how a cut-off file ends (ErrTruncated), and a line
// longer than 1 MiB.
package formats

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

// Errors that ParseError wraps, matchable with errors.Is.
var (
	// ErrSyntax: a line does not parse, or does not fit the lines before.
	ErrSyntax = errors.New("malformed history")
	// ErrEmpty: the input holds no operation.
	ErrEmpty = errors.New("no operations: not a history")
	// ErrTruncated: the last line has no newline at its end; the input
	// looks cut off, and a cut line can read as a different valid one.
	ErrTruncated = errors.New("the last line has no newline: the input looks cut off")
	// ErrLineTooLong: a line is longer than the parsers accept (1 MiB).
	ErrLineTooLong = errors.New("line longer than 1 MiB")
)

// ParseError locates bad input.
type ParseError struct {
	File string // as given to the parser
	Line int    // 1-based; 0 when the error is not about one line
	Err  error
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// maxLine bounds one line, so that a file without newlines cannot make the
// parser buffer it whole.
const maxLine = 1 << 20

// lines calls f with each line (without its newline) and its number, and
// returns the number of lines. A last line without a newline is
// ErrTruncated unless it is blank.
func lines(r io.Reader, name string, f func(n int, line string) error) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	unterminated := false
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		adv, tok, err := bufio.ScanLines(data, atEOF)
		if atEOF && adv > 0 && adv == len(data) && data[adv-1] != '\n' {
			unterminated = true
		}
		return adv, tok, err
	})
	n := 0
	for sc.Scan() {
		n++
		if unterminated && strings.TrimSpace(sc.Text()) != "" {
			if err := f(n, sc.Text()); err != nil {
				return n, &ParseError{File: name, Line: n, Err: err}
			}
			return n, &ParseError{File: name, Line: n, Err: ErrTruncated}
		}
		if err := f(n, sc.Text()); err != nil {
			return n, &ParseError{File: name, Line: n, Err: err}
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = ErrLineTooLong
		}
		return n, &ParseError{File: name, Line: n + 1, Err: err}
	}
	return n, nil
}

// empty is the error for input with no operation, found after n lines.
func empty(name string, n int) error {
	return &ParseError{File: name, Line: max(n, 1), Err: ErrEmpty}
}

// open tracks each client's open call, shared by both parsers.
type open[I, O any] struct {
	unknown func(*O) // marks an output as unobserved
	ops     []linear.Operation[I, O]
	byProc  map[int]int // client -> index in ops of its open call
	line    map[int]int // client -> line of that call
	drop    []bool      // operations that definitely did not happen
}

func newOpen[I, O any](unknown func(*O)) *open[I, O] {
	return &open[I, O]{unknown: unknown, byProc: map[int]int{}, line: map[int]int{}}
}

func (o *open[I, O]) invoke(n, proc int, in I) error {
	if _, busy := o.byProc[proc]; busy {
		return fmt.Errorf("%w: process %d invokes while its call on line %d is still open", ErrSyntax, proc, o.line[proc])
	}
	o.byProc[proc] = len(o.ops)
	o.line[proc] = n
	o.ops = append(o.ops, linear.Operation[I, O]{Client: proc, Input: in, Call: int64(n), Return: linear.Pending})
	o.drop = append(o.drop, false)
	return nil
}

// take closes proc's open call and returns its index.
func (o *open[I, O]) take(proc int) (int, error) {
	i, ok := o.byProc[proc]
	if !ok {
		return 0, fmt.Errorf("%w: process %d completes a call it never invoked", ErrSyntax, proc)
	}
	delete(o.byProc, proc)
	delete(o.line, proc)
	return i, nil
}

// complete returns the open call of proc, closing it at line n.
func (o *open[I, O]) complete(n, proc int) (*linear.Operation[I, O], error) {
	i, err := o.take(proc)
	if err != nil {
		return nil, err
	}
	o.ops[i].Return = int64(n)
	return &o.ops[i], nil
}

// abandon leaves proc's call pending (an :info completion).
func (o *open[I, O]) abandon(proc int) error {
	_, err := o.take(proc)
	return err
}

// cancel marks proc's call as one that did not happen (a :fail of an update).
func (o *open[I, O]) cancel(proc int) error {
	i, err := o.take(proc)
	if err == nil {
		o.drop[i] = true
	}
	return err
}

// history returns the operations that happened, of input name with n
// lines; those still open at the end are pending with an unknown output.
// None is ErrEmpty.
func (o *open[I, O]) history(name string, n int) ([]linear.Operation[I, O], error) {
	out := o.ops[:0]
	for i, op := range o.ops {
		if !o.drop[i] {
			if op.IsPending() {
				o.unknown(&op.Output)
			}
			out = append(out, op)
		}
	}
	if len(out) == 0 {
		return nil, empty(name, n)
	}
	return out, nil
}

// EtcdUnset is the register value that stands for Jepsen's nil: the
// register before any write. Jepsen's values are never negative.
const EtcdUnset = -1

// EtcdOperation is an operation of a Jepsen etcd history.
type EtcdOperation = linear.Operation[models.RegisterInput[int], models.RegisterOutput[int]]

// EtcdModel is the model for ParseJepsenEtcd's histories: a compare-and-set
// register that starts unset.
func EtcdModel() linear.Model[int, models.RegisterInput[int], models.RegisterOutput[int]] {
	return models.CASRegister(EtcdUnset)
}

// ParseJepsenEtcd reads a Jepsen etcd log: lines
//
//	INFO  jepsen.util - 4	:invoke	:read	nil
//	INFO  jepsen.util - 4	:ok	:read	3
//	INFO  jepsen.util - 2	:fail	:cas	[2 4]
//	INFO  jepsen.util - 5	:info	:write	:timed-out
//
// Lines not starting with "INFO" and "jepsen.util -" are ignored; a jepsen
// line that does not parse is an error. A read that fails returns with an
// unknown value; a write that fails did not happen and is dropped; :info
// leaves the call pending. name labels errors.
func ParseJepsenEtcd(r io.Reader, name string) ([]EtcdOperation, error) {
	o := newOpen[models.RegisterInput[int]](func(out *models.RegisterOutput[int]) { out.Unknown = true })
	n, err := lines(r, name, func(n int, line string) error {
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != "INFO" || f[1] != "jepsen.util" || f[2] != "-" {
			return nil
		}
		f = f[3:]
		if len(f) < 4 {
			return fmt.Errorf("%w: want process, type, function and value, got %q", ErrSyntax, strings.Join(f, " "))
		}
		proc, err := strconv.Atoi(f[0])
		if err != nil || proc < 0 {
			return fmt.Errorf("%w: bad process %q", ErrSyntax, f[0])
		}
		typ, fn, args := f[1], f[2], f[3:]
		switch typ {
		case ":invoke":
			in, err := etcdInput(fn, args)
			if err != nil {
				return err
			}
			return o.invoke(n, proc, in)
		case ":ok", ":fail", ":info":
		default:
			return fmt.Errorf("%w: unknown event type %q", ErrSyntax, typ)
		}
		i, ok := o.byProc[proc]
		if !ok {
			return fmt.Errorf("%w: process %d completes a call it never invoked", ErrSyntax, proc)
		}
		call := o.ops[i].Input
		if want := ":" + call.Op.String(); fn != want {
			return fmt.Errorf("%w: process %d completes %s but invoked %s", ErrSyntax, proc, fn, want)
		}
		switch {
		case typ == ":info":
			return o.abandon(proc)
		case typ == ":fail" && call.Op == models.Read:
			op, err := o.complete(n, proc)
			if err == nil {
				op.Output.Unknown = true
			}
			return err
		case typ == ":fail" && call.Op == models.Write:
			return o.cancel(proc)
		case call.Op == models.Read:
			if len(args) != 1 {
				return fmt.Errorf("%w: read returns one value, got %q", ErrSyntax, strings.Join(args, " "))
			}
			v, err := etcdValue(args[0], true)
			if err != nil {
				return err
			}
			op, err := o.complete(n, proc)
			if err == nil {
				op.Output.Value = v
			}
			return err
		case call.Op == models.CompareAndSet:
			in, err := etcdInput(fn, args)
			if err != nil {
				return err
			}
			if in != call {
				return fmt.Errorf("%w: cas completes with %v but was invoked with %v", ErrSyntax, strings.Join(args, " "), call)
			}
			op, err := o.complete(n, proc)
			if err == nil {
				op.Output.OK = typ == ":ok"
			}
			return err
		default: // write ok
			_, err := o.complete(n, proc)
			return err
		}
	})
	if err != nil {
		return nil, err
	}
	return o.history(name, n)
}

func etcdInput(fn string, args []string) (models.RegisterInput[int], error) {
	switch fn {
	case ":read":
		if len(args) != 1 || args[0] != "nil" {
			return models.RegisterInput[int]{}, fmt.Errorf("%w: read takes nil, got %q", ErrSyntax, strings.Join(args, " "))
		}
		return models.RegisterInput[int]{Op: models.Read}, nil
	case ":write":
		if len(args) != 1 {
			return models.RegisterInput[int]{}, fmt.Errorf("%w: write takes one value, got %q", ErrSyntax, strings.Join(args, " "))
		}
		v, err := etcdValue(args[0], false)
		return models.RegisterInput[int]{Op: models.Write, Value: v}, err
	case ":cas":
		if len(args) != 2 || !strings.HasPrefix(args[0], "[") || !strings.HasSuffix(args[1], "]") {
			return models.RegisterInput[int]{}, fmt.Errorf("%w: cas takes [from to], got %q", ErrSyntax, strings.Join(args, " "))
		}
		from, err := etcdValue(args[0][1:], false)
		if err != nil {
			return models.RegisterInput[int]{}, err
		}
		to, err := etcdValue(args[1][:len(args[1])-1], false)
		return models.RegisterInput[int]{Op: models.CompareAndSet, Value: from, New: to}, err
	}
	return models.RegisterInput[int]{}, fmt.Errorf("%w: unknown function %q", ErrSyntax, fn)
}

func etcdValue(s string, nilOK bool) (int, error) {
	if s == "nil" && nilOK {
		return EtcdUnset, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%w: bad value %q", ErrSyntax, s)
	}
	return v, nil
}

// KVOperation is an operation of a porcupine key-value history.
type KVOperation = linear.Operation[models.KVInput, models.KVOutput]

// ParsePorcupineKV reads a key-value log in porcupine's test format: lines
//
//	{:process 9, :type :invoke, :f :append, :key "0", :value "x 9 0 y"}
//	{:process 2, :type :ok, :f :get, :key "1", :value "x 2 0 y"}
//
// with :type :invoke, :ok, :fail (the call did not happen and is dropped)
// or :info (pending) and :f :get, :put or :append. Blank lines are ignored;
// any other line is an error. Check the result with models.KV (partitioned
// by key) or models.KVMap (as one object). name labels errors.
func ParsePorcupineKV(r io.Reader, name string) ([]KVOperation, error) {
	o := newOpen[models.KVInput](func(out *models.KVOutput) { out.Unknown = true })
	n, err := lines(r, name, func(n int, line string) error {
		line = strings.TrimSpace(line)
		if line == "" {
			return nil
		}
		e, err := parseEDNMap(line)
		if err != nil {
			return err
		}
		procS, typ, fn := e[":process"], e[":type"], e[":f"]
		key, value := e[":key"], e[":value"]
		proc, err := strconv.Atoi(procS.text)
		if procS.kind != ednInt || err != nil || proc < 0 {
			return fmt.Errorf("%w: want :process N", ErrSyntax)
		}
		if key.kind != ednString {
			return fmt.Errorf("%w: want :key \"...\"", ErrSyntax)
		}
		var in models.KVInput
		in.Key = key.text
		switch fn.text {
		case ":get":
			in.Op = models.KVGet
		case ":put":
			in.Op = models.KVPut
		case ":append":
			in.Op = models.KVAppend
		default:
			return fmt.Errorf("%w: unknown :f %q", ErrSyntax, fn.text)
		}
		switch typ.text {
		case ":invoke":
			if in.Op == models.KVGet {
				if value.kind != ednNil {
					return fmt.Errorf("%w: get is invoked with :value nil", ErrSyntax)
				}
			} else {
				if value.kind != ednString {
					return fmt.Errorf("%w: %v is invoked with a string :value", ErrSyntax, in.Op)
				}
				in.Value = value.text
			}
			return o.invoke(n, proc, in)
		case ":ok", ":fail", ":info":
		default:
			return fmt.Errorf("%w: unknown :type %q", ErrSyntax, typ.text)
		}
		i, ok := o.byProc[proc]
		if !ok {
			return fmt.Errorf("%w: process %d completes a call it never invoked", ErrSyntax, proc)
		}
		if call := o.ops[i].Input; call.Op != in.Op || call.Key != in.Key {
			return fmt.Errorf("%w: process %d completes %v(%q) but invoked %v(%q)", ErrSyntax, proc, in.Op, in.Key, call.Op, call.Key)
		}
		switch typ.text {
		case ":info":
			return o.abandon(proc)
		case ":fail":
			return o.cancel(proc)
		}
		op, err := o.complete(n, proc)
		if err != nil {
			return err
		}
		if in.Op == models.KVGet {
			switch value.kind {
			case ednString:
				op.Output.Value = value.text
			case ednNil: // the key was never written
			default:
				return fmt.Errorf("%w: get returns a string or nil", ErrSyntax)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o.history(name, n)
}

type ednKind uint8

const (
	ednMissing ednKind = iota
	ednNil
	ednInt
	ednKeyword
	ednString
)

type ednValue struct {
	kind ednKind
	text string
}

// parseEDNMap parses a flat EDN map of keywords to nil, integers, keywords
// and strings: the only shape these logs use.
func parseEDNMap(s string) (map[string]ednValue, error) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, fmt.Errorf("%w: want {:key value, ...}", ErrSyntax)
	}
	s = s[1 : len(s)-1]
	m := map[string]ednValue{}
	for {
		s = strings.TrimLeft(s, " ,\t")
		if s == "" {
			return m, nil
		}
		if s[0] != ':' {
			return nil, fmt.Errorf("%w: want a :keyword at %q", ErrSyntax, clip(s))
		}
		end := strings.IndexAny(s, " ,\t")
		if end < 0 {
			return nil, fmt.Errorf("%w: keyword %q has no value", ErrSyntax, clip(s))
		}
		k := s[:end]
		s = strings.TrimLeft(s[end:], " \t")
		var v ednValue
		if s != "" && s[0] == '"' {
			i := 1
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(s) {
				return nil, fmt.Errorf("%w: unterminated string at %q", ErrSyntax, clip(s))
			}
			text, err := strconv.Unquote(s[:i+1])
			if err != nil {
				return nil, fmt.Errorf("%w: bad string %q", ErrSyntax, clip(s[:i+1]))
			}
			v, s = ednValue{ednString, text}, s[i+1:]
		} else {
			end := strings.IndexAny(s, " ,\t")
			if end < 0 {
				end = len(s)
			}
			tok := s[:end]
			s = s[end:]
			switch {
			case tok == "nil":
				v = ednValue{ednNil, tok}
			case len(tok) > 1 && tok[0] == ':':
				v = ednValue{ednKeyword, tok}
			default:
				if _, err := strconv.ParseInt(tok, 10, 64); err != nil {
					return nil, fmt.Errorf("%w: bad value %q for %s", ErrSyntax, clip(tok), k)
				}
				v = ednValue{ednInt, tok}
			}
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("%w: %s given twice", ErrSyntax, k)
		}
		m[k] = v
	}
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
