import { isRecord } from '../util/json.js';
import type { Observation } from './evaluate.js';
import type { CapacityInput, JobRecommendation, RunningContainer } from './explain.js';
import type { Aggregation, AlertRule } from './rules.js';

/** One document with its instant, as read from an NDJSON file. */
interface TimedDoc {
  readonly ms: number;
  readonly doc: Record<string, unknown>;
}

/** Datasets a document without `event.dataset` is filed under. */
export const BUILDS_DATASET = 'jenkins.build';
export const RECOMMENDATIONS_DATASET = 'rightsize.recommendation';

/**
 * Reads a field by its dotted path; a key that itself holds dots (labels) is matched too
 * (`container.labels.com.docker.compose.project`).
 */
export function fieldAt(doc: unknown, path: string): unknown {
  if (!isRecord(doc)) return undefined;
  if (path in doc) return doc[path];
  const parts = path.split('.');
  for (let i = parts.length - 1; i >= 1; i--) {
    const key = parts.slice(0, i).join('.');
    if (key in doc) {
      const v = fieldAt(doc[key], parts.slice(i).join('.'));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

function datasetOf(doc: Record<string, unknown>): string | undefined {
  const ds = fieldAt(doc, 'event.dataset');
  if (typeof ds === 'string') return ds;
  if (isRecord(doc['build']) && isRecord(doc['jenkins'])) return BUILDS_DATASET;
  if (isRecord(doc['workload']) && isRecord(doc['recommended'])) return RECOMMENDATIONS_DATASET;
  return undefined;
}

/** p-quantile with linear interpolation between closest ranks, values sorted ascending. */
export function quantile(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 1) return sorted[0] as number;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(n - 1, lo + 1)] as number;
  return a + (h - lo) * (b - a);
}

/** Reduces values with an aggregation (count counts them). */
export function aggregate(values: readonly number[], agg: Aggregation): number | undefined {
  if (agg === 'count') return values.length;
  if (values.length === 0) return undefined;
  switch (agg) {
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'p95':
      return quantile([...values].sort((a, b) => a - b), 0.95);
  }
}

function groupKey(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * The documents of an NDJSON file, indexed by dataset and time, answering the same questions the
 * Elasticsearch queries answer (pure; `rightsize alerts test --from` and the unit tests). Windows
 * are (now − window, now].
 */
export class DocumentSet {
  private readonly _byDataset = new Map<string, TimedDoc[]>();
  readonly firstMs: number;
  readonly lastMs: number;
  readonly skipped: number;

  constructor(docs: readonly unknown[]) {
    let first = Infinity;
    let last = -Infinity;
    let skipped = 0;
    for (const d of docs) {
      if (!isRecord(d)) {
        skipped += 1;
        continue;
      }
      const ts = typeof d['@timestamp'] === 'string' ? Date.parse(d['@timestamp']) : NaN;
      const ds = datasetOf(d);
      if (!Number.isFinite(ts) || ds === undefined) {
        skipped += 1;
        continue;
      }
      const list = this._byDataset.get(ds) ?? [];
      list.push({ ms: ts, doc: d });
      this._byDataset.set(ds, list);
      first = Math.min(first, ts);
      last = Math.max(last, ts);
    }
    for (const list of this._byDataset.values()) list.sort((a, b) => a.ms - b.ms);
    this.firstMs = first;
    this.lastMs = last;
    this.skipped = skipped;
  }

  get size(): number {
    let n = 0;
    for (const l of this._byDataset.values()) n += l.length;
    return n;
  }

  /** Documents of a dataset with fromMs < @timestamp ≤ toMs, oldest first. */
  range(dataset: string, fromMs: number, toMs: number): TimedDoc[] {
    const list = this._byDataset.get(dataset) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as TimedDoc).ms <= fromMs) lo = mid + 1;
      else hi = mid;
    }
    const out: TimedDoc[] = [];
    for (let i = lo; i < list.length && (list[i] as TimedDoc).ms <= toMs; i++) out.push(list[i] as TimedDoc);
    return out;
  }

  private _matching(rule: AlertRule, dataset: string, fromMs: number, toMs: number): TimedDoc[] {
    const filters = Object.entries(rule.filter);
    return this.range(dataset, fromMs, toMs).filter((d) => filters.every(([f, v]) => fieldAt(d.doc, f) === v));
  }

  /** What a rule's query finds at `nowMs`, one observation per group. */
  observe(rule: AlertRule, nowMs: number): Observation[] {
    switch (rule.kind) {
      case 'threshold': {
        const groups = new Map<string, number[]>();
        for (const d of this._matching(rule, rule.dataset ?? '', nowMs - rule.windowMs, nowMs)) {
          const v = fieldAt(d.doc, rule.field ?? '');
          if (typeof v !== 'number' || !Number.isFinite(v)) continue;
          const g = rule.groupBy === undefined ? '' : groupKey(fieldAt(d.doc, rule.groupBy));
          if (g === undefined) continue;
          const list = groups.get(g) ?? [];
          list.push(v);
          groups.set(g, list);
        }
        const out: Observation[] = [];
        for (const [group, values] of groups) {
          const value = aggregate(values, rule.aggregation ?? 'avg');
          if (value !== undefined) out.push({ group, value });
        }
        return out;
      }
      case 'nodata': {
        const span = rule.groupBy === undefined ? Math.max(rule.lookbackMs, (rule.afterMs ?? 0) * 2) : rule.lookbackMs;
        const last = new Map<string, number>();
        for (const d of this._matching(rule, rule.dataset ?? '', nowMs - span, nowMs)) {
          const g = rule.groupBy === undefined ? '' : groupKey(fieldAt(d.doc, rule.groupBy));
          if (g !== undefined) last.set(g, Math.max(last.get(g) ?? -Infinity, d.ms));
        }
        return [...last].map(([group, lastSeenMs]) => ({ group, lastSeenMs }));
      }
      case 'job-oom':
      case 'job-waste': {
        const per = new Map<string, number>();
        for (const d of this._matching(rule, BUILDS_DATASET, nowMs - rule.windowMs, nowMs)) {
          const job = groupKey(fieldAt(d.doc, 'jenkins.job.name'));
          if (job === undefined) continue;
          if (rule.kind === 'job-oom') {
            per.set(job, (per.get(job) ?? 0) + (fieldAt(d.doc, 'outcome.oom_killed') === true ? 1 : 0));
          } else {
            const w = fieldAt(d.doc, 'waste.cpu_core_seconds');
            if (typeof w === 'number' && Number.isFinite(w)) per.set(job, (per.get(job) ?? 0) + w);
          }
        }
        const perWeek = (7 * 86_400_000) / rule.windowMs;
        return [...per].map(([group, v]) => ({ group, value: rule.kind === 'job-oom' ? v : (v / 3600) * perWeek }));
      }
      case 'recommendation-change': {
        const per = new Map<string, { first: Record<string, unknown>; last: Record<string, unknown> }>();
        for (const d of this._matching(rule, RECOMMENDATIONS_DATASET, nowMs - rule.windowMs, nowMs)) {
          const key = groupKey(fieldAt(d.doc, 'workload.key'));
          if (key === undefined) continue;
          const e = per.get(key);
          if (e) e.last = d.doc;
          else per.set(key, { first: d.doc, last: d.doc });
        }
        const out: Observation[] = [];
        for (const [group, { first, last }] of per) {
          const value = recommendationChange(first, last);
          if (value !== undefined) out.push({ group, value });
        }
        return out;
      }
    }
  }

  /** The facts behind an allocation alert at `nowMs` (latest leader reading, containers read in the last `recentMs`). */
  capacity(resource: 'cpu' | 'memory', nowMs: number, recentMs: number): CapacityInput {
    const masters = this.range('mesos.master', nowMs - recentMs, nowMs).filter((d) => fieldAt(d.doc, 'mesos.master.elected') === true);
    const m = masters[masters.length - 1]?.doc;
    const num = (d: unknown, f: string): number | undefined => {
      const v = fieldAt(d, f);
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    };
    const total = m === undefined ? undefined : resource === 'cpu' ? num(m, 'mesos.cpus.total') : num(m, 'mesos.mem.total_bytes');
    const allocated = m === undefined ? undefined : resource === 'cpu' ? num(m, 'mesos.cpus.used') : num(m, 'mesos.mem.used_bytes');
    let readings = this.range('mesos.executor', nowMs - recentMs, nowMs);
    if (readings.length === 0) readings = this.range('docker.container', nowMs - recentMs, nowMs);
    const latest = new Map<string, Record<string, unknown>>();
    for (const r of readings) {
      const id = fieldAt(r.doc, 'container.id');
      if (typeof id === 'string') latest.set(id, r.doc);
    }
    const containers: RunningContainer[] = [...latest.values()].map((d) => {
      const job = fieldAt(d, 'jenkins.job.name');
      const build = num(d, 'jenkins.build.number');
      const requested = resource === 'cpu' ? num(d, 'request.cpu_cores') : num(d, 'request.memory_bytes');
      const used = resource === 'cpu' ? num(d, 'cpu.cores') : num(d, 'memory.working_set_bytes');
      return {
        ...(typeof job === 'string' ? { job } : {}),
        ...(build === undefined ? {} : { build }),
        ...(requested === undefined ? {} : { requested }),
        ...(used === undefined ? {} : { used }),
      };
    });
    const recommendations = new Map<string, JobRecommendation>();
    for (const r of this.range(RECOMMENDATIONS_DATASET, -Infinity, nowMs)) {
      if (fieldAt(r.doc, 'workload.kind') !== 'jenkins.job') continue;
      const key = fieldAt(r.doc, 'workload.key');
      if (typeof key !== 'string') continue;
      const f = resource === 'cpu' ? 'cpu_cores' : 'memory_bytes';
      const current = num(r.doc, `current.${f}`);
      const recommended = num(r.doc, `recommended.${f}`);
      recommendations.set(key, { ...(current === undefined ? {} : { current }), ...(recommended === undefined ? {} : { recommended }) });
    }
    return {
      resource,
      ...(total === undefined ? {} : { total }),
      ...(allocated === undefined ? {} : { allocated }),
      containers,
      recommendations,
    };
  }
}

/** The largest relative change of CPU or memory between two recommendation documents (0.5 = 50 %). */
export function recommendationChange(first: unknown, last: unknown): number | undefined {
  let best: number | undefined;
  for (const f of ['recommended.cpu_cores', 'recommended.memory_bytes']) {
    const a = fieldAt(first, f);
    const b = fieldAt(last, f);
    if (typeof a !== 'number' || typeof b !== 'number' || !(a > 0)) continue;
    const c = Math.abs(b / a - 1);
    best = best === undefined ? c : Math.max(best, c);
  }
  return best;
}
