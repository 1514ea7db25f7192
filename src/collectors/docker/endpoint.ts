/** Where the Docker engines are: endpoint strings (config, `--docker-host`, `DOCKER_HOST`) → how to reach each. */
import { RightsizeError, redactUrl } from '../../errors/index.js';

/** Where and how to reach one engine. */
export type DockerEndpoint =
  | { readonly kind: 'unix'; readonly socketPath: string }
  | { readonly kind: 'tcp'; readonly protocol: 'http' | 'https'; readonly host: string; readonly port: number };

/** The default engine when neither config nor `DOCKER_HOST` names one. */
export const DEFAULT_DOCKER_ENDPOINT = 'unix:///var/run/docker.sock';

/**
 * Parses a Docker endpoint: `unix:///path/docker.sock` (or a bare absolute path),
 * `tcp://host:port` (https when TLS is configured; default port 2375, or 2376 with TLS),
 * `http://host:port`, `https://host:port`. Anything else is `RS_ERR_CONFIG_INVALID`.
 */
export function parseDockerEndpoint(endpoint: string, tlsConfigured = false): DockerEndpoint {
  const text = endpoint.trim();
  if (text.startsWith('/')) return { kind: 'unix', socketPath: text };
  if (text.startsWith('unix://')) {
    const socketPath = text.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw invalidEndpoint(endpoint, 'a unix endpoint needs an absolute path (unix:///var/run/docker.sock)');
    return { kind: 'unix', socketPath };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidEndpoint(endpoint, 'not a URL');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw invalidEndpoint(endpoint, 'no host');
  if (url.protocol === 'tcp:') {
    const protocol = tlsConfigured ? 'https' : 'http';
    return { kind: 'tcp', protocol, host, port: url.port !== '' ? Number(url.port) : tlsConfigured ? 2376 : 2375 };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const protocol = url.protocol === 'https:' ? 'https' : 'http';
    return { kind: 'tcp', protocol, host, port: url.port !== '' ? Number(url.port) : protocol === 'https' ? 443 : 80 };
  }
  throw invalidEndpoint(endpoint, `unsupported scheme ${url.protocol} (use unix://, tcp://, http:// or https://)`);
}

function invalidEndpoint(endpoint: string, why: string): RightsizeError {
  return new RightsizeError('RS_ERR_CONFIG_INVALID', `Docker endpoint ${redactUrl(endpoint)}: ${why}`, { meta: { url: redactUrl(endpoint) } });
}

/**
 * The engines to collect from: an explicit override (`--docker-host`) wins, then config
 * `docker.hosts`, then the standard `DOCKER_HOST`, then the local socket.
 */
export function resolveDockerEndpoints(input: {
  readonly override?: readonly string[] | string;
  readonly configured?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
}): readonly string[] {
  const override = typeof input.override === 'string' ? [input.override] : (input.override ?? []);
  const pick = (list: readonly string[]): string[] => list.map((s) => s.trim()).filter((s) => s !== '');
  if (pick(override).length > 0) return pick(override);
  if (pick(input.configured ?? []).length > 0) return pick(input.configured ?? []);
  const fromEnv = input.env?.['DOCKER_HOST']?.trim();
  if (fromEnv) return [fromEnv];
  return [DEFAULT_DOCKER_ENDPOINT];
}
