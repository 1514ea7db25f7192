/** Builds the Docker collectors from the `docker` config section. */
import type { Clock } from '../../util/index.js';
import type { TlsOptions } from '../tls.js';
import { DockerCollector, type DockerCollectorOptions } from './DockerCollector.js';
import { resolveDockerEndpoints } from './endpoint.js';

/** Builds the collector of one engine. */
export function collectorFromEndpoint(endpoint: string, options: DockerCollectorOptions = {}): DockerCollector {
  return new DockerCollector(endpoint, options);
}

/**
 * One collector per engine from the `docker` config section (`hosts`, `tls`, `timeoutMs`,
 * `concurrency`), `DOCKER_HOST` and an optional `--docker-host` override.
 */
export function dockerCollectorsFromConfig(
  docker: { readonly hosts: readonly string[]; readonly tls?: TlsOptions; readonly timeoutMs: number; readonly concurrency: number },
  extra: { readonly override?: readonly string[] | string; readonly env?: Readonly<Record<string, string | undefined>>; readonly clock?: Clock } = {},
): DockerCollector[] {
  const endpoints = resolveDockerEndpoints({ override: extra.override, configured: docker.hosts, env: extra.env });
  return endpoints.map((e) =>
    collectorFromEndpoint(e, {
      timeoutMs: docker.timeoutMs,
      concurrency: docker.concurrency,
      ...(docker.tls !== undefined && { tls: docker.tls }),
      ...(extra.clock !== undefined && { clock: extra.clock }),
    }),
  );
}
