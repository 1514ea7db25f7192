import { createHash } from 'node:crypto';
import type { Sample, SampleKind } from '../model/index.js';
import { StoreError } from '../errors/index.js';
import { dailySuffix, monthlySuffix } from '../util/index.js';

/**
 * Index names and deterministic `_id`s. Pure: a function of the document and the prefix only
 * (the date in an index name comes from the document's own `@timestamp`, in UTC, never from the
 * wall clock), so a retry of the same sample always lands on the same index and `_id`.
 */

/** The index kinds of docs/data-model.md, each behind one index template. */
export type IndexKind =
  | 'containers'
  | 'cluster'
  | 'queue'
  | 'builds'
  | 'recommendations'
  | 'recommendations-history'
  | 'alerts'
  | 'alert-events'
  | 'silences'
  | 'waste'
  | 'reports';

/** How an index kind is split over time. */
export type IndexPeriod = 'daily' | 'monthly' | 'single';

/** Every index kind with its period; the order is the order templates are installed in. */
export const INDEX_KINDS: Readonly<Record<IndexKind, IndexPeriod>> = {
  containers: 'daily',
  cluster: 'daily',
  queue: 'daily',
  builds: 'monthly',
  recommendations: 'single',
  'recommendations-history': 'monthly',
  alerts: 'single',
  'alert-events': 'monthly',
  silences: 'single',
  waste: 'monthly',
  reports: 'single',
};

/** The index kind each sample kind is written to (agents and roles share the cluster indices). */
export const SAMPLE_INDEX_KIND: Readonly<Record<SampleKind, IndexKind>> = {
  container: 'containers',
  cluster: 'cluster',
  agent: 'cluster',
  role: 'cluster',
  queue: 'queue',
  build: 'builds',
};

/**
 * Parses an ISO-8601 `@timestamp` into epoch ms, or undefined when it is not a usable instant
 * (unparseable, or outside years 1970..9999, which would not make a valid `YYYY.MM.DD` suffix).
 */
export function timestampMs(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms) || ms < 0 || ms >= Date.UTC(10000, 0, 1)) return undefined;
  return ms;
}

/** The concrete index name of a kind for an instant, e.g. `rightsize-containers-2026.11.22`. */
export function indexName(prefix: string, kind: IndexKind, epochMs: number): string {
  switch (INDEX_KINDS[kind]) {
    case 'daily':
      return `${prefix}-${kind}-${dailySuffix(epochMs)}`;
    case 'monthly':
      return `${prefix}-${kind}-${monthlySuffix(epochMs)}`;
    case 'single':
      return `${prefix}-${kind}`;
  }
}

/** The pattern the template of a kind matches: `<prefix>-<kind>-*`, or the exact name of a single index. */
export function indexPattern(prefix: string, kind: IndexKind): string {
  return INDEX_KINDS[kind] === 'single' ? `${prefix}-${kind}` : `${prefix}-${kind}-*`;
}

/** Where a sample goes: its index and `_id`, or why it cannot be routed (errors as data). */
export type Route = { readonly ok: true; readonly index: string; readonly id: string } | { readonly ok: false; readonly reason: string };

function sha1(parts: readonly unknown[]): string {
  // JSON of an array is unambiguous: ["a","b|c"] and ["a|b","c"] hash differently.
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex');
}

/**
 * The fields that identify a sample, in a fixed order; two samples with the same identity are
 * the same observation (a retry), never two. The `@timestamp` is normalised through
 * `toISOString` so `...:00Z` and `...:00.000Z` are the same instant.
 */
