import type { RecommendationDoc } from '../model/index.js';
import type { WasteRow } from './waste/waste.js';
import type { Interval, PolicyMetrics } from './replay/engine.js';
import { GiB } from '../util/units.js';


/** Control characters (a hostile job name with a newline or an escape sequence) become `?` in tables. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- that is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** A plain-text table: columns padded to their widest cell; numbers right-aligned. */
export function formatTable(header: readonly string[], rawRows: ReadonlyArray<readonly string[]>): string {
  const rows = rawRows.map((r) => r.map(printable));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const isNum = (s: string): boolean => /^[-+]?[\d.]+(%|x)?( \[.*\])?$/.test(s);
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => (isNum(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

/** RFC 4180 CSV: fields with comma, quote or newline are quoted, quotes doubled. */
export function formatCsv(header: readonly string[], rows: ReadonlyArray<readonly (string | number | undefined)[]>): string {
  const cell = (v: string | number | undefined): string => {
    const s = v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

const RECOMMENDATION_COLUMNS = [
  'workload',
  'kind',
  'cpu_now',
  'cpu_rec',
  'mem_now_gib',
  'mem_rec_gib',
  'save_core_h_wk',
  'save_gib_h_wk',
  'confidence',
  'severity',
  'builds',
  'reasons',
] as const;

function recommendationRow(d: RecommendationDoc): Array<string | number | undefined> {
  const gib = (b: number | undefined): number | undefined => (b === undefined ? undefined : Math.round((b / GiB) * 1000) / 1000);
  return [
    d.workload.key,
    d.workload.kind,
    d.current.cpu_cores,
    d.recommended.cpu_cores,
    gib(d.current.memory_bytes),
    gib(d.recommended.memory_bytes),
    d.savings?.cpu_core_hours_per_week,
    d.savings?.memory_gib_hours_per_week,
    d.confidence,
    d.severity,
    d.basis.builds,
    d.reasons.join(' '),
  ];
}

/** Sorts by weekly savings (core-hours, then GiB-hours), largest first. Does not mutate. */
export function sortBySavings(docs: readonly RecommendationDoc[]): RecommendationDoc[] {
  return [...docs].sort(
    (a, b) =>
      (b.savings?.cpu_core_hours_per_week ?? 0) - (a.savings?.cpu_core_hours_per_week ?? 0) ||
      (b.savings?.memory_gib_hours_per_week ?? 0) - (a.savings?.memory_gib_hours_per_week ?? 0) ||
      a.workload.key.localeCompare(b.workload.key),
  );
}

export function recommendationsTable(docs: readonly RecommendationDoc[]): string {
  return formatTable(
    RECOMMENDATION_COLUMNS,
    sortBySavings(docs).map((d) => recommendationRow(d).map((v) => (v === undefined ? '-' : String(v)))),
  );
}

export function recommendationsCsv(docs: readonly RecommendationDoc[]): string {
  return formatCsv(RECOMMENDATION_COLUMNS, sortBySavings(docs).map(recommendationRow));
}

function ci(x: Interval, pct = false, digits = 3): string {
  const f = (v: number): string => (pct ? (v * 100).toFixed(2) + '%' : v.toFixed(digits));
  return x.lo === x.hi ? f(x.value) : `${f(x.value)} [${f(x.lo)}, ${f(x.hi)}]`;
}

/** The replay metrics as a table (ratios with bootstrap 95% intervals in brackets). */
export function replayTable(metrics: readonly PolicyMetrics[]): string {
  return formatTable(
    ['policy', 'cpu/sq', 'mem/sq', 'cpu/static', 'mem/static', 'capture cpu', 'capture mem', 'UPR mem', 'UPR cpu', 'churn/100', 'coverage'],
    metrics.map((m) => [
      m.policy,
      ci(m.cpuVsStatusQuo),
      ci(m.memVsStatusQuo),
      ci(m.cpuVsStatic),
      ci(m.memVsStatic),
      ci(m.cpuCapture),
      ci(m.memCapture),
      ci(m.memUpr, true),
      ci(m.cpuUpr, true),
      m.churnPer100.toFixed(2),
      m.coverage.toFixed(3),
    ]),
  );
}

/**
 * The whole cost of a wrong size per policy (printed first by `rightsize replay`): reserved
 * core-hours and GiB-hours including OOM reruns and stretched CPU builds, the build-hours lost,
 * and (for comparison) the plain reservation without those.
 */
export function wholeCostTable(metrics: readonly PolicyMetrics[]): string {
  return formatTable(
    ['policy', 'core-h total', 'GiB-h total', 'build-h lost', 'OOM reruns', 'stretched', 'core-h reserved', 'GiB-h reserved'],
    metrics.map((m) => [
      m.policy,
      m.wholeCost.coreHours.toFixed(1),
      m.wholeCost.gibHours.toFixed(1),
      m.wholeCost.buildHoursLost.toFixed(1),
      String(m.wholeCost.oomReruns),
      String(m.wholeCost.stretchedBuilds),
      m.cpuCoreHours.toFixed(1),
      m.memGibHours.toFixed(1),
    ]),
  );
}

const WASTE_COLUMNS = [
  'week',
  'scope',
  'key',
  'builds',
  'cpu_reserved_core_h',
  'cpu_used_core_h',
  'cpu_waste_core_h',
  'mem_reserved_gib_h',
  'mem_used_gib_h',
  'mem_waste_gib_h',
  'cost_total',
  'currency',
] as const;

const SCOPE_ORDER: Readonly<Record<WasteRow['scope'], number>> = { cluster: 0, label: 1, job: 2 };

/** Newest week first; within a week the cluster, then labels, then jobs, each by CPU waste (largest first). Does not mutate. */
export function sortWaste(rows: readonly WasteRow[]): WasteRow[] {
  return [...rows].sort(
    (a, b) =>
      b.week.localeCompare(a.week) ||
      SCOPE_ORDER[a.scope] - SCOPE_ORDER[b.scope] ||
      b.cpuWasteCoreHours - a.cpuWasteCoreHours ||
      b.memoryWasteGibHours - a.memoryWasteGibHours ||
      a.key.localeCompare(b.key),
  );
}

function wasteRow(r: WasteRow): Array<string | number | undefined> {
  return [
    r.week,
    r.scope,
    r.key,
    r.builds,
    r.cpuReservedCoreHours,
    r.cpuUsedCoreHours,
    r.cpuWasteCoreHours,
    r.memoryReservedGibHours,
    r.memoryUsedGibHours,
    r.memoryWasteGibHours,
    r.cost?.total,
    r.cost?.currency,
  ];
}

/** The weekly waste rows as a table (core-hours and GiB-hours; cost only with prices). */
export function wasteTable(rows: readonly WasteRow[]): string {
  return formatTable(
    WASTE_COLUMNS,
    sortWaste(rows).map((r) => wasteRow(r).map((v) => (v === undefined ? '-' : String(v)))),
  );
}

export function wasteCsv(rows: readonly WasteRow[]): string {
  return formatCsv(WASTE_COLUMNS, sortWaste(rows).map(wasteRow));
}
