import type { BuildRecord } from '../recommend/records.js';
import { DAY_MS, GiB, HOUR_MS } from '../../util/units.js';


/** Optional prices; with them every row also carries money. */
export interface Prices {
  readonly perCoreHour: number;
  readonly perGibHour: number;
  readonly currency?: string;
}

export interface WasteRow {
  readonly scope: 'job' | 'label' | 'cluster';
  readonly key: string;
  /** Monday 00:00 UTC of the ISO week the builds started in, `YYYY-MM-DD`. */
  readonly week: string;
  readonly builds: number;
  readonly cpuReservedCoreHours: number;
  readonly cpuUsedCoreHours: number;
  readonly cpuWasteCoreHours: number;
  readonly memoryReservedGibHours: number;
  readonly memoryUsedGibHours: number;
  readonly memoryWasteGibHours: number;
  readonly cost?: { readonly cpu: number; readonly memory: number; readonly total: number; readonly currency?: string };
}

export interface WasteResult {
  readonly rows: WasteRow[];
  /** Builds without a request or a usage measurement (counted, not guessed). */
  readonly skipped: number;
}

/** Monday 00:00 UTC of the week containing `ms`. */
export function weekStart(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  // 1970-01-01 was a Thursday: day 0 → weekday 4 (Mon = 1 … Sun = 7).
  const weekday = ((day + 3) % 7) + 1;
  return new Date((day - (weekday - 1)) * DAY_MS).toISOString().slice(0, 10);
}

interface Acc {
  builds: number;
  cr: number;
  cu: number;
  mr: number;
  mu: number;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * The running sums behind {@link computeWaste}: add builds one at a time (e.g. page by page from
 * Elasticsearch, never holding them all), then read the rows. Memory is one small sum per
 * job/label/cluster and week.
 */
export class WasteAccumulator {
  private readonly acc = new Map<string, Acc>();
  private skippedBuilds = 0;

  /** Adds one build; a build lacking the request or any usage of a resource is skipped and counted. */
  add(b: BuildRecord): void {
    const h = b.durationMs / HOUR_MS;
    const cpuUsed = b.cpuCoreSeconds !== undefined ? b.cpuCoreSeconds / 3600 : b.cpuAvgCores !== undefined ? b.cpuAvgCores * h : undefined;
    const memUsed = b.memoryAvgBytes ?? b.memoryPeakBytes;
    if (b.requestCpuCores === undefined || b.requestMemoryBytes === undefined || cpuUsed === undefined || memUsed === undefined) {
      this.skippedBuilds++;
      return;
    }
    const week = weekStart(b.startMs);
    const cr = b.requestCpuCores * h;
    const mr = (b.requestMemoryBytes / GiB) * h;
    const mu = (memUsed / GiB) * h;
    this.sum('job', b.key, week, cr, cpuUsed, mr, mu);
    this.sum('label', b.label ?? '(none)', week, cr, cpuUsed, mr, mu);
    this.sum('cluster', 'cluster', week, cr, cpuUsed, mr, mu);
  }

  private sum(scope: WasteRow['scope'], key: string, week: string, cr: number, cu: number, mr: number, mu: number): void {
    const id = `${scope}\u0000${key}\u0000${week}`;
    const a = this.acc.get(id) ?? { builds: 0, cr: 0, cu: 0, mr: 0, mu: 0 };
    a.builds++;
    a.cr += cr;
    a.cu += cu;
    a.mr += mr;
    a.mu += mu;
    this.acc.set(id, a);
  }

  /** The rows so far (sorted by scope, week, then CPU waste, largest first), with money when priced. */
  result(prices?: Prices): WasteResult {
    const rows: WasteRow[] = [];
    for (const [id, a] of this.acc) {
      const [scope, key, week] = id.split('\u0000') as [WasteRow['scope'], string, string];
      const cw = a.cr - a.cu;
      const mw = a.mr - a.mu;
      rows.push({
        scope,
        key,
        week,
        builds: a.builds,
        cpuReservedCoreHours: r3(a.cr),
        cpuUsedCoreHours: r3(a.cu),
        cpuWasteCoreHours: r3(cw),
        memoryReservedGibHours: r3(a.mr),
        memoryUsedGibHours: r3(a.mu),
        memoryWasteGibHours: r3(mw),
        ...(prices
          ? {
              cost: {
                cpu: r3(cw * prices.perCoreHour),
                memory: r3(mw * prices.perGibHour),
                total: r3(cw * prices.perCoreHour + mw * prices.perGibHour),
                ...(prices.currency !== undefined ? { currency: prices.currency } : {}),
              },
            }
          : {}),
      });
    }
    rows.sort((x, y) => x.scope.localeCompare(y.scope) || x.week.localeCompare(y.week) || y.cpuWasteCoreHours - x.cpuWasteCoreHours);
    return { rows, skipped: this.skippedBuilds };
  }
}

/**
 * Reserved minus used core-hours and GiB-hours per job, label and the whole cluster, per week.
 * Reserved = request × duration; used CPU = `core_seconds` (else avg cores × duration); used
 * memory = avg bytes × duration (else peak × duration, an upper bound). A build lacking the
 * request or any usage of a resource is skipped and counted.
 */
export function computeWaste(builds: readonly BuildRecord[], prices?: Prices): WasteResult {
  const acc = new WasteAccumulator();
  for (const b of builds) acc.add(b);
  return acc.result(prices);
}

/** A waste document of the `<prefix>-waste-YYYY.MM` indices (docs/data-model.md, waste). */
export interface WasteDoc {
  /** The week start, ISO-8601. */
  readonly '@timestamp': string;
  readonly waste: { readonly scope: WasteRow['scope']; readonly cpu_core_hours: number; readonly memory_gib_hours: number };
  readonly workload: { readonly kind: 'jenkins.job' | 'jenkins.label' | 'cluster'; readonly key: string };
  /** `YYYY-MM-DD` of the week's Monday. */
  readonly week: string;
  readonly builds: number;
  readonly reserved: { readonly cpu_core_hours: number; readonly memory_gib_hours: number };
  readonly used: { readonly cpu_core_hours: number; readonly memory_gib_hours: number };
  readonly cost?: { readonly cpu: number; readonly memory: number; readonly total: number; readonly currency?: string };
}

const WORKLOAD_KIND: Readonly<Record<WasteRow['scope'], WasteDoc['workload']['kind']>> = {
  job: 'jenkins.job',
  label: 'jenkins.label',
  cluster: 'cluster',
};

/** The document of one waste row (pure; the figures are the row's, already rounded to 0.001). */
export function wasteDocument(row: WasteRow): WasteDoc {
  return {
    '@timestamp': `${row.week}T00:00:00.000Z`,
    waste: { scope: row.scope, cpu_core_hours: row.cpuWasteCoreHours, memory_gib_hours: row.memoryWasteGibHours },
    workload: { kind: WORKLOAD_KIND[row.scope], key: row.key },
    week: row.week,
    builds: row.builds,
    reserved: { cpu_core_hours: row.cpuReservedCoreHours, memory_gib_hours: row.memoryReservedGibHours },
    used: { cpu_core_hours: row.cpuUsedCoreHours, memory_gib_hours: row.memoryUsedGibHours },
    ...(row.cost !== undefined ? { cost: { ...row.cost } } : {}),
  };
}
