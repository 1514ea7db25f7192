import { STATUS_CODES } from 'node:http';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { RightsizeError } from '../errors/index.js';
import type { ReportSink } from '../model/ports.js';
import { silentLogger, systemClock, type Clock, type Logger } from '../util/index.js';
import { tokenChecker, type Access, type ApiTokens } from './auth.js';
import type { RecommendationCache } from './cache.js';
import { capConnections } from './connections.js';
import { errorBody, validationMessage } from './errors.js';
import { ConcurrencyGate } from './gate.js';
import { Histogram } from './prometheus.js';
import type { ApiReads } from './reads.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerRecommendationRoutes } from './routes/recommendations.js';
import type { MesosPluginVersion } from '../analysis/labels/index.js';
import { registerStoreRoutes } from './routes/store.js';
import { registerUiRoutes } from './routes/ui.js';
import { MAX_JOB_NAME } from './schemas.js';

export interface AppDeps {
  readonly cache: RecommendationCache;
  readonly logger?: Logger;
  /** Data older than this makes /healthz say `stale` (still 200: old answers beat none), ms. */
  readonly staleAfterMs: number;
  /** `/readyz` fails when the newest recommendation is older than this, ms. @defaultValue 1 h */
  readonly dataFreshAfterMs?: number;
  readonly version: string;
  /** Connection and request limits (config `api`); each has a default. */
  readonly limits?: Partial<ApiLimits>;
  /** Builds, cluster, queue, alerts and silences (Elasticsearch); without it those routes answer 503. */
  readonly reads?: ApiReads;
  /** Where the weekly reports are kept; without it `/reports/weekly` answers 503. */
  readonly reports?: ReportSink;
  /**
   * Resolves once the store may be written (serve: its index templates are installed); rejects
   * with a RightsizeError when `signal` aborts first. The write routes wait for it, so a write at
   * start cannot create an index under dynamic mappings. Without it writes go straight out.
   */
  readonly writesReady?: (signal: AbortSignal) => Promise<void>;
  /** Bearer tokens; reads need one only when read tokens are configured, writes always. */
  readonly tokens?: ApiTokens;
  /** Origins CORS allows; none (the default) sends no CORS headers. */
  readonly corsOrigins?: readonly string[];
  readonly clock?: Clock;
  /** The mesos-plugin generation of `?format=mesos-plugin` (config analysis.labels.pluginVersion). @defaultValue '1' */
  readonly mesosPluginVersion?: MesosPluginVersion;
}

/** What one client can make the server hold (issue 14 item 5). */
export interface ApiLimits {
  /** Open connections at most; at the cap a new one closes the oldest never-used, else the longest idle one (refused only when all are busy). */
  readonly maxConnections: number;
  /** A connection without traffic for this long is closed, ms. */
  readonly idleTimeoutMs: number;
  /** A kept-alive connection waits this long for its next request, ms. */
  readonly keepAliveTimeoutMs: number;
  /** A request must be received completely within this, ms. */
  readonly requestTimeoutMs: number;
  /** Largest request body, bytes (413 beyond). */
  readonly bodyLimitBytes: number;
  /** List pages and the label plan answered at once at most; more wait their turn (src/api/gate.ts). */
  readonly maxConcurrentLists: number;
  /** List requests waiting at most; beyond, 503 `RS_ERR_API_BUSY` at once. */
  readonly maxQueuedLists: number;
}

/** How often Node looks for requests past `requestTimeoutMs` (and never-used sockets past it), ms. */
export const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

export const DEFAULT_LIMITS: ApiLimits = { maxConnections: 1024, idleTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, requestTimeoutMs: 10_000, bodyLimitBytes: 64 * 1024, maxConcurrentLists: 4, maxQueuedLists: 256 };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (default `public`). */
    access?: Access;
  }
}

/** Answers to a failed token check: status, code, message (the token itself never appears). */
const AUTH_FAILURES = {
  missing: [401, 'RS_ERR_API_UNAUTHORIZED', 'this route needs an Authorization: Bearer <token> header'],
  invalid: [401, 'RS_ERR_API_UNAUTHORIZED', 'the bearer token is not valid'],
  forbidden: [403, 'RS_ERR_API_FORBIDDEN', 'the token may read but not write'],
  no_write_tokens: [403, 'RS_ERR_API_FORBIDDEN', 'writes need a write token and none is configured (api.writeTokens or RIGHTSIZE_API_WRITE_TOKEN)'],
} as const;

