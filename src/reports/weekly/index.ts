// The weekly report's pure core: ISO weeks, the figures, and the HTML / Markdown / CSV renderers.
export { parseIsoWeek, isoWeekOf, isoWeekOfDate, weekRange, previousWeek, weekLabel, timeZoneProblem, localDay, localMidnightMs } from './isoWeek.js';
export type { IsoWeek, WeekRange } from './isoWeek.js';
export { WeekBuildsAccumulator, dailyPeaksFromBuilds, LOW_COVERAGE } from './weekBuilds.js';
export type { ReportBuild, JobWeek, LabelWeek, BuildHealth, WeekBuildsResult, DailyPeak } from './weekBuilds.js';
export { weeklyFigures, totalsOf, jobRow, forecast } from './figures.js';
export type { WeeklyFigures, WeeklySources, WeekTotals, Hours, JobRow, RiskRow, LabelRow, ResourceForecast, ClusterWeek, CollectionWeek } from './figures.js';
export { figuresFromBuilds, toReportBuild, asOfMs, FORECAST_DAYS } from './fromBuilds.js';
export type { FromBuildsOptions } from './fromBuilds.js';
export { renderReport, reportId } from './report.js';
export { renderHtml, renderMarkdown, renderCsv, escapeMarkdown, summaryLine, title } from './render/index.js';
export { escapeXml, barChart, lineChart } from './svg.js';
