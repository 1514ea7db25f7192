import type { Client } from '@elastic/elasticsearch';
import type { Command } from 'commander';
import { BuildSummarizer } from '../../analysis/builds/index.js';
import { buildMetricsApp, collectorMetricFamilies } from '../../api/index.js';
import { DiscoveredDockerCollectors, dockerCollectorsFromConfig } from '../../collectors/docker/index.js';
import { jenkinsCollectorFromConfig, type FinishedBuild } from '../../collectors/jenkins/index.js';
import { MesosMasterCollector, mesosCollectorsFromConfig } from '../../collectors/mesos/index.js';
import { CollectorRunner, periodicTask, type RunnerTargetOptions } from '../../collectors/runner/index.js';
import type { Collector } from '../../collectors/types.js';
import { loadConfig, type Config } from '../../config/index.js';
import { RightsizeError } from '../../errors/index.js';
import type { Sample } from '../../model/index.js';
import { applyRetention, createEsClient, ElasticsearchSink, InMemorySampleSink, installTemplates } from '../../store/index.js';
import { searchBuildUsage } from '../../store/queries/index.js';
import type { SampleSink } from '../../store/types.js';
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

/** Installs the templates; retries with backoff until `signal` aborts (never, with `retry: false`). */
async function installTemplatesWithRetry(client: Client, config: Config, logger: Logger, signal: AbortSignal | undefined): Promise<void> {
  let delayMs = 1_000;
  for (;;) {
    try {
      const result = await installTemplates(client, {
        prefix: config.elasticsearch.indexPrefix,
        shards: config.elasticsearch.shards,
        replicas: config.elasticsearch.replicas,
        logger,
      });
      logger.info({ result }, 'index templates ready');
      return;
    } catch (err) {
      if (signal === undefined || signal.aborted) throw err;
      logger.warn({ err: (err as Error).message, retryInMs: delayMs }, 'cannot install index templates yet; retrying');
      await new Promise((r) => setTimeout(r, delayMs));
      delayMs = Math.min(delayMs * 2, 30_000);
    }
  }
}

function printSamples(ctx: CliContext, samples: readonly Sample[]): void {
  for (const s of samples) writeLine(ctx.stdout, JSON.stringify(s.doc));
}

async function runOnce(ctx: CliContext, config: Config, opts: CollectOptions, targets: RunnerTargetOptions[], logger: Logger): Promise<void> {
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
  await new Promise((r) => setTimeout(r, sampleMs));
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
    if (roundFailed) failed++;
    writeLine(
      ctx.stderr,
      `${s.target}: ${roundFailed ? `FAILED (${s.lastError ?? 'unknown'})` : `${s.documents - (prev?.documents ?? 0)} documents`}` +
        (s.itemErrors - (prev?.itemErrors ?? 0) > 0 ? `, ${s.itemErrors - (prev?.itemErrors ?? 0)} item errors` : '') +
        (Object.keys(s.skipped).length > 0 ? `, skipped ${JSON.stringify(s.skipped)}` : ''),
    );
  }
  if (opts.print) {
    printSamples(ctx, samples);
  } else {
    const client = createEsClient(config.elasticsearch);
    try {
      await installTemplatesWithRetry(client, config, logger, undefined);
      const sink = new ElasticsearchSink({ client, prefix: config.elasticsearch.indexPrefix, bulk: config.elasticsearch.bulk, logger });
      sink.write(samples);
      await sink.forceFlush(config.elasticsearch.requestTimeoutMs);
      const st = sink.stats();
      await sink.shutdown();
      writeLine(ctx.stderr, `indexed ${st.indexed} of ${samples.length} documents into ${config.elasticsearch.url}` + (st.dropped > 0 ? ` (${st.dropped} dropped)` : ''));
      if (st.indexed < samples.length) failed++;
    } finally {
      await client.close();
    }
  }
  if (failed > 0) ctx.exitCode = 1;
}

/**
 * The build summarizer of a continuous run with Elasticsearch: finished builds wait a grace
 * period that covers the longest container poll, the sink's flush and the containers index's
 * refresh, so their last readings are searchable; requests come from the leading master's tasks.
 */
