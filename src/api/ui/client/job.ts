/**
 * One job's page (`/job?name=<full name>`): each build's CPU and memory use as points against
 * the request line and rightsize's recommendation line, each build's queue wait, and the table.
 */
export const JOB_JS = String.raw`"use strict";
RS.header("jobs");
const name = new URLSearchParams(location.search).get("name") || "";
const rangeOf = RS.range(() => void load());
document.getElementById("title").textContent = name === "" ? "Job" : name;
document.title = (name === "" ? "Job" : name) + " · rightsize";
let seq = 0;
const jobPath = (n) => n.split("/").map(encodeURIComponent).join("/");
function showRec(box, rec) {
  box.replaceChildren();
  if (rec === undefined) return;
  if (rec.status === 404) {
    box.textContent = "no recommendation for this job yet: rightsize analyze writes one once the job has analysis.minBuilds finished builds.";
    return;
  }
  if (!rec.ok) { box.textContent = "recommendation: " + (rec.body && rec.body.error ? rec.body.error.message : "HTTP " + rec.status); return; }
  const b = rec.body, c = b.current || {};
  box.textContent = "rightsize recommends " + RS.cores(b.cpu_cores) + " cores and " + RS.gib(b.memory_bytes) +
    " (requested now: " + RS.cores(c.cpu_cores) + " cores, " + RS.gib(c.memory_bytes) + "); confidence " + b.confidence +
    ", severity " + b.severity + ", from " + b.builds + " builds" + (b.label ? " on label " + b.label : "") +
    (b.workload && b.workload.key !== b.job ? ", sized as " + b.workload.key : "") + ".";
}
function renderRows(builds) {
  const rows = document.getElementById("rows");
  rows.replaceChildren();
  for (const b of builds) {
    const tr = document.createElement("tr");
    tr.dataset.build = String(b.number);
    const rq = b.request || {};
    RS.cell(tr, "#" + b.number, "num");
    RS.cell(tr, b.result || "–", b.result === "FAILURE" ? "up" : "");
    RS.cell(tr, b.label || "–");
    RS.cell(tr, RS.when(b.start_ms));
    RS.cell(tr, RS.dur(b.duration_ms), "num");
    RS.cell(tr, RS.dur(b.queue_wait_ms), "num");
    RS.cell(tr, RS.cores(rq.cpu_cores), "num");
    RS.cell(tr, RS.cores(b.cpu_p95_cores), "num");
    RS.cell(tr, RS.gib(rq.memory_bytes), "num");
    RS.cell(tr, RS.gib(b.memory_peak_bytes), "num");
    RS.cell(tr, RS.isNum(b.throttled_ratio) ? Math.round(b.throttled_ratio * 100) + " %" : "–", "num");
    RS.cell(tr, b.oom_killed === true ? "OOM" : b.oom_killed === false ? "no" : "–", b.oom_killed ? "critical" : "");
    rows.appendChild(tr);
  }
}
async function load() {
  const mine = ++seq;
  const box = document.getElementById("notice");
  if (name === "") {
    RS.notice(box, "empty", "no job named: open a job from the jobs table (the page is job?name=<job full name>).");
    return;
  }
  try {
    const [rec, list] = await Promise.all([
      RS.api("api/v1/jobs/" + jobPath(name)),
      RS.getJson("api/v1/builds?" + new URLSearchParams({ job: name, from: rangeOf(), to: "now", limit: "1000" }).toString()),
    ]);
    if (mine !== seq) return;
    showRec(document.getElementById("rec"), rec);
    const builds = list.builds || [];
    renderRows(builds);
    const timed = builds.filter((b) => RS.isNum(b.start_ms)).sort((a, b) => a.start_ms - b.start_ms);
    if (timed.length === 0) {
      for (const id of ["cpu-chart", "mem-chart", "wait-chart"]) document.getElementById(id).replaceChildren();
      RS.notice(box, "empty", "no builds of this job in this range: pick a longer range, or check that rightsize collect runs with a Jenkins target (jenkins.url) and Docker or Mesos targets, which write the builds documents.");
      return;
    }
    RS.notice(box, "ok", "");
    const x = timed.map((b) => b.start_ms / 1000);
    const recd = list.recommendation || {};
    const flat = (v) => timed.map(() => (RS.isNum(v) ? v : null));
    const req = (k, scale) => timed.map((b) => (b.request && RS.isNum(b.request[k]) ? b.request[k] / (scale || 1) : null));
    const use = (k, scale) => timed.map((b) => (RS.isNum(b[k]) ? b[k] / (scale || 1) : null));
    RS.chart(document.getElementById("cpu-chart"), { x, yLabel: "cores", format: (v) => RS.cores(v), series: [
      { label: "CPU p95 (build)", values: use("cpu_p95_cores"), color: "#d9480f", points: true },
      { label: "requested", values: req("cpu_cores"), color: "#1f6feb" },
      { label: "recommended", values: flat(recd.cpu_cores), color: "#2b8a3e", dash: [8, 4] },
    ] });
    RS.chart(document.getElementById("mem-chart"), { x, yLabel: "GiB", format: (v) => v.toFixed(2), series: [
      { label: "memory peak (build)", values: use("memory_peak_bytes", RS.GiB), color: "#d9480f", points: true },
      { label: "requested", values: req("memory_bytes", RS.GiB), color: "#1f6feb" },
      { label: "recommended", values: flat(RS.isNum(recd.memory_bytes) ? recd.memory_bytes / RS.GiB : undefined), color: "#2b8a3e", dash: [8, 4] },
    ] });
    RS.chart(document.getElementById("wait-chart"), { x, height: 200, yLabel: "minutes", format: (v) => v.toFixed(1), series: [
      { label: "queue wait (build)", values: use("queue_wait_ms", 60000), color: "#862e9c", points: true },
    ] });
  } catch (e) {
    if (mine === seq) RS.showError(box, "load the builds of this job", e);
  }
}
document.addEventListener("rs-token", () => void load());
void load();
`;
