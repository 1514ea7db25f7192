import { redactUrl } from '../errors/index.js';

/** Keys whose values are secrets whatever they hold. */
const SECRET_KEYS: ReadonlySet<string> = new Set(['apiKey', 'password', 'token']);

/** Keys whose values are lists of secrets. */
const TOKEN_LISTS: ReadonlySet<string> = new Set(['readTokens', 'writeTokens']);

/** A string that carries a scheme and an authority (`http://…`, `tcp://…`): shown through `redactUrl`. */
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * A copy of a configuration fit to print: secret keys become `***`, and every URL-like string
 * (elasticsearch.url, jenkins.url, mesos.masters, docker.hosts, …) loses its user info and
 * secret-looking query parameters (`redactUrl`). Pure.
 *
 * @example maskConfig({ elasticsearch: { url: 'http://elastic:pw@es:9200', password: 'pw' } })
 *   → `{ elasticsearch: { url: 'http://***@es:9200/', password: '***' } }`
 */
export function maskConfig<T>(config: T): T {
  return JSON.parse(JSON.stringify(config), (key: string, value: unknown) => {
    // API bearer tokens are lists: every entry is a secret.
    if (TOKEN_LISTS.has(key) && Array.isArray(value)) return value.map(() => '***');
    if (typeof value !== 'string') return value;
    if (SECRET_KEYS.has(key)) return '***';
    return URL_LIKE.test(value) ? redactUrl(value) : value;
  }) as T;
}
