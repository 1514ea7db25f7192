import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { DocumentSet, simulate, type GroupedMessage, type SimulatedEvent } from '../../alerts/index.js';
import { AlertStore, evaluationTimes, flappingFromConfig, rulesFromConfig, startAlerts, type ClosableQueue, type DeliveryEvent } from '../../alerts/service/index.js';
import { loadConfig, type Config } from '../../config/index.js';
import { ConfigError, RightsizeError, type ConfigProblem } from '../../errors/index.js';
import { outboxFromConfig, type ReceiverStats } from '../../notifiers/index.js';
import { alertMetricFamilies, buildMetricsApp } from '../../api/index.js';
import { portOption } from '../options.js';
import { keepAliveUntil } from '../../scheduler/index.js';
import { scheduleWeeklyReport } from './report.js';
import { createEsClient } from '../../store/index.js';
import { createLogger } from '../../util/logger.js';
import { parseDurationMs, type Logger } from '../../util/index.js';
import { waitForStopSignal, writeLine, type CliContext } from '../context.js';

interface ConfigOption {
  readonly config?: string;
}

function load(opts: ConfigOption, ctx: CliContext): Config {
  return loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env }).config;
}

/**
 * The delivery queue of the configured receivers (the notifiers' Outbox: retries with backoff,
 * drops after the receiver's max age). A rule naming a receiver that is not configured is a
 * config error, reported with its path.
 */
export function alertQueue(config: Config, ctx: CliContext, logger: Logger, onEvent: (e: DeliveryEvent) => void): ClosableQueue & { stats(): ReceiverStats[] } {
  const configured = Object.keys(config.receivers);
  const problems: ConfigProblem[] = [];
  (config.alerts.rules ?? []).forEach((r, i) => {
    (r.receivers ?? []).forEach((name, j) => {
      if (!configured.includes(name)) problems.push({ path: `/alerts/rules/${i}/receivers/${j}`, message: `no receiver named '${name}' (configured: ${configured.join(', ') || 'none'})` });
    });
  });
  config.alerts.defaultReceivers.forEach((name, j) => {
    if (!configured.includes(name)) problems.push({ path: `/alerts/defaultReceivers/${j}`, message: `no receiver named '${name}' (configured: ${configured.join(', ') || 'none'})` });
  });
  if (problems.length > 0) throw new ConfigError(problems, 'alerts');
  const outbox = outboxFromConfig(config, ctx.env, { onEvent, logger });
  return {
    enqueue: (receiver, message) => outbox.enqueue(receiver, message),
    receivers: () => outbox.receivers(),
    close: () => outbox.close(5_000),
    stats: () => outbox.stats(),
  };
}

/** Reads NDJSON documents; bad lines are counted and reported on stderr (first five with line numbers). */
export function readDocuments(file: string, ctx: CliContext): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RightsizeError('RS_ERR_CLI_USAGE', `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const docs: unknown[] = [];
  const bad: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      docs.push(JSON.parse(line));
    } catch (err) {
      bad.push(`line ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  if (bad.length > 0) {
    writeLine(ctx.stderr, `warning: skipped ${bad.length} line(s) of ${file} that are not JSON`);
    for (const b of bad.slice(0, 5)) writeLine(ctx.stderr, `  ${b}`);
  }
  return docs;
}

function untilMs(text: string, nowMs: number): number {
  const d = parseDurationMs(text);
  if (d !== undefined && d > 0) return nowMs + d;
  const at = Date.parse(text);
  if (Number.isFinite(at) && at > nowMs) return at;
  throw new RightsizeError('RS_ERR_CLI_USAGE', `--for must be a duration (2h, 30m) or a future ISO-8601 instant, got "${text}"`);
}


/**
 * Runs the alert engine next to another command (`rightsize serve`) when `alerts.enabled`;
 * returns its stop function. Errors while starting are logged, never fatal to the host command.
 */
export async function startEmbeddedAlerts(config: Config, ctx: CliContext, logger: Logger): Promise<() => Promise<void>> {
  if (!config.alerts.enabled) return () => Promise.resolve();
  const client = createEsClient(config.elasticsearch);
  try {
    const running = await startAlerts({ config, client, logger, queue: (onEvent) => alertQueue(config, ctx, logger, onEvent) });
    return async () => {
      await running.stop();
      await client.close();
    };
  } catch (err) {
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'alerts: the engine did not start');
    await client.close();
    return () => Promise.resolve();
  }
}

