import { readFileSync } from 'node:fs';
import {
  Client,
  UndiciConnection,
  type ClientOptions,
  type ConnectionRequestOptions,
  type ConnectionRequestOptionsAsStream,
  type ConnectionRequestParams,
  type ConnectionRequestResponse,
  type ConnectionRequestResponseAsStream,
} from '@elastic/elasticsearch';
import type { Config } from '../config/index.js';
import { RightsizeError, redactUrl } from '../errors/index.js';

/** The part of the configuration the client needs. */
export type EsClientConfig = Pick<Config['elasticsearch'], 'url' | 'apiKey' | 'username' | 'password' | 'caFile' | 'requestTimeoutMs'>;

/**
 * The transport's default connection, except that a request never gets the caller's `signal`
 * itself but a signal that follows it (`AbortSignal.any([signal])`).
 *
 * Why: @elastic/transport 8.11's `UndiciConnection` implements a per-request `requestTimeout` that
 * differs from the client's by dispatching a synthetic `abort` event on the signal it was given.
 * Ours are often long-lived: `collect` passes its stop signal to the template installation, so
 * when Elasticsearch was slow to answer the first template request (a demo's fresh start), every
 * listener of that stop signal fired and `collect` shut down 28 ms after it started, with no
 * signal received (3 of 4 fresh demo runs). The signal that follows still aborts the request when
 * ours aborts; the synthetic event stays on it.
 */
export class OwnSignalConnection extends UndiciConnection {
  override request(params: ConnectionRequestParams, options: ConnectionRequestOptions): Promise<ConnectionRequestResponse>;
  override request(params: ConnectionRequestParams, options: ConnectionRequestOptionsAsStream): Promise<ConnectionRequestResponseAsStream>;
  override request(
    params: ConnectionRequestParams,
    options: ConnectionRequestOptions | ConnectionRequestOptionsAsStream,
  ): Promise<ConnectionRequestResponse | ConnectionRequestResponseAsStream> {
    const signal = options.signal;
    const own = signal === undefined ? options : { ...options, signal: AbortSignal.any([signal]) };
    // Both branches call the same method: the check picks the overload for the type checker.
    return 'asStream' in own && own.asStream ? super.request(params, own) : super.request(params, own);
  }
}

/**
 * Builds the options of the Elasticsearch client from the configuration (pure apart from reading
 * the CA file). Invalid combinations (API key and basic auth together, a password without a
 * user) are rejected earlier by config validation; here an API key wins if both ever arrive.
 *
 * `maxRetries` stays at the client's default for ad-hoc calls (templates, retention, queries);
 * the bulk sink passes `maxRetries: 0` per request because it owns its own backoff.
 *
 * @throws RightsizeError `RS_ERR_CONFIG_READ` when `caFile` cannot be read.
 */
export function esClientOptions(cfg: EsClientConfig): ClientOptions {
  const options: ClientOptions = {
    node: cfg.url,
    requestTimeout: cfg.requestTimeoutMs,
    Connection: OwnSignalConnection,
    // Node's default agent keeps sockets alive; the transport's own keep-alive pool is enough.
  };
  if (cfg.apiKey !== undefined && cfg.apiKey !== '') {
    options.auth = { apiKey: cfg.apiKey };
  } else if (cfg.username !== undefined && cfg.username !== '') {
    options.auth = { username: cfg.username, password: cfg.password ?? '' };
  }
  if (cfg.caFile !== undefined && cfg.caFile !== '') {
    let ca: Buffer;
    try {
      ca = readFileSync(cfg.caFile);
    } catch (err) {
      throw new RightsizeError('RS_ERR_CONFIG_READ', `elasticsearch.caFile ${cfg.caFile} cannot be read`, {
        meta: { target: redactUrl(cfg.url), path: cfg.caFile },
        cause: err,
      });
    }
    options.tls = { ca };
  }
  return options;
}

/**
 * Creates the one Elasticsearch client of a process (built in the composition root and passed
 * to the store's components, never created inside them).
 */
export function createEsClient(cfg: EsClientConfig): Client {
  return new Client(esClientOptions(cfg));
}
