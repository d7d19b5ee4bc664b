package linear

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
)

// maxStateText bounds one state's description in the page, so that a page
// grows with the history, not with the history times the state size.
const maxStateText = 160

type htmlOp struct {
	Client int    `json:"c"`
	Call   int    `json:"s"` // rank of the call among all events
	Return int    `json:"e"` // rank of the return; -1 if pending
	Text   string `json:"d"`
	Part   int    `json:"p"`
	Order  int    `json:"o"` // position in the part's linearization; -1 if none
	Status string `json:"k"` // "ok", "prefix", "stuck", "unplaced", "skip"
	State  string `json:"t,omitempty"`
}

type htmlPart struct {
	Verdict string `json:"v"`
	Ops     int    `json:"n"`
	Placed  int    `json:"l"`
}

type htmlPage struct {
	Verdict string     `json:"verdict"`
	Events  int        `json:"events"`
	Clients []int      `json:"clients"`
	Ops     []htmlOp   `json:"ops"`
	Parts   []htmlPart `json:"parts"`
}

// WriteHTML draws history and its check result as one self-contained HTML
// page (no network fetches): each client's operations on a time axis (by
// event order), numbered in the order of the linearization found; for a
// failure, the longest linearizable prefix in green, the operation that
// could not be placed after it in red and the other candidates in orange.
// Hovering an operation shows it, its position and the state after it. The
// page holds each operation once, with at most 160 characters of state, so
// its size grows linearly with the history.
func WriteHTML[S, I, O any](w io.Writer, m Model[S, I, O], history []Operation[I, O], res Result) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("linear: WriteHTML: the model panicked: %v", v)
		}
	}()
	page := htmlPage{Verdict: res.Verdict.String()}
	if res.Err != nil {
		page.Verdict += " (" + res.Err.Error() + ")"
	}
	// Ranks of events make a readable axis whatever the clock's unit.
	var times []int64
	for _, op := range history {
		times = append(times, op.Call)
		if !op.IsPending() {
			times = append(times, op.Return)
		}
	}
	slices.Sort(times)
	times = slices.Compact(times)
	rank := func(t int64) int { i, _ := slices.BinarySearch(times, t); return i }
	page.Events = len(times)
	clients := map[int]bool{}
	page.Ops = make([]htmlOp, len(history))
	for i, op := range history {
		ret := -1
		if !op.IsPending() {
			ret = rank(op.Return)
		}
		page.Ops[i] = htmlOp{Client: op.Client, Call: rank(op.Call), Return: ret, Text: m.describe(op), Part: -1, Order: -1, Status: "skip"}
		if !clients[op.Client] {
			clients[op.Client] = true
			page.Clients = append(page.Clients, op.Client)
		}
	}
	slices.Sort(page.Clients)
	valid := func(i int) bool { return i >= 0 && i < len(history) }
	for p, part := range res.Parts {
		page.Parts = append(page.Parts, htmlPart{Verdict: part.Verdict.String(), Ops: len(part.Ops), Placed: len(part.Linearization)})
		for _, i := range part.Ops {
			if valid(i) {
				page.Ops[i].Part = p
			}
		}
		// Replay the linearization to show the state after each step.
		state, replay := m.Init(), true
		for k, i := range part.Linearization {
			if !valid(i) {
				replay = false
				continue
			}
			o := &page.Ops[i]
			o.Order = k
			o.Status = "ok"
			if part.Verdict != Linearizable {
				o.Status = "prefix"
			}
			if replay {
				ok, next := safeStep(m, state, history[i])
				if !ok {
					replay = false
					continue
				}
				state = next
				o.State = clip(m.describeState(state), maxStateText)
			}
		}
		for k, i := range part.Unplaced {
			if valid(i) {
				page.Ops[i].Status = "unplaced"
				if k == 0 {
					page.Ops[i].Status = "stuck"
				}
			}
		}
	}
	data, err := json.Marshal(page)
	if err != nil {
		return fmt.Errorf("linear: WriteHTML: %w", err)
	}
	return htmlTemplate.Execute(w, template.JS(data))
}

