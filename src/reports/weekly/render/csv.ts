import { formatCsv } from '../../../analysis/index.js';
import type { WeeklyFigures } from '../figures.js';
import { GiB } from '../../../util/units.js';

const gib = (b: number | undefined): number | undefined => (b === undefined ? undefined : Math.round((b / GiB) * 1000) / 1000);

/**
 * One row per recommended job, largest weekly savings first (RFC 4180, analysis' `formatCsv`).
 * A cell starting with `=`, `+`, `-` or `@` gets a leading `'` so a spreadsheet never runs a
 * job name as a formula.
 */
export function renderCsv(f: WeeklyFigures): string {
  const priced = f.jobs.some((j) => j.savings.cost_per_week !== undefined);
  const safe = (s: string | undefined): string | undefined => (s !== undefined && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
  return formatCsv(
    [
      'week',
      'job',
      'label',
      'cpu_now',
      'cpu_rec',
      'mem_now_gib',
      'mem_rec_gib',
      'save_core_h_wk',
      'save_gib_h_wk',
      ...(priced ? ['save_cost_wk'] : []),
      'confidence',
      'severity',
      'builds',
      'move_to',
      'reasons',
    ],
    f.jobs.map((j) => [
      f.week,
      safe(j.job),
      safe(j.label),
      j.current.cpu_cores,
      j.recommended.cpu_cores,
      gib(j.current.memory_bytes),
      gib(j.recommended.memory_bytes),
      j.savings.cpu_core_hours_per_week,
      j.savings.memory_gib_hours_per_week,
      ...(priced ? [j.savings.cost_per_week] : []),
      j.confidence,
      j.severity,
      j.builds,
      safe(j.move_to),
      j.reasons.join(' '),
    ]),
  );
}
