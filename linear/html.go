package linear

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"slices"
	"unicode/utf8"
)

// maxStateText bounds one state's description in the page, and
// maxOpText one operation's, so that a page grows with the history, not
// with the history times the state size. Longer texts end in "…"; the
// page says so.
const (
	maxStateText = 160
	maxOpText    = 200
)

// htmlOp is one operation as the page's script sees it.
type htmlOp struct {
	Client int    `json:"c"`
	Call   int    `json:"s"` // rank of the call among all event times
	Return int    `json:"e"` // rank of the return; -1 if pending
	Text   string `json:"d"`
	Part   int    `json:"p"`
	Order  int    `json:"o"` // position in the part's linearization; -1 if none
	Status string `json:"k"` // "ok", "prefix", "stuck", "unplaced", "skip"
	State  string `json:"t,omitempty"`
}

// htmlPart is one part as the page's script sees it.
type htmlPart struct {
	Verdict string `json:"v"`
	Ops     int    `json:"n"`
	Placed  int    `json:"l"`
	Err     string `json:"err,omitempty"`
	Stuck   int    `json:"stuck"` // the operation that forced the dead end; -1 if none
}

// htmlPage is the page's data.
type htmlPage struct {
	Verdict string     `json:"verdict"`
	Events  int        `json:"events"`
	Clients []int      `json:"clients"`
	Ops     []htmlOp   `json:"ops"`
	Parts   []htmlPart `json:"parts"`
	Focus   int        `json:"focus"` // the part shown first: the first that failed; -1 for all
}

// WriteHTML draws history and its check result as one self-contained HTML
// page (no network fetches) that explains itself: a few lines say how to
// read it, and for a failure it opens on the failing part, around the
// operation that could not be linearized, fitted to the window's width
// (1280 px shows it without scrolling sideways). Each client is a row and
// each operation a bar from its call to its return, on an axis of event
// order; bars are wide enough for their labels, which are never cut off.
// The longest linearizable prefix is green, numbered in its order; the
// operation that forced the dead end after it is red, the other candidates
// that did not fit orange. Buttons move the window; hovering a bar shows
// the state after it. The page holds each operation once, with at most 160
// characters of state, so its size grows linearly with the history.
func WriteHTML[S, I, O any](w io.Writer, m Model[S, I, O], history []Operation[I, O], res Result) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("linear: WriteHTML: the model panicked: %v", v)
		}
	}()
	page := htmlPage{Verdict: res.Verdict.String(), Focus: -1}
	if res.Err != nil && !errors.Is(res.Err, ErrStopped) {
		page.Verdict += " (" + res.Err.Error() + ")"
	}
	page.Ops, page.Clients, page.Events = htmlOps(m, history)
	for p, part := range res.Parts {
		page.Parts = append(page.Parts, htmlMarkPart(m, history, page.Ops, p, part))
		if part.Verdict == NotLinearizable && page.Focus < 0 {
			page.Focus = p
		}
	}
	data, err := json.Marshal(page)
	if err != nil {
		return fmt.Errorf("linear: WriteHTML: %w", err)
	}
	return htmlTemplate.Execute(w, template.JS(data))
}

// htmlOps lays the history on an axis of event ranks (a readable axis
// whatever the clock's unit) and lists its clients.
func htmlOps[S, I, O any](m Model[S, I, O], history []Operation[I, O]) (ops []htmlOp, clients []int, events int) {
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
	seen := map[int]bool{}
	ops = make([]htmlOp, len(history))
	for i, op := range history {
		ret := -1
		if !op.IsPending() {
			ret = rank(op.Return)
		}
		ops[i] = htmlOp{Client: op.Client, Call: rank(op.Call), Return: ret, Text: clip(m.describe(op), maxOpText), Part: -1, Order: -1, Status: "skip"}
		if !seen[op.Client] {
			seen[op.Client] = true
			clients = append(clients, op.Client)
		}
	}
	slices.Sort(clients)
	return ops, clients, len(times)
}

// htmlMarkPart marks part p's operations in ops: their part, their place
// in the linearization (replayed to show the state after each), and the
// candidates that did not fit.
func htmlMarkPart[S, I, O any](m Model[S, I, O], history []Operation[I, O], ops []htmlOp, p int, part Part) htmlPart {
	valid := func(i int) bool { return i >= 0 && i < len(history) }
	hp := htmlPart{Verdict: part.Verdict.String(), Ops: len(part.Ops), Placed: len(part.Linearization), Stuck: -1}
	if part.Err != nil && !errors.Is(part.Err, ErrStopped) {
		hp.Err = part.Err.Error()
	}
	for _, i := range part.Ops {
		if valid(i) {
			ops[i].Part = p
		}
	}
	state, replay := m.Init(), true
	for k, i := range part.Linearization {
		if !valid(i) {
			replay = false
			continue
		}
		o := &ops[i]
		o.Order, o.Status = k, "ok"
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
			ops[i].Status = "unplaced"
			if k == 0 {
				ops[i].Status, hp.Stuck = "stuck", i
			}
		}
	}
	return hp
}

