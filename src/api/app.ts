import type { Static } from '@sinclair/typebox';
import { STATUS_CODES } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { RightsizeError } from '../errors/index.js';
import type { RecommendationDoc } from '../model/index.js';
import { silentLogger, type Logger } from '../util/index.js';
import type { RecommendationCache } from './cache.js';
import { openApiDocument } from './openapi.js';
import { UI_HTML } from './ui.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus, singleSample, type MetricFamily } from './prometheus.js';
import { Allocation, ErrorBody, Health, KINDS, ListQuery, MAX_JOB_NAME, RecommendationList, type AllocationBody, type ListQueryT } from './schemas.js';

export interface AppDeps {
  readonly cache: RecommendationCache;
  readonly logger?: Logger;
  /** Data older than this makes /healthz say `stale` (still 200: old answers beat none), ms. */
  readonly staleAfterMs: number;
  readonly version: string;
  /** Connection and request limits (config `api`); each has a default. */
  readonly limits?: Partial<ApiLimits>;
}

/** What one client can make the server hold (issue 14 item 5). */
export interface ApiLimits {
  /** Open connections at most; more are closed as they arrive. */
  readonly maxConnections: number;
  /** A connection without traffic for this long is closed, ms. */
  readonly idleTimeoutMs: number;
  /** A kept-alive connection waits this long for its next request, ms. */
  readonly keepAliveTimeoutMs: number;
  /** A request must be received completely within this, ms. */
  readonly requestTimeoutMs: number;
  /** Largest request body, bytes (413 beyond). */
  readonly bodyLimitBytes: number;
}

export const DEFAULT_LIMITS: ApiLimits = { maxConnections: 1024, idleTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, requestTimeoutMs: 10_000, bodyLimitBytes: 64 * 1024 };

/** Control characters (C0, DEL) never occur in a Jenkins job name; a path with one is refused. */
function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function errorBody(code: string, message: string): Static<typeof ErrorBody> {
  return { error: { code, message } };
}

const NOT_LOADED = errorBody('RS_ERR_STORE_UNAVAILABLE', 'the recommendations have not been loaded from Elasticsearch yet');

function allocationOf(job: string, d: RecommendationDoc, ageMs: number): AllocationBody {
  const r = d.recommended;
  return {
    job,
    workload: { kind: d.workload.kind, key: d.workload.key },
    ...(r.cpu_cores !== undefined ? { cpu_cores: r.cpu_cores } : {}),
    ...(r.memory_bytes !== undefined ? { memory_bytes: r.memory_bytes } : {}),
    ...(r.lower !== undefined ? { lower: r.lower } : {}),
    ...(r.upper !== undefined ? { upper: r.upper } : {}),
    current: d.current,
    ...(d.jenkins?.label !== undefined ? { label: d.jenkins.label } : {}),
    confidence: d.confidence,
    severity: d.severity,
    reasons: [...d.reasons],
    builds: d.basis.builds,
    ...(d.savings !== undefined ? { savings: d.savings } : {}),
    recommended_at: d['@timestamp'],
    data_age_ms: ageMs,
  };
}

/** The API's own counters and what the cache holds, as metric families. */
function apiMetricFamilies(cache: RecommendationCache, requests: ReadonlyMap<string, number>): MetricFamily[] {
  const s = cache.status();
  const age = cache.ageMs();
  const one = singleSample;
  return [
    { name: 'rightsize_api_recommendations', type: 'gauge', help: 'Latest recommendations held, by workload kind.', samples: KINDS.map((kind) => ({ labels: { kind }, value: s.size[kind] ?? 0 })) },
    ...(age !== undefined ? [one('rightsize_api_data_age_seconds', 'gauge', 'Age of the recommendations the API serves.', age / 1000)] : []),
    one('rightsize_api_cache_refreshes_total', 'counter', 'Successful reloads of the recommendations from Elasticsearch.', s.refreshes),
    one('rightsize_api_cache_refresh_failures_total', 'counter', 'Failed reloads (the previous data is kept).', s.failures),
    one('rightsize_api_cache_skipped_documents', 'gauge', 'Stored documents without a workload kind and key, left out by the last reload.', s.skipped),
    {
      name: 'rightsize_api_requests_total',
      type: 'counter',
      help: 'Requests answered, by route and status.',
      samples: [...requests].map(([k, value]) => {
        const [route = '', status = ''] = k.split(' ');
        return { labels: { route, status }, value };
      }),
    },
  ];
}

