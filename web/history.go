package web

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

// tableOp is one cell of a linear.StressReport's table: an operation as its
// model described it, its client (0 for the sequential init and post
// rows, g for goroutine g) and the ranks of its call and return (-1:
// pending).
type tableOp struct {
	Client       int
	Text         string
	Call, Return int
}

var (
	errNoTable = errors.New("not a stress table")
	tableCell  = regexp.MustCompile(`^(.+) \[(\d+),(\d+|-)\]$`)
)

// parseStressTable reads the operations of a table that linear.RunStress
// printed: a header row of "goroutine N" columns, then init, parallel
// and post rows whose cells are "<op> [<call>,<return>]".
func parseStressTable(text string) ([]tableOp, error) {
	var ops []tableOp
	header := false
	section := ""
	for _, line := range strings.Split(text, "\n") {
		if !strings.Contains(line, "|") || strings.HasPrefix(line, "-") {
			continue
		}
		cells := strings.Split(line, "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if !header {
			if len(cells) < 2 || !strings.HasPrefix(cells[1], "goroutine ") {
				return nil, errNoTable
			}
			header = true
			continue
		}
		if cells[0] != "" {
			section = cells[0]
		}
		for col, cell := range cells[1:] {
			if cell == "" || strings.HasSuffix(cell, "(not run)") {
				continue
			}
			m := tableCell.FindStringSubmatch(cell)
			if m == nil {
				return nil, fmt.Errorf("cell %q: %w", cell, errNoTable)
			}
			op := tableOp{Text: m[1], Return: -1}
			op.Call, _ = strconv.Atoi(m[2])
			if m[3] != "-" {
				op.Return, _ = strconv.Atoi(m[3])
			}
			if section == "parallel" {
				op.Client = col + 1
			}
			ops = append(ops, op)
		}
	}
	if len(ops) == 0 {
		return nil, errNoTable
	}
	return ops, nil
}

var (
	counterOp = regexp.MustCompile(`^(add|addget|get)\((-?\d*)\)(?: -> (-?\d+|\?))?$`)
	queueOp   = regexp.MustCompile(`^(enqueue|dequeue)\((-?\d*)\)(?: -> (-?\d+|empty|\?))?$`)
)

// writeHistoryHTML checks the table's history again with the model its
// operations name (a counter or a queue of ints, the models the lab's
// stress test uses) and writes linear's history view of it.
func writeHistoryHTML(w *bytes.Buffer, ops []tableOp) error {
	if h, ok := counterHistory(ops); ok {
		m := models.Counter()
		return linear.WriteHTML(w, m, h, linear.Check(m, h))
	}
	if h, ok := queueHistory(ops); ok {
		m := models.Queue[int]()
		return linear.WriteHTML(w, m, h, linear.Check(m, h))
	}
	return errors.New("the history's operations belong to no model the web knows (counter, queue of ints)")
}

func opTimes(op tableOp) (call, ret int64) {
	if op.Return < 0 {
		return int64(op.Call), linear.Pending
	}
	return int64(op.Call), int64(op.Return)
}

func counterHistory(ops []tableOp) ([]linear.Operation[models.CounterInput, models.CounterOutput], bool) {
	var h []linear.Operation[models.CounterInput, models.CounterOutput]
	for _, op := range ops {
		m := counterOp.FindStringSubmatch(op.Text)
		if m == nil {
			return nil, false
		}
		var in models.CounterInput
		var out models.CounterOutput
		in.Delta, _ = strconv.ParseInt(m[2], 10, 64)
		in.Op = map[string]models.CounterOp{"add": models.Add, "addget": models.AddGet, "get": models.Get}[m[1]]
		if (m[3] == "") != (in.Op == models.Add) {
			return nil, false // a result where none is printed, or none where one is
		}
		out.Unknown = m[3] == "?"
		out.Value, _ = strconv.ParseInt(m[3], 10, 64)
		call, ret := opTimes(op)
		h = append(h, linear.Operation[models.CounterInput, models.CounterOutput]{Client: op.Client, Input: in, Output: out, Call: call, Return: ret})
	}
	return h, true
}

func queueHistory(ops []tableOp) ([]linear.Operation[models.SeqInput[int], models.SeqOutput[int]], bool) {
	var h []linear.Operation[models.SeqInput[int], models.SeqOutput[int]]
	for _, op := range ops {
		m := queueOp.FindStringSubmatch(op.Text)
		if m == nil || (m[1] == "enqueue") == (m[3] != "") {
			return nil, false
		}
		var in models.SeqInput[int]
		var out models.SeqOutput[int]
		if m[1] == "enqueue" {
			in.Op = models.Put
			in.Value, _ = strconv.Atoi(m[2])
		} else {
			in.Op = models.Take
			switch m[3] {
			case "?":
				out.Unknown = true
			case "empty":
			default:
				out.Value, _ = strconv.Atoi(m[3])
				out.OK = true
			}
		}
		call, ret := opTimes(op)
		h = append(h, linear.Operation[models.SeqInput[int], models.SeqOutput[int]]{Client: op.Client, Input: in, Output: out, Call: call, Return: ret})
	}
	return h, true
}