function identity(sample: Sample, tsIso: string): readonly unknown[] | string {
  switch (sample.kind) {
    case 'container': {
      const d = sample.doc;
      if (typeof d.container?.id !== 'string' || d.container.id === '') return 'container.id is missing';
      return ['container', d.event?.dataset ?? '', d.service?.address ?? d.host?.name ?? '', d.container.id, tsIso];
    }
    case 'cluster': {
      const d = sample.doc;
      if (typeof d.mesos?.master?.url !== 'string' || d.mesos.master.url === '') return 'mesos.master.url is missing';
      return ['cluster', d.mesos.cluster ?? '', d.mesos.master.url, tsIso];
    }
    case 'agent': {
      const d = sample.doc;
      if (typeof d.mesos?.agent?.id !== 'string' || d.mesos.agent.id === '') return 'mesos.agent.id is missing';
      return ['agent', d.mesos.cluster ?? '', d.mesos.agent.id, tsIso];
    }
    case 'role': {
      const d = sample.doc;
      if (typeof d.mesos?.role?.name !== 'string' || d.mesos.role.name === '') return 'mesos.role.name is missing';
      return ['role', d.mesos.cluster ?? '', d.mesos.role.name, tsIso];
    }
    case 'queue': {
      const d = sample.doc;
      if (typeof d.event?.dataset !== 'string') return 'event.dataset is missing';
      return ['queue', d.jenkins?.url ?? '', d.event.dataset, d.jenkins?.label ?? '', tsIso];
    }
    case 'build': {
      const d = sample.doc;
      const job = d.jenkins?.job?.name;
      const num = d.jenkins?.build?.number;
      if (typeof job !== 'string' || job === '') return 'jenkins.job.name is missing';
      if (typeof num !== 'number' || !Number.isSafeInteger(num)) return 'jenkins.build.number is missing or not an integer';
      // A build is identified by where it ran, not when it was summarised.
      return ['build', d.jenkins.url ?? '', job, num];
    }
  }
}

/**
 * Routes a sample to its index and deterministic `_id` without throwing.
 *
 * @example routeSample({ kind: 'queue', doc }, 'rightsize') → { ok: true, index: 'rightsize-queue-2026.11.22', id: '<sha1>' }
 */
export function routeSample(sample: Sample, prefix: string): Route {
  const doc = sample.doc as { readonly '@timestamp'?: unknown };
  const ms = timestampMs(doc['@timestamp']);
  if (ms === undefined) return { ok: false, reason: `@timestamp ${JSON.stringify(doc['@timestamp'] ?? null)} is not an ISO-8601 instant` };
  const kind = SAMPLE_INDEX_KIND[sample.kind] as IndexKind | undefined;
  if (kind === undefined) return { ok: false, reason: `unknown sample kind ${JSON.stringify(sample.kind)}` };
  const parts = identity(sample, new Date(ms).toISOString());
  if (typeof parts === 'string') return { ok: false, reason: parts };
  return { ok: true, index: indexName(prefix, kind, ms), id: sha1(parts) };
}

function routeOrThrow(sample: Sample, prefix: string): { index: string; id: string } {
  const route = routeSample(sample, prefix);
  if (!route.ok) throw new StoreError('RS_ERR_STORE_DOC_INVALID', `${sample.kind} sample cannot be routed: ${route.reason}`);
  return route;
}

/** The index of a sample, from its `@timestamp` in UTC. Throws `RS_ERR_STORE_DOC_INVALID` for an unusable timestamp. */
export function indexFor(sample: Sample, prefix: string): string {
  return routeOrThrow(sample, prefix).index;
}

/** The deterministic `_id` of a sample (sha1 hex of its identity). Throws `RS_ERR_STORE_DOC_INVALID` when an identity field is missing. */
export function idFor(sample: Sample): string {
  return routeOrThrow(sample, 'x').id;
}

/** Elasticsearch refuses an `_id` longer than 512 bytes (UTF-8) — for the whole bulk request. */
export const MAX_ID_BYTES = 512;

/**
 * An `_id` that always fits: `id` itself when it is at most {@link MAX_ID_BYTES} UTF-8 bytes,
 * else `sha256:<hex of id>` (71 bytes). The hashed form contains `:`, which Jenkins forbids in
 * job names, so it never equals a job's bare key; the document keeps the full key in its fields.
 */
export function fitId(id: string): string {
  return Buffer.byteLength(id, 'utf8') <= MAX_ID_BYTES ? id : `sha256:${createHash('sha256').update(id, 'utf8').digest('hex')}`;
}

/** `_id` of the latest recommendation of a workload: the workload key itself (data-model.md), hashed when over 512 bytes ({@link fitId}). */
export function recommendationId(workloadKey: string): string {
  return fitId(workloadKey);
}

/** `_id` of an alert state document: rule id + group key (unambiguous even when either contains a separator). */
export function alertStateId(ruleId: string, group: string): string {
  return sha1(['alert', ruleId, group]);
}
