import type { BuildRecord } from '../recommend/records.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const GiB = 1024 ** 3;

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

/**
 * Reserved minus used core-hours and GiB-hours per job, label and the whole cluster, per week.
 * Reserved = request × duration; used CPU = `core_seconds` (else avg cores × duration); used
 * memory = avg bytes × duration (else peak × duration, an upper bound). A build lacking the
 * request or any usage of a resource is skipped and counted.
 */
export function computeWaste(builds: readonly BuildRecord[], prices?: Prices): WasteResult {
  interface Acc {
    builds: number;
    cr: number;
    cu: number;
    mr: number;
    mu: number;
  }
  const acc = new Map<string, Acc>();
  let skipped = 0;
  const add = (scope: WasteRow['scope'], key: string, week: string, cr: number, cu: number, mr: number, mu: number): void => {
    const id = `${scope}\u0000${key}\u0000${week}`;
    const a = acc.get(id) ?? { builds: 0, cr: 0, cu: 0, mr: 0, mu: 0 };
    a.builds++;
    a.cr += cr;
    a.cu += cu;
    a.mr += mr;
    a.mu += mu;
    acc.set(id, a);
  };
  for (const b of builds) {
    const h = b.durationMs / HOUR_MS;
    const cpuUsed = b.cpuCoreSeconds !== undefined ? b.cpuCoreSeconds / 3600 : b.cpuAvgCores !== undefined ? b.cpuAvgCores * h : undefined;
    const memUsed = (b.memoryAvgBytes ?? b.memoryPeakBytes);
    if (b.requestCpuCores === undefined || b.requestMemoryBytes === undefined || cpuUsed === undefined || memUsed === undefined) {
      skipped++;
      continue;
    }
    const week = weekStart(b.startMs);
    const cr = b.requestCpuCores * h;
    const mr = (b.requestMemoryBytes / GiB) * h;
    const mu = (memUsed / GiB) * h;
    add('job', b.key, week, cr, cpuUsed, mr, mu);
    add('label', b.label ?? '(none)', week, cr, cpuUsed, mr, mu);
    add('cluster', 'cluster', week, cr, cpuUsed, mr, mu);
  }
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  const rows: WasteRow[] = [];
  for (const [id, a] of acc) {
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
  return { rows, skipped };
}
