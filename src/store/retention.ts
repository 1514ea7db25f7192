import type { Client } from '@elastic/elasticsearch';
import type { Logger } from '../util/index.js';
import { statusOf, wrapEsError } from './esErrors.js';
import { INDEX_KINDS, type IndexKind } from './routing.js';
import { DAY_MS } from '../util/units.js';


/**
 * Days of data kept per index kind. Kinds left out are never deleted (single indices such as
 * recommendations and alerts have no date and are never candidates anyway).
 */
export type RetentionDays = Readonly<Partial<Record<IndexKind, number>>>;

/** A candidate for deletion, with the interval its date suffix covers. */
export interface ExpiredIndex {
  readonly index: string;
  readonly kind: IndexKind;
  /** First instant the index covers (UTC midnight of its day, or the 1st of its month), epoch ms. */
  readonly startMs: number;
  /** First instant after it, epoch ms. */
  readonly endMs: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Parses `<prefix>-<kind>-YYYY.MM.DD` / `-YYYY.MM` into the interval it covers; undefined for anything else. */
export function parseIndexDate(name: string, prefix: string): ExpiredIndex | undefined {
  for (const kind of Object.keys(INDEX_KINDS) as IndexKind[]) {
    const period = INDEX_KINDS[kind];
    if (period === 'single') continue;
    const head = `${prefix}-${kind}-`;
    if (!name.startsWith(head)) continue;
    const rest = name.slice(head.length);
    const m = period === 'daily' ? /^(\d{4})\.(\d{2})\.(\d{2})$/.exec(rest) : /^(\d{4})\.(\d{2})$/.exec(rest);
    if (!m) continue;
    const year = Number(m[1]);
    const month = Number(m[2]) - 1;
    const day = period === 'daily' ? Number(m[3]) : 1;
    const startMs = Date.UTC(year, month, day);
    const start = new Date(startMs);
    // Reject 2026.02.30 and 2026.13: Date.UTC would roll them over into another date.
    if (start.getUTCFullYear() !== year || start.getUTCMonth() !== month || start.getUTCDate() !== day) continue;
    const endMs = period === 'daily' ? startMs + DAY_MS : Date.UTC(year, month + 1, 1);
    return { index: name, kind, startMs, endMs };
  }
  return undefined;
}

/**
 * Which of `names` retention deletes at `nowMs`: a dated index of a kind with `retentionDays`
 * set is deleted when everything it can hold is older than that many days, i.e. when the end of
 * its day (or month) is at or before `nowMs - days × 24 h`. So today's index and the current
 * month's are never deleted, and a monthly index goes only when its whole month is old.
 * Names that are not `<prefix>-<kind>-<date>` with a valid date are never deleted.
 *
 * Pure.
 *
 * @example now 2026-11-22T03:00Z, containers: 14 → cutoff 2026-11-08T03:00Z:
 *   `rightsize-containers-2026.11.07` (ends 11-08T00:00) is deleted, `…-2026.11.08` is kept.
 */
export function expiredIndices(names: readonly string[], opts: { readonly prefix: string; readonly retentionDays: RetentionDays; readonly nowMs: number }): ExpiredIndex[] {
  const out: ExpiredIndex[] = [];
  const prefixRe = new RegExp(`^${escapeRegExp(opts.prefix)}-`);
  for (const name of names) {
    if (!prefixRe.test(name)) continue;
    const parsed = parseIndexDate(name, opts.prefix);
    if (parsed === undefined) continue;
    const days = opts.retentionDays[parsed.kind];
    if (days === undefined || !Number.isFinite(days) || days < 1) continue;
    const cutoffMs = opts.nowMs - days * DAY_MS;
    // The second condition is redundant for days >= 1 but states the rule: never the current period.
    if (parsed.endMs <= cutoffMs && parsed.endMs <= opts.nowMs) out.push(parsed);
  }
  return out.sort((a, b) => a.startMs - b.startMs || a.index.localeCompare(b.index));
}

/** Options of {@link applyRetention}. */
export interface RetentionOptions {
  readonly prefix: string;
  readonly retentionDays: RetentionDays;
  /** The current time, epoch ms (injected; the caller reads its clock). */
  readonly now: number;
  readonly logger?: Logger;
  /** List what would go without deleting anything. */
  readonly dryRun?: boolean;
}

/** What a retention pass did. */
export interface RetentionResult {
  /** Indices deleted (or, on a dry run, that would be). */
  readonly deleted: readonly string[];
  /** Dated indices of the prefix that were looked at. */
  readonly examined: number;
}

/**
 * Lists the indices of the prefix (open and closed), deletes the expired ones by exact name
 * (wildcard deletes are refused by `action.destructive_requires_name` anyway), and returns them.
 *
 * @throws StoreError `RS_ERR_STORE_UNAVAILABLE` / `RS_ERR_STORE_REJECTED`.
 */
export async function applyRetention(client: Client, opts: RetentionOptions): Promise<RetentionResult> {
  let names: string[];
  try {
    const rows = await client.cat.indices({ index: `${opts.prefix}-*`, format: 'json', h: 'index', expand_wildcards: ['open', 'closed'] });
    names = rows.map((r) => r.index).filter((n): n is string => typeof n === 'string');
  } catch (err) {
    if (statusOf(err) === 404) return { deleted: [], examined: 0 };
    throw wrapEsError(err, 'cannot list indices for retention');
  }
  const expired = expiredIndices(names, { prefix: opts.prefix, retentionDays: opts.retentionDays, nowMs: opts.now }).map((e) => e.index);
  const examined = names.filter((n) => parseIndexDate(n, opts.prefix) !== undefined).length;
  if (opts.dryRun === true || expired.length === 0) return { deleted: expired, examined };
  const deleted: string[] = [];
  // Batches keep the URL short.
  for (let i = 0; i < expired.length; i += 50) {
    const batch = expired.slice(i, i + 50);
    try {
      await client.indices.delete({ index: batch, ignore_unavailable: true });
    } catch (err) {
      throw wrapEsError(err, `cannot delete expired indices ${batch.join(',')}`);
    }
    deleted.push(...batch);
    opts.logger?.info({ indices: batch }, 'retention deleted expired indices');
  }
  return { deleted, examined };
}
