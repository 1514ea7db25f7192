/**
 * The browser code every page of the UI shares (served as `/ui/common.js`): the API client
 * (sends the token kept in sessionStorage as a bearer), element building that only ever sets
 * text, number formats, the range picker, empty and error states, and the uPlot chart helper.
 * Plain ES2020 in a string: no build step, no inline script (the CSP forbids it).
 */
export const COMMON_JS = String.raw`"use strict";
const RS = (() => {
  const GiB = 1024 * 1024 * 1024;
  const TOKEN_KEY = "rightsize.token";
  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY) || ""; } catch (e) { return ""; }
  }
  function setToken(t) {
    try { if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage off: the token lives for this page only */ }
  }
  class ApiError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }
  /** One API call; the token (when one is set) goes as Authorization: Bearer. */
  async function api(path, init) {
    const opts = Object.assign({}, init || {});
    const headers = Object.assign({}, opts.headers || {});
    const t = token();
    if (t !== "") headers["authorization"] = "Bearer " + t;
    opts.headers = headers;
    const res = await fetch(path, opts);
    const text = await res.text();
    let body;
    try { body = text === "" ? undefined : JSON.parse(text); } catch (e) { body = undefined; }
    return { status: res.status, ok: res.ok, body: body, headers: res.headers };
  }
  function errorOf(r) {
    const e = r.body && r.body.error;
    return new ApiError(r.status, e ? e.code : "HTTP_" + r.status, e ? e.message : "HTTP " + r.status);
  }
  async function getJson(path) {
    const r = await api(path);
    if (!r.ok) throw errorOf(r);
    return r.body;
  }
  /** An element with text children only (strings become text nodes, never markup). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) {
      if (c === undefined || c === null) continue;
      e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  function cell(tr, text, cls) {
    const td = el("td", { class: cls });
    if (text instanceof Node) td.appendChild(text); else td.textContent = text === undefined || text === null ? "–" : String(text);
    tr.appendChild(td);
    return td;
  }
  const isNum = (v) => typeof v === "number" && Number.isFinite(v);
  const cores = (v) => (isNum(v) ? v.toFixed(2).replace(/\.?0+$/, "") : "–");
  const gib = (v) => (isNum(v) ? (v / GiB).toFixed(2) + " GiB" : "–");
  const num1 = (v) => (isNum(v) ? v.toFixed(1) : "–");
  function dur(ms) {
    if (!isNum(ms)) return "–";
    if (ms < 1000) return Math.round(ms) + " ms";
    if (ms < 60000) return (ms / 1000).toFixed(1) + " s";
    if (ms < 3600000) return (ms / 60000).toFixed(1) + " min";
    if (ms < 172800000) return (ms / 3600000).toFixed(1) + " h";
    return (ms / 86400000).toFixed(1) + " d";
  }
  function when(ms) {
    if (!isNum(ms)) return "–";
    return new Date(ms).toISOString().replace("T", " ").replace(/:\d\d\.\d+Z$/, " UTC");
  }
  function jobHref(name) { return "job?name=" + encodeURIComponent(name); }
  function jobLink(name) { return el("a", { href: jobHref(name), class: "job", text: name }); }
  /** What to do about an error, in words: missing token, forbidden, no store, no data. */
  function advice(e) {
    if (e.status === 401) return " Enter a token under \"API token\" at the top of the page (api.readTokens, api.writeTokens or RIGHTSIZE_API_READ_TOKEN / RIGHTSIZE_API_WRITE_TOKEN).";
    if (e.status === 403) return " The token may read but not write: writes need a write token (api.writeTokens or RIGHTSIZE_API_WRITE_TOKEN).";
    if (e.code === "RS_ERR_STORE_UNAVAILABLE") return " Check that Elasticsearch is reachable at elasticsearch.url and that rightsize serve was started with it.";
    return "";
  }
  /** Shows a message in a box: kind "empty" (what to configure), "error" or "ok". */
  function notice(box, kind, text) {
    box.replaceChildren();
    box.hidden = text === "";
    box.className = "notice " + kind;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.textContent = text;
  }
  function showError(box, what, e) {
    const code = e && e.code ? e.code + " (" + e.status + "): " : "";
    notice(box, "error", "cannot " + what + ": " + code + (e && e.message ? e.message : String(e)) + advice(e || {}));
  }
  /** The navigation bar and the token form at the top of every page. */
  function header(active) {
    const nav = document.getElementById("nav");
    if (nav) {
      for (const a of nav.querySelectorAll("a")) if (a.dataset.page === active) a.setAttribute("aria-current", "page");
    }
    const form = document.getElementById("token-form");
    if (!form) return;
    const input = document.getElementById("token");
    const state = document.getElementById("token-state");
    const show = () => { state.textContent = token() === "" ? "no token set" : "token set for this tab"; };
    show();
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      setToken(input.value.trim());
      input.value = "";
      show();
      document.dispatchEvent(new CustomEvent("rs-token"));
    });
    document.getElementById("token-clear").addEventListener("click", () => {
      setToken("");
      input.value = "";
      show();
      document.dispatchEvent(new CustomEvent("rs-token"));
    });
  }
  /** The range picker (select#range): its value is a "now-…" start; the choice is kept in the URL. */
  function range(onChange) {
    const sel = document.getElementById("range");
    const params = new URLSearchParams(location.search);
    const want = params.get("range");
    if (want && [...sel.options].some((o) => o.value === want)) sel.value = want;
    sel.addEventListener("change", () => {
      const p = new URLSearchParams(location.search);
      p.set("range", sel.value);
      history.replaceState(null, "", "?" + p.toString());
      onChange();
    });
    return () => sel.value;
  }
  const PALETTE = ["#1f6feb", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#0b7285", "#e67700", "#5c940d"];
  /**
   * A uPlot chart in box: x in epoch seconds, series [{label, values, color?, points?, dash?, width?}].
   * points: points only (a scatter), no line. Returns the uPlot instance (also box.uplot).
   */
  function chart(box, opts) {
    box.replaceChildren();
    if (box.uplot) { box.uplot.destroy(); box.uplot = undefined; }
    const width = Math.max(320, Math.floor(box.getBoundingClientRect().width) || 800);
    const fmt = opts.format || ((v) => String(v));
    const series = [{}].concat(opts.series.map((s, i) => ({
      label: s.label,
      stroke: s.color || PALETTE[i % PALETTE.length],
      width: s.points ? 0 : (s.width || 2),
      dash: s.dash,
      spanGaps: s.spanGaps !== false,
      paths: s.points ? () => null : undefined,
      points: s.points ? { show: true, size: 7, width: 1, fill: s.color || PALETTE[i % PALETTE.length] } : { show: false },
      fill: s.fill,
      value: (u, v) => (v === null || v === undefined ? "–" : fmt(v)),
    })));
    const u = new uPlot({
      title: opts.title,
      width: width,
      height: opts.height || 260,
      series: series,
      scales: { x: { time: opts.time !== false }, y: { range: (u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
      axes: [{}, { label: opts.yLabel, size: 60, values: (u, vals) => vals.map((v) => fmt(v)) }],
      legend: { live: true },
    }, [opts.x].concat(opts.series.map((s) => s.values)), box);
    box.uplot = u;
    return u;
  }
  return { GiB, token, setToken, api, getJson, errorOf, el, cell, isNum, cores, gib, num1, dur, when, jobHref, jobLink, notice, showError, header, range, chart, ApiError };
})();
`;
