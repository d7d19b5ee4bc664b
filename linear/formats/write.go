package formats

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

// ErrUnwritable is wrapped by the writers' errors about an operation the
// format cannot express.
var ErrUnwritable = errors.New("operation cannot be written in this format")

// event is one line to write: an operation's call or return.
type event struct {
	t   int64
	ret bool
	op  int
}

// eventOrder lists the calls and returns of ops in real-time order, calls
// first at equal times (intervals are closed: a call and a return at the
// same time are concurrent, and a call line before a return line says so).
// Pending operations have no return event.
func eventOrder[I, O any](ops []linear.Operation[I, O]) []event {
	evs := make([]event, 0, 2*len(ops))
	for i, op := range ops {
		evs = append(evs, event{t: op.Call, op: i})
		if !op.IsPending() {
			evs = append(evs, event{t: op.Return, ret: true, op: i})
		}
	}
	slices.SortStableFunc(evs, func(a, b event) int {
		if c := cmp.Compare(a.t, b.t); c != 0 {
			return c
		}
		if a.ret != b.ret {
			if a.ret {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.op, b.op)
	})
	return evs
}

// processes gives each operation a process number for the log: its
// client's, unless that process has an open call (a client whose calls
// overlap) and then a fresh number for that call. A process whose call never
// returns is retired, as Jepsen does after a timeout, and its client moves
// to a fresh number: no process ever has two open calls.
type processes struct {
	of   map[int]int  // client -> its current process
	busy map[int]bool // process -> has an open call
	next int          // the next fresh number
}

func newProcesses[I, O any](ops []linear.Operation[I, O]) *processes {
	p := &processes{of: map[int]int{}, busy: map[int]bool{}}
	for _, op := range ops {
		p.next = max(p.next, op.Client+1)
	}
	return p
}

// open picks the process of a call by client; pending retires it.
func (p *processes) open(client int, pending bool) int {
	proc, ok := p.of[client]
	if !ok {
		proc = client
		if client < 0 {
			proc = p.fresh()
		}
		p.of[client] = proc
	}
	if p.busy[proc] {
		proc = p.fresh()
	}
	p.busy[proc] = true
	if pending && p.of[client] == proc {
		p.of[client] = p.fresh()
	}
	return proc
}

func (p *processes) fresh() int {
	p.next++
	return p.next - 1
}

// close ends proc's call.
func (p *processes) close(proc int) { delete(p.busy, proc) }

// writeEvents writes every event with line, which renders one line for
// operation i at its call (ret false) or return (ret true) by process proc.
// Pending operations get no return line, which the parsers read as pending.
func writeEvents[I, O any](w io.Writer, ops []linear.Operation[I, O], line func(b []byte, i, proc int, ret bool) ([]byte, error)) error {
	bw := bufio.NewWriter(w)
	procs := newProcesses(ops)
	procOf := make([]int, len(ops))
	var buf []byte
	for _, ev := range eventOrder(ops) {
		if !ev.ret {
			procOf[ev.op] = procs.open(ops[ev.op].Client, ops[ev.op].IsPending())
		} else {
			procs.close(procOf[ev.op])
		}
		var err error
		if buf, err = line(buf[:0], ev.op, procOf[ev.op], ev.ret); err != nil {
			return fmt.Errorf("%w: operation %d: %w", ErrUnwritable, ev.op, err)
		}
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteJepsenEtcd writes ops as a Jepsen etcd log that ParseJepsenEtcd
// reads back to the same history, up to the times: Call and Return become
// line numbers in the same real-time order. A pending operation gets no
// completion line, and its process is not used again. Values must not be
// negative (a read may return EtcdUnset); a completed compare-and-set with
// an Unknown output has no form in the log and is an error wrapping
// ErrUnwritable.
func WriteJepsenEtcd(w io.Writer, ops []EtcdOperation) error {
	return writeEvents(w, ops, func(b []byte, i, proc int, ret bool) ([]byte, error) {
		op := ops[i]
		in, out := op.Input, op.Output
		if in.Op != models.Read && (in.Value < 0 || (in.Op == models.CompareAndSet && in.New < 0)) {
			return nil, fmt.Errorf("negative value in %v", in)
		}
		b = append(b, "INFO  jepsen.util - "...)
		b = strconv.AppendInt(b, int64(proc), 10)
		typ, value := ":invoke", ""
		switch {
		case !ret && in.Op == models.Read:
			value = "nil"
		case !ret || in.Op == models.Write:
			value = etcdArgs(in)
			if ret {
				typ = ":ok"
			}
		case in.Op == models.Read && out.Unknown:
			typ, value = ":fail", ":timed-out"
		case in.Op == models.Read:
			if out.Value < 0 && out.Value != EtcdUnset {
				return nil, fmt.Errorf("read returns negative value %d", out.Value)
			}
			typ, value = ":ok", "nil"
			if out.Value != EtcdUnset {
				value = strconv.Itoa(out.Value)
			}
		case out.Unknown:
			return nil, errors.New("a completed cas with an unknown result")
		default:
			typ, value = ":fail", etcdArgs(in)
			if out.OK {
				typ = ":ok"
			}
		}
		b = append(b, '\t')
		b = append(b, typ...)
		b = append(b, "\t:"...)
		b = append(b, in.Op.String()...)
		b = append(b, '\t')
		b = append(b, value...)
		return append(b, '\n'), nil
	})
}

// etcdArgs renders a write's value or a cas's [from to].
func etcdArgs(in models.RegisterInput[int]) string {
	if in.Op == models.CompareAndSet {
		return "[" + strconv.Itoa(in.Value) + " " + strconv.Itoa(in.New) + "]"
	}
	return strconv.Itoa(in.Value)
}

// WritePorcupineKV writes ops as a porcupine key-value log that
// ParsePorcupineKV reads back to the same history, up to the times (line
// numbers, in the same real-time order). A pending operation gets no
// completion line; a get whose result is Unknown completes with :info,
// which reads back as pending: the same constraint, since such a get
// changes nothing and accepts any value.
func WritePorcupineKV(w io.Writer, ops []KVOperation) error {
	return writeEvents(w, ops, func(b []byte, i, proc int, ret bool) ([]byte, error) {
		op := ops[i]
		in := op.Input
		typ := ":invoke"
		switch {
		case !ret:
		case in.Op == models.KVGet && op.Output.Unknown:
			typ = ":info"
		default:
			typ = ":ok"
		}
		b = append(b, "{:process "...)
		b = strconv.AppendInt(b, int64(proc), 10)
		b = append(b, ", :type "...)
		b = append(b, typ...)
		b = append(b, ", :f :"...)
		switch in.Op {
		case models.KVGet, models.KVPut, models.KVAppend:
			b = append(b, in.Op.String()...)
		default:
			return nil, fmt.Errorf("unknown operation %v", in.Op)
		}
		b = append(b, ", :key "...)
		b = strconv.AppendQuote(b, in.Key)
		b = append(b, ", :value "...)
		switch {
		case in.Op != models.KVGet:
			b = strconv.AppendQuote(b, in.Value)
		case typ == ":ok":
			b = strconv.AppendQuote(b, op.Output.Value)
		default:
			b = append(b, "nil"...)
		}
		return append(b, "}\n"...), nil
	})
}
