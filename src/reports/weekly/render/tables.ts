import type { Hours, JobRow, ResourcesOut, WeekTotals, WeeklyFigures } from '../figures.js';
import { GiB } from '../../../util/units.js';


/** A table as data: both the HTML and the Markdown are rendered from these (cells are plain, unescaped text). */
export interface TableModel {
  readonly header: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
  /** Columns holding numbers (right-aligned). */
  readonly numeric: readonly number[];
  /** Shown under the table, e.g. "and 12 more". */
  readonly note?: string;
}

export function num(x: number | undefined, digits = 1): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function gib(bytes: number | undefined): string {
  if (bytes === undefined) return '–';
  const v = bytes / GiB;
  return `${num(v, Number.isInteger(v) ? 0 : 2)} GiB`;
}

export function cores(x: number | undefined): string {
  if (x === undefined) return '–';
  return num(x, Number.isInteger(x) ? 0 : Number.isInteger(Math.round(x * 1e6) / 1e5) ? 1 : 2);
}

export function seconds(ms: number | undefined): string {
  return ms === undefined ? '–' : `${num(ms / 1000, ms < 10_000 ? 1 : 0)} s`;
}

/** `+12.5 %` / `−3.0 %` change against the previous week; `new` without one. */
export function change(now: number, before: number): string {
  if (before === 0) return now === 0 ? '0\u00a0%' : 'new';
  const p = ((now - before) / Math.abs(before)) * 100;
  return `${p >= 0 ? '+' : '−'}${num(Math.abs(p), 1)}\u00a0%`;
}

function res(r: ResourcesOut): string {
  return `${cores(r.cpu_cores)} cores, ${gib(r.memory_bytes)}`;
}

export function money(x: number | undefined, currency: string | undefined): string {
  return x === undefined ? '–' : `${num(x, 2)}${currency !== undefined ? ` ${currency}` : ''}`;
}

/** Section 1: reserved vs used vs waste, this week against the previous. */
export function totalsTable(f: WeeklyFigures): TableModel {
  const t = f.totals;
  const p = f.previous.totals;
  const line = (name: string, pick: (x: WeekTotals) => Hours, k: keyof Hours, unit: string): string[] => [
    `${name} (${unit})`,
    num(pick(t)[k]),
    num(pick(p)[k]),
    change(pick(t)[k], pick(p)[k]),
  ];
  const rows: string[][] = [
    line('CPU reserved', (x) => x.reserved, 'cpu_core_hours', 'core-h'),
    line('CPU used', (x) => x.used, 'cpu_core_hours', 'core-h'),
    line('CPU waste', (x) => x.waste, 'cpu_core_hours', 'core-h'),
    line('Memory reserved', (x) => x.reserved, 'memory_gib_hours', 'GiB-h'),
    line('Memory used', (x) => x.used, 'memory_gib_hours', 'GiB-h'),
    line('Memory waste', (x) => x.waste, 'memory_gib_hours', 'GiB-h'),
  ];
  if (t.cost !== undefined || p.cost !== undefined)
    rows.push(['Waste cost', money(t.cost?.total, f.currency), money(p.cost?.total, f.currency), change(t.cost?.total ?? 0, p.cost?.total ?? 0)]);
  rows.push(['Builds', String(t.builds), String(p.builds), change(t.builds, p.builds)]);
  return { header: ['', f.week, f.previous.week, 'change'], rows, numeric: [1, 2, 3] };
}

/** Section 2: the jobs with the largest weekly savings. */
export function topJobsTable(f: WeeklyFigures): TableModel {
  const priced = f.jobs.some((j) => j.savings.cost_per_week !== undefined);
  const rows = f.jobs.slice(0, f.top_jobs).map((j: JobRow) => [
    j.job,
    j.label ?? '–',
    `${res(j.current)} → ${res(j.recommended)}`,
    num(j.savings.cpu_core_hours_per_week),
    num(j.savings.memory_gib_hours_per_week),
    ...(priced ? [money(j.savings.cost_per_week, f.currency)] : []),
    j.confidence,
    j.move_to ?? '–',
  ]);
  return {
    header: ['job', 'label', 'current → recommended', 'saves core-h/wk', 'saves GiB-h/wk', ...(priced ? ['saves/wk'] : []), 'confidence', 'move to label'],
    rows,
    numeric: priced ? [3, 4, 5] : [3, 4],
    ...(f.jobs.length > f.top_jobs ? { note: `${f.jobs.length - f.top_jobs} more job(s) in the CSV.` } : {}),
  };
}

