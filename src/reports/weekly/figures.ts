import { linearRegression } from 'simple-statistics';
import { sortBySavings, type LabelPlan, type Prices } from '../../analysis/index.js';
import type { WasteResult } from '../../analysis/waste/index.js';
import type { Confidence, RecommendationDoc, Severity } from '../../model/index.js';
import type { WeekRange } from './isoWeek.js';
import type { BuildHealth, DailyPeak, LabelWeek, WeekBuildsResult } from './weekBuilds.js';
import { GiB, HOUR_MS } from '../../util/units.js';

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** What the Mesos masters reported over the week (cluster documents), averaged over the polls. */
export interface ClusterWeek {
  readonly cpuTotalCores?: number;
  /** Allocated (Mesos `cpus.used`: what tasks reserved). */
  readonly cpuAllocatedCores?: number;
  readonly cpuAllocatedPeakCores?: number;
  readonly memoryTotalBytes?: number;
  readonly memoryAllocatedBytes?: number;
  readonly memoryAllocatedPeakBytes?: number;
}

/** What the collectors delivered over the week (Elasticsearch only). */
export interface CollectionWeek {
  /** Agents that reported during the week. */
  readonly agents: number;
  /** Agents whose last document is older than the grace before the newest agent document, or inactive. */
  readonly agentsNotReporting: readonly string[];
  /** Hours of the week. */
  readonly hours: number;
  /** Hours of the week without a single container reading. */
  readonly hoursWithoutReadings: number;
}

/** Everything the figures are computed from; the shell fills it from Elasticsearch or a trace. */
export interface WeeklySources {
  readonly week: WeekRange;
  readonly previous: WeekRange;
  readonly generatedAtMs: number;
  /** The instant the recommendations are as of. */
  readonly asOfMs: number;
  readonly source: 'elasticsearch' | 'trace';
  /** The `jenkins.job` recommendation documents (analyze's, or the stored ones the API serves). */
  readonly jobs: readonly RecommendationDoc[];
  readonly plan?: LabelPlan;
  readonly builds: WeekBuildsResult;
  readonly prices?: Prices;
  /** @defaultValue 20 */
  readonly topJobs?: number;
  /** Daily peak allocation of the weeks before and including the report week (oldest first). */
  readonly dailyPeaks: readonly DailyPeak[];
  readonly cluster?: ClusterWeek;
  readonly collection?: CollectionWeek;
}

export interface Hours {
  readonly cpu_core_hours: number;
  readonly memory_gib_hours: number;
}

export interface WeekTotals {
  readonly builds: number;
  readonly reserved: Hours;
  readonly used: Hours;
  readonly waste: Hours;
  readonly cost?: { readonly cpu: number; readonly memory: number; readonly total: number; readonly currency?: string };
}

export interface ResourcesOut {
  readonly cpu_cores?: number;
  readonly memory_bytes?: number;
}

/** One job's recommendation as the report shows it (the fields of analyze's document, plus the label to move to). */
export interface JobRow {
  readonly job: string;
  readonly label?: string;
  readonly current: ResourcesOut;
  readonly recommended: ResourcesOut;
  readonly savings: { readonly cpu_core_hours_per_week: number; readonly memory_gib_hours_per_week: number; readonly cost_per_week?: number };
  readonly confidence: Confidence;
  readonly severity: Severity;
  readonly reasons: readonly string[];
  readonly builds: number;
  /** The planned label when it differs from today's. */
  readonly move_to?: string;
}

export interface RiskRow {
  readonly job: string;
  readonly label?: string;
  readonly builds: number;
  readonly oom_killed: number;
  readonly throttled: number;
  /** The recommendation exceeds what the job reserves today (CPU or memory). */
  readonly above_label: boolean;
  readonly current: ResourcesOut;
  readonly recommended: ResourcesOut;
}

export interface LabelRow {
  readonly label: string;
  readonly builds: number;
  readonly queue_wait_p50_ms?: number;
  readonly queue_wait_p95_ms?: number;
  /** Mean cores reserved by the label's builds over the week (reserved core-hours / hours of the week). */
  readonly allocated_cpu_cores: number;
  readonly used_cpu_cores: number;
  readonly allocated_memory_gib: number;
  readonly used_memory_gib: number;
}

