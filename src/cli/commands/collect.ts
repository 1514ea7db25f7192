import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { Command } from 'commander';
import { buildMetricsApp, collectorMetricFamilies } from '../../api/index.js';
import { BuildSummarizer, PendingBuildsFile, type PendingBuildState } from '../../collect/index.js';
import { DiscoveredDockerCollectors, dockerCollectorsFromConfig } from '../../collectors/docker/index.js';
import { jenkinsCollectorFromConfig, type FinishedBuild } from '../../collectors/jenkins/index.js';
import { MesosMasterCollector, mesosCollectorsFromConfig } from '../../collectors/mesos/index.js';
import { loadConfig, type Config } from '../../config/index.js';
import { RightsizeError, redactUrl, toError } from '../../errors/index.js';
import type { Collector, Sample, SampleSink, ScheduledJob } from '../../model/index.js';
import { abortableSleep, backoffDelayMs, CollectorRunner, keepAliveUntil, Scheduler, type RunnerTargetOptions } from '../../scheduler/index.js';
import { applyRetention, createEsClient, ElasticsearchSink, InMemorySampleSink, installTemplates, wrapEsError } from '../../store/index.js';
import { searchBuildUsage } from '../../store/queries/index.js';
import { createLogger, type Logger } from '../../util/logger.js';
import { writeLine, type CliContext } from '../context.js';
import { portOption } from '../options.js';

export interface CollectOptions {
  readonly config?: string;
  readonly once?: boolean;
  readonly print?: boolean;
  readonly sampleMs?: string;
  readonly dockerHost?: string[];
  readonly mesosMaster?: string[];
  readonly mesosAgent?: string[];
  readonly jenkinsUrl?: string;
  readonly metricsPort?: string;
}

const RETENTION_INTERVAL_MS = 6 * 3_600_000;
const STATS_INTERVAL_MS = 60_000;
/** How often the build summarizer looks for builds whose grace period is over. */
const BUILD_SUMMARY_INTERVAL_MS = 5_000;
/** `index.refresh_interval` of the containers indices (src/store/templates.ts): readings become searchable after it. */
const CONTAINERS_REFRESH_MS = 5_000;

function collectArg(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Which collectors a run polls, with their intervals. When any of `--docker-host`,
 * `--mesos-master`, `--mesos-agent`, `--jenkins-url` is given, only those sources are collected.
 */
export function buildCollectionTargets(
  config: Config,
  opts: CollectOptions,
  env: CliContext['env'],
  deps: { readonly onFinishedBuilds?: (builds: readonly FinishedBuild[]) => void } = {},
): RunnerTargetOptions[] {
  const overridden = Boolean(opts.dockerHost?.length || opts.mesosMaster?.length || opts.mesosAgent?.length || opts.jenkinsUrl);
  let cfg = config;
  if (overridden) {
    cfg = {
      ...config,
      mesos: { ...config.mesos, masters: opts.mesosMaster ?? [], agents: opts.mesosAgent ?? [] },
      jenkins: { ...config.jenkins, ...(opts.jenkinsUrl ? { url: opts.jenkinsUrl } : { url: undefined }) },
    };
  }
  const targets: RunnerTargetOptions[] = [];
  const add = (collector: Collector, intervalMs: number, timeoutMs: number): void => {
    // A round makes many calls (each bounded by the source's own timeoutMs, which config
    // validation keeps ≤ intervalMs); the round as a whole may take up to its interval.
    targets.push({ collector, intervalMs, timeoutMs: Math.max(timeoutMs, intervalMs) });
  };
  const staticDocker = new Set<string>();
  if (!overridden || opts.dockerHost?.length) {
    for (const c of dockerCollectorsFromConfig(cfg.docker, { ...(opts.dockerHost?.length ? { override: opts.dockerHost } : {}), env })) {
      staticDocker.add(c.endpoint);
      add(c, cfg.docker.intervalMs, cfg.docker.timeoutMs);
    }
  }
  const mesos = mesosCollectorsFromConfig(cfg);
  if (mesos.master) add(mesos.master, cfg.mesos.intervalMs, cfg.mesos.timeoutMs);
  // Docker engines of the agents the leader knows (mesos.dockerHostTemplate), besides the static list.
  if (mesos.master && cfg.mesos.dockerHostTemplate !== undefined && (!overridden || opts.mesosMaster?.length)) {
    const discovered = new DiscoveredDockerCollectors(
      () => mesos.dockerEndpoints(),
      { timeoutMs: cfg.docker.timeoutMs, concurrency: cfg.docker.concurrency, ...(cfg.docker.tls ? { tls: cfg.docker.tls } : {}) },
      cfg.mesos.dockerHostTemplate,
      staticDocker,
    );
    add(discovered, cfg.docker.intervalMs, cfg.docker.timeoutMs);
  }
  if (mesos.agents) add(mesos.agents, cfg.mesos.intervalMs, cfg.mesos.timeoutMs);
  const jenkins = jenkinsCollectorFromConfig(cfg, { env, ...(deps.onFinishedBuilds ? { onFinishedBuilds: deps.onFinishedBuilds } : {}) });
  if (jenkins) add(jenkins, cfg.jenkins.intervalMs, cfg.jenkins.timeoutMs);
  return targets;
}

function parseSampleMs(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 50 || n > 600_000) throw new RightsizeError('RS_ERR_CLI_USAGE', `--sample-ms must be an integer from 50 to 600000 (got ${text})`);
  return n;
}

