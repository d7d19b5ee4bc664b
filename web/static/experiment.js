// An experiment's page: its claims with verdicts and evidence, and every
// picture the server drew of its last outcome.
"use strict";
(() => {
  const { el, svgNode, api, badge, header, Runner, fmtMS } = Ludus;
  const $ = id => document.getElementById(id);
  const id = decodeURIComponent(location.pathname.split("/").pop());

  function figure(p) {
    // Charts draw their own title; traces, graphs and pages get a caption.
    const charted = p.kind === "bars" || p.kind === "histogram";
    const fig = el("figure", { class: "pic " + p.kind, "data-kind": p.kind },
      charted ? null : el("figcaption", { text: p.title }));
    if (p.svg) fig.append(el("div", { class: "drawing" }, svgNode(p.svg)));
    if (p.url) {
      // The embedded page is ours (same origin): fit the frame to it.
      const frame = el("iframe", { src: p.url, title: p.title });
      frame.addEventListener("load", () => {
        const doc = frame.contentDocument;
        if (doc) frame.style.height = Math.min(doc.documentElement.scrollHeight + 4, 1400) + "px";
      });
      fig.append(frame);
    }
    if (p.notes && p.notes.length) fig.append(el("ul", { class: "notes" }, p.notes.map(n => el("li", { text: n }))));
    return fig;
  }

  function measurements(m) {
    const keys = Object.keys(m || {}).sort();
    if (!keys.length) return null;
    return el("details", { class: "raw" }, el("summary", { text: `${keys.length} measurements` }),
      el("table", { class: "meas" }, el("tbody", {}, keys.map(k =>
        el("tr", {}, el("td", { text: k }), el("td", { text: String(+m[k].toPrecision(6)) }))))));
  }

  function render(data) {
    const exp = data.experiment, last = exp.last;
    document.title = "ludus lab: " + exp.id;
    $("title").textContent = exp.id;
    $("section").textContent = exp.section;
    $("error").hidden = !(last && last.error);
    $("error").textContent = last && last.error ? "This experiment errored: " + last.error : "";
    const box = $("claims");
    box.textContent = "";
    const list = el("ul", { class: "claims" });
    exp.claims.forEach(({ text }, i) => {
      const c = last && !last.error ? last.claims[i] : null;
      const pics = data.pictures.filter(p => p.claim === i);
      list.append(el("li", { "data-claim": i },
        c ? badge(c.verdict) : badge("none", "not run"),
        el("span", { class: "claim", text }),
        c ? el("span", { class: "evidence", text: c.evidence }) : null,
        el("div", { class: "pics-of-claim" }, pics.map(figure),
          c ? measurements(c.measurements) : null,
          c && c.detail ? el("details", { class: "raw" }, el("summary", { text: "as the terminal prints it" }), el("pre", { text: c.detail })) : null)));
    });
    box.append(list);
    box.removeAttribute("aria-busy");
    $("meta").textContent = last ? `last run ${new Date(last.at).toLocaleString()}, took ${fmtMS(last.elapsed_ms)}${last.quick ? " (quick)" : ""}.` : "Not run yet: press Run.";
  }

  function load() {
    return api("GET", "/api/experiments/" + encodeURIComponent(id)).then(r => {
      if (!r.ok) { status(r.data.error, true); $("claims").removeAttribute("aria-busy"); return; }
      render(r.data);
    });
  }

  function status(text, isError) {
    $("run-status").textContent = text;
    $("run-status").classList.toggle("error", !!isError);
  }
  function busy(on, owner) {
    $("run").disabled = on;
    $("stop").hidden = !(on && owner);
  }
  function event(name, d) {
    if (name === "start") status(`running ${d.id}…`);
    if (name === "step") status(d.step);
    if (name === "outcome" && d.id === id) load();
    if (name === "end") { status(d.error ? "stopped: " + d.error : "done.", !!d.error); busy(false); load(); }
    if (name === "lost") busy(false);
  }
  const runner = new Runner({ event, status, busy });
  $("run").addEventListener("click", () => runner.start([id], $("quick").checked));
  $("stop").addEventListener("click", () => runner.stop());
  api("GET", "/api/experiments").then(r => {
    if (!r.ok) return;
    header("index", r.data.machine);
    $("quick").checked = !!r.data.quick;
    if (r.data.running) runner.watch();
  });
  load();
})();