export interface ResourceForecast {
  /** Daily peak allocation, oldest first. */
  readonly series: readonly number[];
  /** Least-squares slope, per day. */
  readonly slope_per_day?: number;
  /** The fitted value of the last day. */
  readonly fitted_last?: number;
  readonly capacity?: number;
  /** Days from the last day until the trend reaches 90 % of the capacity; 0 when already there; absent when never (flat or falling) or unknown. */
  readonly days_until_90?: number;
}

export interface WeeklyFigures {
  readonly kind: 'weekly';
  readonly week: string;
  readonly time_zone: string;
  readonly period: { readonly start: string; readonly end: string };
  readonly generated_at: string;
  readonly as_of: string;
  readonly source: 'elasticsearch' | 'trace';
  readonly currency?: string;
  readonly totals: WeekTotals;
  readonly previous: { readonly week: string; readonly totals: WeekTotals };
  /** Every job's recommendation, largest weekly savings first (the CSV rows). */
  readonly jobs: readonly JobRow[];
  /** How many of `jobs` the summary shows (the top N). */
  readonly top_jobs: number;
  readonly at_risk: readonly RiskRow[];
  readonly labels: readonly LabelRow[];
  readonly cluster: {
    readonly cpu_total_cores?: number;
    readonly cpu_allocated_cores?: number;
    readonly cpu_allocated_peak_cores?: number;
    readonly memory_total_gib?: number;
    readonly memory_allocated_gib?: number;
    /** Mean cores the week's builds reserved and used (from the builds, whatever the masters say). */
    readonly builds_reserved_cpu_cores: number;
    readonly builds_used_cpu_cores: number;
    readonly builds_reserved_memory_gib: number;
    readonly builds_used_memory_gib: number;
  };
  readonly plan?: {
    readonly method: LabelPlan['method'];
    readonly labels: readonly { readonly name: string; readonly cpu_cores: number; readonly memory_bytes: number; readonly jobs: number }[];
    readonly moves: readonly { readonly job: string; readonly from?: string; readonly to: string }[];
  };
  readonly forecast: { readonly days: readonly string[]; readonly cpu: ResourceForecast; readonly memory_gib: ResourceForecast };
  readonly health: BuildHealth & { readonly collection?: CollectionWeek };
}

/** Sums the cluster rows of a waste result (one per start week of the builds) into week totals. */
export function totalsOf(waste: WasteResult): WeekTotals {
  let builds = 0;
  let cr = 0;
  let cu = 0;
  let mr = 0;
  let mu = 0;
  let cost: { cpu: number; memory: number; total: number; currency?: string } | undefined;
  for (const r of waste.rows) {
    if (r.scope !== 'cluster') continue;
    builds += r.builds;
    cr += r.cpuReservedCoreHours;
    cu += r.cpuUsedCoreHours;
    mr += r.memoryReservedGibHours;
    mu += r.memoryUsedGibHours;
    if (r.cost) {
      cost ??= { cpu: 0, memory: 0, total: 0, ...(r.cost.currency !== undefined ? { currency: r.cost.currency } : {}) };
      cost.cpu += r.cost.cpu;
      cost.memory += r.cost.memory;
      cost.total += r.cost.total;
    }
  }
  return {
    builds,
    reserved: { cpu_core_hours: r3(cr), memory_gib_hours: r3(mr) },
    used: { cpu_core_hours: r3(cu), memory_gib_hours: r3(mu) },
    waste: { cpu_core_hours: r3(cr - cu), memory_gib_hours: r3(mr - mu) },
    ...(cost ? { cost: { ...cost, cpu: r3(cost.cpu), memory: r3(cost.memory), total: r3(cost.total) } } : {}),
  };
}

function resources(r: { readonly cpu_cores?: number; readonly memory_bytes?: number }): ResourcesOut {
  return { ...(r.cpu_cores !== undefined ? { cpu_cores: r.cpu_cores } : {}), ...(r.memory_bytes !== undefined ? { memory_bytes: r.memory_bytes } : {}) };
}

/** The report's row of one recommendation document (same numbers; money when priced). */
export function jobRow(d: RecommendationDoc, moveTo: string | undefined, prices: Prices | undefined): JobRow {
  const cpu = d.savings?.cpu_core_hours_per_week ?? 0;
  const mem = d.savings?.memory_gib_hours_per_week ?? 0;
  return {
    job: d.workload.key,
    ...(d.jenkins?.label !== undefined ? { label: d.jenkins.label } : {}),
    current: resources(d.current),
    recommended: resources(d.recommended),
    savings: { cpu_core_hours_per_week: cpu, memory_gib_hours_per_week: mem, ...(prices ? { cost_per_week: r3(cpu * prices.perCoreHour + mem * prices.perGibHour) } : {}) },
    confidence: d.confidence,
    severity: d.severity,
    reasons: [...d.reasons],
    builds: d.basis.builds,
    ...(moveTo !== undefined ? { move_to: moveTo } : {}),
  };
}

