import type { Client } from '@elastic/elasticsearch';
import { isRecord } from '../../util/json.js';
import { wrapEsError } from '../esErrors.js';
import { indexPattern } from '../routing.js';

/**
 * Exports the `builds` documents of a time window exactly as stored (`_source`), oldest build end
 * first, with a point in time and `search_after` (a consistent view, no deep-paging limit, one
 * page in memory at a time).
 */
export interface ExportBuildsQuery {
  readonly prefix: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** Hits per page. @defaultValue 1000 */
  readonly pageSize?: number;
  /** PIT keep-alive between pages. @defaultValue '2m' */
  readonly keepAlive?: string;
  /** The instant the window and the order apply to. @defaultValue 'build.end' */
  readonly timeField?: 'build.end' | 'build.start';
  /** Only these `_source` fields (e.g. {@link JOB_BUILD_FIELDS}); absent: the whole document. */
  readonly includes?: readonly string[];
}

/** The search request of one export page (pure). */
export function exportPageRequest(q: ExportBuildsQuery, pitId: string, after?: readonly unknown[]): Record<string, unknown> {
  const field = q.timeField ?? 'build.end';
  return {
    size: q.pageSize ?? 1000,
    pit: { id: pitId, keep_alive: q.keepAlive ?? '2m' },
    track_total_hits: false,
    query: { bool: { filter: [{ range: { [field]: { gte: q.fromMs, lte: q.toMs, format: 'epoch_millis' } } }] } },
    // `_shard_doc` is the PIT's cheap unique tie-breaker.
    sort: [{ [field]: { order: 'asc' } }, { _shard_doc: { order: 'asc' } }],
    ...(q.includes !== undefined ? { _source: { includes: [...q.includes] } } : {}),
    ...(after !== undefined ? { search_after: after } : {}),
  };
}

/**
 * Yields pages of `_source` objects. Yields nothing when no builds index exists.
 *
 * @throws StoreError `RS_ERR_STORE_UNAVAILABLE` / `RS_ERR_STORE_REJECTED`.
 */
export async function* exportBuildPages(client: Client, q: ExportBuildsQuery): AsyncGenerator<Record<string, unknown>[]> {
  const pattern = indexPattern(q.prefix, 'builds');
  let exists: boolean;
  try {
    exists = await client.indices.exists({ index: pattern, allow_no_indices: false });
  } catch (err) {
    throw wrapEsError(err, `checking ${pattern}`);
  }
  if (!exists) return;
  let pitId: string;
  try {
    pitId = (await client.openPointInTime({ index: pattern, keep_alive: q.keepAlive ?? '2m' })).id;
  } catch (err) {
    throw wrapEsError(err, `opening a point in time on ${pattern}`);
  }
  try {
    let after: readonly unknown[] | undefined;
    for (;;) {
      let res: { pit_id?: string; hits: { hits: { _source?: unknown; sort?: unknown[] }[] } };
      try {
        res = (await client.search(exportPageRequest(q, pitId, after)));
      } catch (err) {
        throw wrapEsError(err, `exporting ${pattern}`);
      }
      if (res.pit_id !== undefined) pitId = res.pit_id;
      const hits = res.hits.hits;
      if (hits.length === 0) return;
      const out: Record<string, unknown>[] = [];
      for (const h of hits) if (isRecord(h._source)) out.push(h._source);
      yield out;
      after = hits[hits.length - 1]!.sort;
      if (after === undefined || hits.length < (q.pageSize ?? 1000)) return;
    }
  } finally {
    await client.closePointInTime({ id: pitId }).catch(() => undefined);
  }
}