func safeStep[S, I, O any](m Model[S, I, O], s S, op Operation[I, O]) (ok bool, next S) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return m.Step(s, op.Input, op.Output)
}

// clip shortens s to n bytes, at a rune boundary, marking the cut with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

var htmlTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>linearizability check</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:16px;color:#222;max-width:1600px}
h1{font-size:20px;margin:0 0 8px}
.how{max-width:60em;color:#333;margin:6px 0}
#failure{background:#fff5f5;border:1px solid #f0c0c0;border-radius:4px;padding:8px 10px;margin:10px 0}
#failure ul{margin:4px 0 0;padding-left:20px}
#failure code{font-size:13px;overflow-wrap:anywhere}
#controls{margin:10px 0}
#controls button{font:inherit;margin-right:4px}
#axis{position:relative;border:1px solid #ddd;padding:4px 0;overflow-x:hidden}
#axis.whole{overflow-x:auto}
.row{position:relative;border-bottom:1px solid #eee}
.lab{position:absolute;left:0;top:0;width:76px;padding:4px;font-weight:600;font-size:12px;background:#fff;z-index:2}
.op{position:absolute;font-size:12px;line-height:16px;padding:1px 4px;box-sizing:border-box;border:1px solid #888;border-radius:3px;white-space:normal;overflow-wrap:anywhere;cursor:default}
.ok,.prefix{background:#c8eec8}.stuck{background:#f77;border:2px solid #b00;font-weight:700}
.unplaced{background:#fc9}.skip{background:#eee;color:#555}.pending{border-style:dashed}
.cutl{border-left:3px double #555}.cutr{border-right:3px double #555}
#legend span{display:inline-block;padding:0 6px;margin:2px 6px 2px 0;border:1px solid #888;border-radius:3px;font-size:12px}
#where{color:#555;margin-left:8px}
#tip{position:fixed;background:#333;color:#fff;padding:6px 8px;border-radius:4px;font-size:12px;pointer-events:none;display:none;max-width:600px;z-index:9;overflow-wrap:anywhere}
</style></head><body>
<h1 id="title"></h1>
<p class="how">How to read this picture: each row is a client and each bar one of its operations, drawn from its call (left end) to its return (right end) on an axis of event order, not of time; bars that overlap were concurrent. A history is linearizable if its operations can be put in one sequence, each taking effect at an instant within its bar, that the object's sequential specification accepts.</p>
<p class="how">Green bars, numbered 1, 2, 3…, are the sequence the checker found (for a failure, the longest linearizable prefix). A red bar is the operation that could not come next after that prefix: it returns first among those left, so it had to; orange bars are the other operations that could have come next and did not fit either. Grey bars are not part of the sequence; a dashed bar never returned (it may take effect at any time after its call, or never); a double edge means the bar goes on outside the window. Hover over a bar for the state after it. Texts longer than 200 characters end in "…".</p>
<div id="failure" hidden></div>
<p id="controls">Part: <select id="part"></select>
<button id="focus">show the failure</button><button id="prev">◀ earlier</button><button id="next">later ▶</button><button id="whole">whole part (scrolls)</button><span id="where"></span></p>
<div id="axis"></div>
<p id="legend"><span class="ok">linearized, in order</span><span class="stuck">could not come next</span><span class="unplaced">could have come next, did not fit</span><span class="skip">not in the sequence</span><span class="skip pending">pending: never returned</span></p>
<div id="tip"></div>
<script>
"use strict";
const D = {{.}};
const LAB = 84, GAP = 6, MINCOL = 4, MAXBAR = 240;
const $ = id => document.getElementById(id);
const axis = $("axis"), tip = $("tip"), sel = $("part");
$("title").textContent = D.verdict + " — " + D.ops.length + " operations, " + D.clients.length + " clients" + (D.parts.length > 1 ? ", " + D.parts.length + " parts checked apart" : "");
const canvas = document.createElement("canvas").getContext("2d");
const font = getComputedStyle(document.body).fontFamily;
const label = o => (o.o >= 0 ? (o.o + 1) + ": " : "") + o.d;
const widths = new Map();
const width = o => {
  if (!widths.has(o.i)) {
    // The red bar's label is bold, and its border thicker.
    canvas.font = (o.k === "stuck" ? "bold " : "") + "12px " + font;
    widths.set(o.i, Math.min(Math.ceil(canvas.measureText(label(o)).width) + (o.k === "stuck" ? 16 : 12), MAXBAR));
  }
  return widths.get(o.i);
};
const end = o => o.e < 0 ? Infinity : o.e;
let part = D.focus, lo = 0, hi = 0, whole = false;
D.parts.forEach((p, i) => {
  const opt = document.createElement("option");
  opt.value = i;
  opt.textContent = "part " + i + ": " + p.v + " (" + p.l + " of " + p.n + " placed)";
  sel.appendChild(opt);
});
if (D.parts.length === 1) part = 0;
if (part >= 0) sel.value = part; else { const all = document.createElement("option"); all.value = -1; all.textContent = "all"; sel.prepend(all); sel.value = -1; }
function opsOf(p) { return D.ops.map((o, i) => ({...o, i})).filter(o => p < 0 || o.p === p); }
let shown = opsOf(part), ranks = [];
function setPart(p) {
  part = p; shown = opsOf(p);
  ranks = [...new Set(shown.flatMap(o => o.e < 0 ? [o.s] : [o.s, o.e]))].sort((a, b) => a - b);
}
// layout places the ranks a..b (indices into ranks) on x as columns, each
// at least MINCOL wide and GAP apart, so that every bar in the window is as
// wide as its label: a bar runs from the left of its call's column to the
// right of its return's (or of the window's edge, where it is cut). It
// returns each column's x and width, the bars, and the total width.
function layout(a, b) {
  const x = new Map(), cw = new Map(), inWin = visible(a, b), byEnd = new Map();
  for (const o of inWin) {
    const e = Math.min(end(o), ranks[b]);
    if (!byEnd.has(e)) byEnd.set(e, []);
    byEnd.get(e).push(o);
  }
  let next = 0;
  for (let r = a; r <= b; r++) {
    const xr = next;
    x.set(ranks[r], xr);
    let w = MINCOL;
    for (const o of byEnd.get(ranks[r]) || []) w = Math.max(w, x.get(Math.max(o.s, ranks[a])) + width(o) - xr);
    cw.set(ranks[r], w);
    next = xr + w + GAP;
  }
  return {x, cw, w: next - GAP, ops: inWin};
}
function visible(a, b) { return shown.filter(o => o.s <= ranks[b] && end(o) >= ranks[a]); }
function room() { return axis.clientWidth - LAB - 8; }
// grow widens the window a..b one rank at a time, alternately, while it fits.
function grow(a, b, left, right) {
  let turn = 0;
  while (left || right) {
    const tryLeft = left && (turn % 2 === 0 || !right);
    turn++;
    const na = tryLeft ? a - 1 : a, nb = tryLeft ? b : b + 1;
    if (na < 0) { left = false; continue; }
    if (nb >= ranks.length) { right = false; continue; }
    if (layout(na, nb).w > room()) { if (tryLeft) left = false; else right = false; continue; }
    a = na; b = nb;
  }
  return [a, b];
}
function idx(r) { let i = ranks.indexOf(r); return i < 0 ? 0 : i; }
function focusWindow() {
  whole = false;
  const p = D.parts[part];
  if (part < 0 || !p || p.stuck < 0) { [lo, hi] = grow(0, 0, false, true); return; }
  const core = shown.filter(o => o.k === "stuck" || o.k === "unplaced");
  let a = idx(Math.min(...core.map(o => o.s))), b = idx(Math.max(...core.map(o => o.e < 0 ? o.s : o.e)));
  while (b > a && layout(a, b).w > room()) b--;
  [lo, hi] = grow(a, b, true, true);
}
function draw() {
  axis.textContent = "";
  axis.className = whole ? "whole" : "";
  const L = layout(lo, hi), rows = new Map();
  for (const c of D.clients) if (L.ops.some(o => o.c === c)) rows.set(c, []);
  for (const o of L.ops) rows.get(o.c).push(o);
  for (const [c, ops] of rows) {
    const row = document.createElement("div"); row.className = "row";
    row.style.width = (LAB + L.w + 4) + "px";
    const lab = document.createElement("div"); lab.className = "lab"; lab.textContent = "client " + c; row.appendChild(lab);
    axis.appendChild(row);
    const lanes = []; // each lane's right edge, to stack overlapping bars
    let height = 24;
    for (const o of ops) {
      const a = Math.max(o.s, ranks[lo]), b = Math.min(end(o), ranks[hi]);
      const left = LAB + L.x.get(a), w = L.x.get(b) + L.cw.get(b) - L.x.get(a);
      const d = document.createElement("div");
      d.className = "op " + o.k + (o.e < 0 ? " pending" : "") + (o.s < ranks[lo] ? " cutl" : "") + (end(o) > ranks[hi] ? " cutr" : "");
      d.style.left = left + "px"; d.style.width = w + "px";
      d.textContent = label(o);
      d.onmousemove = ev => {
        tip.style.display = "block"; tip.style.left = Math.min(ev.clientX + 12, innerWidth - 320) + "px"; tip.style.top = (ev.clientY + 14) + "px";
        tip.textContent = "#" + o.i + " client " + o.c + ": " + o.d + (o.p >= 0 ? " — part " + o.p : "") +
          (o.o >= 0 ? " — linearized " + (o.o + 1) + (o.t ? ", then state " + o.t : "") : "") +
          ({stuck: " — could not come next after the prefix", unplaced: " — could have come next and did not fit"}[o.k] || "");
      };
      d.onmouseleave = () => tip.style.display = "none";
      row.appendChild(d);
      let lane = lanes.findIndex(r => r < left);
      if (lane < 0) { lane = lanes.length; lanes.push(0); }
      lanes[lane] = left + w;
      d.dataset.lane = lane;
    }
    // Stack the lanes now that the bars' heights are known.
    const tops = [];
    let y = 3;
    for (let l = 0; l < lanes.length; l++) {
      tops.push(y);
      let h = 0;
      for (const d of row.querySelectorAll(".op")) if (+d.dataset.lane === l) h = Math.max(h, d.offsetHeight);
      y += h + 3;
    }
    for (const d of row.querySelectorAll(".op")) d.style.top = tops[+d.dataset.lane] + "px";
    row.style.height = Math.max(height, y + 2) + "px";
  }
  const first = ranks[lo], last = ranks[hi];
  $("where").textContent = whole ? "the whole part, " + ranks.length + " events" : "events " + (lo + 1) + " to " + (hi + 1) + " of " + ranks.length + (first > 0 || hi < ranks.length - 1 ? " (use the buttons to move)" : "");
  $("prev").disabled = whole || lo === 0; $("next").disabled = whole || hi >= ranks.length - 1;
}
function explain() {
  const box = $("failure"), p = D.parts[part];
  box.hidden = !(p && p.stuck >= 0);
  if (box.hidden) return;
  box.textContent = "";
  const prefix = shown.filter(o => o.k === "prefix").sort((a, b) => a.o - b.o);
  const lastState = prefix.length && prefix[prefix.length - 1].t;
  const head = document.createElement("div");
  head.textContent = (D.parts.length > 1 ? "Part " + part + " is not linearizable. " : "Not linearizable. ") +
    "The longest linearizable prefix places " + p.l + " of its " + p.n + " operations (green)" +
    (lastState ? ", leaving the state " + lastState : "") + ". None of the operations that could come next fits:";
  box.appendChild(head);
  const ul = document.createElement("ul");
  for (const o of shown.filter(o => o.k === "stuck").concat(shown.filter(o => o.k === "unplaced"))) {
    const li = document.createElement("li"), code = document.createElement("code");
    code.textContent = o.d;
    li.append(o.k === "stuck" ? "red: " : "orange: ", code, " (client " + o.c + (o.k === "stuck" ? "; it returns first, so it had to come next)" : ")"));
    ul.appendChild(li);
  }
  box.appendChild(ul);
}
function show(p) { setPart(p); explain(); focusWindow(); draw(); }
sel.onchange = () => show(+sel.value);
$("focus").onclick = () => { focusWindow(); draw(); };
$("whole").onclick = () => { whole = true; lo = 0; hi = Math.max(0, ranks.length - 1); draw(); };
// The buttons move the window by about its width: the new one starts (or
// ends) where the old one ended (or started).
$("prev").onclick = () => { [lo, hi] = grow(lo, lo, true, false); [lo, hi] = grow(lo, hi, false, true); draw(); };
$("next").onclick = () => { [lo, hi] = grow(hi, hi, false, true); [lo, hi] = grow(lo, hi, true, false); draw(); };
addEventListener("resize", () => { if (!whole) { focusWindow(); draw(); } });
show(part);
</script></body></html>
`))
