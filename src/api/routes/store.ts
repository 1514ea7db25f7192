import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RightsizeError } from '../../errors/index.js';
import type { ReportSink } from '../../model/ports.js';
import type { Clock } from '../../util/index.js';
import type { RecommendationCache } from '../cache.js';
import { errorBody } from '../errors.js';
import { bucketMs, lastCompleteIsoWeek, parseRange } from '../pure.js';
import type { ApiReads } from '../reads.js';
import {
  AlertsBody,
  AlertsQuery,
  BuildList,
  BuildsQuery,
  ClusterBody,
  ErrorBody,
  MAX_JOB_NAME,
  QueueBody,
  RangeQuery,
  SilenceInput,
  SilenceParams,
  SilenceRow,
  WeeklyBody,
  WeeklyQuery,
  type BuildsQueryT,
  type RangeQueryT,
  type SilenceInputT,
  type WeeklyQueryT,
} from '../schemas.js';
import { Type } from '@sinclair/typebox';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 503: ErrorBody };
/** A store read that takes longer is abandoned: the route then answers from its cache or 503. */
const STORE_TIMEOUT_MS = 10_000;
/** Answers kept for when Elasticsearch is down (the oldest goes first). */
const MAX_REMEMBERED = 256;

export interface StoreRouteDeps {
  readonly cache: RecommendationCache;
  readonly clock: Clock;
  readonly reads?: ApiReads;
  readonly reports?: ReportSink;
  /** Awaited before each write (see AppDeps.writesReady). */
  readonly writesReady?: (signal: AbortSignal) => Promise<void>;
}

const NO_STORE = errorBody('RS_ERR_STORE_UNAVAILABLE', 'this route reads Elasticsearch, which rightsize serve was not given');

/**
 * Routes answered from Elasticsearch through {@link ApiReads}. Each answer is remembered by its
 * URL; when the store fails, the last answer for that URL is served with its age (`age`,
 * `x-rightsize-data-age-ms`, `x-rightsize-stale: true`), and 503 only when there is none.
 */