/** `rightsize alerts run|test|silence`. */
export function registerAlertsCommands(program: Command, ctx: CliContext): void {
  const alerts = program.command('alerts').description('threshold, no-data and job alerts on the stored documents: email and chat, once, with resolve notices (docs/alerts.md)');

  alerts
    .command('run')
    .description('evaluate the rules continuously (alerts.rules, else the default rules) on Elasticsearch until SIGINT/SIGTERM; replicas share one lease')
    .option('-c, --config <file>', 'config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)')
    .option('--metrics-port <n>', 'serve /metrics (deliveries per receiver, evaluation rounds) and /healthz on this port (0: any free port)')
    .option('--metrics-host <address>', 'address of the metrics port', '127.0.0.1')
    .action(async (opts: ConfigOption & { metricsPort?: string; metricsHost: string }) => {
      const config = load(opts, ctx);
      const metricsPort = opts.metricsPort === undefined ? undefined : portOption(opts.metricsPort, '--metrics-port', 0);
      const logger = createLogger(config.log.level);
      const client = createEsClient(config.elasticsearch);
      let deliveries: () => readonly ReceiverStats[] = () => [];
      const running = await startAlerts({
        config,
        client,
        logger,
        queue: (onEvent) => {
          const q = alertQueue(config, ctx, logger, onEvent);
          deliveries = () => q.stats();
          return q;
        },
      });
      const rules = rulesFromConfig(config.alerts);
      writeLine(ctx.stdout, `rightsize alerts run: ${rules.length} rule(s) on ${config.elasticsearch.indexPrefix}-*: ${rules.map((r) => r.id).join(', ')}`);
      // The weekly report (cron report.schedule) is made, stored and sent by this process too.
      const stopReport = scheduleWeeklyReport(config, client, logger, ctx.env);
      const metrics =
        metricsPort === undefined
          ? undefined
          : buildMetricsApp({
              families: () => alertMetricFamilies(deliveries(), running.scheduler.stats()),
              health: () => ({ status: 'ok', rules: rules.length, queued: deliveries().reduce((n, r) => n + r.queued, 0) }),
              logger,
            });
      if (metrics) {
        const address = await metrics.listen({ host: opts.metricsHost, port: metricsPort });
        writeLine(ctx.stdout, `rightsize alerts run: metrics at ${address}/metrics, health at ${address}/healthz`);
      }
      // The scheduler's timers are unref'd; keep the process alive until SIGINT/SIGTERM (as `collect` does).
      const alive = new AbortController();
      keepAliveUntil(alive.signal);
      await waitForStopSignal();
      alive.abort();
      await running.stop();
      await stopReport();
      await metrics?.close();
      await client.close();
    });

  alerts
    .command('test')
    .description('evaluate the rules over an NDJSON file of documents (what `collect --print` writes) without Elasticsearch, stepping the clock through its time span at each rule\'s interval; print one alert-events document per notification')
    .requiredOption('--from <documents.ndjson>', 'the documents')
    .option('--rule <id>', 'only this rule')
    .option('--print', 'print the notifications as NDJSON (the default)')
    .option('--send', 'deliver the grouped messages through the configured receivers instead of printing')
    .option('-c, --config <file>', 'config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)')
    .addHelpText('after', '\nExamples:\n  rightsize alerts test --from docs.ndjson --print\n  rightsize alerts test --rule cluster-cpu-allocation --from docs.ndjson --print')
    .action(async (opts: ConfigOption & { from: string; rule?: string; print?: boolean; send?: boolean }) => {
      if (opts.print && opts.send) throw new RightsizeError('RS_ERR_CLI_USAGE', 'use either --print or --send');
      const config = load(opts, ctx);
      let rules = rulesFromConfig(config.alerts);
      if (opts.rule !== undefined) {
        rules = rules.filter((r) => r.id === opts.rule);
        if (rules.length === 0) throw new RightsizeError('RS_ERR_CLI_USAGE', `no rule '${opts.rule}' (rules: ${rulesFromConfig(config.alerts).map((r) => r.id).join(', ')})`);
      }
      const docs = new DocumentSet(readDocuments(opts.from, ctx));
      if (docs.skipped > 0) writeLine(ctx.stderr, `warning: ${docs.skipped} document(s) without a usable @timestamp or dataset were skipped`);
      const result = simulate(rules, docs, {
        flapping: flappingFromConfig(config.alerts),
        times: evaluationTimes,
        ...(config.alerts.uiUrl === undefined ? {} : { uiUrl: config.alerts.uiUrl }),
      });
      if (!opts.send) {
        for (const e of result.events) writeLine(ctx.stdout, JSON.stringify(e satisfies SimulatedEvent));
        writeLine(ctx.stderr, `${result.events.length} notification(s) from ${rules.length} rule(s) over ${docs.size} document(s), ${result.rounds} evaluation round(s)`);
        return;
      }
      await sendMessages(config, ctx, result.messages);
    });

  const silence = alerts.command('silence').description('mute a rule (or one group of it) until a time: add, list, expire');
  silence
    .command('add')
    .description('add a silence; a silenced alert still firing when it ends is notified then')
    .requiredOption('--rule <id>', 'the rule')
    .option('--group <value>', 'only this group (e.g. a label); default: every group')
    .requiredOption('--for <duration|instant>', 'how long (2h, 30m) or until when (ISO-8601)')
    .option('--comment <text>', 'why the alerts are muted (shown by silence list)')
    .option('--author <name>', 'who (default: the OS user)')
    .option('-c, --config <file>', 'config file')
    .action(async (opts: ConfigOption & { rule: string; group?: string; for: string; comment?: string; author?: string }) => {
      const config = load(opts, ctx);
      const nowMs = Date.now();
      const until = untilMs(opts.for, nowMs);
      const client = createEsClient(config.elasticsearch);
      try {
        const store = new AlertStore(client, config.elasticsearch.indexPrefix);
        const id = await store.addSilence(
          { ruleId: opts.rule, ...(opts.group === undefined ? {} : { group: opts.group }), untilMs: until, createdBy: opts.author ?? userInfo().username, ...(opts.comment === undefined ? {} : { comment: opts.comment }) },
          nowMs,
        );
        writeLine(ctx.stdout, `silence ${id}: ${opts.rule}${opts.group === undefined ? '' : ` ${opts.group}`} until ${new Date(until).toISOString()}`);
      } finally {
        await client.close();
      }
    });
  silence
    .command('list')
    .description('list the silences that have not ended (--all: every silence)')
    .option('--all', 'include ended silences')
    .option('-c, --config <file>', 'config file')
    .action(async (opts: ConfigOption & { all?: boolean }) => {
      const config = load(opts, ctx);
      const client = createEsClient(config.elasticsearch);
      try {
        const list = await new AlertStore(client, config.elasticsearch.indexPrefix).listSilences(opts.all ? undefined : Date.now());
        writeLine(ctx.stdout, ['id', 'rule', 'group', 'until', 'by', 'comment'].join('\t'));
        for (const s of list) writeLine(ctx.stdout, [s.id, s.ruleId, s.group ?? '*', new Date(s.untilMs).toISOString(), s.createdBy ?? '', s.comment ?? ''].join('\t'));
      } finally {
        await client.close();
      }
    });
  silence
    .command('expire')
    .description('end a silence now')
    .argument('<id>', 'the silence id (from `silence list`)')
    .option('-c, --config <file>', 'config file')
    .action(async (id: string, opts: ConfigOption) => {
      const config = load(opts, ctx);
      const client = createEsClient(config.elasticsearch);
      try {
        const ok = await new AlertStore(client, config.elasticsearch.indexPrefix).expireSilence(id, Date.now());
        if (!ok) throw new RightsizeError('RS_ERR_SILENCE_NOT_FOUND', `no silence with id ${id}`);
        writeLine(ctx.stdout, `silence ${id} expired`);
      } finally {
        await client.close();
      }
    });
}

