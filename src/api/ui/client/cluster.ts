/** The cluster overview (`/cluster`): capacity, allocation and measured use over time, and the agents. */
export const CLUSTER_JS = String.raw`"use strict";
RS.header("cluster");
const rangeOf = RS.range(() => void load());
let seq = 0;
function card(dl, name, value) {
  dl.append(RS.el("div", { class: "card" }, RS.el("dt", { text: name }), RS.el("dd", { text: value })));
}
const col = (series, key, scale) => series.map((p) => (RS.isNum(p[key]) ? p[key] / (scale || 1) : null));
const has = (series, key) => series.some((p) => RS.isNum(p[key]));
async function load() {
  const mine = ++seq;
  const box = document.getElementById("notice");
  const dl = document.getElementById("now");
  try {
    const body = await RS.getJson("api/v1/cluster?" + new URLSearchParams({ from: rangeOf(), to: "now" }).toString());
    if (mine !== seq) return;
    const n = body.now || {};
    const series = body.series || [];
    dl.replaceChildren();
    if (series.length === 0 && n.at === undefined) {
      for (const id of ["cpu-chart", "mem-chart", "agents-chart"]) document.getElementById(id).replaceChildren();
      RS.notice(box, "empty", "no cluster documents yet: run rightsize collect with a Mesos master target (mesos.masters in the config) so that mesos.master documents reach Elasticsearch, and Docker or Mesos agent targets for the measured use.");
      return;
    }
    RS.notice(box, "ok", "");
    card(dl, "active agents", RS.isNum(n.agents_active) ? String(n.agents_active) : "–");
    card(dl, "CPU allocated / total", RS.cores(n.cpus_allocated) + " / " + RS.cores(n.cpus_total) + " cores");
    card(dl, "CPU used", RS.cores(n.cpus_used) + " cores");
    card(dl, "memory allocated / total", RS.gib(n.mem_allocated_bytes) + " / " + RS.gib(n.mem_total_bytes));
    card(dl, "memory used", RS.gib(n.mem_used_bytes));
    if (n.at) card(dl, "newest master document", n.at.replace("T", " ").replace(/\.\d+Z$/, " UTC"));
    const x = series.map((p) => p.t / 1000);
    if (series.length === 0) {
      RS.notice(box, "empty", "no cluster documents in this range: pick a longer range, or check that rightsize collect is running with a Mesos master target.");
      return;
    }
    RS.chart(document.getElementById("cpu-chart"), { x, yLabel: "cores", format: (v) => RS.cores(v), series: [
      { label: "total", values: col(series, "cpus_total"), color: "#868e96", dash: [6, 4] },
      { label: "allocated", values: col(series, "cpus_allocated"), color: "#1f6feb" },
      { label: "used", values: col(series, "cpus_used"), color: "#d9480f" },
    ] });
    RS.chart(document.getElementById("mem-chart"), { x, yLabel: "GiB", format: (v) => v.toFixed(1), series: [
      { label: "total", values: col(series, "mem_total_bytes", RS.GiB), color: "#868e96", dash: [6, 4] },
      { label: "allocated", values: col(series, "mem_allocated_bytes", RS.GiB), color: "#1f6feb" },
      { label: "used", values: col(series, "mem_used_bytes", RS.GiB), color: "#d9480f" },
    ] });
    RS.chart(document.getElementById("agents-chart"), { x, height: 180, yLabel: "agents", format: (v) => String(Math.round(v * 10) / 10), series: [
      { label: "active agents", values: col(series, "agents_active"), color: "#2b8a3e" },
    ] });
    if (!has(series, "cpus_used") && !has(series, "mem_used_bytes")) {
      RS.notice(box, "empty", "no measured use in this range: the used lines need Docker or Mesos agent targets in rightsize collect (docker.hosts, or mesos.agents / mesos.dockerHostTemplate).");
    }
  } catch (e) {
    if (mine === seq) RS.showError(box, "load the cluster", e);
  }
}
document.addEventListener("rs-token", () => void load());
void load();
`;