export function registerStoreRoutes(app: FastifyInstance, deps: StoreRouteDeps): { buildsOf: (job: string, req: FastifyRequest, reply: FastifyReply) => Promise<unknown> } {
  const { reads, clock } = deps;
  const remembered = new Map<string, { body: unknown; atMs: number }>();

  async function answer(req: FastifyRequest, reply: FastifyReply, read: (reads: ApiReads, signal: AbortSignal) => Promise<unknown>): Promise<unknown> {
    if (reads === undefined) return reply.code(503).send(NO_STORE);
    const key = req.url;
    try {
      const body = await read(reads, AbortSignal.timeout(STORE_TIMEOUT_MS));
      remembered.delete(key);
      remembered.set(key, { body, atMs: clock.nowMs() });
      if (remembered.size > MAX_REMEMBERED) remembered.delete(remembered.keys().next().value as string);
      void reply.header('age', 0).header('x-rightsize-data-age-ms', 0);
      return body;
    } catch (err) {
      // Only the store failing (or not answering in time) is served from memory; a bug is a 500.
      const storeFailed = err instanceof RightsizeError ? err.code.startsWith('RS_ERR_STORE_') : err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      if (!storeFailed) throw err;
      const last = remembered.get(key);
      const code = err instanceof RightsizeError ? err.code : 'RS_ERR_STORE_UNAVAILABLE';
      if (last === undefined) return reply.code(503).send(errorBody('RS_ERR_STORE_UNAVAILABLE', `Elasticsearch did not answer (${code}) and nothing is cached for this request`));
      const ageMs = Math.max(0, clock.nowMs() - last.atMs);
      void reply.header('age', Math.floor(ageMs / 1000)).header('x-rightsize-data-age-ms', ageMs).header('x-rightsize-stale', 'true');
      return last.body;
    }
  }

  const buildsOf = (job: string, req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    if (job === '' || job.length > MAX_JOB_NAME) return Promise.resolve(reply.code(400).send(errorBody('RS_ERR_API_BAD_REQUEST', `querystring/job must be a job full name of 1 to ${MAX_JOB_NAME} characters`)));
    const q = req.query as BuildsQueryT & { format?: string };
    if (q.format !== undefined) return Promise.resolve(reply.code(400).send(errorBody('RS_ERR_API_BAD_REQUEST', 'querystring/format is not a known parameter of the builds route')));
    const { fromMs, toMs } = parseRange(q, clock.nowMs());
    const limit = Math.min(1000, Math.max(1, Number(q.limit ?? 200) || 200));
    return answer(req, reply, async (r, signal) => {
      const rec = deps.cache.forJob(job)?.recommended;
      return {
        job,
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        ...(rec ? { recommendation: { ...(rec.cpu_cores !== undefined ? { cpu_cores: rec.cpu_cores } : {}), ...(rec.memory_bytes !== undefined ? { memory_bytes: rec.memory_bytes } : {}) } } : {}),
        builds: await r.builds(job, { fromMs, toMs }, limit, signal),
      };
    });
  };

  app.get(
    '/api/v1/builds',
    {
      config: { access: 'read' },
      schema: {
        summary: "A job's builds: requested vs used, queue wait, OOM and throttling (also at /api/v1/jobs/{job}/builds)",
        tags: ['jobs'],
        querystring: Type.Composite([Type.Object({ job: Type.String({ minLength: 1, maxLength: MAX_JOB_NAME }) }), BuildsQuery], { additionalProperties: false }),
        response: { 200: BuildList, ...errors },
      },
    },
    (req, reply) => buildsOf((req.query as { job: string }).job, req, reply),
  );

  app.get(
    '/api/v1/cluster',
    { config: { access: 'read' }, schema: { summary: 'Capacity, allocation and measured use, now and over time', tags: ['cluster'], querystring: RangeQuery, response: { 200: ClusterBody, ...errors } } },
    (req, reply) => {
      const { fromMs, toMs } = parseRange(req.query as RangeQueryT, clock.nowMs());
      const intervalMs = bucketMs(fromMs, toMs);
      return answer(req, reply, async (r, signal) => ({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), interval_ms: intervalMs, ...(await r.cluster({ fromMs, toMs, intervalMs }, signal)) }));
    },
  );

  app.get(
    '/api/v1/queue',
    { config: { access: 'read' }, schema: { summary: 'Queue waits by label', tags: ['cluster'], querystring: RangeQuery, response: { 200: QueueBody, ...errors } } },
    (req, reply) => {
      const { fromMs, toMs } = parseRange(req.query as RangeQueryT, clock.nowMs());
      const intervalMs = bucketMs(fromMs, toMs);
      return answer(req, reply, async (r, signal) => ({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), interval_ms: intervalMs, labels: await r.queue({ fromMs, toMs, intervalMs }, signal) }));
    },
  );

  app.get(
    '/api/v1/alerts',
    { config: { access: 'read' }, schema: { summary: 'Alerts (state per rule and group) and the active silences', tags: ['alerts'], querystring: AlertsQuery, response: { 200: AlertsBody, ...errors } } },
    (req, reply) =>
      answer(req, reply, async (r, signal) => {
        const nowMs = clock.nowMs();
        const [alerts, silences] = await Promise.all([r.alerts((req.query as { status?: 'firing' | 'resolved' }).status, signal), r.activeSilences(nowMs, signal)]);
        return {
          alerts: alerts.map((a) => {
            const s = silences.find((x) => x.rule_id === a.rule_id && (x.group === undefined || x.group === a.group));
            return s ? { ...a, silenced_by: s.id } : a;
          }),
          silences,
        };
      }),
  );

  app.post(
    '/api/v1/silences',
    { config: { access: 'write' }, schema: { summary: 'Silence a rule (or one group of it) until a time', tags: ['alerts'], body: SilenceInput, response: { 201: SilenceRow, ...errors, 413: ErrorBody } } },
    async (req, reply) => {
      if (reads === undefined) return reply.code(503).send(NO_STORE);
      const b = req.body as SilenceInputT;
      const nowMs = clock.nowMs();
      if ((b.duration_ms === undefined) === (b.until_ms === undefined)) return reply.code(400).send(errorBody('RS_ERR_API_BAD_REQUEST', 'body/duration_ms or body/until_ms is required (exactly one)'));
      const untilMs = b.until_ms ?? nowMs + (b.duration_ms ?? 0);
      if (untilMs <= nowMs) return reply.code(400).send(errorBody('RS_ERR_API_BAD_REQUEST', 'body/until_ms must be in the future'));
      await deps.writesReady?.(AbortSignal.timeout(STORE_TIMEOUT_MS));
      const row = await reads.createSilence(
        { ruleId: b.rule_id, ...(b.group !== undefined ? { group: b.group } : {}), untilMs, createdBy: b.created_by, ...(b.comment !== undefined ? { comment: b.comment } : {}), createdAtMs: nowMs },
        AbortSignal.timeout(STORE_TIMEOUT_MS),
      );
      return reply.code(201).send(row);
    },
  );

  app.delete(
    '/api/v1/silences/:id',
    { config: { access: 'write' }, schema: { summary: 'Expire a silence now', tags: ['alerts'], params: SilenceParams, response: { 204: Type.Null(), ...errors } } },
    async (req, reply) => {
      if (reads === undefined) return reply.code(503).send(NO_STORE);
      const { id } = req.params as { id: string };
      // An update of a missing index creates it too.
      await deps.writesReady?.(AbortSignal.timeout(STORE_TIMEOUT_MS));
      if (!(await reads.expireSilence(id, clock.nowMs(), AbortSignal.timeout(STORE_TIMEOUT_MS)))) return reply.code(404).send(errorBody('RS_ERR_API_NOT_FOUND', `no silence ${id}`));
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/reports/weekly',
    {
      config: { access: 'read' },
      schema: {
        summary: 'A stored weekly report (json: its figures; html, md, csv: as rendered)',
        tags: ['reports'],
        querystring: WeeklyQuery,
        response: { 200: { anyOf: [WeeklyBody, Type.String()] }, ...errors },
      },
    },
    async (req, reply) => {
      if (deps.reports === undefined) return reply.code(503).send(errorBody('RS_ERR_STORE_UNAVAILABLE', 'no report store is configured'));
      const q = req.query as WeeklyQueryT;
      const week = q.week ?? lastCompleteIsoWeek(clock.nowMs());
      const report = await deps.reports.get(`weekly:${week}`);
      if (report === undefined) return reply.code(404).send(errorBody('RS_ERR_API_NOT_FOUND', `no weekly report for ${week} yet (rightsize writes it after the week ends)`));
      switch (q.format ?? 'json') {
        case 'html':
          // The report's own markup, shown with no script and no outside resources.
          return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox").send(report.html);
        case 'md':
          return reply.type('text/markdown; charset=utf-8').send(report.markdown);
        case 'csv':
          return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="rightsize-${week}.csv"`).send(report.csv);
        default:
          return { id: report.id, period: report.period, generated_at: new Date(report.generatedAtMs).toISOString(), figures: report.figures };
      }
    },
  );

  return { buildsOf };
}
