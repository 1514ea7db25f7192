import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../../src/analysis/index.js';
import { RightsizeError } from '../../../../src/errors/index.js';
import type { Notifier, OutboundMessage } from '../../../../src/model/index.js';
import { figuresFromBuilds, renderReport } from '../../../../src/reports/index.js';
import {
  fromReportDocument,
  InMemoryReportSink,
  lastCompleteWeek,
  reportDocument,
  runWeeklyReport,
  sendReport,
  weeklyReportJob,
} from '../../../../src/reports/service/index.js';
import { ManualClock, silentLogger } from '../../../../src/util/index.js';
import { build } from '../weekly/fixture.js';

class RecordingNotifier implements Notifier {
  readonly kind = 'email';
  readonly sent: OutboundMessage[] = [];
  constructor(
    readonly receiver: string,
    private readonly fail = false,
  ) {}
  send(message: OutboundMessage): Promise<void> {
    if (this.fail) return Promise.reject(new RightsizeError('RS_ERR_HTTP_CONNECT', 'smtp refused'));
    this.sent.push(message);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const docs = [build({ job: 'team/a', number: 1, label: 'small', startIso: '2026-11-17T10:00:00Z', hours: 2, cpu: 2, memGib: 4, coreSeconds: 3600, avgGib: 1 })];

describe('the scheduled weekly report', () => {
  it('covers the last complete week of the zone', () => {
    const mondayMorning = Date.parse('2026-11-23T08:00:00Z');
    expect(lastCompleteWeek(mondayMorning, 'UTC')).toEqual({ year: 2026, week: 47 });
    // Sunday 23:30 UTC is already Monday in Berlin: the complete week there is W47 too.
    expect(lastCompleteWeek(Date.parse('2026-11-22T23:30:00Z'), 'Europe/Berlin')).toEqual({ year: 2026, week: 47 });
    expect(lastCompleteWeek(Date.parse('2026-11-22T23:30:00Z'), 'UTC')).toEqual({ year: 2026, week: 46 });
  });

  it('runs on the configured cron in the configured zone, stores the report and sends it once per receiver', async () => {
    const clock = new ManualClock(Date.parse('2026-11-23T08:00:00Z'));
    const sink = new InMemoryReportSink();
    const mail = new RecordingNotifier('team-leads');
    const weeks: string[] = [];
    const job = weeklyReportJob({
      cron: '0 8 * * 1',
      timeZone: 'Europe/Berlin',
      clock,
      sink,
      notifiers: [mail],
      logger: silentLogger(),
      figures: (week, generatedAtMs) => {
        weeks.push(`${week.year}-W${week.week}`);
        return Promise.resolve(figuresFromBuilds(docs, { week, timeZone: 'Europe/Berlin', policy: DEFAULT_POLICY, planK: 4, generatedAtMs }));
      },
    });
    expect(job.schedule).toEqual({ cron: '0 8 * * 1', timezone: 'Europe/Berlin' });
    await job.run(new AbortController().signal);
    expect(weeks).toEqual(['2026-W47']);
    const stored = await sink.get('weekly:2026-W47');
    expect(stored?.generatedAtMs).toBe(clock.nowMs());
    expect(stored?.html).toContain('2026-W47');
    expect(mail.sent).toHaveLength(1);
    expect(mail.sent[0]).toMatchObject({ id: 'weekly:2026-W47', kind: 'report', html: stored!.html, text: stored!.markdown });
    expect(mail.sent[0]!.subject).toContain('rightsize weekly report 2026-W47');
  });

  it('a failing receiver does not keep the others from the report, and is named in the error', async () => {
    const report = renderReport(figuresFromBuilds(docs, { week: { year: 2026, week: 47 }, timeZone: 'UTC', policy: DEFAULT_POLICY, planK: 4, generatedAtMs: 1 }), 1);
    const ok = new RecordingNotifier('ok');
    const bad = new RecordingNotifier('broken', true);
    const err = await sendReport(report, [bad, ok], new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RightsizeError);
    expect((err as RightsizeError).code).toBe('RS_ERR_REPORT_SEND');
    expect((err as Error).message).toContain('broken: smtp refused');
    expect(ok.sent).toHaveLength(1);
  });

  it('stores the report even when sending fails', async () => {
    const sink = new InMemoryReportSink();
    const deps = {
      cron: '0 8 * * 1',
      timeZone: 'UTC',
      clock: new ManualClock(Date.parse('2026-11-23T08:00:00Z')),
      sink,
      notifiers: [new RecordingNotifier('broken', true)],
      logger: silentLogger(),
      figures: (week: { year: number; week: number }, generatedAtMs: number) =>
        Promise.resolve(figuresFromBuilds(docs, { week, timeZone: 'UTC', policy: DEFAULT_POLICY, planK: 4, generatedAtMs })),
    };
    await expect(runWeeklyReport(deps, new AbortController().signal)).rejects.toThrow(/broken/);
    expect(await sink.get('weekly:2026-W47')).toBeDefined();
  });

  it('a stored document reads back as the same report', () => {
    const report = renderReport(figuresFromBuilds(docs, { week: { year: 2026, week: 47 }, timeZone: 'UTC', policy: DEFAULT_POLICY, planK: 4, generatedAtMs: 5 }), 5);
    const doc = reportDocument(report);
    expect(doc).toMatchObject({ report: { id: 'weekly:2026-W47', kind: 'weekly', period: '2026-W47', time_zone: 'UTC' }, period: { start: '2026-11-16T00:00:00.000Z' }, totals: { builds: 1 } });
    expect(fromReportDocument(JSON.parse(JSON.stringify(doc)))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(fromReportDocument({ report: { id: 'x' } })).toBeUndefined();
  });
});