const MAX_LISTED = 30;

/** Section 3: jobs at risk. */
export function riskTable(f: WeeklyFigures): TableModel {
  const rows = f.at_risk.slice(0, MAX_LISTED).map((r) => [
    r.job,
    r.label ?? '–',
    String(r.builds),
    String(r.oom_killed),
    String(r.throttled),
    r.above_label ? `yes: ${res(r.current)} → ${res(r.recommended)}` : 'no',
  ]);
  return {
    header: ['job', 'label', 'builds', 'OOM-killed', 'CPU-throttled', 'recommendation above today'],
    rows,
    numeric: [2, 3, 4],
    ...(f.at_risk.length > MAX_LISTED ? { note: `${f.at_risk.length - MAX_LISTED} more job(s) at risk in the JSON figures.` } : {}),
  };
}

/** Section 4: queue waits per label beside what the label reserved and used. */
export function labelsTable(f: WeeklyFigures): TableModel {
  return {
    header: ['label', 'builds', 'wait p50', 'wait p95', 'reserved cores', 'used cores', 'reserved GiB', 'used GiB'],
    rows: f.labels.map((l) => [
      l.label,
      String(l.builds),
      seconds(l.queue_wait_p50_ms),
      seconds(l.queue_wait_p95_ms),
      num(l.allocated_cpu_cores, 2),
      num(l.used_cpu_cores, 2),
      num(l.allocated_memory_gib, 2),
      num(l.used_memory_gib, 2),
    ]),
    numeric: [1, 2, 3, 4, 5, 6, 7],
    note: 'Queue waits of the builds that ended this week; reserved and used are means over the week (core-hours or GiB-hours ÷ hours of the week).',
  };
}

/** The cluster line under section 4. */
export function clusterLine(f: WeeklyFigures): string {
  const c = f.cluster;
  const mesos =
    c.cpu_total_cores !== undefined && c.cpu_allocated_cores !== undefined
      ? `Mesos allocated ${num(c.cpu_allocated_cores)} of ${num(c.cpu_total_cores)} cores on average (${num((c.cpu_allocated_cores / c.cpu_total_cores) * 100, 0)} %, peak ${num(c.cpu_allocated_peak_cores)})` +
        (c.memory_total_gib !== undefined && c.memory_allocated_gib !== undefined ? ` and ${num(c.memory_allocated_gib)} of ${num(c.memory_total_gib)} GiB` : '') +
        '. '
      : 'No Mesos master documents for this week. ';
  return (
    mesos +
    `Builds reserved ${num(c.builds_reserved_cpu_cores, 2)} cores and used ${num(c.builds_used_cpu_cores, 2)} on average ` +
    `(${num(c.builds_reserved_memory_gib, 2)} GiB reserved, ${num(c.builds_used_memory_gib, 2)} GiB used). ` +
    'Long waits on a label with low use point at reservations, not at capacity.'
  );
}

/** Section 5: the label plan. */
export function planTables(f: WeeklyFigures): { sizes: TableModel; moves: TableModel } | undefined {
  const p = f.plan;
  if (!p) return undefined;
  return {
    sizes: {
      header: ['planned label', 'cores', 'memory', 'jobs'],
      rows: p.labels.map((l) => [l.name, cores(l.cpu_cores), gib(l.memory_bytes), String(l.jobs)]),
      numeric: [1, 2, 3],
    },
    moves: {
      header: ['job', 'from', 'to'],
      rows: p.moves.slice(0, MAX_LISTED).map((m) => [m.job, m.from ?? '(no label)', m.to]),
      numeric: [],
      ...(p.moves.length > MAX_LISTED ? { note: `${p.moves.length - MAX_LISTED} more move(s) in the JSON figures.` } : {}),
    },
  };
}