/**
 * The rightsize HTTP API as a Fastify instance, without `listen` (tests use `inject`). Answers
 * from the {@link RecommendationCache}; closing the app closes the cache.
 *
 * - `GET /api/v1/jobs/<job full name>`: what the job's next build should get (404 when the job
 *   has no recommendation yet: keep its label's size).
 * - `GET /api/v1/recommendations?kind=&limit=&offset=`: latest recommendations, biggest weekly
 *   savings first.
 * - `GET /healthz`, `GET /metrics` (Prometheus text).
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  // Fastify's per-request lines are info: the API logs warnings and errors only.
  const logger: FastifyBaseLogger = (deps.logger ?? silentLogger()).child({ component: 'api' }, { level: 'warn' });
  const limits: ApiLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const app = Fastify({
    loggerInstance: logger,
    routerOptions: { maxParamLength: MAX_JOB_NAME * 3 },
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    bodyLimit: limits.bodyLimitBytes,
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
  // Beyond this, Node closes new connections at once (about 20,000 idle sockets locked everyone out).
  app.server.maxConnections = limits.maxConnections;
  const requests = new Map<string, number>();
  const { cache } = deps;

  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const key = `${route} ${reply.statusCode}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    done();
  });
  app.addHook('onClose', async () => cache.close());

  app.setErrorHandler((err: FastifyError | RightsizeError, _req, reply) => {
    if (err instanceof RightsizeError) return reply.code(err.statusCode).send(errorBody(err.code, err.message));
    if (err.validation !== undefined) return reply.code(400).send(errorBody('RS_ERR_API_BAD_REQUEST', err.message));
    app.log.error({ err }, 'API request failed');
    return reply.code(500).send(errorBody('RS_ERR_API_INTERNAL', 'internal error'));
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(errorBody('RS_ERR_API_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  app.get('/api/v1/jobs/*', { schema: { response: { 200: Allocation, 400: ErrorBody, 404: ErrorBody, 503: ErrorBody } } }, (req, reply) => {
    const job = (req.params as { '*': string })['*'].replace(/\/+$/, '');
    if (job === '' || job.length > MAX_JOB_NAME || hasControlCharacter(job))
      return reply.code(400).send(errorBody('RS_ERR_API_BAD_REQUEST', `a job full name of 1 to ${MAX_JOB_NAME} printable characters is expected`));
    const age = cache.ageMs();
    if (age === undefined) return reply.code(503).send(NOT_LOADED);
    const doc = cache.forJob(job);
    if (doc === undefined)
      return reply.code(404).send(errorBody('RS_ERR_API_NOT_FOUND', `no recommendation for job "${job}" yet (it needs enough finished builds); keep its label's size`));
    return allocationOf(job, doc, age);
  });

  app.get('/api/v1/recommendations', { schema: { querystring: ListQuery, response: { 200: RecommendationList, 400: ErrorBody, 503: ErrorBody } } }, (req, reply) => {
    const q = req.query as ListQueryT;
    const age = cache.ageMs();
    if (age === undefined) return reply.code(503).send(NOT_LOADED);
    const all = cache.entries(q.kind ?? 'jenkins.job');
    const offset = q.offset ?? 0;
    // Each document was serialized once at reload: a page costs a join, not a serialization.
    const items = all.slice(offset, offset + (q.limit ?? 100)).map((e) => e.json);
    return reply.type('application/json; charset=utf-8').send(`{"total":${all.length},"offset":${offset},"data_age_ms":${age},"items":[${items.join(',')}]}`);
  });

  app.get('/healthz', { schema: { response: { 200: Health, 503: Health } } }, (_req, reply) => {
    const s = cache.status();
    const age = cache.ageMs();
    const status = age === undefined ? 'unavailable' : age > deps.staleAfterMs ? 'stale' : 'ok';
    const body: Static<typeof Health> = {
      status,
      version: deps.version,
      recommendations: { ...s.size },
      ...(age !== undefined ? { data_age_ms: age } : {}),
      refreshes: s.refreshes,
      refresh_failures: s.failures,
      ...(s.lastError !== undefined ? { last_error: { code: s.lastError.code, message: s.lastError.message, at: new Date(s.lastError.atMs).toISOString() } } : {}),
    };
    return reply.code(status === 'unavailable' ? 503 : 200).send(body);
  });

  app.get('/metrics', (_req, reply) => reply.type(PROMETHEUS_CONTENT_TYPE).send(renderPrometheus(apiMetricFamilies(cache, requests))));
  app.get('/', (_req, reply) => reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'").send(UI_HTML));
  const openapi = openApiDocument(deps.version);
  app.get('/api/openapi.json', () => openapi);
  return app;
}
