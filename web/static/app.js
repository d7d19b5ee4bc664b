// ludus lab: helpers shared by the pages. Plain JavaScript, no library,
// no network beyond this server. Server text goes through textContent;
// only the server's own SVG drawings are inserted as markup.
"use strict";

const Ludus = (() => {
  // el builds an element: attrs are properties or attributes, children are
  // nodes or strings (inserted as text).
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k in e && k !== "list") e[k] = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  // svgNode parses a drawing the server made.
  function svgNode(markup) {
    const holder = document.createElement("div");
    holder.innerHTML = markup;
    return holder.firstElementChild || document.createTextNode("");
  }

  async function api(method, url, body) {
    const opts = { method, headers: {} };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const resp = await fetch(url, opts);
    let data = null;
    if (resp.status !== 204) {
      try { data = await resp.json(); } catch (e) { data = { error: resp.status + " " + resp.statusText }; }
    }
    return { ok: resp.ok, status: resp.status, data };
  }

  const verdictText = { holds: "holds", fails: "fails", inconclusive: "inconclusive" };
  function badge(kind, text) {
    return el("span", { class: "badge " + kind, text: text || verdictText[kind] || kind });
  }

  // chips summarises an outcome's verdicts: "3 holds · 1 inconclusive".
  function chips(last) {
    const box = el("span", { class: "chips" });
    if (!last) { box.append(badge("none", "not run yet")); return box; }
    if (last.error) { box.append(badge("error", "error")); return box; }
    const n = { holds: 0, fails: 0, inconclusive: 0 };
    for (const c of last.claims) n[c.verdict]++;
    for (const k of ["holds", "fails", "inconclusive"]) if (n[k]) box.append(badge(k, n[k] + " " + k));
    return box;
  }

  function machineLine(m) {
    return m ? `${m.cpus} CPUs · ${m.goos}/${m.goarch} · ${m.go}` : "";
  }

  function header(active, machine) {
    const top = document.querySelector("header.top");
    if (!top) return;
    top.textContent = "";
    top.append(
      el("a", { class: "brand", href: "/", text: "ludus lab" }),
      el("nav", {},
        el("a", { href: "/", text: "Experiments", "aria-current": active === "index" ? "page" : null }),
        el("a", { href: "/playground", text: "Playground", "aria-current": active === "playground" ? "page" : null })),
      el("span", { class: "machine", text: machineLine(machine) }));
  }

  // parseSSE reads server-sent events from a fetch body and calls
  // onEvent(name, data) for each.
  async function parseSSE(body, onEvent) {
    const reader = body.getReader();
    const dec = new TextDecoder();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let cut;
      while ((cut = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        let name = "message", data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) name = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        if (data) onEvent(name, JSON.parse(data));
      }
    }
  }

  // Runner starts a run (POST /api/run, streamed back) or watches the one
  // in progress (GET /api/run/events). The run belongs to the request that
  // started it: stop() aborts it, and so does closing the tab.
  class Runner {
    constructor(handlers) {
      this.h = handlers; // {event(name, data), status(text, isError), busy(bool)}
      this.abort = null;
      this.source = null;
    }
    async start(only, quick) {
      const ctl = new AbortController();
      this.abort = ctl;
      let ended = false;
      this.h.busy(true, true);
      this.h.status("starting…");
      try {
        const resp = await fetch("/api/run", {
          method: "POST", signal: ctl.signal,
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ only, quick }),
        });
        if (!resp.ok) {
          ended = true; // nothing started
          const data = await resp.json().catch(() => ({ error: resp.statusText }));
          this.h.status(data.error, true);
          this.h.busy(false);
          if (resp.status === 409) this.watch();
          return;
        }
        await parseSSE(resp.body, (name, data) => {
          if (name === "end") ended = true;
          this.h.event(name, data);
        });
        if (!ended) this.h.status("the lab closed the stream before the run ended.", true);
      } catch (e) {
        if (e.name === "AbortError") this.h.status("stopped: the run was cancelled.", true);
        else this.h.status("the connection to the lab was lost: " + e.message, true);
      } finally {
        // A run that ended without its "end" event leaves nothing running.
        if (!ended) this.h.event("lost", {});
        if (this.abort === ctl) this.abort = null;
        if (!this.source) this.h.busy(false);
      }
    }
    stop() { if (this.abort) this.abort.abort(); }
    // watch follows the run another tab started.
    watch() {
      if (this.source) return;
      const src = new EventSource("/api/run/events");
      this.source = src;
      this.h.busy(true, false);
      for (const name of ["run", "start", "step", "outcome", "end"]) {
        src.addEventListener(name, ev => {
          this.h.event(name, JSON.parse(ev.data));
          if (name === "end") this.unwatch();
        });
      }
      src.addEventListener("idle", () => this.unwatch());
      src.onerror = () => { if (src.readyState === EventSource.CLOSED) this.unwatch(); };
    }
    unwatch() {
      if (!this.source) return;
      this.source.close();
      this.source = null;
      this.h.busy(false);
    }
  }

  function claimsList(texts, last) {
    const ul = el("ul", { class: "claims" });
    texts.forEach(({ text }, i) => {
      const c = last && !last.error ? last.claims[i] : null;
      ul.append(el("li", { "data-claim": i },
        c ? badge(c.verdict) : badge("none", "not run"),
        el("span", { class: "claim", text }),
        c ? el("span", { class: "evidence", text: c.evidence }) : null));
    });
    return ul;
  }

  function fmtMS(ms) {
    return ms >= 1000 ? (ms / 1000).toFixed(1) + "s" : Math.round(ms) + "ms";
  }

  return { el, svgNode, api, badge, chips, header, parseSSE, Runner, claimsList, fmtMS, machineLine };
})();
