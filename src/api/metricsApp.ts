import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { silentLogger, type Logger } from '../util/index.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus, type MetricFamily } from './prometheus.js';

export interface MetricsAppDeps {
  /** Read on every scrape. */
  readonly families: () => readonly MetricFamily[];
  /** `/healthz` body; the status is 200 while the process runs. */
  readonly health: () => Record<string, unknown>;
  readonly logger?: Logger;
}

/**
 * The small HTTP side of a long-running command (`rightsize collect --metrics-port`):
 * `GET /metrics` in the Prometheus text format and `GET /healthz`. Without `listen`.
 */
export function buildMetricsApp(deps: MetricsAppDeps): FastifyInstance {
  const logger: FastifyBaseLogger = (deps.logger ?? silentLogger()).child({ component: 'metrics' }, { level: 'warn' });
  const app = Fastify({ loggerInstance: logger });
  app.get('/metrics', (_req, reply) => reply.type(PROMETHEUS_CONTENT_TYPE).send(renderPrometheus(deps.families())));
  app.get('/healthz', () => deps.health());
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { code: 'RS_ERR_API_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } }));
  return app;
}
