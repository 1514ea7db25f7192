import { redactUrl } from '../errors/index.js';

/**
 * Why `url` is not a usable endpoint with one of `schemes` (e.g. `['http:', 'https:']`), or
 * undefined when it is. The same test the clients apply when they start (`new URL`, a known
 * scheme, a host), so `config check` rejects what `collect` would reject: `tcp://` (no host),
 * `http://[::1` (not a URL), `ftp://h` (scheme). The URL in the message is redacted.
 */
export function endpointProblem(url: string, schemes: readonly string[]): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return `not a URL: ${redactUrl(url)}`;
  }
  if (!schemes.includes(parsed.protocol)) return `unsupported scheme ${parsed.protocol} in ${redactUrl(url)} (use ${schemes.map((s) => `${s}//`).join(', ')})`;
  if (parsed.hostname === '' || parsed.hostname === '[]') return `no host in ${redactUrl(url)}`;
  return undefined;
}

const DOCKER_SCHEMES = ['tcp:', 'http:', 'https:'] as const;

/** Like {@link endpointProblem} for a Docker endpoint: also `unix:///absolute/path` or `/absolute/path`. */
export function dockerEndpointProblem(endpoint: string): string | undefined {
  const text = endpoint.trim();
  if (text.startsWith('/')) return undefined;
  if (text.startsWith('unix://')) return text.slice('unix://'.length).startsWith('/') ? undefined : `a unix endpoint needs an absolute path (unix:///var/run/docker.sock): ${redactUrl(endpoint)}`;
  if (text.startsWith('npipe://')) return undefined;
  return endpointProblem(text, DOCKER_SCHEMES);
}
