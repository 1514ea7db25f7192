import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Client } from '@elastic/elasticsearch';
import type { Command } from 'commander';
import { loadConfig, receiverKind, type Config, type ReceiverConfig } from '../../config/index.js';
import { notifiersFromConfig, type Env } from '../../notifiers/index.js';
import { RightsizeError } from '../../errors/index.js';
import type { BuildDoc, Notifier, StoredReport } from '../../model/index.js';
import { ElasticsearchReportSink, lastCompleteWeek, sendReport, weeklyFromStore, weeklyReportJob } from '../../reports/service/index.js';
import { figuresFromBuilds, isoWeekOf, parseIsoWeek, renderReport, timeZoneProblem, type IsoWeek, type WeeklyFigures } from '../../reports/index.js';
import { Scheduler, cronProblems } from '../../scheduler/index.js';
import { createEsClient } from '../../store/index.js';
import { systemClock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { writeLine, type CliContext } from '../context.js';
import { ensureTemplates } from '../templates.js';
import { pricesFromConfig, runPolicy } from './analyze.js';
import { parseTrace } from '../../analysis/index.js';

interface WeeklyOptions {
  week?: string;
  out?: string;
  format?: string;
  send?: boolean;
  from?: string;
  config?: string;
  dryRun?: boolean;
}

const FORMATS = ['html', 'md', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

/**
 * Reads a trace of builds documents: a file, a gzip file (`.gz`), or `-` for stdin; parsed and
 * reported like `replay --trace`: refused lines counted, the first five printed with their line numbers.
 */
export function readTraceInput(spec: string, ctx: CliContext): BuildDoc[] {
  let text: string;
  try {
    const raw = readFileSync(spec === '-' ? 0 : spec);
    text = (spec.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  } catch (err) {
    throw new RightsizeError('RS_ERR_TRACE_READ', `cannot read trace ${spec}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const parsed = parseTrace(text);
  if (parsed.problems.length > 0) {
    writeLine(ctx.stderr, `warning: skipped ${parsed.problems.length} of ${parsed.lines} line(s) of ${spec}`);
    for (const p of parsed.problems.slice(0, 5)) writeLine(ctx.stderr, `  line ${p.line}: ${p.code}: ${p.message}`);
  }
  if (parsed.builds.length === 0) throw new RightsizeError('RS_ERR_PARSE_SHAPE', `${spec} holds no valid builds document (${parsed.lines} non-empty line(s))`);
  return parsed.builds;
}

/** `report.timezone` and `report.schedule`, checked (a bad one is a configuration error, not a crash at the first tick). */
export function checkReportConfig(config: Config): void {
  const tz = timeZoneProblem(config.report.timezone);
  if (tz !== undefined) throw new RightsizeError('RS_ERR_CONFIG_INVALID', `report.timezone: ${tz}`);
  const cron = cronProblems(config.report.schedule);
  if (cron.length > 0) throw new RightsizeError('RS_ERR_CONFIG_INVALID', `report.schedule: '${config.report.schedule}' is not a cron expression: ${cron.join('; ')}`);
}

/**
 * The email notifiers of `report.receivers`, built by the notifiers module from `receivers.<name>`
 * (secrets from `env`). An unknown name is `RS_ERR_NOTIFY_RECEIVER_UNKNOWN`; a receiver that is not
 * email is a configuration error (the report is an HTML mail).
 */
export function reportNotifiers(config: Config, env: Env): Notifier[] {
  const names = config.report.receivers;
  if (names.length === 0) return [];
  const picked: Record<string, ReceiverConfig> = {};
  for (const name of names) {
    const r = config.receivers[name];
    if (r === undefined)
      throw new RightsizeError('RS_ERR_NOTIFY_RECEIVER_UNKNOWN', `report.receivers names '${name}', but receivers.${name} is not configured (known: ${Object.keys(config.receivers).join(', ') || 'none'})`);
    if (receiverKind(r) !== 'email') throw new RightsizeError('RS_ERR_CONFIG_INVALID', `report.receivers: receivers.${name} is not an email receiver; the weekly report is sent by email`);
    picked[name] = r;
  }
  return [...notifiersFromConfig({ ...config, receivers: picked }, env).values()];
}

function weekOption(text: string | undefined, fallback: () => IsoWeek): IsoWeek {
  if (text === undefined) return fallback();
  const w = parseIsoWeek(text);
  if (w === undefined) throw new RightsizeError('RS_ERR_CLI_USAGE', `--week must be an ISO week such as 2026-W47 (that exists in its year), got "${text}"`);
  return w;
}

/** The figures of a week from Elasticsearch (what `serve`'s schedule and `report weekly` without `--from` use). */
export async function figuresFromStore(config: Config, client: Client, week: IsoWeek, generatedAtMs: number, signal?: AbortSignal): Promise<{ figures: WeeklyFigures; note: string }> {
  const prices = pricesFromConfig(config.analysis);
  const r = await weeklyFromStore({
    client,
    prefix: config.elasticsearch.indexPrefix,
    url: config.elasticsearch.url,
    week,
    timeZone: config.report.timezone,
    policy: runPolicy(config.analysis, {}),
    planK: config.analysis.labelPlan.maxSizes,
    topJobs: config.report.topJobs,
    generatedAtMs,
    ...(prices ? { prices } : {}),
    ...(signal ? { signal } : {}),
  });
  const note =
    `read ${r.figures.jobs.length} job recommendation(s) and ${r.scanned} build(s) of ${r.figures.previous.week}..${r.figures.week}` +
    (r.malformed + r.skippedRecommendations > 0 ? ` (skipped ${r.malformed} malformed build(s), ${r.skippedRecommendations} malformed recommendation(s))` : '');
  return { figures: r.figures, note };
}

function writeOut(dir: string, report: StoredReport): string[] {
  try {
    mkdirSync(dir, { recursive: true });
    const base = join(dir, `rightsize-weekly-${report.period}`);
    const files: Array<[string, string]> = [
      [`${base}.html`, report.html],
      [`${base}.md`, report.markdown],
      [`${base}.csv`, report.csv],
    ];
    for (const [f, body] of files) writeFileSync(f, body);
    return files.map(([f]) => f);
  } catch (err) {
    throw new RightsizeError('RS_ERR_CLI_USAGE', `cannot write the report into ${dir}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function printFormat(ctx: CliContext, report: StoredReport, format: Format): void {
  if (format === 'html') ctx.stdout.write(report.html);
  else if (format === 'md') ctx.stdout.write(report.markdown);
  else if (format === 'csv') ctx.stdout.write(report.csv);
  else writeLine(ctx.stdout, JSON.stringify(report.figures, null, 2));
}

async function weekly(opts: WeeklyOptions, ctx: CliContext): Promise<void> {
  if (opts.format !== undefined && !(FORMATS as readonly string[]).includes(opts.format))
    throw new RightsizeError('RS_ERR_CLI_USAGE', `--format must be html, md, csv or json, got "${opts.format}"`);
  if (opts.week !== undefined) weekOption(opts.week, () => ({ year: 0, week: 0 })); // a bad --week fails before anything is read
  const { config } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
  checkReportConfig(config);
  const notifiers = opts.send === true ? reportNotifiers(config, ctx.env) : [];
  if (opts.send === true && notifiers.length === 0) throw new RightsizeError('RS_ERR_CLI_USAGE', '--send needs at least one name in report.receivers');
  const tz = config.report.timezone;
  const generatedAtMs = Date.now();
  let report: StoredReport;
  let client: Client | undefined;
  try {
    if (opts.from !== undefined) {
      const docs = readTraceInput(opts.from, ctx);
      const newest = docs.reduce((m, d) => Math.max(m, d.build.end), -Infinity);
      const week = weekOption(opts.week, () => isoWeekOf(newest, tz));
      const prices = pricesFromConfig(config.analysis);
      const figures = figuresFromBuilds(docs, {
        week,
        timeZone: tz,
        policy: runPolicy(config.analysis, {}),
        planK: config.analysis.labelPlan.maxSizes,
        topJobs: config.report.topJobs,
        generatedAtMs,
        ...(prices ? { prices } : {}),
      });
      report = renderReport(figures, generatedAtMs);
      writeLine(ctx.stderr, `report ${report.period} from ${docs.length} build(s) of ${opts.from}: ${figures.jobs.length} job(s), ${figures.totals.builds} build(s) in the week`);
    } else {
      client = createEsClient(config.elasticsearch);
      const week = weekOption(opts.week, () => lastCompleteWeek(generatedAtMs, tz));
      const t0 = performance.now();
      const { figures, note } = await figuresFromStore(config, client, week, generatedAtMs);
      const t1 = performance.now();
      report = renderReport(figures, generatedAtMs);
      const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
      writeLine(ctx.stderr, `report ${report.period}: ${note} in ${s(t1 - t0)}, rendered in ${s(performance.now() - t1)}`);
      if (opts.dryRun !== true) {
        const t2 = performance.now();
        await ensureTemplates(client, config);
        await new ElasticsearchReportSink(client, config.elasticsearch.indexPrefix).put(report);
        writeLine(ctx.stderr, `stored as ${report.id} in ${config.elasticsearch.indexPrefix}-reports in ${s(performance.now() - t2)}`);
      }
    }
    if (opts.out !== undefined) for (const f of writeOut(opts.out, report)) writeLine(ctx.stderr, `wrote ${f}`);
    if (opts.format !== undefined || opts.out === undefined) printFormat(ctx, report, (opts.format ?? 'md') as Format);
    if (notifiers.length > 0) {
      const sent = await sendReport(report, notifiers, AbortSignal.timeout(120_000));
      writeLine(ctx.stderr, `sent ${report.id} to ${sent.join(', ')}`);
    }
  } finally {
    await Promise.all(notifiers.map((n) => n.close().catch(() => undefined)));
    await client?.close();
  }
}

/**
 * Schedules the weekly report inside a long-running command (`rightsize serve`): made from
 * Elasticsearch at `report.schedule` in `report.timezone`, stored in `<prefix>-reports` and sent
 * to `report.receivers`. Returns the function that stops the schedule (idempotent).
 */
export function scheduleWeeklyReport(config: Config, client: Client, logger: Logger, env: Env = process.env): () => Promise<void> {
  checkReportConfig(config);
  // A receiver that cannot be built (unknown name, unset secret) fails the start, like any bad config.
  const notifiers = reportNotifiers(config, env);
  const scheduler = new Scheduler({ logger });
  scheduler.add(
    weeklyReportJob({
      cron: config.report.schedule,
      timeZone: config.report.timezone,
      clock: systemClock,
      figures: async (week, generatedAtMs, signal) => (await figuresFromStore(config, client, week, generatedAtMs, signal)).figures,
      sink: new ElasticsearchReportSink(client, config.elasticsearch.indexPrefix),
      notifiers,
      logger,
    }),
  );
  scheduler.start();
  return async () => {
    await scheduler.stop();
    await Promise.all(notifiers.map((n) => n.close().catch(() => undefined)));
  };
}

/** `rightsize report weekly`. */
export function registerReportCommands(program: Command, ctx: CliContext): void {
  const report = program.command('report').description('Reports for people who never open the API.');
  report
    .command('weekly')
    .description(
      'The weekly right-sizing report: reserved vs used core-hours and GiB-hours and the waste against the week before, the jobs with the largest savings, ' +
        'jobs at risk, queue waits per label beside allocation and use, label plan changes, a capacity forecast and collection health. ' +
        'From Elasticsearch (stored in <prefix>-reports unless --dry-run), or from a trace with --from. A build counts in the ISO week (report.timezone) in which it ended.',
    )
    .option('--week <week>', 'ISO week, e.g. 2026-W47 (default: the last complete week; with --from, the week of the newest build)')
    .option('--out <dir>', 'write rightsize-weekly-<week>.html, .md and .csv into this folder')
    .option('--format <format>', 'print html | md | csv | json (the figures) to stdout (default: md when --out is not given)')
    .option('--send', 'email the report to report.receivers')
    .option('--from <file>', 'build it from an NDJSON trace of builds documents (.ndjson, .ndjson.gz, or - for stdin) instead of Elasticsearch')
    .option('--dry-run', 'from Elasticsearch: do not store the report')
    .option('-c, --config <file>', 'config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)')
    .action(async (opts: WeeklyOptions) => weekly(opts, ctx));
}