func safeStep[S, I, O any](m Model[S, I, O], s S, op Operation[I, O]) (ok bool, next S) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return m.Step(s, op.Input, op.Output)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

var htmlTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>linearizability check</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222}
#axis{position:relative;overflow-x:auto;border:1px solid #ddd;padding:4px 0}
.row{position:relative;height:26px;border-bottom:1px solid #f0f0f0}
.lab{position:sticky;left:0;z-index:2;background:#fff;display:inline-block;width:70px;font-weight:600;padding-left:4px}
.op{position:absolute;top:3px;height:18px;border-radius:3px;font-size:11px;white-space:nowrap;overflow:hidden;padding:0 3px;box-sizing:border-box;border:1px solid #888;cursor:default}
.ok{background:#c8eec8}.prefix{background:#c8eec8}.stuck{background:#f88;border-color:#c00;font-weight:700}
.unplaced{background:#fc9}.skip{background:#eee;color:#777}.pending{border-style:dashed}
.dim{opacity:.25}
#tip{position:fixed;background:#333;color:#fff;padding:6px 8px;border-radius:4px;font-size:12px;pointer-events:none;display:none;max-width:600px;z-index:9}
.legend span{display:inline-block;padding:0 6px;margin-right:6px;border:1px solid #888;border-radius:3px}
</style></head><body>
<h2 id="title"></h2>
<p class="legend"><span class="ok">linearized (number: position)</span><span class="stuck">could not be placed</span><span class="unplaced">other candidates</span><span class="skip">not placed</span><span class="skip pending">pending (dashed)</span></p>
<p>Part: <select id="part"><option value="-1">all</option></select> &nbsp; Zoom: <input id="zoom" type="range" min="4" max="80" value="24"></p>
<div id="parts"></div>
<div id="axis"></div>
<div id="tip"></div>
<script>
const D = {{.}};
const title = document.getElementById("title"), axis = document.getElementById("axis"), tip = document.getElementById("tip");
title.textContent = D.verdict + " — " + D.ops.length + " operations, " + D.clients.length + " clients, " + D.parts.length + " part(s)";
const sel = document.getElementById("part");
D.parts.forEach((p, i) => { const o = document.createElement("option"); o.value = i; o.textContent = "part " + i + ": " + p.v + " (" + p.l + "/" + p.n + " placed)"; sel.appendChild(o); });
function draw() {
  const z = +document.getElementById("zoom").value, only = +sel.value;
  axis.textContent = "";
  const rows = new Map();
  for (const c of D.clients) {
    const r = document.createElement("div"); r.className = "row"; r.style.width = (90 + z * (D.events + 1)) + "px";
    const l = document.createElement("span"); l.className = "lab"; l.textContent = "client " + c; r.appendChild(l);
    axis.appendChild(r); rows.set(c, r);
  }
  D.ops.forEach((o, i) => {
    const d = document.createElement("div");
    const end = o.e < 0 ? D.events : o.e;
    d.className = "op " + o.k + (o.e < 0 ? " pending" : "") + (only >= 0 && o.p !== only ? " dim" : "");
    d.style.left = (80 + z * o.s) + "px";
    d.style.width = Math.max(z * (end - o.s) + z / 2, 6) + "px";
    d.textContent = (o.o >= 0 ? (o.o + 1) + ": " : "") + o.d;
    d.onmousemove = ev => {
      tip.style.display = "block"; tip.style.left = (ev.clientX + 12) + "px"; tip.style.top = (ev.clientY + 12) + "px";
      tip.textContent = "#" + i + " client " + o.c + ": " + o.d + (o.p >= 0 ? " — part " + o.p : "") +
        (o.o >= 0 ? " — linearized " + (o.o + 1) + (o.t ? ", then state " + o.t : "") : "") +
        ({stuck: " — could not be placed after the longest prefix", unplaced: " — candidate that did not fit either"}[o.k] || "");
    };
    d.onmouseleave = () => tip.style.display = "none";
    rows.get(o.c).appendChild(d);
  });
}
sel.onchange = draw; document.getElementById("zoom").oninput = draw;
draw();
</script></body></html>
`))
