import type { StoredReport } from '../../model/index.js';
import type { WeeklyFigures } from './figures.js';
import { renderCsv, renderHtml, renderMarkdown } from './render/index.js';

/** Every format of one report, rendered from the same figures. */
export function renderReport(figures: WeeklyFigures, generatedAtMs: number): StoredReport {
  return {
    id: reportId(figures.week),
    kind: 'weekly',
    period: figures.week,
    generatedAtMs,
    figures,
    html: renderHtml(figures),
    markdown: renderMarkdown(figures),
    csv: renderCsv(figures),
  };
}

/** `weekly:2026-W47` */
export function reportId(week: string): string {
  return `weekly:${week}`;
}
