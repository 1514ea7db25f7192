/**
 * The web UI of `rightsize serve` (`GET /`): one self-contained page over the API. Every value
 * from the API is put in the page as text (`textContent`), never as markup, so a job named
 * `<img onerror=…>` shows as its name.
 */
export const UI_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rightsize</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="ui/app.css">
</head>
<body>
<h1>rightsize</h1>
<div class="sub" id="status">loading…</div>
<form id="ask">
  <label for="job">What should job</label>
  <input id="job" name="job" placeholder="folder/job-name" autocomplete="off" required>
  <button type="submit">get?</button>
</form>
<div id="answer" role="status"></div>
<form id="filter-form">
  <label for="filter">Filter</label>
  <input id="filter" placeholder="part of a job name or label" autocomplete="off">
  <span id="count"></span>
  <button type="button" id="prev">‹ prev</button><span id="page"></span><button type="button" id="next">next ›</button>
</form>
<table>
  <thead><tr>
    <th data-sort="name" tabindex="0">job</th><th>label</th>
    <th class="num">CPU now</th><th class="num">CPU rec.</th>
    <th class="num">memory now</th><th class="num">memory rec.</th>
    <th class="num" data-sort="savings" tabindex="0">core-h/week saved</th><th class="num" data-sort="memory_savings" tabindex="0">GiB-h/week saved</th>
    <th>confidence</th><th>severity</th><th>reasons</th>
  </tr></thead>
  <tbody id="rows"></tbody>
</table>
<script src="ui/app.js"></script>
</body>
</html>
`;

export const UI_CSS = `  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2733; }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
  .sub { color: #5b6b7c; margin-bottom: 1rem; }
  form { margin: .75rem 0 1.25rem; display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
  input { font: inherit; padding: .3rem .5rem; min-width: 22rem; }
  button { font: inherit; padding: .3rem .8rem; }
  #answer { padding: .6rem .8rem; border-radius: 4px; background: #eef4fb; margin-bottom: 1rem; display: none; }
  #answer.missing { background: #fbf0e6; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #dde3ea; white-space: nowrap; }
  th { background: #f4f6f9; position: sticky; top: 0; }
  th[data-sort] { cursor: pointer; text-decoration: underline dotted; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .down { color: #1b7f3b; } .up { color: #b4381c; }
  .critical { font-weight: 600; }
`;

export const UI_JS = `"use strict";
const GiB = 1024 * 1024 * 1024;
const cores = (v) => (typeof v === "number" ? v.toFixed(2).replace(/\\.?0+$/, "") : "–");
const gib = (v) => (typeof v === "number" ? (v / GiB).toFixed(2) + " GiB" : "–");
const num = (v) => (typeof v === "number" ? v.toFixed(1) : "–");
function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
}
function dir(now, rec) {
  return typeof now === "number" && typeof rec === "number" ? (rec < now ? "num down" : rec > now ? "num up" : "num") : "num";
}
const PAGE = 100;
const state = { q: "", sort: "savings", order: "desc", offset: 0, total: 0, all: undefined, seq: 0 };
function render(items) {
  const rows = document.getElementById("rows");
  rows.replaceChildren();
  for (const d of items) {
    const tr = document.createElement("tr");
    tr.dataset.job = d.workload.key;
    const c = d.current || {}, r = d.recommended || {}, s = d.savings || {};
    cell(tr, d.workload.key);
    cell(tr, (d.jenkins && d.jenkins.label) || "");
    cell(tr, cores(c.cpu_cores), "num");
    cell(tr, cores(r.cpu_cores), dir(c.cpu_cores, r.cpu_cores));
    cell(tr, gib(c.memory_bytes), "num");
    cell(tr, gib(r.memory_bytes), dir(c.memory_bytes, r.memory_bytes));
    cell(tr, num(s.cpu_core_hours_per_week), "num");
    cell(tr, num(s.memory_gib_hours_per_week), "num");
    cell(tr, d.confidence);
    cell(tr, d.severity, d.severity === "critical" ? "critical" : "");
    cell(tr, (d.reasons || []).join(" "));
    rows.appendChild(tr);
  }
}
/** One page from the server (filter, sort and paging happen there: 13,000 jobs never reach the page). */
async function load() {
  const status = document.getElementById("status");
  const seq = ++state.seq;
  const params = new URLSearchParams({ limit: String(PAGE), offset: String(state.offset), sort: state.sort, order: state.order });
  if (state.q !== "") params.set("q", state.q);
  try {
    const res = await fetch("api/v1/recommendations?" + params.toString());
    const body = await res.json();
    if (!res.ok) throw new Error(body.error ? body.error.code + ": " + body.error.message : "HTTP " + res.status);
    if (seq !== state.seq) return;
    if (state.q === "") state.all = body.total;
    state.total = body.total;
    if (body.total === 0 && state.q === "") {
      status.textContent = "no recommendations yet: run rightsize collect, then rightsize analyze (it needs analysis.minBuilds finished builds per job)";
    } else {
      status.textContent = (state.all === undefined ? body.total : state.all) + " jobs with a recommendation, largest weekly savings first; data " + Math.round(body.data_age_ms / 1000) + " s old";
    }
    render(body.items);
    const last = Math.min(state.offset + PAGE, body.total);
    document.getElementById("count").textContent = state.q === "" ? body.total + " jobs" : body.total + " of " + state.all + " jobs";
    document.getElementById("page").textContent = body.total === 0 ? "" : (state.offset + 1) + "–" + last + " of " + body.total;
    document.getElementById("prev").disabled = state.offset === 0;
    document.getElementById("next").disabled = last >= body.total;
  } catch (e) {
    status.textContent = "cannot load the recommendations: " + e.message;
  }
}
let timer;
document.getElementById("filter").addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => {
    state.q = document.getElementById("filter").value.trim();
    state.offset = 0;
    void load();
  }, 150);
});
document.getElementById("filter-form").addEventListener("submit", (ev) => ev.preventDefault());
document.getElementById("prev").addEventListener("click", () => {
  state.offset = Math.max(0, state.offset - PAGE);
  void load();
});
document.getElementById("next").addEventListener("click", () => {
  state.offset += PAGE;
  void load();
});
for (const th of document.querySelectorAll("th[data-sort]")) {
  th.addEventListener("click", () => {
    const key = th.dataset.sort;
    state.order = state.sort === key && state.order === "desc" ? "asc" : "desc";
    state.sort = key;
    state.offset = 0;
    for (const h of document.querySelectorAll("th[data-sort]")) h.removeAttribute("aria-sort");
    th.setAttribute("aria-sort", (key === "name") === (state.order === "desc") ? "ascending" : "descending");
    void load();
  });
}
document.getElementById("ask").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const job = document.getElementById("job").value.trim().replace(/\\/+$/, "");
  const out = document.getElementById("answer");
  out.style.display = "block";
  out.className = "";
  const res = await fetch("api/v1/jobs/" + job.split("/").map(encodeURIComponent).join("/"));
  const body = await res.json();
  if (res.ok) {
    const c = body.current || {};
    out.textContent = body.job + ": " + cores(body.cpu_cores) + " cores and " + gib(body.memory_bytes) +
      " (now " + cores(c.cpu_cores) + " cores, " + gib(c.memory_bytes) + "); confidence " + body.confidence +
      ", from " + body.builds + " builds" + (body.workload.key !== body.job ? " as " + body.workload.key : "");
  } else {
    out.className = "missing";
    out.textContent = body.error ? body.error.message : "HTTP " + res.status;
  }
});
load();
`;
