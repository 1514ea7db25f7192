import type { Command } from 'commander';
import { buildApp, RecommendationCache, RELOAD_PAGE_SIZE } from '../../api/index.js';
import type { Client } from '@elastic/elasticsearch';
import { WorkerSnapshotSource } from '../../api/workerSource.js';
import { loadConfig, type Config } from '../../config/index.js';
import { RightsizeError } from '../../errors/index.js';
import type { RecommendationDoc } from '../../model/index.js';
import { Scheduler } from '../../scheduler/index.js';
import { ElasticsearchReportSink } from '../../reports/service/index.js';
import { createEsClient } from '../../store/index.js';
import { esRecommendationPages, EsApiReads, RECOMMENDATION_SOURCE_MODULE } from '../../store/queries/index.js';
import type { Logger } from '../../util/index.js';
import { createLogger } from '../../util/logger.js';
import { waitForStopSignal, writeLine, type CliContext } from '../context.js';
import { intOption, portOption } from '../options.js';
import { startEmbeddedAlerts } from './alerts.js';
import { installTemplatesInBackground, type StoreStatus } from './collect.js';
import { scheduleWeeklyReport } from './report.js';

interface ServeOptions {
  readonly config?: string;
  readonly host?: string;
  readonly port?: string;
  readonly refresh?: string;
}

/**
 * Resolves once `templates` (the background installation) has installed them; rejects with
 * `RS_ERR_STORE_NOT_READY` (and the installation's last error) when `signal` aborts first or the
 * installation was stopped.
 */
function templatesInstalled(templates: Promise<boolean>, store: StoreStatus, signal: AbortSignal): Promise<void> {
  if (store.templatesReady) return Promise.resolve();
  const notReady = (): RightsizeError =>
    new RightsizeError('RS_ERR_STORE_NOT_READY', `the index templates are not installed yet, so nothing was written${store.lastError === undefined ? '' : ` (${store.lastError})`}; retry shortly`);
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(notReady());
    const onAbort = (): void => reject(notReady());
    signal.addEventListener('abort', onAbort, { once: true });
    void templates.then((installed) => {
      signal.removeEventListener('abort', onAbort);
      if (installed) resolve();
      else reject(notReady());
    });
  });
}

/**
 * The API's recommendation cache as serve builds it: reloads read and packed in a worker thread
 * with its own Elasticsearch client (`api.reloadInWorker`, default), or on this thread through
 * `client` (false; for debugging). The benchmark builds its server's cache with this too.
 */
export function recommendationCacheFor(config: Config, client: Client, logger: Logger): RecommendationCache {
  const prefix = config.elasticsearch.indexPrefix;
  if (config.api.reloadInWorker) return new RecommendationCache({ logger, source: new WorkerSnapshotSource({ module: RECOMMENDATION_SOURCE_MODULE, spec: { elasticsearch: config.elasticsearch, prefix, pageSize: RELOAD_PAGE_SIZE } }) });
  const pages = esRecommendationPages(client, prefix, RELOAD_PAGE_SIZE);
  return new RecommendationCache({
    logger,
    load: async (signal) => {
      const docs: RecommendationDoc[] = [];
      let skipped = 0;
      for await (const page of pages.pages(signal)) {
        docs.push(...page.docs);
        skipped += page.skipped;
      }
      return { docs, skipped };
    },
  });
}

/** `rightsize serve`: the HTTP API on the latest recommendations in Elasticsearch, until SIGINT/SIGTERM. */
export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description(
      'serve the HTTP API under /api/v1 (jobs, recommendations, labels, builds, cluster, queue, alerts, silences, weekly reports; OpenAPI at /api/openapi.json, docs at /docs), /healthz, /readyz, /metrics and the web UI at /; recommendations are reloaded from Elasticsearch every api.refreshIntervalMs',
    )
    .option('-c, --config <file>', 'config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)')
    .option('--host <address>', 'address to listen on (default: api.host, 127.0.0.1)')
    .option('--port <n>', 'TCP port, 0 for any free one (default: api.port, 8080)')
    .option('--refresh <ms>', 'reload the recommendations every this many ms (default: api.refreshIntervalMs, 30000)')
    .action(async (opts: ServeOptions) => {
      const { config } = loadConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: ctx.env });
      const port = portOption(opts.port, '--port', config.api.port);
      const refreshMs = intOption(opts.refresh, '--refresh', config.api.refreshIntervalMs, 1000);
      const logger = createLogger(config.log.level);
      const client = createEsClient(config.elasticsearch);
      const prefix = config.elasticsearch.indexPrefix;
      // Mappings before anything writes (silences, reports, alert states): on a store where
      // `collect` never ran they would get dynamic ones. In the background, as collect does, so
      // serve starts while Elasticsearch is away; the write routes wait for it (writesReady).
      const stopTemplates = new AbortController();
      const store: StoreStatus = { templatesReady: false };
      const templates = installTemplatesInBackground(client, config, logger, stopTemplates.signal, store);
      const cache = recommendationCacheFor(config, client, logger);
      const api = config.api;
      // Tokens come from config and the environment; they are never logged or printed.
      const fromEnv = (name: string): string[] => (ctx.env[name] ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
      const tokens = { read: [...api.readTokens, ...fromEnv('RIGHTSIZE_API_READ_TOKEN')], write: [...api.writeTokens, ...fromEnv('RIGHTSIZE_API_WRITE_TOKEN')] };
      const app = buildApp({
        cache,
        logger,
        reads: new EsApiReads({ client, prefix }),
        reports: new ElasticsearchReportSink(client, prefix),
        writesReady: (signal) => templatesInstalled(templates, store, signal),
        tokens,
        corsOrigins: api.corsOrigins,
        dataFreshAfterMs: api.dataFreshAfterMs,
        staleAfterMs: api.staleAfterMs,
        version: '0.1.0',
        mesosPluginVersion: config.analysis.labels.pluginVersion,
        limits: {
          maxConnections: api.maxConnections,
          idleTimeoutMs: api.idleTimeoutMs,
          keepAliveTimeoutMs: api.keepAliveTimeoutMs,
          requestTimeoutMs: api.requestTimeoutMs,
          bodyLimitBytes: api.bodyLimitBytes,
          maxConcurrentLists: api.maxConcurrentLists,
          maxQueuedLists: api.maxQueuedLists,
        },
      });
      // The one owner of time runs the reloads (each read and packed in the reload worker, off the hot path).
      const scheduler = new Scheduler({ logger });
      scheduler.add(cache.reloadJob(refreshMs));
      app.addHook('onClose', async () => {
        stopTemplates.abort();
        await templates;
        await client.close();
      });
      // The weekly report (cron report.schedule) and the alert engine (unless alerts.enabled is false) run in this process too.
      app.addHook('onClose', scheduleWeeklyReport(config, client, logger));
      app.addHook('onClose', await startEmbeddedAlerts(config, ctx, logger));
      // Listen at once: until the first load answers, the routes say 503 and /healthz `unavailable`.
      const address = await app.listen({ host: opts.host ?? config.api.host, port });
      writeLine(
        ctx.stdout,
        `rightsize serve: listening on ${address} (recommendations from ${prefix}-recommendations, reloaded every ${refreshMs} ms; API docs at ${address}/docs; reads ${tokens.read.length > 0 ? 'need a token' : 'open'}, writes ${tokens.write.length > 0 ? 'need a write token' : 'disabled (no write token)'})`,
      );
      scheduler.start();
      await waitForStopSignal();
      await scheduler.stop();
      await app.close();
    });
}