/** What a continuous run knows about its store, for `/healthz` and `/metrics`. */
export interface StoreStatus {
  /** True once the index templates are installed (the sink sends nothing before). */
  templatesReady: boolean;
  /** `<CODE>: <message>` of the last failed template installation. */
  lastError?: string;
}

/** Backoff of the template installation while Elasticsearch is away. */
const TEMPLATE_RETRY = { baseMs: 1_000, maxMs: 30_000 } as const;

function templateOptions(config: Config, logger: Logger): Parameters<typeof installTemplates>[1] {
  return { prefix: config.elasticsearch.indexPrefix, shards: config.elasticsearch.shards, replicas: config.elasticsearch.replicas, logger };
}

/**
 * Installs the templates in the background: retries with `backoffDelayMs` until it succeeds or
 * `signal` aborts. Resolves true once installed, false when stopped first; never rejects;
 * `status` says where it is.
 */
export async function installTemplatesInBackground(client: Client, config: Config, logger: Logger, signal: AbortSignal, status: StoreStatus): Promise<boolean> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      // One quick look first (no client retries), so /healthz says "unreachable" within moments.
      await client.cluster.health({}, { maxRetries: 0, requestTimeout: Math.min(2_000, config.elasticsearch.requestTimeoutMs), signal }).catch((err: unknown) => {
        throw wrapEsError(err, `Elasticsearch at ${redactUrl(config.elasticsearch.url)} does not answer`);
      });
      const result = await installTemplates(client, templateOptions(config, logger));
      status.templatesReady = true;
      delete status.lastError;
      logger.info({ result }, 'index templates ready');
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      const e = toError(err);
      status.lastError = err instanceof RightsizeError ? `${err.code}: ${e.message}` : e.message;
      const retryInMs = backoffDelayMs(attempt, TEMPLATE_RETRY, Math.random);
      logger.warn({ err: status.lastError, retryInMs }, 'cannot install index templates yet; collecting into the buffer and retrying');
      await abortableSleep(retryInMs, signal);
    }
  }
  return false;
}

function printSamples(ctx: CliContext, samples: readonly Sample[]): void {
  for (const s of samples) writeLine(ctx.stdout, JSON.stringify(s.doc));
}

async function runOnce(ctx: CliContext, config: Config, opts: CollectOptions, targets: RunnerTargetOptions[], logger: Logger): Promise<void> {
  // Every timer below is unref'd: hold the process open for the round, or Node exits 13 mid-sleep.
  const alive = new AbortController();
  keepAliveUntil(alive.signal);
  try {
    await runOnceRounds(ctx, config, opts, targets, logger);
  } finally {
    alive.abort();
  }
}

