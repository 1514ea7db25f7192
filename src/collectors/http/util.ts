import type { CollectError } from '../../model/index.js';
import { RightsizeError, redactUrl, toError } from '../../errors/index.js';
import type { JsonResponse } from './HttpJsonClient.js';

/**
 * Turns anything a request threw into a {@link CollectError} for one target: the stable code
 * of a {@link RightsizeError} (else `RS_ERR_HTTP_CONNECT`), its message, and the redacted URL as
 * subject.
 */
export function collectErrorFrom(target: string, thrown: unknown, url?: string): CollectError {
  const err = toError(thrown);
  if (err instanceof RightsizeError) {
    const subject = typeof err.meta.url === 'string' ? err.meta.url : url !== undefined ? redactUrl(url) : undefined;
    return { target, code: err.code, message: err.message, ...(subject !== undefined ? { subject } : {}) };
  }
  return { target, code: 'RS_ERR_HTTP_CONNECT', message: err.message, ...(url !== undefined ? { subject: redactUrl(url) } : {}) };
}

/** Adds counts of `from` into `into`. */
export function mergeCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order.
 * `fn` MUST NOT throw (collectors turn failures into data before returning).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Joins a base URL and a path without doubling or losing the slash; keeps the base's path prefix. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}

/**
 * GETs the first of `paths` (joined to `base`) that exists: a 404 moves on to the next one
 * (older Mesos serves `/state.json`, `/monitor/statistics.json`, `/master/stats.json`). The path
 * that worked is remembered in `memo` per base and tried first next time. Any other failure is
 * thrown as is; when every path is 404, the last 404 is thrown.
 */
export async function getFirstFound(
  client: { getJson(url: string, signal?: AbortSignal): Promise<JsonResponse> },
  base: string,
  paths: readonly string[],
  signal: AbortSignal,
  memo?: Map<string, string>,
): Promise<JsonResponse & { path: string }> {
  const key = `${base}|${paths[0] ?? ''}`;
  const known = memo?.get(key);
  const order = known !== undefined ? [known, ...paths.filter((p) => p !== known)] : [...paths];
  let last: RightsizeError | undefined;
  for (const path of order) {
    try {
      const res = await client.getJson(joinUrl(base, path), signal);
      memo?.set(key, path);
      return { ...res, path };
    } catch (err) {
      if (err instanceof RightsizeError && err.code === 'RS_ERR_HTTP_STATUS' && err.meta.status === 404) {
        last = err;
        continue;
      }
      throw err;
    }
  }
  throw last ?? new RightsizeError('RS_ERR_HTTP_STATUS', `no path to try under ${redactUrl(base)}`);
}