function aboveLabel(d: RecommendationDoc): boolean {
  const c = d.current;
  const r = d.recommended;
  return (r.cpu_cores !== undefined && c.cpu_cores !== undefined && r.cpu_cores > c.cpu_cores) || (r.memory_bytes !== undefined && c.memory_bytes !== undefined && r.memory_bytes > c.memory_bytes);
}

/** Least-squares trend of a daily series and the days until it reaches 90 % of the capacity. */
export function forecast(series: readonly number[], capacity: number | undefined): ResourceForecast {
  const base = { series: series.map(r3), ...(capacity !== undefined && capacity > 0 ? { capacity: r3(capacity) } : {}) };
  if (series.length < 2) return base;
  const { m, b } = linearRegression(series.map((v, i) => [i, v]));
  const fitted = m * (series.length - 1) + b;
  const out = { ...base, slope_per_day: Math.round(m * 1e4) / 1e4, fitted_last: r3(fitted) };
  if (capacity === undefined || capacity <= 0) return out;
  const target = 0.9 * capacity;
  if (fitted >= target) return { ...out, days_until_90: 0 };
  if (m <= 0) return out;
  return { ...out, days_until_90: Math.round(((target - fitted) / m) * 10) / 10 };
}

const last = <T>(xs: readonly T[], f: (x: T) => number | undefined): number | undefined => {
  for (let i = xs.length - 1; i >= 0; i--) {
    const v = f(xs[i]!);
    if (v !== undefined) return v;
  }
  return undefined;
};

/**
 * The weekly report's figures (pure): every number the HTML, Markdown, CSV and JSON show. The
 * recommendation numbers are the documents' own (analysis' `recommendWorkload`, sorted by
 * analysis' `sortBySavings`); reserved/used/waste are analysis' waste sums.
 */
