import { ERROR_CODES, type ErrorCode } from './codes.js';

/** Diagnostic context carried by an error. MUST NOT contain credentials: use {@link redactUrl}. */
export interface ErrorMeta {
  readonly url?: string;
  readonly status?: number;
  readonly containerId?: string;
  readonly target?: string;
  readonly [key: string]: unknown;
}

/**
 * The one error base of rightsize. Every error has a stable `code`, the HTTP `statusCode` the
 * API answers with, a redacted `meta`, and keeps what it wraps as `cause` (never flattened into
 * the message).
 */
export class RightsizeError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly meta: ErrorMeta;

  constructor(code: ErrorCode, message?: string, options: { meta?: ErrorMeta; cause?: unknown } = {}) {
    super(message ?? ERROR_CODES[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RightsizeError';
    this.code = code;
    this.statusCode = ERROR_CODES[code].statusCode;
    this.meta = options.meta ?? {};
  }
}

/** Configuration problems, each with the path of the offending key. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** Raised at boot when the configuration is invalid; lists every problem at once. */
export class ConfigError extends RightsizeError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], source: string) {
    super(
      'RS_ERR_CONFIG_INVALID',
      `${source}: ${problems.length} problem(s)\n` + problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'),
      { meta: { source } },
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** An HTTP, JSON or shape failure while talking to an upstream system (Mesos, Jenkins, Docker). */
export class UpstreamError extends RightsizeError {
  constructor(code: ErrorCode, message: string, options: { meta?: ErrorMeta; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'UpstreamError';
  }
}

/** A failure talking to Elasticsearch. */
export class StoreError extends RightsizeError {
  constructor(code: ErrorCode, message: string, options: { meta?: ErrorMeta; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'StoreError';
  }
}

/**
 * Removes credentials from a URL for logs and error metadata: user info becomes `***`, and
 * query parameters that look like secrets (`token`, `api_key`, `password`, ...) are masked.
 *
 * @example redactUrl('http://bob:s3cret@jenkins:8080/api/json?token=abc') === 'http://***@jenkins:8080/api/json?token=***'
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not parseable (e.g. `http://u:p@[::1`): everything of the authority up to its last `@`.
    return raw.replace(/\/\/[^/?#\s]*@/, '//***@');
  }
  const hadUser = url.username !== '' || url.password !== '';
  url.username = '';
  url.password = '';
  for (const key of [...url.searchParams.keys()]) {
    if (/token|key|pass|secret|auth/i.test(key)) url.searchParams.set(key, '***');
  }
  let out = url.toString();
  if (hadUser) out = out.replace('://', '://***@');
  return out.replace(/%2A%2A%2A/g, '***');
}

/**
 * A URL as it may enter a document or an `_id`: user info removed without a trace and secret-looking
 * query parameters masked (as {@link redactUrl}), so the same endpoint reads the same whether its
 * credentials come from the URL or from the environment.
 *
 * @example stripCredentials('http://bob:s3cret@jenkins:8080/') === 'http://jenkins:8080/'
 */
export function stripCredentials(raw: string): string {
  return redactUrl(raw).replace(/^([a-z][a-z0-9+.-]*:\/\/)\*\*\*@/i, '$1');
}

/** Turns anything thrown into an Error without losing it. */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
