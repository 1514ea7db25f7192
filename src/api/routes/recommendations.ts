import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RecommendationDoc } from '../../model/index.js';
import type { RecommendationCache } from '../cache.js';
import type { PackedFilter, PackedView } from '../packed.js';
import { errorBody } from '../errors.js';
import type { MesosPluginVersion } from '../../analysis/labels/index.js';
import { knownLabels, labelPlan, mesosPluginFields, smallestCoveringLabel } from '../pure.js';
import {
  Allocation,
  BuildList,
  ErrorBody,
  JobQuery,
  LabelList,
  ListQuery,
  MAX_JOB_NAME,
  MesosPluginAllocation,
  PlanBody,
  PlanQuery,
  RecommendationList,
  type AllocationBody,
  type JobQueryT,
  type ListQueryT,
} from '../schemas.js';

const NOT_LOADED = errorBody('RS_ERR_STORE_UNAVAILABLE', 'the recommendations have not been loaded from Elasticsearch yet');
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 503: ErrorBody };

/** Control characters (C0, DEL) never occur in a Jenkins job name; a path with one is refused. */
function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

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

/**
 * The age of the cached data on every answer from the cache: `age` (s, RFC 9111) and
 * `x-rightsize-data-age-ms`; `x-rightsize-stale: true` when the last reload failed (Elasticsearch
 * down), so a client knows it got the previous data.
 */
export function markAge(reply: FastifyReply, cache: RecommendationCache, ageMs: number): void {
  void reply.header('age', Math.floor(ageMs / 1000)).header('x-rightsize-data-age-ms', ageMs);
  if (cache.lastRefreshFailed()) void reply.header('x-rightsize-stale', 'true');
}

/**
 * One page of the asked order as the response body: the documents' stored JSON bytes, copied
 * once into the answer (no parse, no serialization); without filters O(page), with filters one pass.
 */
function pageBody(view: PackedView, q: ListQueryT, ageMs: number): Buffer {
  const offset = q.offset ?? 0;
  const limit = q.limit ?? 100;
  const needle = q.q?.toLowerCase();
  const filtered = q.label !== undefined || q.severity !== undefined || q.min_savings !== undefined || needle !== undefined;
  const filter: PackedFilter | undefined = filtered
    ? {
        ...(q.label !== undefined ? { label: q.label } : {}),
        ...(q.severity !== undefined ? { severity: q.severity } : {}),
        ...(q.min_savings !== undefined ? { minSavings: q.min_savings } : {}),
        ...(needle !== undefined ? { needle } : {}),
      }
    : undefined;
  const kind = q.kind ?? 'jenkins.job';
  const parts: Buffer[] = [];
  let total = 0;
  view.scan(kind, q.sort ?? 'savings', q.order === 'asc', filter, (p, place) => {
    total = place + 1;
    if (place >= offset && place < offset + limit) {
      if (parts.length > 0) parts.push(COMMA);
      parts.push(view.jsonBytes(p));
    }
    // Unfiltered, the total is the kind's size: stop after the page.
    return filter !== undefined || place + 1 < offset + limit;
  });
  if (filter === undefined) total = view.size(kind);
  return Buffer.concat([Buffer.from(`{"total":${total},"offset":${offset},"data_age_ms":${ageMs},"items":[`), ...parts, END]);
}
const COMMA = Buffer.from(',');
const END = Buffer.from(']}');

