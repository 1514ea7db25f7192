import { isCpuCensored, percentile, type BuildRecord, type RecommenderPolicy } from '../../analysis/index.js';
import { WasteAccumulator, type Prices, type WasteResult } from '../../analysis/waste/index.js';
import { localDay, localMidnightMs, dayString, type WeekRange } from './isoWeek.js';
import { HOUR_MS } from '../../util/units.js';


/** A build as the report needs it: the recommender's record plus the queue wait and the sample coverage. */
export interface ReportBuild extends BuildRecord {
  readonly queueWaitMs?: number;
  /** `usage.coverage`, 0..1. */
  readonly coverage?: number;
}

/** One job's builds of the report week. */
export interface JobWeek {
  readonly key: string;
  builds: number;
  oomKilled: number;
  /** CPU-starved builds (the recommender's censoring rule: throttled over 5 % or max at the limit). */
  throttled: number;
  buildHours: number;
}

/** One label's builds of the report week. */
export interface LabelWeek {
  readonly label: string;
  readonly builds: number;
  readonly queueWaitP50Ms?: number;
  readonly queueWaitP95Ms?: number;
}

/** How well the week's builds were measured. */
export interface BuildHealth {
  readonly builds: number;
  /** Builds without a single usage reading (`usage.sample_count` 0 or absent). */
  readonly withoutSamples: number;
  /** Builds whose readings cover less than {@link LOW_COVERAGE} of their duration. */
  readonly lowCoverage: number;
  /** Mean `usage.coverage` over the builds that report it. */
  readonly meanCoverage?: number;
  /** Builds the waste could not count (no request or no usage): counted, not guessed. */
  readonly wasteSkipped: number;
}

export interface WeekBuildsResult {
  readonly current: WasteResult;
  readonly previous: WasteResult;
  readonly jobs: ReadonlyMap<string, JobWeek>;
  readonly labels: readonly LabelWeek[];
  readonly health: BuildHealth;
}

/** A build whose readings cover less than this share of its duration is counted as poorly measured. */
export const LOW_COVERAGE = 0.8;

/**
 * The running sums of the report over the builds of two weeks (the report week and the one before),
 * fed one build at a time, in any order (a trace or the pages of an Elasticsearch scan). A build
 * belongs to the week in which it ended. Reserved, used and waste come from analysis'
 * {@link WasteAccumulator}, the function `rightsize analyze --waste` uses.
 */
export class WeekBuildsAccumulator {
  private readonly cur = new WasteAccumulator();
  private readonly prev = new WasteAccumulator();
  private readonly jobs = new Map<string, JobWeek>();
  private readonly waits = new Map<string, { builds: number; waits: number[] }>();
  private builds = 0;
  private withoutSamples = 0;
  private lowCoverage = 0;
  private coverageSum = 0;
  private coverageCount = 0;

  constructor(
    private readonly week: WeekRange,
    private readonly previousWeek: WeekRange,
    private readonly policy: RecommenderPolicy,
  ) {}

  add(b: ReportBuild): void {
    if (b.endMs >= this.previousWeek.startMs && b.endMs < this.previousWeek.endMs) {
      this.prev.add(b);
      return;
    }
    if (b.endMs < this.week.startMs || b.endMs >= this.week.endMs) return;
    this.cur.add(b);
    this.builds++;
    const j = this.jobs.get(b.key) ?? { key: b.key, builds: 0, oomKilled: 0, throttled: 0, buildHours: 0 };
    j.builds++;
    if (b.oomKilled) j.oomKilled++;
    if (isCpuCensored(b, this.policy)) j.throttled++;
    j.buildHours += b.durationMs / HOUR_MS;
    this.jobs.set(b.key, j);
    const label = b.label ?? '(none)';
    const w = this.waits.get(label) ?? { builds: 0, waits: [] };
    w.builds++;
    if (b.queueWaitMs !== undefined) w.waits.push(b.queueWaitMs);
    this.waits.set(label, w);
    if (b.sampleCount === undefined || b.sampleCount === 0) this.withoutSamples++;
    if (b.coverage !== undefined) {
      this.coverageSum += b.coverage;
      this.coverageCount++;
      if (b.coverage < LOW_COVERAGE) this.lowCoverage++;
    }
  }