async function runOnceRounds(ctx: CliContext, config: Config, opts: CollectOptions, targets: RunnerTargetOptions[], logger: Logger): Promise<void> {
  const sampleMs = parseSampleMs(opts.sampleMs, config.collect.sampleMs);
  const memory = new InMemorySampleSink();
  const runner = new CollectorRunner({ targets, sink: memory, logger });
  // Discovered Mesos agents come from the leading master's state: poll the masters first (this
  // priming poll's documents are not kept), so the agents get both readings of the rounds below.
  await Promise.all(
    targets
      .filter((t) => t.collector instanceof MesosMasterCollector)
      .map((t) => t.collector.collect(AbortSignal.timeout(t.timeoutMs)).catch((err: unknown) => logger.warn({ target: t.collector.target, err: (err as Error).message }, 'priming master poll failed'))),
  );
  // Two readings `sampleMs` apart: CPU is a rate, so the first round only primes the counters.
  await runner.pollAllOnce();
  await abortableSleep(sampleMs);
  const firstRound = memory.samples.length;
  const before = runner.stats();
  await runner.pollAllOnce();
  const samples = memory.samples.slice(firstRound);
  const after = runner.stats();
  await runner.shutdown();
  let failed = 0;
  for (const [i, s] of after.entries()) {
    const prev = before[i];
    const roundFailed = prev !== undefined && s.failedPolls > prev.failedPolls;
    const documents = s.documents - (prev?.documents ?? 0);
    const itemErrors = s.itemErrors - (prev?.itemErrors ?? 0);
    // A target that answered with nothing but item errors collected nothing: that is a failure too.
    if (roundFailed || (documents === 0 && itemErrors > 0)) failed++;
    writeLine(
      ctx.stderr,
      `${s.target}: ${roundFailed ? `FAILED (${s.lastError ?? 'unknown'})` : `${documents} documents`}` +
        (itemErrors > 0 ? `, ${itemErrors} item errors` : '') +
        (!roundFailed && documents === 0 && itemErrors > 0 ? ' (FAILED: only item errors)' : '') +
        (Object.keys(s.skipped).length > 0 ? `, skipped ${JSON.stringify(s.skipped)}` : ''),
    );
  }
  if (opts.print) {
    printSamples(ctx, samples);
  } else {
    const client = createEsClient(config.elasticsearch);
    try {
      await installTemplates(client, templateOptions(config, logger));
      const sink = new ElasticsearchSink({ client, prefix: config.elasticsearch.indexPrefix, bulk: config.elasticsearch.bulk, logger });
      sink.write(samples);
      await sink.forceFlush(config.elasticsearch.requestTimeoutMs);
      const st = sink.stats();
      await sink.shutdown();
      writeLine(ctx.stderr, `indexed ${st.indexed} of ${samples.length} documents into ${redactUrl(config.elasticsearch.url)}` + (st.dropped > 0 ? ` (${st.dropped} dropped)` : ''));
      if (st.indexed < samples.length) failed++;
    } finally {
      await client.close();
    }
  }
  if (failed > 0) ctx.exitCode = 1;
}

/** Where a continuous run keeps its pending builds: `<collect.stateDir>/pending-builds.json`. */
export function pendingBuildsPath(config: Config): string {
  return join(config.collect.stateDir, 'pending-builds.json');
}

/**
 * The build summarizer of a continuous run with Elasticsearch: finished builds wait a grace
 * period that covers the longest container poll, the sink's flush and the containers index's
 * refresh, so their last readings are searchable (and, after an outage, until the sink has
 * settled them); requests come from the leading master's tasks; pending builds are kept in
 * `state` across restarts.
 */
export function buildSummarizerFor(
  config: Config,
  client: Client,
  sink: SampleSink & { settledBeforeMs?: () => number },
  targets: readonly RunnerTargetOptions[],
  logger: Logger,
  state?: PendingBuildState,
): BuildSummarizer {
  const pollIntervalMs = Math.max(config.docker.intervalMs, config.mesos.intervalMs);
  const master = targets.map((t) => t.collector).find((c): c is MesosMasterCollector => c instanceof MesosMasterCollector);
  const settled = sink.settledBeforeMs?.bind(sink);
  return new BuildSummarizer({
    search: (q, signal) => searchBuildUsage(client, q, signal),
    sink,
    prefix: config.elasticsearch.indexPrefix,
    graceMs: pollIntervalMs + config.elasticsearch.bulk.flushIntervalMs + CONTAINERS_REFRESH_MS + 1_000,
    pollIntervalMs,
    refreshMs: CONTAINERS_REFRESH_MS,
    ...(settled !== undefined ? { settledBeforeMs: settled } : {}),
    ...(master !== undefined ? { tasks: () => master.latestState()?.tasks, completedTasks: () => master.latestState()?.completedTasks } : {}),
    ...(state !== undefined ? { state } : {}),
    logger,
  });
}

/**
 * The scheduled job that summarizes due builds. Each run starts searches for at most one
 * interval and lets the started ones finish, each bounded by the client's request timeout
 * (`elasticsearch.requestTimeoutMs`), so the job's timeout never cuts a search short: a slow
 * Elasticsearch (6 s a search) still gets every build written, only later.
 */
