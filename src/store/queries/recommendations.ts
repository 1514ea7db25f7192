import { createHash } from 'node:crypto';
import type { Client, estypes } from '@elastic/elasticsearch';
import type { RecommendationDoc } from '../../model/index.js';
import { toError } from '../../errors/index.js';
import { isRecord } from '../../util/json.js';
import { withEcsBase } from '../ecs.js';
import { statusOf, wrapEsError } from '../esErrors.js';
import { classifyBulkResponse } from '../bulkResponse.js';
import { fitId, indexName, recommendationId } from '../routing.js';

/**
 * Reading and writing the `recommendations` index (latest per workload, `_id` = workload key) and
 * the monthly `recommendations-history` indices (one document per workload per run).
 */


/**
 * `_id` of the latest recommendation document of a workload (docs/data-model.md): a
 * `jenkins.job` keeps its bare key (compatible with every document written so far); any other
 * kind gets `<kind>:<key>`, e.g. `jenkins.label:linux`. Jenkins forbids `:` in job names
 * (`Jenkins.checkGoodName`), so no job key can equal a prefixed id: a label named like a job
 * never overwrites it. Ids over 512 bytes are hashed ({@link fitId}); the key stays in the document.
 */
export function recommendationDocId(workload: { readonly kind: string; readonly key: string }): string {
  return workload.kind === 'jenkins.job' ? recommendationId(workload.key) : fitId(`${workload.kind}:${workload.key}`);
}

/**
 * `_id` of a history document: sha1 of the workload key and the run's instant, so writing the
 * same run twice (a retry) stores it once, and every new run adds one.
 */
export function historyId(workloadKey: string, runMs: number): string {
  return createHash('sha1')
    .update(JSON.stringify(['recommendation-history', workloadKey, new Date(runMs).toISOString()]))
    .digest('hex');
}

/** The `mget` request for the latest recommendations of some workloads (pure). */
export function recommendationsMgetRequest(prefix: string, keys: readonly string[]): Record<string, unknown> {
  return { index: indexName(prefix, 'recommendations', 0), ids: keys.map(recommendationId) };
}

/**
 * Reduces an `mget` answer to the stored documents by workload key. Documents that are missing,
 * answered with an error (e.g. the index does not exist yet) or have no object `_source` are
 * left out.
 */
export function parseRecommendationsMget(response: unknown): Map<string, RecommendationDoc> {
  const out = new Map<string, RecommendationDoc>();
  const docs = isRecord(response) ? response['docs'] : undefined;
  for (const d of Array.isArray(docs) ? docs : []) {
    if (!isRecord(d) || d['found'] !== true || typeof d['_id'] !== 'string' || !isRecord(d['_source'])) continue;
    out.set(d['_id'], d['_source'] as unknown as RecommendationDoc);
  }
  return out;
}

/**
 * The latest stored recommendation of each key (absent keys have none). For kinds other than
 * `jenkins.job` pass their {@link recommendationDocId}s; the map is keyed by `_id`.
 *
 * @throws StoreError `RS_ERR_STORE_UNAVAILABLE` / `RS_ERR_STORE_REJECTED`.
 */
export async function fetchRecommendations(client: Client, prefix: string, keys: readonly string[]): Promise<Map<string, RecommendationDoc>> {
  if (keys.length === 0) return new Map();
  try {
    return parseRecommendationsMget(await client.mget(recommendationsMgetRequest(prefix, keys)));
  } catch (err) {
    // A missing index answers mget with 404 on some versions instead of per-document errors.
    if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return new Map();
    throw wrapEsError(err, `reading ${indexName(prefix, 'recommendations', 0)}`);
  }
}

/** What a write of recommendations did. */
export interface RecommendationWriteStats {
  /** Latest documents written (new or changed). */
  written: number;
  /** Latest documents identical to the stored one (not rewritten). */
  unchanged: number;
  /** History documents created. */
  history: number;
  /** History documents of this run that already existed (a retried run). */
  historyExisting: number;
  /** Items Elasticsearch refused (with the first reasons). */
  failed: number;
  readonly failures: string[];
}