export function buildSummarizerFor(config: Config, client: Client, sink: SampleSink, targets: readonly RunnerTargetOptions[], logger: Logger): BuildSummarizer {
  const pollIntervalMs = Math.max(config.docker.intervalMs, config.mesos.intervalMs);
  const master = targets.map((t) => t.collector).find((c): c is MesosMasterCollector => c instanceof MesosMasterCollector);
  return new BuildSummarizer({
    search: (q, signal) => searchBuildUsage(client, q, signal),
    sink,
    prefix: config.elasticsearch.indexPrefix,
    graceMs: pollIntervalMs + config.elasticsearch.bulk.flushIntervalMs + CONTAINERS_REFRESH_MS + 1_000,
    pollIntervalMs,
    ...(master !== undefined ? { tasks: () => master.latestState()?.tasks, completedTasks: () => master.latestState()?.completedTasks } : {}),
    logger,
  });
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
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let sink: SampleSink;
  let client: Client | undefined;
  let summarizer: BuildSummarizer | undefined;
  const all = [...targets];
  if (opts.print) {
    sink = { write: (s) => printSamples(ctx, s), forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve(), stats: () => ({ received: 0, indexed: 0, dropped: 0, buffered: 0, failedRequests: 0 }) };
  } else {
    client = createEsClient(config.elasticsearch);
    await installTemplatesWithRetry(client, config, logger, stop.signal);
    const es = new ElasticsearchSink({ client, prefix: config.elasticsearch.indexPrefix, bulk: config.elasticsearch.bulk, logger });
    sink = es;
    const esClient = client;
    all.push({
      collector: periodicTask('retention', async () => {
        const r = await applyRetention(esClient, { prefix: config.elasticsearch.indexPrefix, retentionDays: config.elasticsearch.retentionDays, now: Date.now(), logger });
        if (r.deleted.length > 0) logger.info({ deleted: r.deleted }, 'retention deleted old indices');
      }),
      intervalMs: RETENTION_INTERVAL_MS,
      timeoutMs: 120_000,
    });
    const builds = buildSummarizerFor(config, esClient, es, targets, logger);
    summarizer = builds;
    finished.enqueue = (b) => builds.enqueue(b);
    all.push({ collector: periodicTask('build-summary', (signal) => builds.runDue(signal)), intervalMs: BUILD_SUMMARY_INTERVAL_MS, timeoutMs: BUILD_SUMMARY_INTERVAL_MS });
  }
  const runner = new CollectorRunner({ targets: all, sink, logger, backoffMaxMs: config.collect.backoffMaxMs });
  all.push({
    collector: periodicTask('stats', () => {
      logger.info({ targets: runner.stats(), sink: sink.stats(), ...(summarizer ? { builds: summarizer.stats() } : {}) }, 'collection stats');
      return Promise.resolve();
    }),
    intervalMs: STATS_INTERVAL_MS,
    timeoutMs: 1_000,
  });
  logger.info({ targets: targets.map((t) => t.collector.target), intervalMs: targets.map((t) => t.intervalMs) }, 'collecting');
  const metricsPort = metricsPortOf(opts, config);
  const metrics =
    metricsPort === undefined
      ? undefined
      : buildMetricsApp({
          logger,
          families: () => collectorMetricFamilies(runner.stats(), sink.stats(), summarizer?.stats()),
          health: () => ({
            status: 'ok',
            targets: runner.stats().map((t) => ({ target: t.target, consecutive_failures: t.consecutiveFailures, ...(t.lastError !== undefined ? { last_error: t.lastError } : {}) })),
          }),
        });
  if (metrics !== undefined) {
    try {
      const address = await metrics.listen({ host: config.collect.metricsHost, port: metricsPort });
      logger.info({ address }, 'serving /metrics and /healthz');
    } catch (err) {
      // e.g. EADDRINUSE: fail before collecting, releasing what was opened.
      await sink.shutdown();
      await client?.close();
      throw new RightsizeError('RS_ERR_CLI_USAGE', `cannot serve metrics on ${config.collect.metricsHost}:${metricsPort}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  runner.start();
  // The runner's and sink's timers are unref'd (library behaviour); the command itself is what
  // keeps the process alive until SIGINT/SIGTERM.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
  clearInterval(keepAlive);
  logger.info('stopping: flushing what was collected');
  await runner.shutdown();
  await summarizer?.shutdown();
  await sink.shutdown();
  await metrics?.close();
  logger.info({ targets: runner.stats(), sink: sink.stats(), ...(summarizer ? { builds: summarizer.stats() } : {}) }, 'stopped');
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
