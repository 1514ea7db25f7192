/**
 * The jobs page (`/`): the recommendations table, filtered, sorted and paged on the server
 * (13,000 jobs never reach the browser at once), and the question "what should job X get?".
 */
export const JOBS_JS = String.raw`"use strict";
RS.header("jobs");
const PAGE = 100;
const state = { q: "", severity: "", sort: "savings", order: "desc", offset: 0, total: 0, all: undefined, seq: 0 };
function dir(now, rec) {
  return RS.isNum(now) && RS.isNum(rec) ? (rec < now ? "num down" : rec > now ? "num up" : "num") : "num";
}
function render(items) {
  const rows = document.getElementById("rows");
  rows.replaceChildren();
  for (const d of items) {
    const tr = document.createElement("tr");
    tr.dataset.job = d.workload.key;
    const c = d.current || {}, r = d.recommended || {}, s = d.savings || {};
    RS.cell(tr, RS.jobLink(d.workload.key));
    RS.cell(tr, (d.jenkins && d.jenkins.label) || "");
    RS.cell(tr, RS.cores(c.cpu_cores), "num");
    RS.cell(tr, RS.cores(r.cpu_cores), dir(c.cpu_cores, r.cpu_cores));
    RS.cell(tr, RS.gib(c.memory_bytes), "num");
    RS.cell(tr, RS.gib(r.memory_bytes), dir(c.memory_bytes, r.memory_bytes));
    RS.cell(tr, RS.num1(s.cpu_core_hours_per_week), "num");
    RS.cell(tr, RS.num1(s.memory_gib_hours_per_week), "num");
    RS.cell(tr, d.confidence);
    RS.cell(tr, d.severity, d.severity === "critical" ? "critical" : "");
    RS.cell(tr, (d.reasons || []).join(" "));
    rows.appendChild(tr);
  }
}
/** One page from the server (filter, sort and paging happen there). */
async function load() {
  const status = document.getElementById("status");
  const seq = ++state.seq;
  const params = new URLSearchParams({ limit: String(PAGE), offset: String(state.offset), sort: state.sort, order: state.order });
  if (state.q !== "") params.set("q", state.q);
  if (state.severity !== "") params.set("severity", state.severity);
  const filtered = state.q !== "" || state.severity !== "";
  try {
    const body = await RS.getJson("api/v1/recommendations?" + params.toString());
    if (seq !== state.seq) return;
    if (!filtered) state.all = body.total;
    state.total = body.total;
    if (body.total === 0 && !filtered) {
      status.className = "sub notice empty";
      status.textContent = "no recommendations yet: run rightsize collect (Jenkins, Mesos and Docker targets in the config), then rightsize analyze (it needs analysis.minBuilds finished builds per job)";
    } else {
      status.className = "sub";
      status.textContent = (state.all === undefined ? body.total : state.all) + " jobs with a recommendation, largest weekly savings first; data " + Math.round(body.data_age_ms / 1000) + " s old";
    }
    render(body.items);
    const last = Math.min(state.offset + PAGE, body.total);
    document.getElementById("count").textContent = !filtered || state.all === undefined ? body.total + " jobs" : body.total + " of " + state.all + " jobs";
    document.getElementById("page").textContent = body.total === 0 ? "" : (state.offset + 1) + "–" + last + " of " + body.total;
    document.getElementById("prev").disabled = state.offset === 0;
    document.getElementById("next").disabled = last >= body.total;
  } catch (e) {
    if (seq !== state.seq) return;
    status.className = "sub notice error";
    status.textContent = "cannot load the recommendations: " + (e.code ? e.code + " (" + e.status + "): " : "") + e.message + (e.status === 401 ? " Enter a read token under \"API token\" above." : "");
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
document.getElementById("severity").addEventListener("change", () => {
  state.severity = document.getElementById("severity").value;
  state.offset = 0;
  void load();
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
function sortBy(th) {
  const key = th.dataset.sort;
  state.order = state.sort === key && state.order === "desc" ? "asc" : "desc";
  state.sort = key;
  state.offset = 0;
  for (const h of document.querySelectorAll("th[data-sort]")) h.removeAttribute("aria-sort");
  th.setAttribute("aria-sort", (key === "name") === (state.order === "desc") ? "ascending" : "descending");
  void load();
}
for (const th of document.querySelectorAll("th[data-sort]")) {
  th.addEventListener("click", () => sortBy(th));
  th.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); sortBy(th); } });
}
document.getElementById("ask").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const job = document.getElementById("job").value.trim().replace(/\/+$/, "");
  const out = document.getElementById("answer");
  out.hidden = false;
  out.className = "";
  const res = await RS.api("api/v1/jobs/" + job.split("/").map(encodeURIComponent).join("/"));
  const body = res.body || {};
  out.replaceChildren();
  if (res.ok) {
    const c = body.current || {};
    out.append(RS.jobLink(body.job), ": " + RS.cores(body.cpu_cores) + " cores and " + RS.gib(body.memory_bytes) +
      " (now " + RS.cores(c.cpu_cores) + " cores, " + RS.gib(c.memory_bytes) + "); confidence " + body.confidence +
      ", from " + body.builds + " builds" + (body.workload.key !== body.job ? " as " + body.workload.key : ""));
  } else {
    out.className = "missing";
    out.textContent = body.error ? body.error.message : "HTTP " + res.status;
  }
});
document.addEventListener("rs-token", () => void load());
void load();
`;