export function emptyWriteStats(): RecommendationWriteStats {
  return { written: 0, unchanged: 0, history: 0, historyExisting: 0, failed: 0, failures: [] };
}

/** Canonical JSON (sorted keys) for comparing a new document with the stored one. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v))
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined) // as JSON.stringify drops them
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/**
 * The bulk operations for one batch (pure): an `index` of the latest document (at
 * {@link recommendationDocId}) unless it equals the stored one, and a `create` of one history
 * document per workload in the month of `runMs`. `stored` is keyed by `_id`.
 */
export function recommendationsBulkBody(
  prefix: string,
  docs: readonly RecommendationDoc[],
  stored: ReadonlyMap<string, RecommendationDoc>,
  runMs: number,
): { operations: (estypes.BulkOperationContainer | RecommendationDoc)[]; unchanged: number } {
  const operations: (estypes.BulkOperationContainer | RecommendationDoc)[] = [];
  let unchanged = 0;
  const latest = indexName(prefix, 'recommendations', runMs);
  const history = indexName(prefix, 'recommendations-history', runMs);
  for (const doc of docs) {
    const id = recommendationDocId(doc.workload);
    // Stored with the ECS base fields; a document stored without them (template < v5) still compares equal.
    const d = withEcsBase(doc);
    const old = stored.get(id);
    if (old !== undefined && canonical(withEcsBase(old)) === canonical(d)) unchanged++;
    else operations.push({ index: { _index: latest, _id: id } }, d);
    // Jobs: historyId(key, run) as before; other kinds hash their prefixed id, so they differ too.
    operations.push({ create: { _index: history, _id: historyId(id, runMs) } }, d);
  }
  return { operations, unchanged };
}

/**
 * Writes one batch (see {@link recommendationsBulkBody}) and adds the outcome to `stats`.
 * Item failures are counted (first five reasons kept); a failed request throws.
 *
 * @throws StoreError `RS_ERR_STORE_UNAVAILABLE` / `RS_ERR_STORE_REJECTED`.
 */
export async function writeRecommendations(
  client: Client,
  prefix: string,
  docs: readonly RecommendationDoc[],
  stored: ReadonlyMap<string, RecommendationDoc>,
  runMs: number,
  stats: RecommendationWriteStats,
): Promise<void> {
  const { operations, unchanged } = recommendationsBulkBody(prefix, docs, stored, runMs);
  stats.unchanged += unchanged;
  if (operations.length === 0) return;
  let response: estypes.BulkResponse;
  try {
    response = await client.bulk({ operations });
  } catch (err) {
    const status = statusOf(err);
    // A 4xx for the whole request (a request-level validation such as an over-long id) must not
    // cost every other document: write the batch's documents one by one and count those refused.
    if (status === undefined || status < 400 || status >= 500 || status === 429) throw wrapEsError(err, 'writing recommendations');
    if (docs.length > 1) {
      const unchangedBefore = stats.unchanged;
      for (const d of docs) await writeRecommendations(client, prefix, [d], stored, runMs, stats);
      stats.unchanged = unchangedBefore; // already counted for the whole batch
      return;
    }
    stats.failed++;
    if (stats.failures.length < 5) stats.failures.push(`${docs[0]?.workload.kind ?? ''} ${docs[0]?.workload.key ?? ''}: ${status} ${toError(err).message}`);
    return;
  }
  const actions = operations.length / 2;
  const items = classifyBulkResponse(response, actions);
  if (items === undefined) {
    stats.failed += actions;
    if (stats.failures.length < 5) stats.failures.push(`bulk response does not list ${actions} items`);
    return;
  }
  for (const item of items) {
    if (item.outcome === 'exists') stats.historyExisting++;
    else if (item.outcome === 'stored') {
      if (item.op === 'create') stats.history++;
      else stats.written++;
    } else {
      stats.failed++;
      if (stats.failures.length < 5) stats.failures.push(`${item.op} ${item.id ?? '?'}: ${item.reason ?? item.status}`);
    }
  }
}
