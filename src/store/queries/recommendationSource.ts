import type { Client } from '@elastic/elasticsearch';
import type { RecommendationDoc, RecommendationPage, RecommendationPages, RecommendationSourceSpec } from '../../model/index.js';
import { createEsClient } from '../client.js';
import { isRecord } from '../../util/json.js';
import { wrapEsError } from '../esErrors.js';
import { indexName } from '../routing.js';

/**
 * Reading every latest recommendation (`<prefix>-recommendations`) page by page: the API cache's
 * reload (in serve's reload worker) and the weekly report read it this way.
 */

/** The search request of one page of latest recommendations, in `workload.kind`, `workload.key` order (pure). */
export function latestRecommendationsPageRequest(prefix: string, pageSize: number, after?: readonly unknown[]): Record<string, unknown> {
  return {
    index: indexName(prefix, 'recommendations', 0),
    ignore_unavailable: true,
    size: pageSize,
    query: { match_all: {} },
    sort: [{ 'workload.kind': 'asc' }, { 'workload.key': 'asc' }],
    track_total_hits: false,
    ...(after !== undefined ? { search_after: after } : {}),
  };
}

/**
 * Every latest recommendation (`<prefix>-recommendations`), page by page with `search_after`.
 * A document without an object `_source` or a `workload.kind`/`workload.key` string is left out
 * and counted in `skipped`. No index yet → no pages.
 *
 * @throws StoreError `RS_ERR_STORE_UNAVAILABLE` / `RS_ERR_STORE_REJECTED`.
 */
export async function* latestRecommendationPages(
  client: Client,
  prefix: string,
  pageSize = 1000,
  signal?: AbortSignal,
): AsyncGenerator<{ readonly docs: RecommendationDoc[]; readonly skipped: number }> {
  let after: readonly unknown[] | undefined;
  for (;;) {
    let res: unknown;
    try {
      res = await client.search(latestRecommendationsPageRequest(prefix, pageSize, after), signal !== undefined ? { signal } : {});
    } catch (err) {
      throw wrapEsError(err, `reading ${indexName(prefix, 'recommendations', 0)}`);
    }
    const hits = isRecord(res) && isRecord(res['hits']) && Array.isArray(res['hits']['hits']) ? (res['hits']['hits'] as unknown[]) : [];
    if (hits.length === 0) return;
    const docs: RecommendationDoc[] = [];
    let skipped = 0;
    for (const h of hits) {
      const src = isRecord(h) ? h['_source'] : undefined;
      const w = isRecord(src) ? src['workload'] : undefined;
      if (isRecord(w) && typeof w['kind'] === 'string' && typeof w['key'] === 'string') docs.push(src as RecommendationDoc);
      else skipped++;
    }
    yield { docs, skipped };
    const last = hits[hits.length - 1];
    const sort = isRecord(last) ? last['sort'] : undefined;
    if (hits.length < pageSize || !Array.isArray(sort)) return;
    after = sort;
  }
}

/** `<prefix>-recommendations` through `client` in pages of `pageSize`; `close` closes the client when `ownsClient`. */
export function esRecommendationPages(client: Client, prefix: string, pageSize: number, ownsClient = false): RecommendationPages {
  return {
    pages: (signal: AbortSignal): AsyncIterable<RecommendationPage> => latestRecommendationPages(client, prefix, pageSize, signal),
    close: async () => {
      if (ownsClient) await client.close();
    },
  };
}

/**
 * {@link RecommendationPagesModule}: what the API's reload worker loads (it creates its own
 * client from `spec.elasticsearch`, in its thread).
 */
export function openRecommendationPages(spec: RecommendationSourceSpec): RecommendationPages {
  return esRecommendationPages(createEsClient(spec.elasticsearch), spec.prefix, spec.pageSize, true);
}

/** This module's URL, for the reload worker (`.ts` under tsx/vitest, `.js` when built). */
export const RECOMMENDATION_SOURCE_MODULE: string = import.meta.url;
