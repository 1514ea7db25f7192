/**
 * Alerts and silences (`/alerts`): the alert states, the active silences, and a form that
 * creates a silence and buttons that expire one, with the write token kept in sessionStorage
 * (sent as a bearer token; 401 and 403 are shown as such).
 */
export const ALERTS_JS = String.raw`"use strict";
RS.header("alerts");
let seq = 0;
const result = document.getElementById("write-result");
function writeFailed(what, r) {
  const e = RS.errorOf(r);
  const why = r.status === 401 ? "no valid token: enter a write token under \"API token\" above" : r.status === 403 ? "the token may not write: use a write token (api.writeTokens or RIGHTSIZE_API_WRITE_TOKEN)" : e.message;
  RS.notice(result, "error", what + " failed: " + r.status + " " + e.code + ": " + why);
}
async function expire(id) {
  const r = await RS.api("api/v1/silences/" + encodeURIComponent(id), { method: "DELETE" });
  if (r.status === 204) {
    RS.notice(result, "ok", "silence " + id + " expired");
    await load();
  } else writeFailed("expiring silence " + id, r);
}
function prefill(a) {
  document.getElementById("s-rule").value = a.rule_id;
  document.getElementById("s-group").value = a.group || "";
  document.getElementById("s-rule").focus();
}
async function load() {
  const mine = ++seq;
  const box = document.getElementById("notice");
  const status = document.getElementById("status-filter").value;
  try {
    const body = await RS.getJson("api/v1/alerts" + (status === "" ? "" : "?status=" + encodeURIComponent(status)));
    if (mine !== seq) return;
    const alerts = body.alerts || [], silences = body.silences || [];
    const rows = document.getElementById("alert-rows");
    rows.replaceChildren();
    for (const a of alerts) {
      const tr = document.createElement("tr");
      tr.dataset.alert = a.id;
      const rule = RS.el("span", {}, a.rule_id);
      if (a.rule_name && a.rule_name !== a.rule_id) rule.append(RS.el("span", { class: "sub", text: " " + a.rule_name }));
      RS.cell(tr, rule);
      RS.cell(tr, a.group || "–");
      RS.cell(tr, a.status, "state " + a.status);
      RS.cell(tr, a.severity || "–", a.severity === "critical" ? "critical" : "");
      RS.cell(tr, RS.when(a.since_ms));
      RS.cell(tr, RS.isNum(a.value) ? String(Math.round(a.value * 1000) / 1000) : "–", "num");
      RS.cell(tr, RS.isNum(a.threshold) ? String(a.threshold) : "–", "num");
      RS.cell(tr, a.silenced_by || "");
      RS.cell(tr, RS.el("button", { type: "button", class: "silence", onclick: () => prefill(a) }, "silence…"));
      rows.appendChild(tr);
    }
    const srows = document.getElementById("silence-rows");
    srows.replaceChildren();
    for (const s of silences) {
      const tr = document.createElement("tr");
      tr.dataset.silence = s.id;
      RS.cell(tr, s.id);
      RS.cell(tr, s.rule_id);
      RS.cell(tr, s.group || "all groups");
      RS.cell(tr, RS.when(s.until_ms));
      RS.cell(tr, s.created_by || "–");
      RS.cell(tr, s.comment || "");
      RS.cell(tr, RS.el("button", { type: "button", class: "expire", onclick: () => void expire(s.id) }, "expire"));
      srows.appendChild(tr);
    }
    if (alerts.length === 0 && silences.length === 0) {
      RS.notice(box, "empty", status === "" ? "no alerts yet: the alert engine runs inside rightsize serve (alerts.enabled) or as rightsize alerts run, with the default rules of docs/alerts.md or alerts.rules, and writes each alert's state to Elasticsearch. Silences created here show below." : "no " + status + " alerts.");
    } else RS.notice(box, "ok", "");
  } catch (e) {
    if (mine === seq) RS.showError(box, "load the alerts", e);
  }
}
document.getElementById("status-filter").addEventListener("change", () => void load());
document.getElementById("silence-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const v = (id) => document.getElementById(id).value.trim();
  const body = { rule_id: v("s-rule"), duration_ms: Number(v("s-duration")), created_by: v("s-by") };
  if (v("s-group") !== "") body.group = v("s-group");
  if (v("s-comment") !== "") body.comment = v("s-comment");
  const r = await RS.api("api/v1/silences", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (r.status === 201) {
    RS.notice(result, "ok", "silence " + r.body.id + " created for " + r.body.rule_id + (r.body.group ? " / " + r.body.group : "") + " until " + RS.when(r.body.until_ms));
    await load();
  } else writeFailed("creating the silence", r);
});
document.addEventListener("rs-token", () => void load());
void load();
`;