export function buildSummaryJob(summarizer: BuildSummarizer, config: Config): ScheduledJob {
  return {
    name: 'build-summary',
    schedule: { everyMs: BUILD_SUMMARY_INTERVAL_MS },
    timeoutMs: BUILD_SUMMARY_INTERVAL_MS + config.elasticsearch.requestTimeoutMs + 1_000,
    run: (signal) => summarizer.runDue(signal, BUILD_SUMMARY_INTERVAL_MS),
  };
}

/** The metrics port of a continuous run: `--metrics-port`, else `collect.metricsPort`, else none. */
function metricsPortOf(opts: CollectOptions, config: Config): number | undefined {
  if (opts.metricsPort === undefined) return config.collect.metricsPort;
  return portOption(opts.metricsPort, '--metrics-port', 0);
}

async function runContinuously(
  ctx: CliContext,
  config: Config,
  opts: CollectOptions,
  targets: RunnerTargetOptions[],
  logger: Logger,
  finished: { enqueue?: (builds: readonly FinishedBuild[]) => void } = {},
): Promise<void> {
  const stop = new AbortController();
  // The signal's name is logged with the stop, so an operator sees what stopped the collector.
  let stopSignal: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    stopSignal = signal;
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const scheduler = new Scheduler({ logger });
  let sink: SampleSink;
  let es: ElasticsearchSink | undefined;
  let client: Client | undefined;
  let summarizer: BuildSummarizer | undefined;
  const store: StoreStatus = { templatesReady: false };
  let templates: Promise<boolean> = Promise.resolve(false);
  if (opts.print) {
    sink = { write: (s) => printSamples(ctx, s), forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve(), stats: () => ({ received: 0, indexed: 0, dropped: 0, buffered: 0, failedRequests: 0 }) };
  } else {
    // Nothing here waits for Elasticsearch: collection fills the sink's buffer from the first
    // tick, and the sink sends once the templates are installed (retried in the background).
    client = createEsClient(config.elasticsearch);
    templates = installTemplatesInBackground(client, config, logger, stop.signal, store);
    // Sends only once the templates are installed (a stop before that keeps it held).
    const ready = templates.then((installed) => (installed ? undefined : Promise.reject(new Error('stopped before the templates were installed'))));
    es = new ElasticsearchSink({ client, prefix: config.elasticsearch.indexPrefix, bulk: config.elasticsearch.bulk, logger, ready });
    sink = es;
    const esClient = client;
    scheduler.add({
      name: 'retention',
      schedule: { everyMs: RETENTION_INTERVAL_MS },
      timeoutMs: 120_000,
      run: async () => {
        if (!store.templatesReady) return;
        const r = await applyRetention(esClient, { prefix: config.elasticsearch.indexPrefix, retentionDays: config.elasticsearch.retentionDays, now: Date.now(), logger });
        if (r.deleted.length > 0) logger.info({ deleted: r.deleted }, 'retention deleted old indices');
      },
    });
    const builds = buildSummarizerFor(config, esClient, es, targets, logger, new PendingBuildsFile(pendingBuildsPath(config)));
    await builds.resume();
    summarizer = builds;
    finished.enqueue = (b) => builds.enqueue(b);
    scheduler.add(buildSummaryJob(builds, config));
  }
  const runner = new CollectorRunner({ targets, sink, logger, backoffMaxMs: config.collect.backoffMaxMs });
  const snapshot = (): Record<string, unknown> => ({ targets: runner.stats(), sink: sink.stats(), ...(summarizer ? { builds: summarizer.stats() } : {}), jobs: scheduler.stats() });
  scheduler.add({
    name: 'stats',
    schedule: { everyMs: STATS_INTERVAL_MS, initialDelayMs: STATS_INTERVAL_MS },
    timeoutMs: 1_000,
    run: () => {
      logger.info(snapshot(), 'collection stats');
      return Promise.resolve();
    },
  });
  const storeHealth = (): Record<string, unknown> | undefined => {
    if (es === undefined) return undefined;
    const st = es.stats();
    const lastError = !store.templatesReady ? store.lastError : st.consecutiveFailures > 0 ? st.lastError : undefined;
    const reachable = store.templatesReady ? st.consecutiveFailures === 0 : store.lastError === undefined ? undefined : false;
    return {
      url: redactUrl(config.elasticsearch.url),
      status: reachable === undefined ? 'connecting' : reachable ? 'ok' : 'unreachable',
      templates_ready: store.templatesReady,
      buffered: st.buffered,
      ...(lastError !== undefined ? { last_error: lastError } : {}),
    };
  };
  const metricsPort = metricsPortOf(opts, config);
  const metrics =
    metricsPort === undefined
      ? undefined
      : buildMetricsApp({
          logger,
          families: () => collectorMetricFamilies(runner.stats(), sink.stats(), summarizer?.stats()),
          health: () => {
            const storeState = storeHealth();
            return {
              status: storeState === undefined || storeState['status'] === 'ok' ? 'ok' : 'degraded',
              ...(storeState !== undefined ? { store: storeState } : {}),
              targets: runner.stats().map((t) => ({ target: t.target, consecutive_failures: t.consecutiveFailures, ...(t.lastError !== undefined ? { last_error: t.lastError } : {}) })),
            };
          },
        });
  if (metrics !== undefined) {
    try {
      const address = await metrics.listen({ host: config.collect.metricsHost, port: metricsPort });
      logger.info({ address }, 'serving /metrics and /healthz');
    } catch (err) {
      // e.g. EADDRINUSE: fail before collecting, releasing what was opened.
      stop.abort();
      await templates;
      await sink.shutdown();
      await client?.close();
      throw new RightsizeError('RS_ERR_CLI_USAGE', `cannot serve metrics on ${config.collect.metricsHost}:${metricsPort}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  logger.info({ targets: targets.map((t) => t.collector.target), intervalMs: targets.map((t) => t.intervalMs) }, 'collecting');
  runner.start();
  scheduler.start();
  // Every timer of the runner, scheduler and sink is unref'd; the command itself keeps the
  // process alive until SIGINT/SIGTERM.
  keepAliveUntil(stop.signal);
  await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
  logger.info({ signal: stopSignal }, `stopping${stopSignal !== undefined ? ` on ${stopSignal}` : ''}: flushing what was collected`);
  await runner.shutdown();
  await scheduler.stop();
  await summarizer?.shutdown();
  await templates;
  await sink.shutdown();
  await metrics?.close();
  logger.info(snapshot(), 'stopped');
  await client?.close();
}

/** `rightsize collect`. */
export function registerCollectCommand(program: Command, ctx: CliContext): void {
  program
    .command('collect')
    .description(
      'Poll the configured Docker engines, Mesos masters/agents and Jenkins, and index the documents into Elasticsearch. ' +
        'Runs until SIGINT/SIGTERM, then flushes.',
    )
    .option('-c, --config <file>', 'config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)')
    .option('--once', 'take one sampling round (two readings --sample-ms apart) and exit')
    .option('--print', 'print the documents as NDJSON on stdout (exactly as they would be indexed) instead of indexing; needs no Elasticsearch')
    .option('--sample-ms <ms>', 'with --once: gap between the two readings, ms (default: collect.sampleMs, 1000)')
    .option('--docker-host <url>', 'collect only this Docker engine (unix:///path, tcp://host:port); repeatable', collectArg)
    .option('--mesos-master <url>', 'collect only this Mesos master; repeatable', collectArg)
    .option('--mesos-agent <url>', 'collect only this Mesos agent; repeatable', collectArg)
    .option('--jenkins-url <url>', 'collect only this Jenkins (credentials from config/env)')
    .option('--metrics-port <n>', 'continuous runs: serve GET /metrics (Prometheus text: per-target polls, failures, documents; sink and build summary counters) and /healthz on this port; 0 for any free one (default: collect.metricsPort, off)')
    .addHelpText(
      'after',
      '\nWhen any of --docker-host, --mesos-master, --mesos-agent, --jenkins-url is given, only those sources are collected.\n' +
        'Docker engines otherwise come from docker.hosts, then $DOCKER_HOST, then unix:///var/run/docker.sock.\n\n' +
        'Examples:\n  rightsize collect --once --print --docker-host unix:///var/run/docker.sock\n  rightsize collect --config /etc/rightsize/rightsize.yaml',
    )
    .action(async (opts: CollectOptions) => {
      const { config } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
      const logger = createLogger(config.log.level);
      // Finished builds reach the summarizer, which exists only once Elasticsearch is set up.
      const finished: { enqueue?: (builds: readonly FinishedBuild[]) => void } = {};
      const targets = buildCollectionTargets(config, opts, ctx.env, { onFinishedBuilds: (builds) => finished.enqueue?.(builds) });
      if (targets.length === 0) throw new RightsizeError('RS_ERR_CLI_USAGE', 'nothing to collect: configure docker, mesos or jenkins, or pass a source option');
      metricsPortOf(opts, config); // a bad --metrics-port fails before anything is opened
      if (opts.once) await runOnce(ctx, config, opts, targets, logger);
      else await runContinuously(ctx, config, opts, targets, logger, finished);
    });
}