  result(prices?: Prices): WeekBuildsResult {
    const current = this.cur.result(prices);
    const labels: LabelWeek[] = [...this.waits]
      .map(([label, w]) => {
        const p50 = percentile(w.waits, 0.5);
        const p95 = percentile(w.waits, 0.95);
        return { label, builds: w.builds, ...(p50 !== undefined ? { queueWaitP50Ms: p50 } : {}), ...(p95 !== undefined ? { queueWaitP95Ms: p95 } : {}) };
      })
      .sort((a, b) => a.label.localeCompare(b.label));
    return {
      current,
      previous: this.prev.result(prices),
      jobs: this.jobs,
      labels,
      health: {
        builds: this.builds,
        withoutSamples: this.withoutSamples,
        lowCoverage: this.lowCoverage,
        ...(this.coverageCount > 0 ? { meanCoverage: this.coverageSum / this.coverageCount } : {}),
        wasteSkipped: current.skipped,
      },
    };
  }
}

/** The largest allocation of one day (a local calendar day of the report's zone). */
export interface DailyPeak {
  /** `YYYY-MM-DD` */
  readonly day: string;
  readonly cpuCores: number;
  readonly memoryBytes: number;
  /** The cluster's capacity that day, when known (Mesos masters' totals). */
  readonly cpuTotalCores?: number;
  readonly memoryTotalBytes?: number;
}

/**
 * Daily peaks of the resources reserved by running builds (a sweep over build starts and ends),
 * for the local days in [fromMs, toMs). Without cluster documents (a trace) this is the only
 * allocation there is; it has no capacity.
 */
export function dailyPeaksFromBuilds(builds: readonly BuildRecord[], fromMs: number, toMs: number, timeZone: string): DailyPeak[] {
  type Ev = { t: number; cpu: number; mem: number };
  const events: Ev[] = [];
  // Days outside the data (before the first build started, after the last one ended) are unknown, not zero.
  let first = Infinity;
  let lastEnd = -Infinity;
  for (const b of builds) {
    first = Math.min(first, b.startMs);
    lastEnd = Math.max(lastEnd, b.endMs);
  }
  fromMs = Math.max(fromMs, first);
  toMs = Math.min(toMs, lastEnd);
  if (!(toMs > fromMs)) return [];
  for (const b of builds) {
    if (b.endMs <= fromMs || b.startMs >= toMs || b.requestCpuCores === undefined || b.requestMemoryBytes === undefined) continue;
    events.push({ t: b.startMs, cpu: b.requestCpuCores, mem: b.requestMemoryBytes }, { t: b.endMs, cpu: -b.requestCpuCores, mem: -b.requestMemoryBytes });
  }
  // Ends before starts at the same instant: a build that ends as another starts does not overlap it.
  events.sort((a, b) => a.t - b.t || a.cpu - b.cpu);
  const peaks = new Map<number, { cpu: number; mem: number }>();
  const firstDay = localDay(fromMs, timeZone);
  const lastDay = localDay(toMs - 1, timeZone);
  for (let d = firstDay; d <= lastDay; d++) peaks.set(d, { cpu: 0, mem: 0 });
  let cpu = 0;
  let mem = 0;
  let day = firstDay;
  let nextMidnight = localMidnightMs(day + 1, timeZone);
  const bump = (): void => {
    const p = peaks.get(day);
    if (p) {
      p.cpu = Math.max(p.cpu, cpu);
      p.mem = Math.max(p.mem, mem);
    }
  };
  let carried = false;
  for (const e of events) {
    if (!carried && e.t >= fromMs) {
      bump(); // builds that started before the range and still run
      carried = true;
    }
    while (e.t >= nextMidnight && day < lastDay) {
      day++;
      nextMidnight = localMidnightMs(day + 1, timeZone);
      bump(); // what runs across midnight counts on the new day too
    }
    cpu += e.cpu;
    mem += e.mem;
    if (e.t >= fromMs && e.t < toMs) bump();
  }
  return [...peaks].map(([d, p]) => ({ day: dayString(d), cpuCores: Math.round(p.cpu * 1000) / 1000, memoryBytes: Math.round(p.mem) }));
}