export interface RecommendationRouteDeps {
  readonly cache: RecommendationCache;
  /** Answers `GET /api/v1/jobs/<job>/builds` (the store routes). */
  readonly buildsOf: (job: string, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /** The mesos-plugin generation `?format=mesos-plugin`'s `mem` is meant for (config analysis.labels.pluginVersion). @defaultValue '1' */
  readonly mesosPluginVersion?: MesosPluginVersion;
  /** preHandler of the costly routes (list pages, labels, the label plan): waits for a place in the API's gate. */
  readonly gated?: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

/** `/api/v1/jobs/*`, `/api/v1/recommendations`, `/api/v1/labels`, `/api/v1/labels/plan`: answered from the cache. */
export function registerRecommendationRoutes(app: FastifyInstance, deps: RecommendationRouteDeps): void {
  const { cache } = deps;
  const pluginVersion = deps.mesosPluginVersion ?? '1';
  const gate = deps.gated === undefined ? {} : { preHandler: deps.gated };
  const memo = new Map<string, { generation: number; value: unknown }>();
  const memoized = <T>(key: string, compute: () => T): T => {
    const hit = memo.get(key);
    if (hit && hit.generation === cache.generation()) return hit.value as T;
    const value = compute();
    memo.set(key, { generation: cache.generation(), value });
    return value;
  };

  app.get(
    '/api/v1/jobs/*',
    {
      config: { access: 'read' },
      schema: {
        summary: "What the job's next build should get",
        description:
          `The job full name is the rest of the path: folder separators stay "/", other characters URL-encoded; 1 to ${MAX_JOB_NAME} characters. A pull-request job (…/PR-123) is answered from its …/PR-* workload when pull requests are sized together. ` +
          '`?format=mesos-plugin` answers the smallest label the cluster has that covers the recommendation and the mesos-plugin fields. `/api/v1/jobs/<job>/builds` lists the builds (see /api/v1/builds).',
        tags: ['jobs'],
        querystring: JobQuery,
        response: { 200: { anyOf: [Allocation, MesosPluginAllocation, BuildList] }, ...errors },
      },
    },
    async (req, reply) => {
      const job = (req.params as { '*': string })['*'].replace(/\/+$/, '');
      if (job === '' || job.length > MAX_JOB_NAME || hasControlCharacter(job))
        return reply.code(400).send(errorBody('RS_ERR_API_BAD_REQUEST', `params/job must be a job full name of 1 to ${MAX_JOB_NAME} printable characters`));
      const age = cache.ageMs();
      const doc = age === undefined ? undefined : cache.forJob(job);
      if (doc === undefined && job.endsWith('/builds')) return deps.buildsOf(job.slice(0, -'/builds'.length), req, reply);
      if (age === undefined) return reply.code(503).send(NOT_LOADED);
      if (doc === undefined)
        return reply.code(404).send(errorBody('RS_ERR_API_NOT_FOUND', `no recommendation for job "${job}" yet (it needs enough finished builds); keep its label's size`));
      markAge(reply, cache, age);
      if ((req.query as JobQueryT).format !== 'mesos-plugin') return allocationOf(job, doc, age);
      const cpu = doc.recommended.cpu_cores ?? doc.current.cpu_cores ?? 0;
      const mem = doc.recommended.memory_bytes ?? doc.current.memory_bytes ?? 0;
      const labels = memoized('labels', () => knownLabels(cache.entries('jenkins.label').map((e) => e.doc)));
      const { label, fallback } = smallestCoveringLabel(labels, cpu, mem);
      const body: Static<typeof MesosPluginAllocation> = {
        job,
        workload: { kind: doc.workload.kind, key: doc.workload.key },
        ...(label ? { label: label.name, label_cpus: label.cpuCores, label_memory_bytes: label.memoryBytes } : {}),
        ...mesosPluginFields(cpu, mem, pluginVersion),
        plugin_version: pluginVersion,
        fallback,
        confidence: doc.confidence,
        data_age_ms: age,
      };
      return body;
    },
  );

  app.get(
    '/api/v1/recommendations',
    {
      config: { access: 'read' },
      ...gate,
      schema: { summary: 'Latest recommendations of one workload kind: filters, sort, pages', tags: ['recommendations'], querystring: ListQuery, response: { 200: RecommendationList, ...errors } },
    },
    (req, reply) => {
      const q = req.query as ListQueryT;
      const age = cache.ageMs();
      if (age === undefined) return reply.code(503).send(NOT_LOADED);
      markAge(reply, cache, age);
      // Each document was serialized once at reload (in the worker): a page copies its bytes.
      return reply.type('application/json; charset=utf-8').send(pageBody(cache.view(), q, age));
    },
  );

  app.get(
    '/api/v1/labels',
    { config: { access: 'read' }, ...gate, schema: { summary: 'The Jenkins labels with what they reserve now and what they should', tags: ['labels'], response: { 200: LabelList, ...errors } } },
    (_req, reply) => {
      const age = cache.ageMs();
      if (age === undefined) return reply.code(503).send(NOT_LOADED);
      markAge(reply, cache, age);
      const labels = memoized('label-rows', () => {
        const jobs = new Map<string, number>();
        const view = cache.view();
        view.scan('jenkins.job', 'name', false, undefined, (p) => {
          const l = view.label(p);
          if (l !== undefined) jobs.set(l, (jobs.get(l) ?? 0) + 1);
        });
        return cache.entries('jenkins.label', 'name').map(({ doc: d }) => ({
          label: d.workload.key,
          ...(d.current.cpu_cores !== undefined ? { cpu_cores: d.current.cpu_cores } : {}),
          ...(d.current.memory_bytes !== undefined ? { memory_bytes: d.current.memory_bytes } : {}),
          recommended: { ...(d.recommended.cpu_cores !== undefined ? { cpu_cores: d.recommended.cpu_cores } : {}), ...(d.recommended.memory_bytes !== undefined ? { memory_bytes: d.recommended.memory_bytes } : {}) },
          jobs: jobs.get(d.workload.key) ?? 0,
          confidence: d.confidence,
          severity: d.severity,
        }));
      });
      return { data_age_ms: age, labels };
    },
  );

  app.get(
    '/api/v1/labels/plan',
    {
      config: { access: 'read' },
      ...gate,
      schema: { summary: 'At most k label sizes that cover every job’s recommendation at the least reserved capacity', tags: ['labels'], querystring: PlanQuery, response: { 200: PlanBody, ...errors } },
    },
    (req, reply) => {
      const age = cache.ageMs();
      if (age === undefined) return reply.code(503).send(NOT_LOADED);
      markAge(reply, cache, age);
      const k = (req.query as { k?: number }).k ?? 4;
      return { data_age_ms: age, ...memoized(`plan-${k}`, () => labelPlan(cache.entries('jenkins.job').map((e) => e.doc), k)) };
    },
  );
}
