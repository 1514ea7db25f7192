import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { toError } from '../../errors/index.js';
import type { Clock } from '../../util/index.js';
import type { RecommendationCache } from '../cache.js';
import type { ConnectionStats } from '../connections.js';
import type { GateStats } from '../gate.js';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus, singleSample, type Histogram, type MetricFamily } from '../prometheus.js';
import type { ApiReads } from '../reads.js';
import { Health, KINDS, Ready } from '../schemas.js';

export interface HealthRouteDeps {
  readonly cache: RecommendationCache;
  readonly clock: Clock;
  readonly staleAfterMs: number;
  readonly dataFreshAfterMs?: number;
  readonly version: string;
  readonly reads?: ApiReads;
  readonly requests: ReadonlyMap<string, number>;
  readonly latency: Histogram;
  /** The connection cap's counters (src/api/connections.ts). */
  readonly connections?: () => ConnectionStats;
  /** The list gate's counters (src/api/gate.ts). */
  readonly lists?: () => GateStats;
}

/** The API's own counters and what the cache holds, as metric families. */
function apiMetricFamilies(deps: HealthRouteDeps): MetricFamily[] {
  const { cache, requests } = deps;
  const s = cache.status();
  const age = cache.ageMs();
  const one = singleSample;
  return [
    { name: 'rightsize_api_recommendations', type: 'gauge', help: 'Latest recommendations held, by workload kind.', samples: KINDS.map((kind) => ({ labels: { kind }, value: s.size[kind] ?? 0 })) },
    ...(age !== undefined ? [one('rightsize_api_data_age_seconds', 'gauge', 'Age of the recommendations the API serves.', age / 1000)] : []),
    one('rightsize_api_cache_refreshes_total', 'counter', 'Successful reloads of the recommendations from Elasticsearch.', s.refreshes),
    one('rightsize_api_cache_refresh_failures_total', 'counter', 'Failed reloads (the previous data is kept).', s.failures),
    one('rightsize_api_cache_skipped_documents', 'gauge', 'Stored documents without a workload kind and key, left out by the last reload.', s.skipped),
    ...(s.lastRefreshMs !== undefined ? [one('rightsize_api_cache_last_refresh_seconds', 'gauge', 'How long the last successful reload took (read and pack).', s.lastRefreshMs / 1000)] : []),
    ...(s.lastBuild !== undefined
      ? [
          one('rightsize_api_cache_last_pack_seconds', 'gauge', 'How long packing the last snapshot took (serializing, sorting, indexing), wherever it ran.', s.lastBuild.packMs / 1000),
          one('rightsize_api_cache_snapshot_bytes', 'gauge', 'Size of the snapshot served (one buffer: documents, keys, orders, index).', s.lastBuild.bytes),
          one('rightsize_api_cache_reload_in_worker', 'gauge', '1 when the last snapshot was read and packed in the reload worker thread, 0 on the main thread.', s.lastBuild.inWorker ? 1 : 0),
        ]
      : []),
    {
      name: 'rightsize_api_requests_total',
      type: 'counter',
      help: 'Requests answered, by route and status.',
      samples: [...requests].map(([k, value]) => {
        const [route = '', status = ''] = k.split(' ');
        return { labels: { route, status }, value };
      }),
    },
    deps.latency.family(),
    ...(deps.connections ? connectionFamilies(deps.connections()) : []),
    ...(deps.lists ? gateFamilies(deps.lists()) : []),
  ];
}

function gateFamilies(g: GateStats): MetricFamily[] {
  return [
    singleSample('rightsize_api_list_requests_active', 'gauge', 'List pages and label plans being answered now (at most api.maxConcurrentLists).', g.active),
    singleSample('rightsize_api_list_requests_queued', 'gauge', 'List requests waiting for a place (at most api.maxQueuedLists).', g.queued),
    singleSample('rightsize_api_list_requests_refused_total', 'counter', 'List requests answered 503 RS_ERR_API_BUSY because the queue was full.', g.refused),
  ];
}

function connectionFamilies(c: ConnectionStats): MetricFamily[] {
  return [
    singleSample('rightsize_api_connections_open', 'gauge', 'HTTP connections open now (at most api.maxConnections).', c.open),
    {
      name: 'rightsize_api_connections_evicted_total',
      type: 'counter',
      help: 'Connections closed at the cap to make room for a new one, by state: unused (no complete request yet), idle (between requests).',
      samples: (['unused', 'idle'] as const).map((state) => ({ labels: { state }, value: c.evicted[state] })),
    },
    singleSample('rightsize_api_connections_refused_total', 'counter', 'New connections refused at the cap because every open one had a request in flight.', c.refused),
  ];
}

/**
 * `/healthz` (the process is up: always 200, the body says how the cache is), `/readyz` (Elasticsearch,
 * templates, fresh data: 503 when not), `/metrics`. A liveness check (Docker HEALTHCHECK, Marathon)
 * must not restart `serve` because Elasticsearch is down or no analysis has run yet: that is `/readyz`.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthRouteDeps): void {
  const { cache } = deps;
  app.get('/healthz', { schema: { summary: 'The process is up (always 200); whether recommendations are loaded and how old they are', tags: ['health'], response: { 200: Health } } }, (_req, reply) => {
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
    return reply.code(200).send(body);
  });

  app.get(
    '/readyz',
    { schema: { summary: 'Ready to serve: Elasticsearch reachable, templates installed, recommendations fresh', tags: ['health'], response: { 200: Ready, 503: Ready } } },
    async (_req, reply) => {
      const signal = AbortSignal.timeout(5_000);
      let es: Static<typeof Ready>['checks']['elasticsearch'] = { ok: false, message: 'rightsize serve was not given Elasticsearch' };
      let templates: Static<typeof Ready>['checks']['templates'] = { ok: false, missing: [] };
      if (deps.reads) {
        try {
          await deps.reads.ping(signal);
          es = { ok: true };
          const missing = await deps.reads.missingTemplates(signal);
          templates = { ok: missing.length === 0, missing: [...missing] };
        } catch (err) {
          es = { ok: false, message: toError(err).message };
        }
      }
      const newest = cache.newestRecommendationMs();
      const freshMs = deps.dataFreshAfterMs ?? 3_600_000;
      const ageMs = newest === undefined ? undefined : Math.max(0, deps.clock.nowMs() - newest);
      const data: Static<typeof Ready>['checks']['data'] =
        ageMs === undefined
          ? { ok: false, message: cache.ageMs() === undefined ? 'recommendations not loaded yet' : 'no recommendations yet: run rightsize analyze' }
          : { ok: ageMs <= freshMs, newest_ms: newest, age_ms: ageMs, ...(ageMs > freshMs ? { message: `the newest recommendation is older than ${freshMs} ms: is rightsize analyze running?` } : {}) };
      const ready = es.ok && templates.ok && data.ok;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { elasticsearch: es, templates, data } });
    },
  );

  app.get('/metrics', { schema: { summary: 'Prometheus text: cache, requests, request latency histogram', tags: ['health'], response: { 200: { type: 'string' } } } }, (_req, reply) =>
    reply.type(PROMETHEUS_CONTENT_TYPE).send(renderPrometheus(apiMetricFamilies(deps))),
  );
}
