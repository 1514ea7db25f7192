// Reports (pure core in weekly/; the Elasticsearch shell is reports/service/).
export {
  parseIsoWeek,
  isoWeekOf,
  weekRange,
  previousWeek,
  weekLabel,
  timeZoneProblem,
  WeekBuildsAccumulator,
  dailyPeaksFromBuilds,
  weeklyFigures,
  totalsOf,
  figuresFromBuilds,
  toReportBuild,
  asOfMs,
  FORECAST_DAYS,
  renderReport,
  reportId,
  renderHtml,
  renderMarkdown,
  renderCsv,
  summaryLine,
} from './weekly/index.js';
export type { IsoWeek, WeekRange, ReportBuild, WeeklyFigures, WeeklySources, WeekTotals, JobRow, ClusterWeek, CollectionWeek, DailyPeak, FromBuildsOptions } from './weekly/index.js';
