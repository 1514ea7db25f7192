import { Agent as HttpAgent, STATUS_CODES, request as httpRequest, type IncomingMessage, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { UpstreamError, RightsizeError, redactUrl, type ErrorCode } from '../../errors/index.js';
import { readTlsMaterial, type TlsOptions } from '../tls.js';

/** Options of {@link HttpJsonClient}. */
export interface HttpJsonClientOptions {
  /** Deadline of one `getJson` call, redirects and body included, ms. */
  readonly timeoutMs: number;
  /** A body larger than this is not read to the end: the call fails with `RS_ERR_HTTP_TOO_LARGE`. */
  readonly maxResponseBytes: number;
  /** Redirects followed before failing with `RS_ERR_HTTP_REDIRECT_LOOP`. @defaultValue 5 */
  readonly maxRedirects?: number;
  /**
   * Basic-auth credentials (e.g. Jenkins user + API token). They are sent only to the origin of
   * the requested URL, never to another host a redirect points to.
   */
  readonly auth?: { readonly username: string; readonly password: string };
  readonly tls?: TlsOptions;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What one successful `getJson` returns. */
export interface JsonResponse<T = unknown> {
  /** The parsed body; `unknown` until a parser has checked its shape. */
  readonly body: T;
  /** HTTP status of the final answer (2xx). */
  readonly status: number;
  /**
   * The URL that finally answered, after redirects (user info removed). Mesos non-leaders
   * answer 307 to the leader, so this tells the caller who the leader is.
   */
  readonly url: string;
  /** The redirects followed, in order (user info removed). */
  readonly redirects: readonly string[];
  readonly bytes: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function stripUserInfo(url: URL): URL {
  const copy = new URL(url.toString());
  copy.username = '';
  copy.password = '';
  return copy;
}

/** `HTTP 401 Unauthorized`: the status with its standard reason phrase. */
export function httpStatusText(status: number): string {
  const reason = STATUS_CODES[status];
  return reason === undefined ? `HTTP ${status}` : `HTTP ${status} ${reason}`;
}

/** Why a connection failed, in words an operator reads at a glance (the errno kept in brackets). */
const CONNECT_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the upstream',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed by the upstream',
};

function connectFailureText(cause: NodeJS.ErrnoException): string {
  const words = cause.code !== undefined ? CONNECT_FAILURES[cause.code] : undefined;
  if (words !== undefined) return `cannot reach upstream: ${words} (${cause.code})`;
  return `cannot reach upstream (${cause.code ?? cause.message})`;
}

function shorten(text: string, max = 80): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/**
 * A small JSON-over-HTTP GET client on `node:http`/`node:https`: a deadline per call, a byte cap
 * enforced while the body streams in, redirects followed by hand (with loop detection), basic
 * auth, TLS options. Every failure is an {@link UpstreamError} with a stable code and the
 * redacted URL in `meta.url`; credentials never appear in messages or meta.
 *
 * | failure | code |
 * | --- | --- |
 * | refused, DNS, reset, TLS | `RS_ERR_HTTP_CONNECT` |
 * | deadline passed | `RS_ERR_HTTP_TIMEOUT` |
 * | caller's signal aborted | `RS_ERR_COLLECT_TIMEOUT` |
 * | non-2xx (after redirects) | `RS_ERR_HTTP_STATUS` (`meta.status`) |
 * | body over the cap | `RS_ERR_HTTP_TOO_LARGE` |
 * | redirect to a URL already visited, or too many | `RS_ERR_HTTP_REDIRECT_LOOP` |
 * | body is not JSON (HTML error page, truncated) | `RS_ERR_PARSE_JSON` |
 */
export class HttpJsonClient {
  private readonly _opts: HttpJsonClientOptions;
  private readonly _httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
  private readonly _httpsAgent: HttpsAgent;
  private _closed = false;

  constructor(options: HttpJsonClientOptions) {
    if (!(options.timeoutMs > 0)) throw new RightsizeError('RS_ERR_CONFIG_INVALID', 'timeoutMs must be > 0');
    if (!(options.maxResponseBytes > 0)) throw new RightsizeError('RS_ERR_CONFIG_INVALID', 'maxResponseBytes must be > 0');
    this._opts = options;
    this._httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 16, ...readTlsMaterial(options.tls, 'tls') });
  }

  /**
   * GETs `url` and parses the body as JSON. User info in `url` (`http://user:pass@host/`) is
   * moved into an Authorization header and removed from everything reported.
   *
   * @throws UpstreamError (see the class table); never anything else.
   */
  async getJson<T = unknown>(url: string, signal?: AbortSignal): Promise<JsonResponse<T>> {
    if (this._closed) throw new UpstreamError('RS_ERR_LIFECYCLE_SHUTDOWN', 'HTTP client is shut down', { meta: { url: redactUrl(url) } });
    let current: URL;
    try {
      current = new URL(url);
    } catch (cause) {
      throw new UpstreamError('RS_ERR_HTTP_CONNECT', `not a URL: ${redactUrl(url)}`, { meta: { url: redactUrl(url) }, cause });
    }
    if (current.protocol !== 'http:' && current.protocol !== 'https:') {
      throw new UpstreamError('RS_ERR_HTTP_CONNECT', `unsupported protocol ${current.protocol} in ${redactUrl(url)}`, { meta: { url: redactUrl(url) } });
    }
    const origin = current.origin;
    const auth =
      this._opts.auth ??
      (current.username !== '' || current.password !== ''
        ? { username: decodeURIComponent(current.username), password: decodeURIComponent(current.password) }
        : undefined);
    current = stripUserInfo(current);

    const deadline = AbortSignal.timeout(this._opts.timeoutMs);
    const combined = signal ? AbortSignal.any([deadline, signal]) : deadline;
    const maxRedirects = this._opts.maxRedirects ?? 5;
    const visited = new Set<string>([current.toString()]);
    const redirects: string[] = [];

    for (;;) {
      const sendAuth = auth !== undefined && current.origin === origin;
      const res = await this._request(current, sendAuth ? auth : undefined, combined, signal, deadline);
      const status = res.statusCode ?? 0;
      if (REDIRECT_STATUSES.has(status)) {
        res.resume();
        const location = res.headers.location;
        if (location === undefined || location === '') {
          throw this._error('RS_ERR_HTTP_STATUS', `${status} without a Location header`, current, { status });
        }
        let next: URL;
        try {
          next = stripUserInfo(new URL(location, current));
        } catch (cause) {
          throw this._error('RS_ERR_HTTP_STATUS', `${status} with an unusable Location`, current, { status }, cause);
        }
        const key = next.toString();
        if (visited.has(key)) {
          throw this._error('RS_ERR_HTTP_REDIRECT_LOOP', `redirect loop: ${redactUrl(key)} was already visited`, current, {
            status,
            redirects: [...redirects, redactUrl(key)],
          });
        }
        if (redirects.length >= maxRedirects) {
          throw this._error('RS_ERR_HTTP_REDIRECT_LOOP', `more than ${maxRedirects} redirects`, current, {
            status,
            redirects: [...redirects, redactUrl(key)],
          });
        }
        visited.add(key);
        redirects.push(redactUrl(key));
        current = next;
        continue;
      }
      const body = await this._readBody(res, current, signal, deadline);
      if (status < 200 || status >= 300) {
        const contentType = String(res.headers['content-type'] ?? '');
        const detail = shorten(body.toString('utf8'));
        throw this._error('RS_ERR_HTTP_STATUS', `${httpStatusText(status)}${detail === '' ? '' : `: ${detail}`}`, current, { status, contentType });
      }
      const text = body.toString('utf8').replace(/^\uFEFF/, '');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (cause) {
        const contentType = String(res.headers['content-type'] ?? '');
        const hint = /^\s*</.test(text) ? 'an HTML/XML page' : text.trim() === '' ? 'an empty body' : 'malformed or truncated JSON';
        throw this._error('RS_ERR_PARSE_JSON', `expected JSON, got ${hint} (${body.length} bytes, ${contentType || 'no content-type'})`, current, {
          status,
          contentType,
          bytes: body.length,
        }, cause);
      }
      return { body: parsed as T, status, url: current.toString(), redirects, bytes: body.length };
    }
  }

  /** Closes idle keep-alive sockets; idempotent. Later calls fail with `RS_ERR_LIFECYCLE_SHUTDOWN`. */
  shutdown(): Promise<void> {
    if (!this._closed) {
      this._closed = true;
      this._httpAgent.destroy();
      this._httpsAgent.destroy();
    }
    return Promise.resolve();
  }

  private _request(
    url: URL,
    auth: { readonly username: string; readonly password: string } | undefined,
    signal: AbortSignal,
    callerSignal: AbortSignal | undefined,
    deadline: AbortSignal,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(this._abortError(url, callerSignal, deadline));
        return;
      }
      const headers: Record<string, string> = { accept: 'application/json', ...(this._opts.headers ?? {}) };
      if (auth) headers['authorization'] = 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
      const isHttps = url.protocol === 'https:';
      let req: ClientRequest;
      const onAbort = (): void => {
        req.destroy();
        reject(this._abortError(url, callerSignal, deadline));
      };
      try {
        req = (isHttps ? httpsRequest : httpRequest)(
          url,
          { method: 'GET', headers, agent: isHttps ? this._httpsAgent : this._httpAgent },
          (res) => {
            signal.removeEventListener('abort', onAbort);
            resolve(res);
          },
        );
      } catch (cause) {
        reject(this._error('RS_ERR_HTTP_CONNECT', 'request could not be created', url, {}, cause));
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (cause: NodeJS.ErrnoException) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) {
          reject(this._abortError(url, callerSignal, deadline));
          return;
        }
        reject(this._error('RS_ERR_HTTP_CONNECT', connectFailureText(cause), url, { errno: cause.code }, cause));
      });
      req.end();
    });
  }

  private _readBody(res: IncomingMessage, url: URL, callerSignal: AbortSignal | undefined, deadline: AbortSignal): Promise<Buffer> {
    const cap = this._opts.maxResponseBytes;
    return new Promise((resolve, reject) => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > cap) {
        res.destroy();
        reject(this._error('RS_ERR_HTTP_TOO_LARGE', `response declares ${declared} bytes, cap is ${cap}`, url, { bytes: declared, cap, status: res.statusCode }));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const signal = callerSignal ? AbortSignal.any([deadline, callerSignal]) : deadline;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      // Settle first: destroying the response emits 'aborted'/'error' synchronously.
      const onAbort = (): void => {
        finish(() => reject(this._abortError(url, callerSignal, deadline)));
        res.destroy();
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > cap) {
          finish(() => reject(this._error('RS_ERR_HTTP_TOO_LARGE', `response exceeds the cap of ${cap} bytes`, url, { cap, status: res.statusCode })));
          res.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => finish(() => resolve(Buffer.concat(chunks, size))));
      res.on('aborted', () => finish(() => reject(this._error('RS_ERR_HTTP_CONNECT', 'connection closed in the middle of the body', url, { status: res.statusCode }))));
      res.on('error', (cause: NodeJS.ErrnoException) =>
        finish(() => reject(this._error('RS_ERR_HTTP_CONNECT', `body read failed (${cause.code ?? cause.message})`, url, { status: res.statusCode }, cause))),
      );
    });
  }

  private _abortError(url: URL, callerSignal: AbortSignal | undefined, deadline: AbortSignal): UpstreamError {
    if (deadline.aborted) return this._error('RS_ERR_HTTP_TIMEOUT', `no complete answer within ${this._opts.timeoutMs} ms`, url, { timeoutMs: this._opts.timeoutMs });
    const reason: unknown = callerSignal?.reason;
    return this._error('RS_ERR_COLLECT_TIMEOUT', 'request cancelled by the caller', url, {}, reason);
  }

  private _error(code: ErrorCode, message: string, url: URL, meta: Record<string, unknown>, cause?: unknown): UpstreamError {
    const redacted = redactUrl(url.toString());
    return new UpstreamError(code, `${message} [${redacted}]`, { meta: { ...meta, url: redacted }, ...(cause === undefined ? {} : { cause }) });
  }
}
