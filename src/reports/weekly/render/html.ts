import type { WeeklyFigures } from '../figures.js';
import { barChart, escapeXml, lineChart } from '../svg.js';
import { clusterLine, instantText, periodText, forecastLines, healthLines, labelsTable, planTables, riskTable, summaryLine, title, topJobsTable, totalsTable, type TableModel } from './tables.js';

// Inline styles only: many mail clients drop <style> blocks and never load outside resources.
const S = {
  body: 'margin:0;padding:16px;background:#f4f5f7;font-family:Helvetica,Arial,sans-serif;color:#222222;font-size:14px;line-height:1.4;',
  card: 'max-width:980px;margin:0 auto;background:#ffffff;padding:20px 24px;border:1px solid #dddddd;',
  h1: 'font-size:20px;margin:0 0 4px 0;',
  h2: 'font-size:16px;margin:24px 0 8px 0;padding-bottom:4px;border-bottom:2px solid #2c6fbb;',
  meta: 'color:#666666;font-size:12px;margin:0 0 12px 0;',
  table: 'border-collapse:collapse;width:100%;font-size:13px;',
  th: 'text-align:left;background:#eef2f7;border:1px solid #d5dbe3;padding:4px 6px;',
  td: 'border:1px solid #e1e4e8;padding:4px 6px;vertical-align:top;',
  num: 'text-align:right;',
  nowrap: 'white-space:nowrap;',
  // Long job names may break anywhere rather than widen the table past the mail pane.
  name: 'overflow-wrap:anywhere;word-break:break-word;',
  note: 'color:#666666;font-size:12px;margin:4px 0 0 0;',
  p: 'margin:6px 0;',
};

const e = escapeXml;

function table(t: TableModel): string {
  if (t.rows.length === 0) return `<p style="${S.p}">None.</p>`;
  const num = new Set(t.numeric);
  const head = t.header.map((h, i) => `<th style="${S.th}${num.has(i) ? S.num : ''}">${e(h)}</th>`).join('');
  const cell = (i: number): string => (num.has(i) ? S.num + S.nowrap : i === 0 ? S.name : '');
  const body = t.rows.map((r) => `<tr>${r.map((c, i) => `<td style="${S.td}${cell(i)}">${e(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table style="${S.table}" cellpadding="0" cellspacing="0" role="presentation"><tr>${head}</tr>\n${body}</table>` + (t.note !== undefined ? `<p style="${S.note}">${e(t.note)}</p>` : '');
}

const para = (lines: readonly string[]): string => lines.map((l) => `<p style="${S.p}">${e(l)}</p>`).join('\n');

/**
 * The report as one self-contained HTML document: inline CSS, charts as inline SVG, no script, no
 * outside resource; every name from the data is escaped.
 */
export function renderHtml(f: WeeklyFigures): string {
  const t = f.totals;
  const p = f.previous.totals;
  const usage = barChart(
    'Reserved vs used',
    [
      { label: `CPU ${f.week}`, bars: [{ name: 'reserved', value: t.reserved.cpu_core_hours, color: '#9bb7d9' }, { name: 'used', value: t.used.cpu_core_hours, color: '#2c6fbb' }] },
      { label: `CPU ${f.previous.week}`, bars: [{ name: 'reserved', value: p.reserved.cpu_core_hours, color: '#c9c9c9' }, { name: 'used', value: p.used.cpu_core_hours, color: '#7f7f7f' }] },
    ],
    'core-h',
  );
  const usageMem = barChart(
    'Reserved vs used memory',
    [
      { label: `Memory ${f.week}`, bars: [{ name: 'reserved', value: t.reserved.memory_gib_hours, color: '#b5d9a8' }, { name: 'used', value: t.used.memory_gib_hours, color: '#3c8d2f' }] },
      { label: `Memory ${f.previous.week}`, bars: [{ name: 'reserved', value: p.reserved.memory_gib_hours, color: '#c9c9c9' }, { name: 'used', value: p.used.memory_gib_hours, color: '#7f7f7f' }] },
    ],
    'GiB-h',
  );
  const fc = f.forecast.cpu;
  const trend = fc.slope_per_day !== undefined && fc.fitted_last !== undefined ? fc.series.map((_, i) => fc.fitted_last! - fc.slope_per_day! * (fc.series.length - 1 - i)) : [];
  const forecastChart = lineChart(
    'Daily peak CPU allocation',
    f.forecast.days,
    [{ name: 'daily peak', values: fc.series, color: '#2c6fbb' }, ...(trend.length > 0 ? [{ name: 'linear trend', values: trend, color: '#e67e22', dashed: true }] : [])],
    'cores',
    fc.capacity !== undefined ? { value: fc.capacity * 0.9, name: '90 % of capacity' } : undefined,
  );
  const plan = planTables(f);
  const sections = [
    `<h1 style="${S.h1}">${e(title(f))}</h1>`,
    `<p style="${S.meta}">${e(`${periodText(f)} · recommendations as of ${instantText(f.as_of, f.time_zone)} · from ${f.source} · made ${instantText(f.generated_at, f.time_zone)}`)}</p>`,
    `<p style="${S.p}"><b>${e(summaryLine(f))}</b></p>`,
    `<h2 style="${S.h2}">1. Reserved vs used, against ${e(f.previous.week)}</h2>`,
    table(totalsTable(f)),
    `<div style="margin-top:8px;">${usage}</div><div>${usageMem}</div>`,
    `<h2 style="${S.h2}">2. The ${f.top_jobs} jobs with the largest savings</h2>`,
    table(topJobsTable(f)),
    `<h2 style="${S.h2}">3. Jobs at risk</h2>`,
    `<p style="${S.note}">OOM-killed or CPU-throttled builds this week, or a recommendation above what the job reserves today.</p>`,
    table(riskTable(f)),
    `<h2 style="${S.h2}">4. Queue waits per label, allocation and use</h2>`,
    table(labelsTable(f)),
    `<p style="${S.p}">${e(clusterLine(f))}</p>`,
    `<h2 style="${S.h2}">5. Label plan changes</h2>`,
    plan ? `${table(plan.sizes)}<p style="${S.p}">${e(`${f.plan!.moves.length} job(s) would move:`)}</p>${table(plan.moves)}` : `<p style="${S.p}">No label plan.</p>`,
    `<h2 style="${S.h2}">6. Capacity forecast</h2>`,
    para(forecastLines(f)),
    `<div>${forecastChart}</div>`,
    `<h2 style="${S.h2}">7. Collection health</h2>`,
    para(healthLines(f)),
  ];
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${e(title(f))}</title></head>\n<body style="${S.body}"><div style="${S.card}">\n${sections.join('\n')}\n</div></body></html>\n`
  );
}
