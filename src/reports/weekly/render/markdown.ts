import type { WeeklyFigures } from '../figures.js';
import { clusterLine, instantText, periodText, forecastLines, healthLines, labelsTable, planTables, riskTable, summaryLine, title, topJobsTable, totalsTable, type TableModel } from './tables.js';

/**
 * Escapes a cell or a line for Markdown: no raw HTML, no table breaks, no emphasis, code or links
 * from names (`[` is escaped, so a `(` can never start a link target).
 */
export function escapeMarkdown(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters of hostile names become spaces
  return s.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`);
}

function table(t: TableModel): string {
  if (t.rows.length === 0) return 'None.\n';
  const num = new Set(t.numeric);
  const head = `| ${t.header.map(escapeMarkdown).join(' | ')} |`;
  const sep = `| ${t.header.map((_, i) => (num.has(i) ? '---:' : '---')).join(' | ')} |`;
  const rows = t.rows.map((r) => `| ${r.map(escapeMarkdown).join(' | ')} |`);
  return [head, sep, ...rows].join('\n') + '\n' + (t.note !== undefined ? `\n${escapeMarkdown(t.note)}\n` : '');
}

/** The report as Markdown (the same tables as the HTML, without charts). */
export function renderMarkdown(f: WeeklyFigures): string {
  const plan = planTables(f);
  const out = [
    `# ${escapeMarkdown(title(f))}`,
    '',
    escapeMarkdown(`${periodText(f)} · recommendations as of ${instantText(f.as_of, f.time_zone)} · from ${f.source}`),
    '',
    `**${escapeMarkdown(summaryLine(f))}**`,
    '',
    `## 1. Reserved vs used, against ${escapeMarkdown(f.previous.week)}`,
    '',
    table(totalsTable(f)),
    `## 2. The ${f.top_jobs} jobs with the largest savings`,
    '',
    table(topJobsTable(f)),
    '## 3. Jobs at risk',
    '',
    table(riskTable(f)),
    '## 4. Queue waits per label, allocation and use',
    '',
    table(labelsTable(f)),
    escapeMarkdown(clusterLine(f)),
    '',
    '## 5. Label plan changes',
    '',
    plan ? `${table(plan.sizes)}\n${escapeMarkdown(`${f.plan!.moves.length} job(s) would move:`)}\n\n${table(plan.moves)}` : 'No label plan.\n',
    '## 6. Capacity forecast',
    '',
    ...forecastLines(f).map((l) => `- ${escapeMarkdown(l)}`),
    '',
    '## 7. Collection health',
    '',
    ...healthLines(f).map((l) => `- ${escapeMarkdown(l)}`),
    '',
  ];
  return out.join('\n');
}
