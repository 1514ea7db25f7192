import { planLabels, plugin1Sizing, plugin2Sizing, type MesosPluginVersion } from '../analysis/labels/index.js';
import { RightsizeError } from '../errors/index.js';
import type { RecommendationDoc } from '../model/index.js';
import { parseDurationMs } from '../util/index.js';
import { GiB } from '../util/units.js';

/** Time ranges of the store-backed routes are at most this long (work per request stays bounded). */
export const MAX_RANGE_MS = 93 * 86_400_000;

function badField(field: string, message: string): RightsizeError {
  return new RightsizeError('RS_ERR_API_BAD_REQUEST', `querystring/${field} ${message}`);
}

/** One end of a range: ISO-8601, epoch ms, `now` or `now-<duration>` (`now-24h`). */
export function parseInstant(text: string, field: string, nowMs: number): number {
  const t = text.trim();
  if (t === 'now') return nowMs;
  const rel = /^now-(.+)$/.exec(t);
  if (rel) {
    const d = parseDurationMs(rel[1] ?? '');
    if (d === undefined) throw badField(field, `has a duration rightsize cannot read: "${t.slice(0, 64)}"`);
    return nowMs - d;
  }
  if (/^\d{1,15}$/.test(t)) return Number(t);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(t) ? Date.parse(t) : NaN;
  if (!Number.isFinite(ms)) throw badField(field, `must be ISO-8601, epoch ms, now or now-<duration>: "${t.slice(0, 64)}"`);
  return ms;
}

/** A query's `from`/`to` as epoch ms (default the 24 h before now), checked: from < to, at most {@link MAX_RANGE_MS}. */
export function parseRange(q: { readonly from?: string; readonly to?: string }, nowMs: number): { fromMs: number; toMs: number } {
  const toMs = q.to === undefined ? nowMs : parseInstant(q.to, 'to', nowMs);
  const fromMs = q.from === undefined ? toMs - 86_400_000 : parseInstant(q.from, 'from', nowMs);
  if (fromMs >= toMs) throw badField('from', 'must be before to');
  if (toMs - fromMs > MAX_RANGE_MS) throw badField('from', `must be at most ${MAX_RANGE_MS / 86_400_000} days before to`);
  return { fromMs, toMs };
}

/** A bucket width giving about 120 points over the range, rounded to a whole minute (at least 1 min). */
export function bucketMs(fromMs: number, toMs: number): number {
  return Math.max(60_000, Math.ceil((toMs - fromMs) / 120 / 60_000) * 60_000);
}

/** A label the cluster has, with what it reserves now (from the `jenkins.label` recommendations). */
export interface KnownLabel {
  readonly name: string;
  readonly cpuCores: number;
  readonly memoryBytes: number;
}

/** The labels with a known size: each `jenkins.label` recommendation's `current`. */
export function knownLabels(labelDocs: readonly RecommendationDoc[]): KnownLabel[] {
  const out: KnownLabel[] = [];
  for (const d of labelDocs) {
    const { cpu_cores: cpu, memory_bytes: mem } = d.current;
    if (cpu !== undefined && mem !== undefined) out.push({ name: d.workload.key, cpuCores: cpu, memoryBytes: mem });
  }
  return out;
}

/** Cost of a label in the planner's units: one core ≈ 8 GiB (plan.ts' default weights). */
const unitCost = (l: KnownLabel): number => l.cpuCores + (0.125 * l.memoryBytes) / GiB;

/**
 * The cheapest label that covers a recommendation in both CPU and memory; when none does, the
 * largest one (`fallback: true`), or none without labels.
 */
export function smallestCoveringLabel(labels: readonly KnownLabel[], cpuCores: number, memoryBytes: number): { label?: KnownLabel; fallback: boolean } {
  let best: KnownLabel | undefined;
  for (const l of labels)
    if (l.cpuCores >= cpuCores && l.memoryBytes >= memoryBytes && (best === undefined || unitCost(l) < unitCost(best) || (unitCost(l) === unitCost(best) && l.name < best.name))) best = l;
  if (best !== undefined) return { label: best, fallback: false };
  let largest: KnownLabel | undefined;
  for (const l of labels) if (largest === undefined || unitCost(l) > unitCost(largest)) largest = l;
  return largest === undefined ? { fallback: true } : { label: largest, fallback: true };
}

/**
 * The mesos-plugin's fields for one executor whose Mesos task gets (at least) the recommended
 * size, sized by the same functions as the label plan's JCasC (analysis/labels jcasc.ts):
 * `cpus` in cores; `mem` in MB — 1.x: the template's slaveMem + executorMem, the plugin asking
 * Mesos for 1.1 × that; 2.x: the template's `mem`, the plugin asking for that + 32 MB (agent JVM).
 */
export function mesosPluginFields(cpuCores: number, memoryBytes: number, version: MesosPluginVersion = '1'): { cpus: number; mem: number } {
  const cpus = Math.round(cpuCores * 1000) / 1000;
  if (version === '2') return { cpus, mem: plugin2Sizing(cpuCores, memoryBytes).mem };
  const s = plugin1Sizing(cpuCores, memoryBytes);
  return { cpus, mem: s.slaveMem + s.executorMem };
}

/** `GET /labels/plan`: at most `k` label sizes for every job's recommendation (analysis/labels planLabels; each job weighs one). */
export function labelPlan(jobDocs: readonly RecommendationDoc[], k: number) {
  const jobs = jobDocs.flatMap((d) =>
    d.recommended.cpu_cores !== undefined && d.recommended.memory_bytes !== undefined
      ? [{ key: d.workload.key, cpuCores: d.recommended.cpu_cores, memoryBytes: d.recommended.memory_bytes, hoursPerWeek: 1, ...(d.jenkins?.label !== undefined ? { currentLabel: d.jenkins.label } : {}) }]
      : [],
  );
  const plan = planLabels(jobs, { k });
  const counts = new Map<string, number>();
  for (const a of plan.assignments) counts.set(a.label, (counts.get(a.label) ?? 0) + 1);
  return {
    method: plan.method,
    cost: plan.cost,
    jobs: jobs.length,
    labels: plan.labels.map((l) => ({ name: l.name, cpu_cores: l.cpuCores, memory_bytes: l.memoryBytes, jobs: counts.get(l.name) ?? 0 })),
    moves: plan.moves.map((m) => ({ job: m.key, ...(m.currentLabel !== undefined ? { from: m.currentLabel } : {}), to: m.label })),
  };
}

/** The last complete ISO week before `nowMs`, as `YYYY-Www`. */
export function lastCompleteIsoWeek(nowMs: number): string {
  const a = new Date(nowMs - 7 * 86_400_000);
  const d = new Date(Date.UTC(a.getUTCFullYear(), a.getUTCMonth(), a.getUTCDate()));
  // The ISO year and week are those of the week's Thursday.
  d.setUTCDate(d.getUTCDate() + 4 - (d.getUTCDay() || 7));
  const week = Math.ceil(((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
