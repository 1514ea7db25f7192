import { createHash } from 'node:crypto';
import type { Client, estypes } from '@elastic/elasticsearch';
import { classifyBulkResponse } from '../bulkResponse.js';
import { withEcsBase } from '../ecs.js';
import { wrapEsError } from '../esErrors.js';
import { indexName } from '../routing.js';

/**
 * Writing the weekly waste rows to the monthly `<prefix>-waste-YYYY.MM` indices
 * (docs/data-model.md, waste). The documents are built by the analysis core; this module only
 * needs their identity fields.
 */
export interface WasteDocIdentity {
  readonly '@timestamp': string;
  readonly waste: { readonly scope: string };
  readonly workload: { readonly key: string };
  readonly week: string;
}

/** `_id` of a waste row: sha1 of scope, key and week, so re-running analyze overwrites the row. */
export function wasteId(scope: string, key: string, week: string): string {
  return createHash('sha1').update(JSON.stringify(['waste', scope, key, week])).digest('hex');
}

/** What a write of waste rows did. */
export interface WasteWriteStats {
  /** Rows written (created or overwritten). */
  written: number;
  failed: number;
  readonly failures: string[];
}

export function emptyWasteWriteStats(): WasteWriteStats {
  return { written: 0, failed: 0, failures: [] };
}

/** The bulk operations (pure): one `index` per row into the month of its week start. */
export function wasteBulkBody<D extends WasteDocIdentity>(prefix: string, docs: readonly D[]): (estypes.BulkOperationContainer | D)[] {
  const operations: (estypes.BulkOperationContainer | D)[] = [];
  for (const d of docs) {
    const ms = Date.parse(d['@timestamp']);
    operations.push({ index: { _index: indexName(prefix, 'waste', ms), _id: wasteId(d.waste.scope, d.workload.key, d.week) } }, withEcsBase(d));
  }
  return operations;
}

/**
 * Writes the rows in batches of `batchSize` and adds the outcome to `stats`. Item failures are
 * counted (first five reasons kept); a failed request throws.
 *
 * @throws StoreError `RS_ERR_STORE_UNAVAILABLE` / `RS_ERR_STORE_REJECTED`.
 */
export async function writeWaste(client: Client, prefix: string, docs: readonly WasteDocIdentity[], stats: WasteWriteStats, batchSize = 1000): Promise<void> {
  for (let i = 0; i < docs.length; i += batchSize) {
    const batch = docs.slice(i, i + batchSize);
    let response: estypes.BulkResponse;
    try {
      response = await client.bulk({ operations: wasteBulkBody(prefix, batch) });
    } catch (err) {
      throw wrapEsError(err, 'writing waste rows');
    }
    const items = classifyBulkResponse(response, batch.length);
    if (items === undefined) {
      stats.failed += batch.length;
      if (stats.failures.length < 5) stats.failures.push(`bulk response does not list ${batch.length} items`);
      continue;
    }
    for (const item of items) {
      if (item.outcome === 'stored') stats.written++;
      else {
        stats.failed++;
        if (stats.failures.length < 5) stats.failures.push(`${item.op} ${item.id ?? '?'}: ${item.reason ?? item.status}`);
      }
    }
  }
}
