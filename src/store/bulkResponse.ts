import { isRecord } from '../util/json.js';

/**
 * What one `_bulk` item's answer means for the document:
 * - `stored`: 2xx, the operation took effect;
 * - `exists`: 409 on `create`, a document with that `_id` is there already (an earlier attempt got
 *   through, or an immutable history entry was written before);
 * - `retryable`: 429 (back-pressure) or 5xx: the same operation may succeed later;
 * - `rejected`: any other status (mapping conflict, bad id, ...), or no readable status: sending
 *   it again will not help.
 */
export type BulkItemClass = 'stored' | 'exists' | 'retryable' | 'rejected';

/** One item of a bulk response, classified. */
export interface BulkItemOutcome {
  /** `create`, `index`, `update` or `delete`; `''` when the item is unreadable. */
  readonly op: string;
  readonly id?: string;
  /** HTTP status of the item; 0 when absent. */
  readonly status: number;
  readonly outcome: BulkItemClass;
  /** `<status> <error.type>: <error.reason>` for `retryable` and `rejected`. */
  readonly reason?: string;
}

/** Classifies one item of `response.items` (`{"<op>": {status, _id, error}}`). */
export function classifyBulkItem(item: unknown): BulkItemOutcome {
  const entry = isRecord(item) ? Object.entries(item)[0] : undefined;
  const op = entry?.[0] ?? '';
  const result = isRecord(entry?.[1]) ? entry[1] : {};
  const status = typeof result['status'] === 'number' ? result['status'] : 0;
  const id = typeof result['_id'] === 'string' ? result['_id'] : undefined;
  const base = { op, status, ...(id === undefined ? {} : { id }) };
  if (status >= 200 && status < 300) return { ...base, outcome: 'stored' };
  if (status === 409 && op === 'create') return { ...base, outcome: 'exists' };
  const error = isRecord(result['error']) ? result['error'] : {};
  const type = typeof error['type'] === 'string' ? error['type'] : 'unknown';
  const why = typeof error['reason'] === 'string' ? error['reason'] : 'no reason given';
  const reason = `${status} ${type}: ${why}`;
  return { ...base, outcome: status === 429 || status >= 500 ? 'retryable' : 'rejected', reason };
}

/**
 * Classifies every item of a bulk response; undefined when the response has no `items` array or
 * not one item per operation (then nobody can tell which documents made it).
 */
export function classifyBulkResponse(response: unknown, operations: number): BulkItemOutcome[] | undefined {
  const items = isRecord(response) ? response['items'] : undefined;
  if (!Array.isArray(items) || items.length !== operations) return undefined;
  return items.map(classifyBulkItem);
}
