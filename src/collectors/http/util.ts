import type { CollectError } from '../../model/index.js';
import { ERROR_CODES, RightsizeError, UpstreamError, redactUrl, toError, type ErrorCode } from '../../errors/index.js';
import { httpStatusText, type JsonResponse } from './HttpJsonClient.js';

/**
 * Turns anything a request threw into a {@link CollectError} for one target: the stable code
 * of a {@link RightsizeError} (else `RS_ERR_HTTP_CONNECT`), its message, and the redacted URL as
 * subject.
 */
export function collectErrorFrom(target: string, thrown: unknown, url?: string): CollectError {
  const err = toError(thrown);
  if (err instanceof RightsizeError) {
    const subject = typeof err.meta.url === 'string' ? err.meta.url : url !== undefined ? redactUrl(url) : undefined;
    const status = typeof err.meta.status === 'number' && err.code === 'RS_ERR_HTTP_STATUS' ? err.meta.status : undefined;
    return { target, code: err.code, message: err.message, ...(subject !== undefined ? { subject } : {}), ...(status !== undefined ? { status } : {}) };
  }
  return { target, code: 'RS_ERR_HTTP_CONNECT', message: err.message, ...(url !== undefined ? { subject: redactUrl(url) } : {}) };
}

/**
 * The error for a poll where no request succeeded, naming why: the distinct causes of `errors`
 * (`HTTP 401 Unauthorized`, `cannot reach upstream: connection refused (ECONNREFUSED)`), most
 * frequent first, with their code. When every failure is the same HTTP status, `meta.status` is it.
 *
 * @example failedPoll('Jenkins at http://ci/', errors) → UpstreamError RS_ERR_HTTP_STATUS
 *          "Jenkins at http://ci/: no request succeeded: HTTP 401 Unauthorized (3×)"
 */
export function failedPoll(what: string, errors: readonly CollectError[], meta: Record<string, unknown> = {}): UpstreamError {
  const causes = new Map<string, { n: number; code: string }>();
  for (const e of errors) {
    // The message without its `[url]` suffix, so the same cause on several URLs counts once.
    const key = e.status !== undefined ? httpStatusText(e.status) : e.message.replace(/\s*\[[^\]]*\]$/, '');
    const c = causes.get(key) ?? { n: 0, code: e.code };
    c.n++;
    causes.set(key, c);
  }
  const ranked = [...causes.entries()].sort((a, b) => b[1].n - a[1].n);
  const text = ranked.length === 0 ? 'no request was made' : ranked.slice(0, 3).map(([k, c]) => (c.n > 1 ? `${k} (${c.n}×)` : k)).join('; ');
  const first = ranked[0]?.[1].code;
  const code: ErrorCode = first !== undefined && first in ERROR_CODES ? (first as ErrorCode) : 'RS_ERR_HTTP_CONNECT';
  const statuses = new Set(errors.map((e) => e.status));
  const status = statuses.size === 1 ? [...statuses][0] : undefined;
  return new UpstreamError(code, `${what}: no request succeeded: ${text}`, { meta: { ...meta, ...(status !== undefined ? { status } : {}), errors } });
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
