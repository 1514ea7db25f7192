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
</form>
<table>
  <thead><tr>
    <th>job</th><th>label</th>
    <th class="num">CPU now</th><th class="num">CPU rec.</th>
    <th class="num">memory now</th><th class="num">memory rec.</th>
    <th class="num">core-h/week saved</th><th class="num">GiB-h/week saved</th>
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
let all = [];
function render() {
  const q = document.getElementById("filter").value.trim().toLowerCase();
  const rows = document.getElementById("rows");
  rows.replaceChildren();
  const shown = all.filter((d) => q === "" || d.workload.key.toLowerCase().includes(q) || ((d.jenkins && d.jenkins.label) || "").toLowerCase().includes(q));
  for (const d of shown) {
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
  document.getElementById("count").textContent = shown.length + " of " + all.length + " jobs";
}
async function load() {
  const status = document.getElementById("status");
  try {
    const res = await fetch("api/v1/recommendations?limit=500");
    const body = await res.json();
    if (!res.ok) throw new Error(body.error ? body.error.code + ": " + body.error.message : "HTTP " + res.status);
    all = body.items;
    status.textContent = body.total + " jobs with a recommendation, largest weekly savings first; data " + Math.round(body.data_age_ms / 1000) + " s old";
    render();
  } catch (e) {
    status.textContent = "cannot load the recommendations: " + e.message;
  }
}
document.getElementById("filter").addEventListener("input", render);
document.getElementById("filter-form").addEventListener("submit", (ev) => ev.preventDefault());
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
