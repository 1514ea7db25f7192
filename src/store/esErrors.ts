import { StoreError, toError } from '../errors/index.js';

/** HTTP status of an Elasticsearch client error (`ResponseError.meta.statusCode`), if it has one. */
export function statusOf(err: unknown): number | undefined {
  const status = (err as { meta?: { statusCode?: unknown } } | undefined)?.meta?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Wraps a client error into a StoreError, keeping it as `cause`: no status (connection refused,
 * timeout), 429 and 5xx mean `RS_ERR_STORE_UNAVAILABLE`; other statuses `RS_ERR_STORE_REJECTED`.
 */
export function wrapEsError(err: unknown, message: string): StoreError {
  const status = statusOf(err);
  const code = status === undefined || status === 429 || status >= 500 ? 'RS_ERR_STORE_UNAVAILABLE' : 'RS_ERR_STORE_REJECTED';
  return new StoreError(code, `${message}: ${toError(err).message}`, { meta: status === undefined ? {} : { status }, cause: err });
}
