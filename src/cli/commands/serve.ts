import type { Command } from 'commander';
import { buildApp, RecommendationCache } from '../../api/index.js';
import { loadConfig } from '../../config/index.js';
import type { RecommendationDoc } from '../../model/index.js';
import { createEsClient } from '../../store/index.js';
import { latestRecommendationPages } from '../../store/queries/index.js';
import { createLogger } from '../../util/logger.js';
import { writeLine, type CliContext } from '../context.js';
import { intOption, portOption } from '../options.js';

interface ServeOptions {
  readonly config?: string;
  readonly host?: string;
  readonly port?: string;
  readonly refresh?: string;
}

/** `rightsize serve`: the HTTP API on the latest recommendations in Elasticsearch, until SIGINT/SIGTERM. */
export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description(
      'serve the HTTP API: GET /api/v1/jobs/<job> (what the job should get), /api/v1/recommendations, /healthz, /metrics; recommendations are reloaded from Elasticsearch every api.refreshIntervalMs',
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
      const cache = new RecommendationCache({
        logger,
        load: async (signal) => {
          const docs: RecommendationDoc[] = [];
          let skipped = 0;
          for await (const page of latestRecommendationPages(client, prefix, 1000, signal)) {
            docs.push(...page.docs);
            skipped += page.skipped;
          }
          return { docs, skipped };
        },
      });
      const app = buildApp({ cache, logger, staleAfterMs: config.api.staleAfterMs, version: '0.1.0' });
      app.addHook('onClose', async () => client.close());
      // Listen at once: until the first load answers, the routes say 503 and /healthz `unavailable`.
      const address = await app.listen({ host: opts.host ?? config.api.host, port });
      writeLine(ctx.stdout, `rightsize serve: listening on ${address} (recommendations from ${prefix}-recommendations, reloaded every ${refreshMs} ms)`);
      const loaded = await cache.start(refreshMs);
      if (!loaded) logger.warn({ status: cache.status() }, 'first load of the recommendations failed; retrying every refresh interval');
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await app.close();
    });
}