export function weeklyFigures(s: WeeklySources): WeeklyFigures {
  const weekHours = (s.week.endMs - s.week.startMs) / HOUR_MS;
  const moves = new Map<string, string>();
  if (s.plan) for (const m of s.plan.moves) moves.set(m.key, m.label);
  const docs = sortBySavings(s.jobs.filter((d) => d.workload.kind === 'jenkins.job'));
  const jobs = docs.map((d) => jobRow(d, moves.get(d.workload.key), s.prices));

  const atRisk: RiskRow[] = [];
  const docByKey = new Map(docs.map((d) => [d.workload.key, d]));
  const keys = new Set([...s.builds.jobs.keys(), ...docByKey.keys()]);
  for (const key of keys) {
    const w = s.builds.jobs.get(key);
    const d = docByKey.get(key);
    const above = d !== undefined && aboveLabel(d);
    if ((w?.oomKilled ?? 0) === 0 && (w?.throttled ?? 0) === 0 && !above) continue;
    atRisk.push({
      job: key,
      ...(d?.jenkins?.label !== undefined ? { label: d.jenkins.label } : {}),
      builds: w?.builds ?? 0,
      oom_killed: w?.oomKilled ?? 0,
      throttled: w?.throttled ?? 0,
      above_label: above,
      current: d ? resources(d.current) : {},
      recommended: d ? resources(d.recommended) : {},
    });
  }
  atRisk.sort((a, b) => b.oom_killed - a.oom_killed || b.throttled - a.throttled || Number(b.above_label) - Number(a.above_label) || a.job.localeCompare(b.job));

  const waits = new Map<string, LabelWeek>(s.builds.labels.map((l) => [l.label, l]));
  const labelRows = new Map<string, LabelRow>();
  for (const r of s.builds.current.rows) {
    if (r.scope !== 'label') continue;
    const prev = labelRows.get(r.key);
    const add = (a: number | undefined, x: number): number => r3((a ?? 0) + x / weekHours);
    const w = waits.get(r.key);
    labelRows.set(r.key, {
      label: r.key,
      builds: w?.builds ?? r.builds,
      ...(w?.queueWaitP50Ms !== undefined ? { queue_wait_p50_ms: w.queueWaitP50Ms } : {}),
      ...(w?.queueWaitP95Ms !== undefined ? { queue_wait_p95_ms: w.queueWaitP95Ms } : {}),
      allocated_cpu_cores: add(prev?.allocated_cpu_cores, r.cpuReservedCoreHours),
      used_cpu_cores: add(prev?.used_cpu_cores, r.cpuUsedCoreHours),
      allocated_memory_gib: add(prev?.allocated_memory_gib, r.memoryReservedGibHours),
      used_memory_gib: add(prev?.used_memory_gib, r.memoryUsedGibHours),
    });
  }
  for (const w of s.builds.labels)
    if (!labelRows.has(w.label))
      labelRows.set(w.label, {
        label: w.label,
        builds: w.builds,
        ...(w.queueWaitP50Ms !== undefined ? { queue_wait_p50_ms: w.queueWaitP50Ms } : {}),
        ...(w.queueWaitP95Ms !== undefined ? { queue_wait_p95_ms: w.queueWaitP95Ms } : {}),
        allocated_cpu_cores: 0,
        used_cpu_cores: 0,
        allocated_memory_gib: 0,
        used_memory_gib: 0,
      });
  const labels = [...labelRows.values()].sort((a, b) => (b.queue_wait_p95_ms ?? -1) - (a.queue_wait_p95_ms ?? -1) || a.label.localeCompare(b.label));

  const totals = totalsOf(s.builds.current);
  const c = s.cluster;
  const plan = s.plan
    ? {
        method: s.plan.method,
        labels: s.plan.labels.map((l) => ({
          name: l.name,
          cpu_cores: l.cpuCores,
          memory_bytes: l.memoryBytes,
          jobs: s.plan!.assignments.filter((a) => a.label === l.name).length,
        })),
        moves: s.plan.moves.map((m) => ({ job: m.key, ...(m.currentLabel !== undefined ? { from: m.currentLabel } : {}), to: m.label })),
      }
    : undefined;
  const peaks = s.dailyPeaks;
  const currency = s.prices?.currency;
  return {
    kind: 'weekly',
    week: s.week.label,
    time_zone: s.week.timeZone,
    period: { start: new Date(s.week.startMs).toISOString(), end: new Date(s.week.endMs).toISOString() },
    generated_at: new Date(s.generatedAtMs).toISOString(),
    as_of: new Date(s.asOfMs).toISOString(),
    source: s.source,
    ...(currency !== undefined ? { currency } : {}),
    totals,
    previous: { week: s.previous.label, totals: totalsOf(s.builds.previous) },
    jobs,
    top_jobs: Math.min(s.topJobs ?? 20, jobs.length),
    at_risk: atRisk,
    labels,
    cluster: {
      ...(c?.cpuTotalCores !== undefined ? { cpu_total_cores: r3(c.cpuTotalCores) } : {}),
      ...(c?.cpuAllocatedCores !== undefined ? { cpu_allocated_cores: r3(c.cpuAllocatedCores) } : {}),
      ...(c?.cpuAllocatedPeakCores !== undefined ? { cpu_allocated_peak_cores: r3(c.cpuAllocatedPeakCores) } : {}),
      ...(c?.memoryTotalBytes !== undefined ? { memory_total_gib: r3(c.memoryTotalBytes / GiB) } : {}),
      ...(c?.memoryAllocatedBytes !== undefined ? { memory_allocated_gib: r3(c.memoryAllocatedBytes / GiB) } : {}),
      builds_reserved_cpu_cores: r3(totals.reserved.cpu_core_hours / weekHours),
      builds_used_cpu_cores: r3(totals.used.cpu_core_hours / weekHours),
      builds_reserved_memory_gib: r3(totals.reserved.memory_gib_hours / weekHours),
      builds_used_memory_gib: r3(totals.used.memory_gib_hours / weekHours),
    },
    ...(plan ? { plan } : {}),
    forecast: {
      days: peaks.map((p) => p.day),
      cpu: forecast(
        peaks.map((p) => p.cpuCores),
        last(peaks, (p) => p.cpuTotalCores) ?? c?.cpuTotalCores,
      ),
      memory_gib: forecast(
        peaks.map((p) => p.memoryBytes / GiB),
        (last(peaks, (p) => p.memoryTotalBytes) ?? c?.memoryTotalBytes ?? NaN) / GiB || undefined,
      ),
    },
    health: { ...s.builds.health, ...(s.collection ? { collection: s.collection } : {}) },
  };
}
