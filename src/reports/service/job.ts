import { RightsizeError, toError } from '../../errors/index.js';
import type { Notifier, OutboundMessage, ReportSink, ScheduledJob, StoredReport } from '../../model/index.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { isoWeekOf, previousWeek, renderReport, summaryLine, type IsoWeek, type WeeklyFigures } from '../weekly/index.js';

/** The week a report made at `nowMs` covers by default: the last complete ISO week of the zone. */
export function lastCompleteWeek(nowMs: number, timeZone: string): IsoWeek {
  return previousWeek(isoWeekOf(nowMs, timeZone));
}

/** The email of a report: the Markdown as plain text, the HTML as the body. One id per report, so an outbox sends it once per receiver. */
export function reportMessage(report: StoredReport): OutboundMessage {
  return {
    id: report.id,
    kind: 'report',
    severity: 'ok',
    subject: summaryLine(report.figures as WeeklyFigures),
    text: report.markdown,
    html: report.html,
    createdAtMs: report.generatedAtMs,
  };
}

/**
 * Sends a report through every notifier, each independently (one failing receiver never keeps
 * the others from getting it). Throws `RS_ERR_REPORT_SEND` naming each receiver that failed.
 */
export async function sendReport(report: StoredReport, notifiers: readonly Notifier[], signal: AbortSignal): Promise<string[]> {
  const message = reportMessage(report);
  const results = await Promise.allSettled(notifiers.map((n) => n.send(message, signal)));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${notifiers[i]!.receiver}: ${toError(r.reason).message}`] : []));
  if (failed.length > 0) throw new RightsizeError('RS_ERR_REPORT_SEND', `report ${report.id} not delivered to ${failed.join('; ')}`);
  return notifiers.map((n) => n.receiver);
}

export interface WeeklyReportDeps {
  /** `report.schedule` (node-cron). */
  readonly cron: string;
  /** `report.timezone`. */
  readonly timeZone: string;
  readonly clock: Clock;
  /** Computes the figures of a week (from Elasticsearch in production). */
  readonly figures: (week: IsoWeek, generatedAtMs: number, signal: AbortSignal) => Promise<WeeklyFigures>;
  readonly sink: ReportSink;
  /** The email notifiers of `report.receivers` (may be empty: then the report is only stored). */
  readonly notifiers: readonly Notifier[];
  readonly logger: Logger;
  /** @defaultValue 10 min */
  readonly timeoutMs?: number;
}

/** Makes, stores and sends the report of the last complete week once. */
export async function runWeeklyReport(deps: WeeklyReportDeps, signal: AbortSignal): Promise<StoredReport> {
  const nowMs = deps.clock.nowMs();
  const week = lastCompleteWeek(nowMs, deps.timeZone);
  const figures = await deps.figures(week, nowMs, signal);
  const report = renderReport(figures, nowMs);
  await deps.sink.put(report);
  if (deps.notifiers.length > 0) await sendReport(report, deps.notifiers, signal);
  deps.logger.info({ report: report.id, receivers: deps.notifiers.map((n) => n.receiver), jobs: figures.jobs.length }, 'weekly report made');
  return report;
}

/** The scheduled weekly report (cron `report.schedule` in `report.timezone`), for the composition roots. */
export function weeklyReportJob(deps: WeeklyReportDeps): ScheduledJob {
  return {
    name: 'weekly-report',
    schedule: { cron: deps.cron, timezone: deps.timeZone },
    timeoutMs: deps.timeoutMs ?? 10 * 60_000,
    run: async (signal) => {
      await runWeeklyReport(deps, signal);
    },
  };
}