/**
 * The rightsize HTTP API as a Fastify instance, without `listen` (tests use `inject`): the
 * routes under `/api/v1` (docs/api.md), `/healthz`, `/readyz`, `/metrics`, the OpenAPI
 * document generated from the route schemas at `/api/openapi.json`, its interactive docs at
 * `/docs`, and the web UI at `/`. Closing the app closes the cache.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  // Fastify's per-request lines are info: the API logs warnings and errors only (never headers).
  const logger: FastifyBaseLogger = (deps.logger ?? silentLogger()).child({ component: 'api' }, { level: 'warn' });
  const limits: ApiLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const clock = deps.clock ?? systemClock;
  const app = Fastify({
    loggerInstance: logger,
    routerOptions: { maxParamLength: MAX_JOB_NAME * 3 },
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    bodyLimit: limits.bodyLimitBytes,
    // Node checks the request timeout (a never-used or half-sent socket gets 408) this often; its default is 30 s.
    http: { connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS },
    // Errors raised before a route runs (a path that is not valid percent-encoding) keep the API's shape.
    frameworkErrors: (err, _req, reply) => {
      void (reply as FastifyReply).code(400).send(errorBody('RS_ERR_API_BAD_REQUEST', err.message));
    },
    // Errors of the HTTP parser itself (oversize headers, garbage) never reach a route: answer them on the socket.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      const body = JSON.stringify(errorBody('RS_ERR_API_BAD_REQUEST', status === 431 ? 'request headers too large' : status === 408 ? 'request not received in time' : 'malformed HTTP request'));
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    },
    // Unknown query parameters are refused (400), not silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true } },
  });
  // Not Node's maxConnections: it refuses every NEW connection at the cap, so about 20,000 idle
  // sockets locked the schedulers out. At the cap an unused or idle connection makes room.
  const connections = capConnections(app.server, { maxConnections: limits.maxConnections });
  const lists = new ConcurrencyGate(limits.maxConcurrentLists, limits.maxQueuedLists);
  // The costly answers wait for a place, so a job lookup never queues behind 200 of them in one turn.
  const gated = async (_req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const pass = lists.enter();
    if (pass !== undefined) {
      // The next waiter starts in a later event-loop turn: handed over in the same turn (a chain
      // of close events and promise callbacks), all 200 ran before a lookup's socket was read.
      reply.raw.once('close', () => setImmediate(pass.release));
      if (await pass.ready) return;
    }
    await reply.code(503).header('retry-after', '1').send(errorBody('RS_ERR_API_BUSY', `more than ${limits.maxQueuedLists} list requests are waiting; retry shortly`));
  };
  const requests = new Map<string, number>();
  const latency = new Histogram('rightsize_api_request_duration_seconds', 'Time from receiving a request to sending its answer, by route.', 'route');
  const { cache } = deps;
  const check = tokenChecker(deps.tokens ?? { read: [], write: [] });

  app.addHook('onRequest', (req, reply, done) => {
    const outcome = check(req.routeOptions.config.access ?? 'public', req.headers.authorization);
    if (outcome === 'ok') return done();
    const [status, code, message] = AUTH_FAILURES[outcome];
    if (status === 401) void reply.header('www-authenticate', 'Bearer realm="rightsize"');
    void reply.code(status).send(errorBody(code, message));
  });
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const key = `${route} ${reply.statusCode}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    latency.observe(route, reply.elapsedTime / 1000);
    done();
  });
  app.addHook('onClose', async () => cache.close());

  app.setErrorHandler((err: FastifyError | RightsizeError, _req, reply) => {
    if (err instanceof RightsizeError) return reply.code(err.statusCode).send(errorBody(err.code, err.message));
    if (err.validation !== undefined) return reply.code(400).send(errorBody('RS_ERR_API_BAD_REQUEST', validationMessage(err)));
    const status = err.statusCode ?? 500;
    if (status === 413) return reply.code(413).send(errorBody('RS_ERR_API_TOO_LARGE', `the request body is larger than ${limits.bodyLimitBytes} bytes`));
    if (status >= 400 && status < 500) return reply.code(status).send(errorBody('RS_ERR_API_BAD_REQUEST', err.message));
    app.log.error({ err }, 'API request failed');
    return reply.code(500).send(errorBody('RS_ERR_API_INTERNAL', 'internal error'));
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(errorBody('RS_ERR_API_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  if ((deps.corsOrigins ?? []).length > 0) void app.register(cors, { origin: [...(deps.corsOrigins ?? [])], methods: ['GET', 'POST', 'DELETE'], allowedHeaders: ['authorization', 'content-type'] });
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'rightsize', version: deps.version, description: 'What CPU and memory Jenkins-on-Mesos jobs should reserve, from their measured builds (docs/api.md).' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    // The job route is a wildcard (job full names contain "/"): documented as /api/v1/jobs/{job}.
    transform: ({ schema, url, route }) => {
      const access = route.config?.access ?? 'public';
      const s: Record<string, unknown> = { ...(schema as Record<string, unknown>), ...(access === 'public' ? {} : { security: [{ bearer: [] }] }) };
      if (!url.endsWith('/*')) return { schema: s, url };
      const { params: _params, ...rest } = s;
      return { schema: { ...rest, params: { type: 'object', properties: { job: { type: 'string', description: 'The job full name; folder separators stay "/".' } }, required: ['job'] } }, url: url.replace(/\*$/, '{job}') };
    },
  });
  void app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { deepLinking: false, validatorUrl: null } });
  void app.register((api, _opts, done) => {
    const { buildsOf } = registerStoreRoutes(api, { cache, clock, ...(deps.reads ? { reads: deps.reads } : {}), ...(deps.reports ? { reports: deps.reports } : {}), ...(deps.writesReady ? { writesReady: deps.writesReady } : {}) });
    registerRecommendationRoutes(api, { cache, buildsOf, gated, ...(deps.mesosPluginVersion === undefined ? {} : { mesosPluginVersion: deps.mesosPluginVersion }) });
    registerHealthRoutes(api, { ...deps, clock, requests, latency, connections: connections.stats, lists: () => lists.stats() });
    registerUiRoutes(api);
    api.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
    done();
  });
  return app;
}
