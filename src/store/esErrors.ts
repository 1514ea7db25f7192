import { errors } from '@elastic/elasticsearch';
import { StoreError, toError, type ErrorCode } from '../errors/index.js';

/**
 * HTTP status of an Elasticsearch client error (`ResponseError.meta.statusCode`), if the server
 * answered. The client's ConnectionError, TimeoutError and RequestAbortedError carry
 * `statusCode: 0` (no answer at all): that is not a status, so it gives undefined.
 */
export function statusOf(err: unknown): number | undefined {
  const status = (err as { meta?: { statusCode?: unknown } } | undefined)?.meta?.statusCode;
  return typeof status === 'number' && status > 0 ? status : undefined;
}

/**
 * The store code of a client error:
 * - no answer: `RS_ERR_STORE_TIMEOUT` for a request timeout or an aborted request,
 *   `RS_ERR_STORE_UNREACHABLE` for anything else (refused, reset, DNS, no living connection);
 * - 429 and 5xx: `RS_ERR_STORE_UNAVAILABLE`;
 * - any other status: `RS_ERR_STORE_REJECTED` (the server refused this request; retrying the
 *   same request will not help).
 * The first three are retryable ({@link isRetryableStoreCode}).
 */
export function storeCodeOf(err: unknown): ErrorCode {
  const status = statusOf(err);
  if (status === undefined) return timedOut(err) ? 'RS_ERR_STORE_TIMEOUT' : 'RS_ERR_STORE_UNREACHABLE';
  return status === 429 || status >= 500 ? 'RS_ERR_STORE_UNAVAILABLE' : 'RS_ERR_STORE_REJECTED';
}

/**
 * A request timeout (TimeoutError), an aborted request (RequestAbortedError), or the
 * ConnectionError the undici transport raises when the request's `signal` aborted.
 */
function timedOut(err: unknown): boolean {
  if (err instanceof errors.TimeoutError || err instanceof errors.RequestAbortedError) return true;
  if (!(err instanceof errors.ConnectionError)) return false;
  // The transport copies the request options, so the signal itself is not inspectable: undici's
  // abort reason is the message ("This operation was aborted", "... aborted due to timeout").
  return /\babort/i.test(err.message);
}

const RETRYABLE: ReadonlySet<string> = new Set<ErrorCode>(['RS_ERR_STORE_UNAVAILABLE', 'RS_ERR_STORE_UNREACHABLE', 'RS_ERR_STORE_TIMEOUT']);

/** True for the store codes worth retrying later: no answer, a timeout, 429 or 5xx. */
export function isRetryableStoreCode(code: string | undefined): boolean {
  return code !== undefined && RETRYABLE.has(code);
}

/** Wraps a client error into a StoreError coded by {@link storeCodeOf}, keeping it as `cause`. */
export function wrapEsError(err: unknown, message: string): StoreError {
  const status = statusOf(err);
  return new StoreError(storeCodeOf(err), `${message}: ${toError(err).message}`, { meta: status === undefined ? {} : { status }, cause: err });
}
