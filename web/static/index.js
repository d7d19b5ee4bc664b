// The index: the guide's outline with its experiments, their last
// verdicts, and runs streamed live.
"use strict";
(() => {
  const { el, api, badge, chips, header, Runner, claimsList, fmtMS } = Ludus;
  const $ = id => document.getElementById(id);
  const cards = new Map(); // experiment ID -> {card, chipsHolders[], exp}
  let queued = [];

  function card(exp) {
    const c = el("article", { class: "card", id: "exp-" + exp.id, "data-id": exp.id },
      el("div", { class: "card-head" },
        el("h3", {}, el("a", { href: "/experiments/" + encodeURIComponent(exp.id), text: exp.id })),
        el("span", { class: "section", text: exp.section }),
        el("span", { class: "chips-holder" }, chips(exp.last)),
        el("button", { type: "button", class: "run-one", text: "Run", "data-id": exp.id, onclick: () => start([exp.id]) })),
      el("div", { class: "step", hidden: true }),
      exp.last && exp.last.error ? el("div", { class: "error", text: exp.last.error }) : null,
      claimsList(exp.claims, exp.last),
      el("div", { class: "muted meta", text: meta(exp.last) }));
    return c;
  }

  function meta(last) {
    if (!last) return "";
    return `last run ${new Date(last.at).toLocaleTimeString()}, took ${fmtMS(last.elapsed_ms)}${last.quick ? " (quick)" : ""} · pictures on the experiment's page`;
  }

  function ref(exp) {
    return el("div", { class: "card ref", "data-ref": exp.id },
      el("div", { class: "card-head" },
        el("h3", {}, el("a", { href: "#exp-" + exp.id, text: exp.id })),
        el("span", { class: "section", text: "measured above" }),
        el("span", { class: "chips-holder" }, chips(exp.last))));
  }

  function render(data) {
    header("index", data.machine);
    $("quick").checked = !!data.quick;
    const byID = new Map(data.experiments.map(e => [e.id, e]));
    const ol = $("outline");
    ol.textContent = "";
    let prevSection = "";
    for (const item of data.outline) {
      const holder = el("div", { class: "cards" });
      for (const id of item.experiments) {
        const exp = byID.get(id);
        if (!cards.has(id)) {
          const c = card(exp);
          cards.set(id, { exp, card: c });
          holder.append(c);
        } else {
          holder.append(ref(exp));
        }
      }
      if (!item.experiments.length) holder.append(el("p", { class: "muted", text: "No experiment measures this yet." }));
      // Rows of one section (When to Use What, Best Practices) share its
      // heading.
      const cont = item.section === prevSection;
      prevSection = item.section;
      ol.append(el("li", { class: cont ? "cont" : "" },
        el("div", { class: "guide" },
          el("h2", {}, el("span", { class: "section-name", text: item.section }), item.topic ? el("span", { class: "topic", text: item.topic }) : null),
          el("blockquote", { text: item.guide })),
        holder));
    }
    ol.removeAttribute("aria-busy");
    if (data.running) runner.watch();
  }

  function update(last) {
    const entry = cards.get(last.id);
    if (!entry) return;
    entry.exp.last = last;
    const fresh = card(entry.exp);
    entry.card.replaceWith(fresh);
    entry.card = fresh;
    for (const r of document.querySelectorAll(`[data-ref="${CSS.escape(last.id)}"] .chips-holder`)) r.replaceChildren(chips(last));
  }

  function setState(id, state, step) {
    const entry = cards.get(id);
    if (!entry) return;
    entry.card.classList.toggle("queued", state === "queued");
    entry.card.classList.toggle("running", state === "running");
    const holder = entry.card.querySelector(".chips-holder");
    if (state === "queued") holder.replaceChildren(badge("queued", "queued"));
    if (state === "running") holder.replaceChildren(badge("running", "running"));
    if (state === "idle") holder.replaceChildren(chips(entry.exp.last));
    const s = entry.card.querySelector(".step");
    s.hidden = state !== "running" || !step;
    s.textContent = step || "";
  }

  function status(text, isError) {
    const s = $("run-status");
    s.textContent = text;
    s.classList.toggle("error", !!isError);
  }

  function busy(on, owner) {
    $("run-all").disabled = on;
    for (const b of document.querySelectorAll("button.run-one")) b.disabled = on;
    $("stop").hidden = !(on && owner);
    $("progress").hidden = !on;
  }

  function event(name, d) {
    const p = $("progress");
    switch (name) {
      case "run":
        queued = d.experiments;
        for (const id of queued) setState(id, "queued");
        p.max = d.experiments.length; p.value = 0;
        status(`run ${d.run}: ${d.experiments.length} experiment${d.experiments.length > 1 ? "s" : ""}${d.quick ? ", quick" : ""}`);
        busy(true, !!runner.abort);
        break;
      case "start":
        setState(d.id, "running");
        p.value = d.index - 1;
        status(`running ${d.id} (${d.index} of ${d.total})…`);
        break;
      case "step":
        setState(d.id, "running", d.step);
        break;
      case "outcome":
        update(d);
        p.value = p.value + 1;
        break;
      case "lost":
        for (const id of queued) setState(id, "idle");
        queued = [];
        busy(false);
        break;
      case "end": {
        for (const id of queued) setState(id, "idle");
        queued = [];
        const n = { holds: 0, fails: 0, inconclusive: 0 };
        let errored = 0;
        for (const o of d.report.experiments || []) {
          if (o.error) errored++;
          for (const c of o.claims) n[c.verdict]++;
        }
        const summary = `${n.holds} claims hold, ${n.fails} fail on this machine, ${n.inconclusive} inconclusive; ${errored} experiments errored.`;
        status(d.error ? `stopped (${d.error}). ${summary}` : `done: ${summary}`, !!d.error);
        busy(false);
        break;
      }
    }
  }

  const runner = new Runner({ event, status, busy });
  function start(only) { runner.start(only, $("quick").checked); }

  $("run-all").addEventListener("click", () => start([]));
  $("stop").addEventListener("click", () => runner.stop());
  api("GET", "/api/experiments").then(r => {
    if (!r.ok) { status(r.data.error, true); return; }
    render(r.data);
  }).catch(e => status("cannot reach the lab: " + e.message, true));
})();
