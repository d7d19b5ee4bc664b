// The playground: a scenario under the checker, one step at a time, with
// the learner as the scheduler.
"use strict";
(() => {
  const { el, svgNode, api, header } = Ludus;
  const $ = id => document.getElementById(id);
  let scenarios = [], session = null, previous = new Map(), pending = false;

  function status(text) { $("pg-status").textContent = text || ""; }

  async function call(action, body) {
    if (!session || pending) return;
    pending = true;
    setBusy(true);
    try {
      const r = await api("POST", `/api/playground/sessions/${session.session}/${action}`, body || {});
      if (r.status === 404 && /session/.test(r.data.error)) { status(r.data.error); await open(session.scenario); return; }
      if (!r.ok) { status(r.data.error); return; }
      status("");
      show(r.data);
    } catch (e) {
      status("cannot reach the lab: " + e.message);
    } finally {
      pending = false;
      setBusy(false);
    }
  }

  function setBusy(on) {
    for (const b of document.querySelectorAll("#choices button, .controls button")) b.disabled = on || b.dataset.off === "1";
  }

  async function open(id) {
    if (session) closeSession();
    for (const b of $("scenarios").children) b.setAttribute("aria-pressed", b.dataset.id === id ? "true" : "false");
    const sc = scenarios.find(s => s.id === id);
    $("guide").textContent = sc.guide;
    $("try").textContent = sc.try;
    $("code").textContent = sc.code;
    previous = new Map();
    history.replaceState(null, "", "/playground?scenario=" + encodeURIComponent(id));
    const r = await api("POST", "/api/playground/sessions", { scenario: id });
    if (!r.ok) { status(r.data.error); return; }
    status("");
    show(r.data);
  }

  function closeSession() {
    navigator.sendBeacon(`/api/playground/sessions/${session.session}/close`);
    session = null;
  }

  function show(st) {
    session = st;
    // The lanes, with the next steps as clickable boxes.
    const lanes = $("lanes");
    lanes.replaceChildren(svgNode(st.lanes));
    lanes.dataset.choices = String(st.path.length); // how many choices made so far
    for (const g of lanes.querySelectorAll("g.choice")) {
      const go = () => call("step", { goroutine: g.dataset.goroutine });
      g.addEventListener("click", go);
      g.addEventListener("keydown", e => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); } });
    }
    $("notes").replaceChildren(...(st.notes || []).map(n => el("li", { text: n })));
    $("waitfor").hidden = !st.waitfor;
    $("waitfor").replaceChildren(st.waitfor ? el("figure", { class: "pic waitfor" }, el("figcaption", { text: "The wait-for cycle" }), el("div", { class: "drawing" }, svgNode(st.waitfor))) : "");
    // Who may run next.
    const ch = $("choices");
    ch.textContent = "";
    for (const c of st.choices) {
      ch.append(el("button", { type: "button", class: "choice", "data-goroutine": c.goroutine, title: c.location ? "at " + c.location : null,
        onclick: () => call("step", { goroutine: c.goroutine }) },
        el("span", { class: "who", text: c.goroutine }), el("span", { class: "what", text: c.op })));
    }
    if (!st.choices.length) ch.append(el("p", { class: "muted", text: st.done ? "The execution has ended." : "No goroutine can run." }));
    $("undo").dataset.off = st.path.length ? "0" : "1";
    $("undo").disabled = !st.path.length;
    // The outcome.
    const out = $("outcome");
    out.hidden = !st.done;
    if (st.done) {
      out.className = "outcome " + (st.failure ? "failed" : "ok");
      out.replaceChildren(st.failure ? `${st.failure.kind}: ${st.failure.message.split("\n")[0]}` : "The execution ended without a failure.",
        st.failure && st.failure.replay ? el("div", { class: "detail", text: "replay token: " + st.failure.replay }) : "");
    }
    // The objects, with what changed since the last step highlighted.
    const tb = $("objects");
    tb.textContent = "";
    for (const o of st.objects) {
      const changed = previous.has(o.name) ? previous.get(o.name) !== o.state : st.path.length > 0;
      tb.append(el("tr", { class: changed ? "changed" : "", "data-object": o.name },
        el("td", { class: "mono", text: o.name }), el("td", { text: o.kind }), el("td", { class: "state", text: o.state })));
    }
    if (!st.objects.length) tb.append(el("tr", {}, el("td", { colSpan: 3, class: "muted", text: "nothing touched yet" })));
    previous = new Map(st.objects.map(o => [o.name, o.state]));
    // The checker's counts.
    const ex = st.explored;
    $("jump").dataset.off = ex && !ex.can_jump ? "1" : "0";
    $("jump").disabled = !!ex && !ex.can_jump;
    if (ex) {
      $("explored").replaceChildren(
        el("p", {}, el("strong", { text: ex.interleavings }), ` interleavings${ex.complete ? "" : " (" + (ex.limit || "the budget ran out") + ", so not all)"}, `,
          el("strong", { class: ex.failing ? "error-text" : "", text: ex.failing }), " fail."),
        el("p", { class: "muted", text: `Up to reordering independent steps, ${ex.reduced} schedules cover them all (${ex.reduced_failing} failing): that is what the checker's DPOR explores.` }));
    }
  }

  $("undo").addEventListener("click", () => call("undo"));
  $("reset").addEventListener("click", () => { previous = new Map(); call("reset"); });
  $("explore").addEventListener("click", () => call("explore"));
  $("jump").addEventListener("click", () => { previous = new Map(); call("jump"); });
  window.addEventListener("pagehide", () => { if (session) closeSession(); });

  api("GET", "/api/experiments").then(r => header("playground", r.ok ? r.data.machine : null));
  api("GET", "/api/playground/scenarios").then(r => {
    if (!r.ok) { status(r.data.error); return; }
    scenarios = r.data.scenarios;
    for (const sc of scenarios) {
      $("scenarios").append(el("button", { type: "button", "data-id": sc.id, "aria-pressed": "false", text: sc.title, onclick: () => open(sc.id) }));
    }
    const want = new URLSearchParams(location.search).get("scenario");
    open(scenarios.some(s => s.id === want) ? want : scenarios[0].id);
  });
})();