/** Section 6: the capacity forecast as sentences. */
export function forecastLines(f: WeeklyFigures): string[] {
  const out: string[] = [];
  const one = (name: string, unit: string, fc: WeeklyFigures['forecast']['cpu']): void => {
    if (fc.slope_per_day === undefined) {
      out.push(`${name}: not enough days of allocation data for a trend.`);
      return;
    }
    const trend = `${name}: the daily peak allocation is ${num(fc.fitted_last)} ${unit} on the trend, ${fc.slope_per_day >= 0 ? '+' : '−'}${num(Math.abs(fc.slope_per_day), 2)} ${unit} per day over ${fc.series.length} days`;
    if (fc.capacity === undefined) out.push(`${trend}; capacity unknown (no Mesos master documents), so no date for 90 %.`);
    else if (fc.days_until_90 === 0) out.push(`${trend}; already at or above 90 % of ${num(fc.capacity)} ${unit}.`);
    else if (fc.days_until_90 === undefined) out.push(`${trend}; at this trend it does not reach 90 % of ${num(fc.capacity)} ${unit}.`);
    else out.push(`${trend}; 90 % of ${num(fc.capacity)} ${unit} in about ${num(fc.days_until_90, 0)} days.`);
  };
  one('CPU', 'cores', f.forecast.cpu);
  one('Memory', 'GiB', f.forecast.memory_gib);
  return out;
}

/** Section 7: collection health as sentences. */
export function healthLines(f: WeeklyFigures): string[] {
  const h = f.health;
  const out = [
    `${h.builds} build(s) ended this week; ${h.withoutSamples} without any usage reading, ${h.lowCoverage} with readings covering less than 80 % of the build` +
      (h.meanCoverage !== undefined ? `; mean coverage ${num(h.meanCoverage * 100, 1)}\u00a0%.` : '.'),
    `${h.wasteSkipped} build(s) lacked a request or a usage measurement and are not in the totals (counted, not guessed).`,
  ];
  const c = h.collection;
  if (c) {
    out.push(`${c.hoursWithoutReadings} of ${c.hours} hour(s) of the week have no container reading (collection gaps).`);
    out.push(
      c.agentsNotReporting.length === 0
        ? `All ${c.agents} agent(s) seen this week kept reporting.`
        : `${c.agentsNotReporting.length} of ${c.agents} agent(s) stopped reporting: ${c.agentsNotReporting.slice(0, 20).join(', ')}${c.agentsNotReporting.length > 20 ? ', …' : ''}.`,
    );
  } else out.push('No collector documents in this source (a trace): gaps and agents are not known.');
  return out;
}

/** `Monday 2026-11-16 to Sunday 2026-11-22 (UTC); …` */
export function periodText(f: WeeklyFigures): string {
  const day = (iso: string, backMs = 0): string =>
    new Intl.DateTimeFormat('en-CA', { timeZone: f.time_zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.parse(iso) - backMs));
  return `Monday ${day(f.period.start)} to Sunday ${day(f.period.end, 1)} (${f.time_zone}; a build counts in the week it ended)`;
}

/** An instant as `2026-11-22 23:59` in the report's zone. */
export function instantText(iso: string, timeZone: string): string {
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  return parts.replace(',', '');
}

export function title(f: WeeklyFigures): string {
  return `rightsize weekly report ${f.week}`;
}

/** One-line summary (mail subject and the first line of the plain text). */
export function summaryLine(f: WeeklyFigures): string {
  const t = f.totals;
  const cost = t.cost !== undefined ? `, ${money(t.cost.total, f.currency)}` : '';
  return `${title(f)}: ${num(t.waste.cpu_core_hours, 0)} core-h and ${num(t.waste.memory_gib_hours, 0)} GiB-h reserved but unused${cost} (${change(t.waste.cpu_core_hours, f.previous.totals.waste.cpu_core_hours)} CPU waste vs ${f.previous.week})`;
}