async function sendMessages(config: Config, ctx: CliContext, messages: readonly GroupedMessage[]): Promise<void> {
  const logger = createLogger(config.log.level);
  let delivered = 0;
  let failed = 0;
  let done = 0;
  const total = messages.length;
  let resolveAll: () => void = () => undefined;
  const all = new Promise<void>((r) => (resolveAll = r));
  const queue = alertQueue(config, ctx, logger, (e) => {
    if (e.type === 'failed') return;
    if (e.type === 'delivered') delivered += 1;
    else failed += 1;
    done += 1;
    if (done >= total) resolveAll();
  });
  const known = new Set(queue.receivers());
  let queued = 0;
  for (const m of messages) {
    if (!known.has(m.receiver)) {
      writeLine(ctx.stderr, `warning: no receiver named '${m.receiver}'; message "${m.message.subject}" not sent`);
      continue;
    }
    // Replayed messages carry their evaluation time; the outbox's age limit counts from sending.
    queue.enqueue(m.receiver, { ...m.message, createdAtMs: Date.now() });
    queued += 1;
  }
  if (queued > 0 && done < queued) await all;
  await queue.close();
  writeLine(ctx.stdout, `${delivered} message(s) delivered, ${failed} dropped`);
  if (failed > 0) ctx.exitCode = 1;
}
