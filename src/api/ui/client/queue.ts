/** Queue waits by label (`/queue`): the oldest waiting build and the queue length over time, and each label's waits. */
export const QUEUE_JS = String.raw`"use strict";
RS.header("queue");
const rangeOf = RS.range(() => void load());
let seq = 0;
/** The labels' series on one time axis (uPlot wants one x array): missing points are null. */
function aligned(labels, key, scale) {
  const ts = [...new Set(labels.flatMap((l) => (l.series || []).map((p) => p.t)))].sort((a, b) => a - b);
  const index = new Map(ts.map((t, i) => [t, i]));
  const series = labels.map((l) => {
    const values = ts.map(() => null);
    for (const p of l.series || []) if (RS.isNum(p[key])) values[index.get(p.t)] = p[key] / scale;
    return { label: l.label, values };
  });
  return { x: ts.map((t) => t / 1000), series };
}
async function load() {
  const mine = ++seq;
  const box = document.getElementById("notice");
  try {
    const body = await RS.getJson("api/v1/queue?" + new URLSearchParams({ from: rangeOf(), to: "now" }).toString());
    if (mine !== seq) return;
    const labels = (body.labels || []).slice().sort((a, b) => (b.wait_p95_ms || 0) - (a.wait_p95_ms || 0) || a.label.localeCompare(b.label));
    const rows = document.getElementById("rows");
    rows.replaceChildren();
    for (const l of labels) {
      const tr = document.createElement("tr");
      tr.dataset.label = l.label;
      RS.cell(tr, l.label);
      RS.cell(tr, String(l.builds), "num");
      RS.cell(tr, RS.dur(l.wait_p50_ms), "num");
      RS.cell(tr, RS.dur(l.wait_p95_ms), "num");
      RS.cell(tr, RS.dur(l.wait_max_ms), "num");
      rows.appendChild(tr);
    }
    if (labels.length === 0) {
      for (const id of ["wait-chart", "length-chart"]) document.getElementById(id).replaceChildren();
      RS.notice(box, "empty", "no queue documents or builds in this range: run rightsize collect with a Jenkins target (jenkins.url), which polls the queue every jenkins.intervalMs and writes the builds.");
      return;
    }
    const polled = labels.filter((l) => (l.series || []).length > 0);
    if (polled.length === 0) {
      for (const id of ["wait-chart", "length-chart"]) document.getElementById(id).replaceChildren();
      RS.notice(box, "empty", "builds but no queue polls in this range: the charts need rightsize collect with a Jenkins target (jenkins.url) polling the queue.");
      return;
    }
    RS.notice(box, "ok", "");
    const wait = aligned(polled, "oldest_wait_ms", 60000);
    RS.chart(document.getElementById("wait-chart"), { x: wait.x, yLabel: "minutes", format: (v) => v.toFixed(1), series: wait.series });
    const len = aligned(polled, "length", 1);
    RS.chart(document.getElementById("length-chart"), { x: len.x, yLabel: "builds", format: (v) => v.toFixed(1), series: len.series });
  } catch (e) {
    if (mine === seq) RS.showError(box, "load the queue", e);
  }
}
document.addEventListener("rs-token", () => void load());
void load();
`;
